"""pyttsx3 (espeak-ng on Linux) speech synthesis, isolated in a child process with a watchdog.

pyttsx3's ``runAndWait`` is known to hang or return before the audio is written. Here a worker
process renders each sentence to a temporary WAV that is read back, checked and deleted at once;
if the worker does not answer in time it is killed and restarted, and the sentence retried once.
"""

from __future__ import annotations

import json
import logging
import select
import subprocess
import sys
import tempfile
import wave
from pathlib import Path
from typing import Any

from voice_guide.audio import Clip, read_wav
from voice_guide.errors import AudioFormatError, EngineError
from voice_guide.protocols import Voice

_LOGGER = logging.getLogger(__name__)

RENDER_TIMEOUT_S = 10.0
"""Base time a sentence may take to render; longer text gets proportionally more."""


class Pyttsx3Synthesizer:
    """Synthesizer protocol over pyttsx3. One worker process serves all sentences."""

    name = "pyttsx3"

    def __init__(self, timeout_s: float = RENDER_TIMEOUT_S) -> None:
        self.timeout_s = timeout_s
        self._tmp = tempfile.TemporaryDirectory(prefix="voice-guide-tts-")
        self._proc: subprocess.Popen[str] | None = None
        self._counter = 0
        self.voices: list[tuple[str, str]] = []
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "voice_guide.engines.pyttsx3_worker"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                text=True,
                bufsize=1,
            )
        except OSError as exc:
            raise EngineError(f"cannot start the pyttsx3 worker ({exc})") from exc
        self._proc = proc
        reply = self._read(30.0)
        if reply is None:
            self._kill()
            raise EngineError("the pyttsx3 speech engine did not start; run 'voice-guide doctor' (is espeak-ng installed?)")
        if reply.get("status") != "ready":
            self._kill()
            raise EngineError(
                f"pyttsx3 could not start ({reply.get('error')}); install espeak-ng: 'sudo apt-get install espeak-ng'"
            )
        self.voices = [(str(v[0]), str(v[1])) for v in reply.get("voices", [])]

    def _read(self, timeout: float) -> dict[str, Any] | None:
        """One reply line from the worker, or None if it said nothing in time or died."""
        assert self._proc is not None and self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self._proc.stdout.readline()
        if not line:
            return None
        try:
            reply = json.loads(line)
        except json.JSONDecodeError:
            return None
        return reply if isinstance(reply, dict) else None

    def _restart(self) -> None:
        self.restarts += 1
        _LOGGER.warning("restarting the pyttsx3 worker (restart %d)", self.restarts)
        self._kill()
        self._start()

    def _kill(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(2)
        self._proc = None

    def _render_once(self, text: str, voice: Voice) -> Clip:
        assert self._proc is not None and self._proc.stdin is not None
        self._counter += 1
        path = Path(self._tmp.name) / f"s{self._counter}.wav"
        request = {"text": text, "path": str(path), "rate": voice.rate_wpm, "volume": voice.volume,
                   "voice": voice.voice_id, "pitch": voice.pitch}
        try:
            try:
                self._proc.stdin.write(json.dumps(request) + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                raise TimeoutError(f"worker died ({exc})") from exc
            timeout = self.timeout_s + 0.05 * len(text)
            reply = self._read(timeout)
            if reply is None:
                raise TimeoutError(f"no answer after {timeout:.0f} s")
            if reply.get("status") != "ok":
                raise EngineError(f"pyttsx3 failed: {reply.get('error')}; try another voice or run 'voice-guide doctor'")
            if not path.exists() or path.stat().st_size <= 44:
                raise TimeoutError("runAndWait returned before any audio was written")
            try:
                return read_wav(path, rate=_native_rate(path))
            except (AudioFormatError, wave.Error, EOFError) as exc:
                raise TimeoutError(f"unreadable audio ({exc})") from exc
        finally:
            path.unlink(missing_ok=True)

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Render ``text`` (one sentence or a few) as mono 16-bit audio at espeak's native rate."""
        if not text.strip():
            return Clip(b"", 22050)
        for attempt in (1, 2):
            try:
                return self._render_once(text, voice)
            except TimeoutError as exc:
                _LOGGER.warning("pyttsx3 attempt %d failed: %s", attempt, exc)
                self._restart()
        raise EngineError("pyttsx3 did not produce audio twice in a row; run 'voice-guide doctor'")

    def close(self) -> None:
        if self._proc is not None and self._proc.stdin is not None:
            try:
                self._proc.stdin.close()
                self._proc.wait(2)
            except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
                pass
        self._kill()
        self._tmp.cleanup()

    def __enter__(self) -> "Pyttsx3Synthesizer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _native_rate(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        return wav.getframerate()
