"""pyttsx3 in a child process: real speech, and survival when the engine hangs, dies or writes nothing."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import Callable

import pytest

from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer
from voice_guide.errors import EngineError
from voice_guide.protocols import Voice

SENTENCE = "Metastatic breast cancer is also called stage four breast cancer."


@pytest.fixture(scope="module")
def synth() -> Pyttsx3Synthesizer:
    s = Pyttsx3Synthesizer()
    yield s
    s.close()


def test_real_speech_has_the_expected_length_and_rate(synth: Pyttsx3Synthesizer) -> None:
    slow = synth.synthesize(SENTENCE, Voice(rate_wpm=150))
    fast = synth.synthesize(SENTENCE, Voice(rate_wpm=300))
    words = len(SENTENCE.split())
    assert slow.rate >= 16000
    assert 0.6 * words / 150 * 60 < slow.seconds < 1.6 * words / 150 * 60
    assert 0.4 < fast.seconds / slow.seconds < 0.65


def test_volume_changes_loudness(synth: Pyttsx3Synthesizer) -> None:
    from voice_guide.audio import rms_dbfs

    loud = rms_dbfs(synth.synthesize(SENTENCE, Voice(volume=1.0)).audio)
    soft = rms_dbfs(synth.synthesize(SENTENCE, Voice(volume=0.3)).audio)
    assert loud - soft > 6


def fake_worker(tmp_path: Path, body: str) -> Callable[[object], list[str]]:
    """A stand-in worker whose reply to each request is ``body`` (with ``starts``: how often it started)."""
    script = tmp_path / "worker.py"
    header = textwrap.dedent(f"""\
        import json, os, sys, time, wave
        count_file = {str(tmp_path / 'starts')!r}
        starts = int(open(count_file).read()) + 1 if os.path.exists(count_file) else 1
        open(count_file, 'w').write(str(starts))
        def good(path):
            with wave.open(path, 'wb') as w:
                w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(b'\\x01\\x00' * 2205)
        def handle(req):
        """)
    footer = textwrap.dedent("""\
        print(json.dumps({"status": "ready", "voices": []}), flush=True)
        for line in sys.stdin:
            handle(json.loads(line))
        """)
    script.write_text(header + textwrap.indent(textwrap.dedent(body).strip() + "\n", "    ") + footer, encoding="utf-8")
    return lambda key: [sys.executable, str(script)]


def test_a_hung_engine_is_restarted_and_the_sentence_retried(tmp_path: Path) -> None:
    worker = fake_worker(tmp_path, """
        if starts == 1:
            time.sleep(60)
        good(req["path"]); print(json.dumps({"status": "ok"}), flush=True)
    """)
    synth = Pyttsx3Synthesizer(timeout_s=0.5, worker=worker)
    try:
        clip = synth.synthesize("Hello.", Voice())
        assert abs(clip.seconds - 0.1) < 1e-6 and synth.restarts == 1
        assert synth.synthesize("Again.", Voice()).seconds > 0 and synth.restarts == 1
    finally:
        synth.close()


def test_early_return_without_audio_counts_as_a_failure(tmp_path: Path) -> None:
    worker = fake_worker(tmp_path, """
        if starts > 1:
            good(req["path"])
        print(json.dumps({"status": "ok"}), flush=True)
    """)
    synth = Pyttsx3Synthesizer(timeout_s=2, worker=worker)
    try:
        assert synth.synthesize("Hello.", Voice()).seconds > 0 and synth.restarts == 1
    finally:
        synth.close()


def test_an_engine_that_keeps_dying_gives_one_clear_error(tmp_path: Path) -> None:
    worker = fake_worker(tmp_path, "sys.exit(3)")
    synth = Pyttsx3Synthesizer(timeout_s=2, worker=worker)
    try:
        with pytest.raises(EngineError, match="twice in a row"):
            synth.synthesize("Hello.", Voice())
    finally:
        synth.close()


def test_an_engine_that_cannot_start_says_what_to_install(tmp_path: Path) -> None:
    script = tmp_path / "broken.py"
    script.write_text('import json; print(json.dumps({"status": "error", "error": "libespeak not found"}))\n')
    with pytest.raises(EngineError, match="espeak-ng"):
        Pyttsx3Synthesizer(worker=lambda key: [sys.executable, str(script)])


def test_each_voice_setting_gets_its_own_worker_and_old_ones_are_closed(synth: Pyttsx3Synthesizer) -> None:
    from voice_guide.engines.pyttsx3_tts import MAX_WORKERS

    for rate in (120, 140, 160, 180, 200, 220):
        assert synth.synthesize("Yes.", Voice(rate_wpm=rate)).seconds > 0
    assert len(synth._workers) == MAX_WORKERS


def test_voices_are_known_by_id_short_id_name_or_with_a_variant(synth: Pyttsx3Synthesizer) -> None:
    english = next(vid for vid, _ in synth.voices if vid.endswith("/en-us"))
    name = dict(synth.voices)[english]
    assert synth.knows(english) and synth.knows("en-us") and synth.knows("EN-US+f3") and synth.knows(name)
    assert not synth.knows("bogus") and not synth.knows("us")


def test_a_render_after_close_starts_no_worker_and_says_why() -> None:
    """A session closed by Ctrl-C or a stop request while its render thread was mid-reply: the
    thread's next sentence must not start a speech worker that nothing would ever end."""
    import os
    import subprocess

    def children() -> list[str]:
        return subprocess.run(["pgrep", "-P", str(os.getpid())], capture_output=True, text=True).stdout.split()

    synth = Pyttsx3Synthesizer()
    synth.close()
    before = children()
    with pytest.raises(EngineError, match="closed"):
        synth.synthesize("Here is the next sentence.", Voice(voice_id="en-us+f3"))
    assert children() == before
