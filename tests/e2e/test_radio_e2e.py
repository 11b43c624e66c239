"""Radio mode end to end from files: a real episode plays, a spoken question interrupts it, the
answer plays, and the episode resumes a little before where the visitor started speaking."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import espeak, json_lines, run_cli
from voice_guide.audio import RATE, Clip, float_to_pcm, pcm_to_float, write_wav


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("episodes")
    proc = run_cli("episode", "build", "--plan", "second-opinion", "--out", str(out), "--no-sting", "--json",
                   timeout=300)
    assert proc.returncode == 0, proc.stderr.decode()
    return out


def visitor(tmp_path: Path, before_s: float, said: str, after_s: float) -> Path:
    quiet = np.zeros(int(before_s * RATE), np.float32)
    speech = pcm_to_float(espeak(said).audio)
    audio = np.concatenate([quiet, speech, np.zeros(int(after_s * RATE), np.float32)])
    path = tmp_path / "visitor.wav"
    write_wav(path, Clip(float_to_pcm(audio), RATE))
    return path


def seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_a_question_interrupts_the_episode_which_then_resumes(episodes: Path, tmp_path: Path) -> None:
    source = visitor(tmp_path, 8.0, "where does breast cancer spread?", 6.0)
    room = tmp_path / "room.wav"
    # push-to-talk: the visitor presses the button at 7.5 s, then asks
    lines = json_lines(run_cli("radio", "--episodes", str(episodes), "--input", str(source), "--output", str(room),
                               "--json", "--engine", "pocketsphinx", "--no-earcons", "--talk-at", "7.5"))
    results = [line for line in lines if "radio" not in line]
    events = [(line["radio"], line["position_s"]) for line in lines if "radio" in line]
    assert [(r["kind"], r["section"]) for r in results] == [("answer", "common-sites")]
    assert results[0]["episode"] == "second-opinion"
    # the show paused at the button (7.5 s in) and resumed 3 s earlier; it then played on
    assert [e for e, _ in events] == ["interrupt", "resume"]
    assert abs(events[0][1] - 7.5) < 0.1 and abs(events[1][1] - 4.5) < 0.1
    assert abs(results[0]["episode_position_s"] - 7.5) < 0.1
    answer = "The most common sites for breast cancer metastases are the bones, lungs, liver and brain."
    assert answer in results[0]["text"]
    # the room heard the whole input time of show plus the spoken answer
    assert seconds(room) > seconds(source) + 4.0


def test_radio_voice_commands(episodes: Path, tmp_path: Path) -> None:
    source = visitor(tmp_path, 4.0, "what is this episode about?", 3.0)
    results = json_lines(run_cli("radio", "--episodes", str(episodes), "--input", str(source), "--json",
                                 "--no-speak", "--engine", "pocketsphinx", "--talk-at", "3.5"))
    results = [r for r in results if "radio" not in r]
    assert [r["command"] for r in results] == ["about"]
    meta = json.loads((episodes / "second-opinion" / "episode.json").read_text())
    assert meta["title"] in results[0]["text"]


def test_without_episodes_it_says_how_to_build_them(tmp_path: Path) -> None:
    source = visitor(tmp_path, 1.0, "hello", 1.0)
    proc = run_cli("radio", "--episodes", str(tmp_path / "none"), "--input", str(source), "--no-speak")
    assert proc.returncode != 0
    err = proc.stderr.decode()
    assert "voice-guide episode build" in err and "Traceback" not in err
    assert err.strip().count("\n") == 0  # at once: not after the recognizer loaded and announced itself


def test_continuous_mode_is_refused_at_once(tmp_path: Path) -> None:
    source = visitor(tmp_path, 1.0, "hello", 1.0)
    proc = run_cli("radio", "--mode", "continuous", "--episodes", str(tmp_path / "none"), "--input", str(source), "--no-speak")
    err = proc.stderr.decode()
    assert proc.returncode == 3 and err.strip().count("\n") == 0 and "needs push_to_talk or wake mode" in err
