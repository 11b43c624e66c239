"""Hand-written fakes for the device and engine edge: no inheritance, just the protocols' methods."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from voice_guide.audio import RATE, AudioChunk, Clip, float_to_pcm
from voice_guide.protocols import Transcript, Voice

CHUNK_MS = 80


def tone(ms: float, level_dbfs: float = -20.0, freq: float = 220.0, rate: int = RATE) -> Clip:
    """A sine tone standing in for speech: loud, steady, known length."""
    n = int(round(rate * ms / 1000))
    amplitude = 10 ** (level_dbfs / 20) * np.sqrt(2)
    return Clip(float_to_pcm(amplitude * np.sin(2 * np.pi * freq * np.arange(n) / rate)), rate)


def quiet(ms: float, level_dbfs: float | None = None, seed: int = 0, rate: int = RATE) -> Clip:
    """Digital silence, or steady noise at ``level_dbfs`` (a room's noise floor)."""
    n = int(round(rate * ms / 1000))
    if level_dbfs is None:
        return Clip(b"\x00\x00" * n, rate)
    rng = np.random.default_rng(seed)
    return Clip(float_to_pcm(rng.normal(0, 10 ** (level_dbfs / 20), n)), rate)


def chunked(*clips: Clip, chunk_ms: int = CHUNK_MS) -> list[AudioChunk]:
    """Join clips and cut them into chunks with running timestamps."""
    audio = b"".join(c.audio for c in clips)
    return list(Clip(audio, clips[0].rate if clips else RATE).chunks(chunk_ms))


class ListSource:
    """An audio source over a list of chunks; ``on_chunk`` sees each chunk as it is taken."""

    def __init__(self, chunks: Sequence[AudioChunk], on_chunk: Callable[[int], None] | None = None) -> None:
        self.chunks = list(chunks)
        self.taken = 0
        self.on_chunk = on_chunk
        self.closed = False

    def __iter__(self) -> Iterator[AudioChunk]:
        for chunk in self.chunks:
            self.taken += 1
            if self.on_chunk is not None:
                self.on_chunk(self.taken)
            yield chunk

    def close(self) -> None:
        self.closed = True


class ScriptedRecognizer:
    """Returns scripted transcripts, one per utterance, and records what it was given."""

    name = "scripted"

    def __init__(self, transcripts: Iterable[str | Transcript] = (), by_phrases: dict[str, str] | None = None) -> None:
        self.transcripts = list(transcripts)
        """Plain text, or a whole Transcript (with alternatives) to return as it is."""
        self.by_phrases = by_phrases or {}
        """When phrases are narrowed to a set containing a key, that key's text is heard instead."""
        self.heard_ms: list[float] = []
        self.phrases: list[tuple[str, ...] | None] = []
        self._ms = 0.0
        self.resets = 0
        self.visitors = 0
        self.current: tuple[str, ...] | None = None

    def accept(self, chunk: AudioChunk) -> None:
        self._ms += chunk.milliseconds

    def finish(self) -> Transcript:
        self.heard_ms.append(self._ms)
        self._ms = 0.0
        if self.current is not None:
            for key, text in self.by_phrases.items():
                if key in self.current:
                    return Transcript(text, 0.9)
        heard = self.transcripts.pop(0) if self.transcripts else ""
        if isinstance(heard, Transcript):
            return heard
        return Transcript(heard, 0.9 if heard else 0.0)

    def reset(self) -> None:
        self._ms = 0.0
        self.resets += 1

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        self.current = tuple(phrases) if phrases is not None else None
        self.phrases.append(self.current)

    def new_visitor(self) -> None:
        self.visitors += 1


class RecordingCaptions:
    """Keeps every caption line as (who, text)."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []
        self.clears: list[int] = []
        """How many lines had been captioned at each clear (a new visitor)."""

    def caption(self, who: str, text: str) -> None:
        self.lines.append((who, text))

    def status(self, state: str, topic: str | None = None) -> None:
        pass

    def clear(self) -> None:
        self.clears.append(len(self.lines))


@dataclass
class RecordingSink:
    """Keeps every played chunk and keeps time by them: the clock is the audio played so far.

    ``at`` maps a clock time (ms) to a callback run once when playback reaches it, e.g. pressing
    stop 1 s into an answer. ``stopped_at_ms`` is the clock when a stop cut playback short.
    """

    chunks: list[AudioChunk] = field(default_factory=list)
    clock_ms: float = 0.0
    at: dict[float, Callable[[], None]] = field(default_factory=dict)
    stopped_at_ms: float | None = None
    plays: int = 0
    closed: bool = False

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool:
        self.plays += 1
        for chunk in chunks:
            if stop is not None and stop.is_set():
                self.stopped_at_ms = self.clock_ms
                return False
            self.chunks.append(chunk)
            self.clock_ms += chunk.milliseconds
            for when in sorted(self.at):
                if when <= self.clock_ms:
                    self.at.pop(when)()
        return True

    @property
    def seconds(self) -> float:
        return self.clock_ms / 1000

    def close(self) -> None:
        self.closed = True


class FakeSynthesizer:
    """Renders text as a tone, 60 ms per word, instantly; records every sentence."""

    name = "fake"

    def __init__(self, ms_per_word: float = 60.0) -> None:
        self.ms_per_word = ms_per_word
        self.spoken: list[tuple[str, Voice]] = []

    def synthesize(self, text: str, voice: Voice) -> Clip:
        self.spoken.append((text, voice))
        return tone(self.ms_per_word * max(1, len(text.split())), -20.0, 330.0)

    def close(self) -> None:
        pass
