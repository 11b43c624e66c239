"""Choosing the recognizer: vosk when its model is there, else pocketsphinx, and never silently
past a model the user pointed at."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from voice_guide.engines.registry import choose_engine
from voice_guide.engines.vosk_asr import ENV_MODEL
from voice_guide.errors import ConfigError


def test_no_vosk_model_means_pocketsphinx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_MODEL, raising=False)
    assert choose_engine("auto", models_dir=tmp_path) == "pocketsphinx"


def test_a_wrong_model_variable_is_said_before_falling_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv(ENV_MODEL, str(tmp_path / "not-a-model"))
    with caplog.at_level(logging.WARNING):
        assert choose_engine("auto", models_dir=tmp_path) == "pocketsphinx"
    assert ENV_MODEL in caplog.text and "using pocketsphinx" in caplog.text


def test_an_unknown_engine_is_one_clear_error() -> None:
    with pytest.raises(ConfigError, match="choose one of auto"):
        choose_engine("whisper")


def test_the_download_goes_into_the_checkouts_models_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """Where 'listen' looks from any working folder; an installed model there is not fetched again."""
    import voice_guide.engines.vosk_asr as vosk_asr
    from voice_guide.cli.main import main
    from voice_guide.cli.model import NAME, REQUIRED

    checkout = tmp_path / "checkout-models"
    for part in REQUIRED:
        (checkout / NAME / part).mkdir(parents=True)
    monkeypatch.setattr(vosk_asr, "checkout_models", lambda: checkout)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(ENV_MODEL, raising=False)
    assert main(["model", "download"]) == 0
    assert f"{checkout / NAME} is already installed" in capsys.readouterr().out
    assert main(["model", "where"]) == 0 and capsys.readouterr().out.strip() == str(checkout / NAME)
