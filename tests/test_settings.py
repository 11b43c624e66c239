"""The settings file: defaults, validation with file:line, flag overrides."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from voice_guide.cli.main import main
from voice_guide.errors import ConfigError, ContentError
from voice_guide.settings import GuideSettings, load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "scripts" / "kiosk.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VOICE_GUIDE_CONFIG", raising=False)
    s = load_settings(None)
    assert s == GuideSettings() and s.mode == "push_to_talk" and s.idle_timeout_s == 60


def test_example_file_is_valid() -> None:
    s = load_settings(EXAMPLE)
    assert s.barge_in is False and s.volume_cap == 1.6 and s.trailing_silence_s == 1.2


def test_env_variable_names_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VOICE_GUIDE_CONFIG", str(write(tmp_path, "mode: wake\n")))
    assert load_settings().mode == "wake"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("mode: wake\ncolour: red\n", 2, "unknown setting 'colour'"),
        ("mode: shouting\n", 1, "not one of"),
        ("volume: 0.5\nrate_wpm: 9000\n", 2, "outside"),
        ("earcons: maybe\n", 1, "true or false"),
        ("playlist: one\n", 1, "a list of text"),
        ("volume: 0.95\nvolume_cap: 0.5\n", 1, "above volume_cap"),
        ("idle_timeout_s: 30\nidle_warning_s: 40\n", 2, "shorter than"),
        ("mode: [unclosed\nvolume: 0.5\n", 2, "YAML syntax"),
        ("mode: wake\nwake_phrase: '!!!'\n", 2, "must have words"),
    ],
)
def test_bad_settings_name_file_and_line(tmp_path: Path, text: str, line: int, words: str) -> None:
    with pytest.raises(ContentError) as info:
        load_settings(write(tmp_path, text))
    assert info.value.line == line and words in str(info.value)


def test_flags_override_the_file(tmp_path: Path) -> None:
    s = load_settings(write(tmp_path, "rate_wpm: 120\nmode: wake\n")).override(rate_wpm=180, mode=None)
    assert s.rate_wpm == 180 and s.mode == "wake"
    with pytest.raises(ConfigError):
        s.override(rate_wpm=5)


def test_config_show_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "show", "--json", "--config", str(write(tmp_path, "wake_phrase: hello guide\n"))]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["wake_phrase"] == "hello guide" and shown["source"].endswith("kiosk.yaml")


def test_config_show_prints_a_settings_file_that_loads_to_the_same_settings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """It printed Python values ("model: None"), which a settings file refused as a folder named None."""
    given = write(tmp_path, "wake_phrase: hello guide\nplaylist: [a, b]\ninput_device: 3\nbrief: true\n")
    assert main(["config", "show", "--config", str(given)]) == 0
    saved = tmp_path / "saved.yaml"
    saved.write_text(capsys.readouterr().out, encoding="utf-8")
    assert replace(load_settings(saved), source="") == replace(load_settings(given), source="")


def test_a_device_of_the_wrong_kind_says_what_is_expected(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text("input_device: [1]\n")
    with pytest.raises(ContentError, match="expected a device name or number"):
        load_settings(path)


def test_a_low_volume_cap_alone_lowers_the_starting_volume(tmp_path: Path) -> None:
    path = tmp_path / "kiosk.yaml"
    path.write_text("volume_cap: 0.5\n")
    assert load_settings(path).volume == 0.5
    path.write_text("volume_cap: 0.5\nvolume: 0.8\n")
    with pytest.raises(ContentError, match="above volume_cap"):
        load_settings(path)


@pytest.mark.parametrize("flag, value, said", [("--max-utterance", "1", "--max-utterance 1.0 is outside 2.0-120.0"),
                                               ("--rate", "5", "--rate 5 is outside 60-500"),
                                               ("--wake-phrase", "123", "--wake-phrase must have words in it")])
def test_a_flag_out_of_range_is_named_as_typed(flag: str, value: str, said: str) -> None:
    """The error named the setting ("command line: max_utterance_s: ..."), not the flag the user typed."""
    import subprocess
    import sys

    proc = subprocess.run([sys.executable, "-m", "voice_guide", "listen", flag, value, "--input", "nothing.wav", "--no-speak"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 3 and proc.stderr.startswith(f"voice-guide: error: {said}") and proc.stderr.count("\n") == 1


def test_a_short_idle_time_is_named_where_the_file_set_it(tmp_path: Path) -> None:
    """'idle_timeout_s: 10' alone was refused as 'idle_warning_s: must be shorter ...', a key the file
    did not have."""
    with pytest.raises(ContentError, match=r":1: idle_timeout_s: 10.0 must be longer than the idle warning \(20.0 s\)"):
        load_settings(write(tmp_path, "idle_timeout_s: 10\n"))
    with pytest.raises(ContentError, match=r":2: idle_warning_s: 40.0 must be shorter than idle_timeout_s \(30.0\)"):
        load_settings(write(tmp_path, "idle_timeout_s: 30\nidle_warning_s: 40\n"))
