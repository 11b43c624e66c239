"""--remember-voice: a personal device keeps the listener's rate, volume and prompts between runs and
across resets; a kiosk (the default) keeps nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from voice_guide.config import DialogueSettings
from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, Heard, Idle, KeyPressed
from voice_guide.matcher import Matcher
from voice_guide.voice_memory import VoiceKeeper, load_voice, remember_voice

REPO = Path(__file__).resolve().parents[1]


def ask(state: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(state)}
    return subprocess.run([sys.executable, "-m", "voice_guide", "ask", "--no-speak", *argv], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=120)


def saved(state: Path) -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((state / "voice-guide" / "voice.yaml").read_text())
    return data


def test_each_run_starts_where_the_last_one_left_off(tmp_path: Path) -> None:
    assert ask(tmp_path, "--remember-voice", "faster").returncode == 0
    assert saved(tmp_path) == {"rate_wpm": 180, "volume": 0.8, "brief": False}
    second = ask(tmp_path, "--remember-voice", "faster")
    assert "your saved voice: 180 words a minute" in second.stderr
    assert saved(tmp_path)["rate_wpm"] == 216  # stepped on from the saved rate
    ask(tmp_path, "--remember-voice", "brief")
    assert saved(tmp_path) == {"rate_wpm": 216, "volume": 0.8, "brief": True}


def test_without_the_flag_nothing_is_written(tmp_path: Path) -> None:
    assert ask(tmp_path, "faster").returncode == 0
    assert not (tmp_path / "voice-guide").exists()


def test_a_flag_wins_over_the_saved_voice_for_its_run(tmp_path: Path) -> None:
    ask(tmp_path, "--remember-voice", "faster")
    out = ask(tmp_path, "--remember-voice", "--rate", "120", "slower")
    assert out.returncode == 0 and saved(tmp_path)["rate_wpm"] == 100


@pytest.mark.parametrize("text", ["rate_wpm: [\n", "rate_wpm: fast\nvolume: 1\nbrief: false\n", "just words\n", "x" * 5000])
def test_a_broken_file_is_one_warning_and_is_written_again(tmp_path: Path, text: str) -> None:
    path = tmp_path / "voice-guide" / "voice.yaml"
    path.parent.mkdir()
    path.write_text(text)
    out = ask(tmp_path, "--remember-voice", "louder")
    assert out.returncode == 0 and out.stdout.strip() == "Louder."
    assert out.stderr.count("\n") == 1 and "is broken" in out.stderr and "Traceback" not in out.stderr
    assert saved(tmp_path)["volume"] == pytest.approx(1.128)


def test_an_unwritable_place_is_one_warning_and_the_guide_goes_on(tmp_path: Path, library: Library, matcher: Matcher,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    dialogue = Dialogue(library, matcher, settings=DialogueSettings(keep_voice=True))
    remember_voice(dialogue, path=blocked / "voice.yaml")
    dialogue.handle(Heard("faster"))
    dialogue.handle(Heard("faster"))
    assert dialogue.rate_wpm == 216
    assert capsys.readouterr().err.count("cannot save your voice settings") == 1


def test_saved_values_are_kept_within_the_limits(tmp_path: Path, library: Library, matcher: Matcher) -> None:
    path = tmp_path / "voice.yaml"
    VoiceKeeper(path).save(9999, 50.0, False)
    dialogue = Dialogue(library, matcher, volume_cap=1.6)
    remember_voice(dialogue, path=path)
    assert dialogue.rate_wpm == 450 and dialogue.volume == 1.6  # 3x the default rate; the kiosk cap


def test_a_kept_voice_survives_the_idle_reset_and_keys_are_saved(tmp_path: Path, library: Library, matcher: Matcher) -> None:
    path = tmp_path / "voice.yaml"
    dialogue = Dialogue(library, matcher, settings=DialogueSettings(keep_voice=True), idle_timeout_s=60, idle_warning_s=20)
    remember_voice(dialogue, path=path)
    dialogue.handle(KeyPressed("slower"))
    assert load_voice(path) is not None and load_voice(path).rate_wpm == 125  # type: ignore[union-attr]
    dialogue.handle(Heard("what is metastatic breast cancer"))
    assert dialogue.handle(Idle(70)).kind == "reset" and dialogue.rate_wpm == 125
    assert dialogue.handle(Idle(70)).kind == "idle"  # after the reset, the kept voice alone is nothing to forget


def test_a_kiosk_restores_the_default_voice(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher, idle_timeout_s=60, idle_warning_s=20)
    dialogue.handle(KeyPressed("slower"))
    dialogue.handle(Idle(70))
    assert dialogue.rate_wpm == 150
