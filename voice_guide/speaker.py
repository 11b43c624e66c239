"""Speak text through a synthesizer and a sink, sentence by sentence, stoppable between chunks.

The first sentence plays while the next one renders (a one-sentence look-ahead thread), so the
time to first audio is the time to render one sentence. A stop is honoured before the next chunk.
"""

from __future__ import annotations

import logging
import queue
import threading
from dataclasses import dataclass
from typing import Callable

from voice_guide.audio import Clip
from voice_guide.errors import EngineError
from voice_guide.protocols import AudioSink, Synthesizer, Voice
from voice_guide.sentences import split_sentences

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Spoken:
    """What happened when text was spoken."""

    sentences: int
    seconds: float
    interrupted: bool
    failed: tuple[str, ...] = ()
    """Sentences the synthesizer could not render (shown as captions instead)."""


@dataclass
class _Job:
    sentences: list[str]
    voice: Voice
    rendered: "queue.Queue[tuple[str, Clip | None]]"
    cancel: threading.Event


class Speaker:
    """One long-lived render thread serves every reply (a thread per reply fragments memory over hours)."""

    def __init__(self, synthesizer: Synthesizer, sink: AudioSink, chunk_ms: int = 50,
                 on_sentence: Callable[[str], None] | None = None) -> None:
        self.synthesizer = synthesizer
        self.sink = sink
        self.chunk_ms = chunk_ms
        self.on_sentence = on_sentence
        self.stop_event = threading.Event()
        self._jobs: queue.Queue[_Job] = queue.Queue()
        self._job: _Job | None = None
        self._worker: threading.Thread | None = None

    def stop(self) -> None:
        self.stop_event.set()
        job = self._job
        if job is not None:
            job.cancel.set()

    def _render_forever(self) -> None:
        while True:
            job = self._jobs.get()
            for sentence in job.sentences:
                if job.cancel.is_set():
                    break
                try:
                    clip: Clip | None = self.synthesizer.synthesize(sentence, job.voice)
                except EngineError as exc:
                    if not job.cancel.is_set():  # not a reply cut short while the session closes
                        _LOGGER.warning("could not speak a sentence: %s", exc)
                    clip = None
                while not job.cancel.is_set():
                    try:
                        job.rendered.put((sentence, clip), timeout=0.05)
                        break
                    except queue.Full:
                        continue

    def say(self, text: str, voice: Voice) -> Spoken:
        """Speak ``text``; returns when done or stopped. Call :meth:`stop` from another thread to cut it."""
        self.stop_event.clear()
        sentences = split_sentences(text)
        job = _Job(sentences, voice, queue.Queue(maxsize=1), threading.Event())
        self._job = job
        if self._worker is None:
            self._worker = threading.Thread(target=self._render_forever, name="voice-guide-render", daemon=True)
            self._worker.start()
        self._jobs.put(job)
        seconds, count, failed = 0.0, 0, []
        interrupted = False
        try:
            for _ in sentences:
                item = self._next(job.rendered)
                if item is None:
                    interrupted = True
                    break
                sentence, clip = item
                if self.on_sentence is not None:
                    self.on_sentence(sentence)
                if clip is None:
                    failed.append(sentence)
                    continue
                count += 1
                if not self.sink.play(clip.chunks(self.chunk_ms), self.stop_event):
                    interrupted = True
                    break
                seconds += clip.seconds
        finally:  # done, stopped, or Ctrl-C: the render thread starts nothing more of this reply
            job.cancel.set()
            self._job = None
        return Spoken(count, seconds, interrupted, tuple(failed))

    def _next(self, rendered: queue.Queue[tuple[str, Clip | None]]) -> tuple[str, Clip | None] | None:
        while not self.stop_event.is_set():
            try:
                return rendered.get(timeout=0.05)
            except queue.Empty:
                continue
        return None
