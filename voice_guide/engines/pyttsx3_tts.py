"""pyttsx3 (espeak-ng on Linux) speech synthesis, isolated in child processes with a watchdog.

pyttsx3's ``runAndWait`` is known to hang or return before the audio is written, and its espeak
driver applies property changes between sentences late. So each voice setting (voice, rate,
pitch) gets its own worker process, configured once; each sentence is rendered to a temporary WAV
that is read back, checked and deleted at once. A worker that does not answer in time is killed
and restarted, and the sentence retried once. Volume is applied here, to the samples.
"""

from __future__ import annotations

import json
import logging
import select
import subprocess
import sys
import tempfile
import wave
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Sequence

from voice_guide.audio import Clip, float_to_pcm, pcm_to_float, read_wav
from voice_guide.errors import AudioFormatError, EngineError
from voice_guide.gain import with_gain
from voice_guide.protocols import Voice

_LOGGER = logging.getLogger(__name__)

RENDER_TIMEOUT_S = 10.0
"""Base time a sentence may take to render; longer text gets proportionally more."""
MAX_WORKERS = 4
"""Worker processes kept (one per voice setting in use, e.g. an episode's roles)."""

WorkerKey = tuple[str | None, int, int]


class _Worker:
    def __init__(self, command: list[str]) -> None:
        try:
            self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL, text=True, bufsize=1)
        except OSError as exc:
            raise EngineError(f"cannot start the pyttsx3 worker ({exc})") from exc
        reply = self.read(30.0)
        if reply is None:
            self.kill()
            raise EngineError("the pyttsx3 speech engine did not start; run 'voice-guide doctor' (is espeak-ng installed?)")
        if reply.get("status") != "ready":
            self.kill()
            raise EngineError(f"pyttsx3 could not start ({reply.get('error')}); "
                              "install espeak-ng: 'sudo apt-get install espeak-ng'")
        self.voices = [(str(v[0]), str(v[1])) for v in reply.get("voices", [])]

    def read(self, timeout: float) -> dict[str, Any] | None:
        """One reply line, or None if the worker said nothing in time or died."""
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            return None
        line = self.proc.stdout.readline()
        try:
            reply = json.loads(line) if line else None
        except json.JSONDecodeError:
            return None
        return reply if isinstance(reply, dict) else None

    def send(self, request: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request) + "\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(2)

    def close(self) -> None:
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(2)
        except (BrokenPipeError, OSError, subprocess.TimeoutExpired):
            pass
        self.kill()


class Pyttsx3Synthesizer:
    """Synthesizer protocol over pyttsx3."""

    name = "pyttsx3"

    def __init__(self, timeout_s: float = RENDER_TIMEOUT_S,
                 worker: Callable[[WorkerKey], Sequence[str]] | None = None) -> None:
        """``worker`` maps a voice setting to the worker command (a seam for fault-injection tests)."""
        self.timeout_s = timeout_s
        self._command = worker or _worker_command
        self._tmp = tempfile.TemporaryDirectory(prefix="voice-guide-tts-")
        self._workers: OrderedDict[WorkerKey, _Worker] = OrderedDict()
        self._counter = 0
        self.restarts = 0
        self._closed = False
        self.voices = self._worker(Voice()).voices

    def knows(self, voice_id: str) -> bool:
        """Whether espeak has this voice: an id ("gmw/en-us"), its last part ("en-us") or a name
        ("English (America)"), with or without a variant ("en-us+f3")."""
        wanted = voice_id.split("+", 1)[0].casefold()
        return any(wanted in (vid.casefold(), vid.rsplit("/", 1)[-1].casefold(), name.casefold()) for vid, name in self.voices)

    def _key(self, voice: Voice) -> WorkerKey:
        return (voice.voice_id, int(voice.rate_wpm), int(voice.pitch))

    def _worker(self, voice: Voice) -> _Worker:
        if self._closed:  # a render still under way when the session closed must not start a new worker
            raise EngineError("the speech engine was closed")
        key = self._key(voice)
        if key in self._workers:
            self._workers.move_to_end(key)
            return self._workers[key]
        worker = _Worker(list(self._command(key)))
        self._workers[key] = worker
        while len(self._workers) > MAX_WORKERS:
            _, old = self._workers.popitem(last=False)
            old.close()
        return worker

    def _restart(self, voice: Voice) -> None:
        self.restarts += 1
        _LOGGER.warning("restarting the pyttsx3 worker (restart %d)", self.restarts)
        worker = self._workers.pop(self._key(voice), None)
        if worker is not None:
            worker.kill()

    def _render_once(self, text: str, voice: Voice) -> Clip:
        worker = self._worker(voice)
        self._counter += 1
        path = Path(self._tmp.name) / f"s{self._counter}.wav"
        try:
            try:
                worker.send({"text": text, "path": str(path)})
            except ValueError as exc:  # its pipe closed under us: the engine was closed
                raise EngineError("the speech engine was closed") from exc
            except (BrokenPipeError, OSError) as exc:
                raise TimeoutError(f"worker died ({exc})") from exc
            timeout = self.timeout_s + 0.05 * len(text)
            reply = worker.read(timeout)
            if reply is None:
                raise TimeoutError(f"no answer after {timeout:.0f} s")
            if reply.get("status") != "ok":
                raise EngineError(f"pyttsx3 failed: {reply.get('error')}; try another voice or run 'voice-guide doctor'")
            if not path.exists() or path.stat().st_size <= 44:
                raise TimeoutError("runAndWait returned before any audio was written")
            try:
                clip = read_wav(path, rate=_native_rate(path))
            except (AudioFormatError, wave.Error, EOFError) as exc:
                raise TimeoutError(f"unreadable audio ({exc})") from exc
        finally:
            path.unlink(missing_ok=True)
        return _with_volume(clip, voice.volume)

    def synthesize(self, text: str, voice: Voice) -> Clip:
        """Render ``text`` (one sentence or a few) as mono 16-bit audio at espeak's native rate."""
        if not text.strip():
            return Clip(b"", 22050)
        for attempt in (1, 2):
            try:
                return self._render_once(text, voice)
            except TimeoutError as exc:
                _LOGGER.warning("pyttsx3 attempt %d failed: %s", attempt, exc)
                self._restart(voice)
        raise EngineError("pyttsx3 did not produce audio twice in a row; run 'voice-guide doctor'")

    def close(self) -> None:
        self._closed = True
        for worker in self._workers.values():
            worker.close()
        self._workers.clear()
        self._tmp.cleanup()

    def __enter__(self) -> "Pyttsx3Synthesizer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _worker_command(key: WorkerKey) -> list[str]:
    voice_id, rate, pitch = key
    command = [sys.executable, "-m", "voice_guide.engines.pyttsx3_worker", "--rate", str(rate), "--pitch", str(pitch)]
    if voice_id:
        command += ["--voice", voice_id]
    return command


def _with_volume(clip: Clip, volume: float) -> Clip:
    if abs(volume - 1.0) < 1e-6:
        return clip
    return Clip(float_to_pcm(with_gain(pcm_to_float(clip.audio), volume, clip.rate)), clip.rate)


def _native_rate(path: Path) -> int:
    with wave.open(str(path), "rb") as wav:
        return wav.getframerate()
