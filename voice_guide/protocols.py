"""The seams between the pure core and the engines/devices at the edge."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

from voice_guide.audio import AudioChunk, Clip

AudioSource = Iterable[AudioChunk]
"""Anything that yields 16 kHz mono chunks: a WAV reader, a list, the microphone."""


class AudioSink(Protocol):
    """Where audio goes: speaker or file. ``play`` returns False when ``stop`` cut it short."""

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Transcript:
    """What a recognizer heard in one utterance."""

    text: str
    confidence: float = 1.0
    alternatives: tuple[str, ...] = ()


class Recognizer(Protocol):
    """Streaming speech-to-text: feed chunks of one utterance, then take the transcript."""

    @property
    def name(self) -> str: ...

    def accept(self, chunk: AudioChunk) -> None: ...

    def finish(self) -> Transcript: ...

    def reset(self) -> None: ...

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        """Narrow the next utterances to ``phrases`` (None restores the full domain)."""
        ...

    def new_visitor(self) -> None:
        """The next utterance is a new person's first (a kiosk session ended or was reset)."""
        ...


@dataclass(frozen=True)
class Voice:
    """How a synthesizer should sound: words per minute, volume 0..1, voice id, pitch 0..99."""

    rate_wpm: int = 150
    volume: float = 0.9
    voice_id: str | None = None
    pitch: int = 50


class Synthesizer(Protocol):
    """Text-to-speech that returns audio and never decides where it goes."""

    name: str

    def synthesize(self, text: str, voice: Voice) -> Clip: ...

    def close(self) -> None: ...

