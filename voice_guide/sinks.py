"""Audio sinks that need no device: a WAV file and an in-memory recorder."""

from __future__ import annotations

import threading
import wave
from pathlib import Path
from typing import Iterable

from voice_guide.audio import WIDTH, AudioChunk, Clip, resample, pcm_to_float, float_to_pcm


class WavFileSink:
    """Writes everything played to one mono 16-bit WAV file at ``rate`` (opened lazily)."""

    def __init__(self, path: str | Path, rate: int = 22050) -> None:
        self.path = Path(path)
        self.rate = rate
        self._wav: wave.Wave_write | None = None
        self.seconds = 0.0

    def _open(self) -> wave.Wave_write:
        if self._wav is None:
            wav = wave.open(str(self.path), "wb")
            wav.setnchannels(1)
            wav.setsampwidth(WIDTH)
            wav.setframerate(self.rate)
            self._wav = wav
        return self._wav

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool:
        wav = self._open()
        for chunk in chunks:
            if stop is not None and stop.is_set():
                return False
            pcm = chunk.audio if chunk.rate == self.rate else float_to_pcm(resample(pcm_to_float(chunk.audio), chunk.rate, self.rate))
            wav.writeframes(pcm)
            self.seconds += len(pcm) / WIDTH / self.rate
        return True

    def close(self) -> None:
        if self._wav is None:
            self._open()
        assert self._wav is not None
        self._wav.close()


class MemorySink:
    """Keeps what was played (for tests and for measuring first-audio latency)."""

    def __init__(self) -> None:
        self.chunks: list[AudioChunk] = []
        self.closed = False

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool:
        for chunk in chunks:
            if stop is not None and stop.is_set():
                return False
            self.chunks.append(chunk)
        return True

    def close(self) -> None:
        self.closed = True


class DiscardSink:
    """Plays nowhere, at once (a recording with no --output and no speaker; benchmarks)."""

    def play(self, chunks: Iterable[AudioChunk], stop: threading.Event | None = None) -> bool:
        for _ in chunks:
            if stop is not None and stop.is_set():
                return False
        return True

    def close(self) -> None:
        pass
