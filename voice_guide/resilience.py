"""Staying up unattended: wrappers that survive a device or engine failing mid-session.

- :class:`ResilientSource`: the microphone went away: say so, feed silence (captions, the idle
  timer and radio playback go on), try the device again every few seconds, resume when it is back.
- :class:`ResilientSink`: the speaker failed: drop audio (captions still show every line), retry.
- :func:`announce_device_changes`: both tell the session (``microphone_lost``, ``speaker_back``, ...);
  the loop speaks and captions the prompt.
- :class:`FallbackRecognizer`: the recognizer failed: switch to the other engine, log it.
- :func:`reload_library`: a content pack edited while running: a broken one keeps the last good.

Device and engine objects come from factories, so tests inject failures through the same seams.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from typing import Callable, Iterable, Iterator, Sequence

from voice_guide.audio import CHUNK_MS, RATE, AudioChunk
from voice_guide.content import Library, load_library
from voice_guide.dialogue import load_prompts
from voice_guide.errors import ContentError, DeviceError, EngineError, ModelError
from voice_guide.protocols import AudioSink, Recognizer, Transcript

_LOGGER = logging.getLogger(__name__)

RETRY_S = 3.0


class ResilientSource:
    """Chunks from ``open_source()``; on a DeviceError, silence in real time and a retry every ``retry_s``."""

    def __init__(self, open_source: Callable[[], Iterable[AudioChunk]], retry_s: float = RETRY_S,
                 on_change: Callable[[str], None] | None = None, chunk_ms: int = CHUNK_MS,
                 sleep: Callable[[float], None] = time.sleep, max_retries: int | None = None) -> None:
        self.open_source = open_source
        self.retry_s = retry_s
        self.on_change = on_change
        self.chunk_ms = chunk_ms
        self.sleep = sleep
        self.max_retries = max_retries
        self.outages = 0

    def _silence(self, seconds: float) -> Iterator[AudioChunk]:
        step = RATE * self.chunk_ms // 1000
        for _ in range(max(1, math.ceil(seconds * 1000 / self.chunk_ms))):
            self.sleep(self.chunk_ms / 1000)
            yield AudioChunk(b"\x00\x00" * step, RATE)

    def __iter__(self) -> Iterator[AudioChunk]:
        retries = 0
        while True:
            try:
                for chunk in self.open_source():
                    if retries:  # audio again: the device is back
                        self._say("microphone_back")
                        retries = 0
                    yield chunk
                return
            except DeviceError as exc:
                _LOGGER.warning("microphone: %s", exc)
                if retries == 0:
                    self.outages += 1
                    self._say("microphone_lost")
                retries += 1
                if self.max_retries is not None and retries > self.max_retries:
                    raise
                yield from self._silence(self.retry_s)

    def _say(self, what: str) -> None:
        if self.on_change is not None:
            self.on_change(what)


class ResilientSink:
    """Plays through ``open_sink()``; while it fails, audio is dropped and the device retried."""

    def __init__(self, open_sink: Callable[[], AudioSink], retry_s: float = RETRY_S,
                 clock: Callable[[], float] = time.monotonic, on_change: Callable[[str], None] | None = None) -> None:
        self.open_sink = open_sink
        self.retry_s = retry_s
        self.clock = clock
        self.on_change = on_change
        self._sink: AudioSink | None = None
        self._down_since: float | None = None
        self._lost = False
        self.failures = 0

    def _say(self, what: str) -> None:
        self._lost = what == "speaker_lost"
        if self.on_change is not None:
            self.on_change(what)

    def _current(self) -> AudioSink | None:
        if self._sink is not None:
            return self._sink
        if self._down_since is not None and self.clock() - self._down_since < self.retry_s:
            return None
        try:
            self._sink = self.open_sink()
            self._down_since = None
            if self._lost:
                self._say("speaker_back")
        except DeviceError as exc:
            _LOGGER.warning("speaker: %s (captions only; retrying)", exc)
            self._down_since = self.clock()
            if not self._lost:
                self._say("speaker_lost")
        return self._sink

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool:
        sink = self._current()
        if sink is None:
            for _ in chunks:  # keep the caller's pacing logic running; the audio goes nowhere
                if stop is not None and stop.is_set():
                    return False
            return True
        try:
            return sink.play(chunks, stop)
        except DeviceError as exc:
            self.failures += 1
            _LOGGER.warning("speaker failed: %s (captions only; retrying)", exc)
            self._drop()
            if not self._lost:
                self._say("speaker_lost")
            return True

    def _drop(self) -> None:
        if self._sink is not None:
            try:
                self._sink.close()
            except DeviceError:
                pass
        self._sink = None
        self._down_since = self.clock()

    def close(self) -> None:
        if self._sink is not None:
            self._sink.close()


def announce_device_changes(announce: Callable[[str], None], *devices: object) -> None:
    """Device changes of any :class:`ResilientSource` or :class:`ResilientSink` among ``devices``
    reach ``announce`` as their prompt's text (``Loop.announce``: spoken when it can be, captioned)."""
    prompts = load_prompts()

    def notice(what: str) -> None:
        announce(" ".join(str(prompts[what]).split()))

    for device in devices:
        if isinstance(device, (ResilientSource, ResilientSink)):
            device.on_change = notice


class FallbackRecognizer:
    """The first recognizer that works, switching to the next one when it fails."""

    def __init__(self, primary: Recognizer, fallbacks: Sequence[tuple[str, Callable[[], Recognizer]]]) -> None:
        """``primary`` is already loaded (a missing model fails at start-up); fallbacks load when needed."""
        self._factories = list(fallbacks)
        self._phrases: Sequence[str] | None = None
        self.switches: list[str] = []
        self._current = primary

    @property
    def name(self) -> str:
        return self._current.name

    @property
    def current(self) -> Recognizer:
        return self._current

    def _next(self) -> Recognizer:
        errors = []
        while self._factories:
            label, factory = self._factories.pop(0)
            try:
                recognizer = factory()
                if self._phrases is not None:
                    recognizer.set_phrases(self._phrases)
                return recognizer
            except (EngineError, ModelError) as exc:
                _LOGGER.warning("recognizer %s unavailable: %s", label, exc)
                errors.append(str(exc))
        raise EngineError("no recognizer works: " + "; ".join(errors))

    def _switch(self, exc: Exception) -> None:
        failed = self._current.name
        self._current = self._next()
        self.switches.append(f"{failed} -> {self._current.name}")
        _LOGGER.warning("recognizer %s failed (%s); switched to %s", failed, exc, self._current.name)

    def accept(self, chunk: AudioChunk) -> None:
        try:
            self._current.accept(chunk)
        except EngineError as exc:
            self._switch(exc)

    def finish(self) -> Transcript:
        try:
            return self._current.finish()
        except EngineError as exc:
            self._switch(exc)
            return Transcript("", 0.0)

    def reset(self) -> None:
        try:
            self._current.reset()
        except EngineError as exc:
            self._switch(exc)

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        self._phrases = phrases
        try:
            self._current.set_phrases(phrases)
        except EngineError as exc:
            self._switch(exc)

    def new_visitor(self) -> None:
        try:
            self._current.new_visitor()
        except EngineError as exc:
            self._switch(exc)


def reload_library(current: Library, extra: Iterable[str], builtin: bool = True) -> tuple[Library, str | None]:
    """Load the packs again; on a content error keep ``current`` and return the error line."""
    try:
        return load_library(list(extra), builtin=builtin), None
    except ContentError as exc:  # the caller says so in one line
        return current, str(exc)
