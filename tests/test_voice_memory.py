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
    assert out.returncode == 0 and "your saved voice: 120 words a minute" in out.stderr  # this run: the flag's rate
    assert saved(tmp_path)["rate_wpm"] == 180  # the next run: the listener's own


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


def test_values_a_flag_set_are_not_saved(tmp_path: Path) -> None:
    ask(tmp_path, "--remember-voice", "faster")
    ask(tmp_path, "--remember-voice", "--rate", "100", "--brief", "louder")
    assert saved(tmp_path) == {"rate_wpm": 180, "volume": pytest.approx(1.128), "brief": False}


def test_two_guides_saving_at_once_never_leave_a_half_file(tmp_path: Path) -> None:
    import threading

    path = tmp_path / "voice.yaml"
    keepers = [VoiceKeeper(path), VoiceKeeper(path)]
    seen: list[object] = []

    def write(keeper: VoiceKeeper, rate: int) -> None:
        for _ in range(300):
            keeper.save(rate, 0.8, rate > 150)

    def read() -> None:
        for _ in range(300):
            if path.exists():
                seen.append(load_voice(path))

    threads = [threading.Thread(target=write, args=(keepers[0], 120)), threading.Thread(target=write, args=(keepers[1], 180)),
               threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen and all(v is not None for v in seen)
    assert not [p for p in tmp_path.iterdir() if p.name != "voice.yaml"], "no temporary file left"


@pytest.mark.parametrize("state", ["relative/state", ""])
def test_a_relative_state_folder_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, state: str) -> None:
    from voice_guide.voice_memory import default_path

    monkeypatch.setenv("XDG_STATE_HOME", state)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_path() == tmp_path / ".local" / "state" / "voice-guide" / "voice.yaml"


def test_no_home_is_one_warning(library: Library, matcher: Matcher, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    dialogue = Dialogue(library, matcher)
    assert remember_voice(dialogue) is None
    dialogue.handle(Heard("faster"))
    assert dialogue.rate_wpm == 180 and "no home folder" in capsys.readouterr().err


def test_a_cap_below_the_softest_step_is_never_passed(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher, volume_cap=0.1)
    for said in ("softer", "louder", "softer"):
        dialogue.handle(Heard(said))
        assert dialogue.volume <= 0.1


def test_a_stop_while_the_voice_is_saved_leaves_the_file_whole_and_nothing_else(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.voice_memory as voice_memory
    from tests.test_output_file import stop_as_made

    path = tmp_path / "voice.yaml"
    VoiceKeeper(path).save(120, 0.8, False)
    stop_as_made(monkeypatch, voice_memory, "mkstemp")
    with pytest.raises(KeyboardInterrupt):
        VoiceKeeper(path).save(180, 0.8, False)  # the stop is acted on once the small file is saved
    assert [p.name for p in tmp_path.iterdir()] == ["voice.yaml"]
    assert yaml.safe_load(path.read_text())["rate_wpm"] == 180
