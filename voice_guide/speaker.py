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


class Speaker:
    def __init__(self, synthesizer: Synthesizer, sink: AudioSink, chunk_ms: int = 50,
                 on_sentence: Callable[[str], None] | None = None) -> None:
        self.synthesizer = synthesizer
        self.sink = sink
        self.chunk_ms = chunk_ms
        self.on_sentence = on_sentence
        self.stop_event = threading.Event()

    def stop(self) -> None:
        self.stop_event.set()

    def say(self, text: str, voice: Voice) -> Spoken:
        """Speak ``text``; returns when done or stopped. Call :meth:`stop` from another thread to cut it."""
        self.stop_event.clear()
        sentences = split_sentences(text)
        rendered: queue.Queue[tuple[str, Clip | None]] = queue.Queue(maxsize=1)

        def render() -> None:
            for sentence in sentences:
                if self.stop_event.is_set():
                    break
                try:
                    clip: Clip | None = self.synthesizer.synthesize(sentence, voice)
                except EngineError as exc:
                    _LOGGER.warning("could not speak a sentence: %s", exc)
                    clip = None
                while not self.stop_event.is_set():
                    try:
                        rendered.put((sentence, clip), timeout=0.05)
                        break
                    except queue.Full:
                        continue

        worker = threading.Thread(target=render, name="voice-guide-render", daemon=True)
        worker.start()
        seconds, count, failed = 0.0, 0, []
        interrupted = False
        for _ in sentences:
            item = self._next(rendered)
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
        self.stop_event.set()
        worker.join(timeout=5)
        return Spoken(count, seconds, interrupted, tuple(failed))

    def _next(self, rendered: queue.Queue[tuple[str, Clip | None]]) -> tuple[str, Clip | None] | None:
        while not self.stop_event.is_set():
            try:
                return rendered.get(timeout=0.05)
            except queue.Empty:
                continue
        return None
