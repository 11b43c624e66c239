"""Audio sinks that need no device: a WAV file and an in-memory recorder."""

from __future__ import annotations

import threading
import wave
from pathlib import Path
from typing import Iterable

from voice_guide.audio import WIDTH, AudioChunk, float_to_pcm, pcm_to_float
from voice_guide.errors import ConfigError
from voice_guide.resampling import resample
from voice_guide.output_file import ReplacingFile, writable_path, write_error
from voice_guide.stop_signals import stops_held


OTHER_AUDIO = frozenset({".mp3", ".ogg", ".oga", ".opus", ".flac", ".m4a", ".aac", ".wma", ".webm"})
"""File name endings of other audio formats: a WAV file must not be named as one."""


class WavFileSink:
    """Writes everything played to one mono 16-bit WAV file at ``rate``. The path is checked at once;
    the file is written whole or not at all (see ``voice_guide.output_file``): closing after nothing
    was played, e.g. on Ctrl-C before the first reply, leaves a file already there as it was."""

    def __init__(self, path: str | Path, rate: int = 22050, inputs: Iterable[str | Path | None] = ()) -> None:
        suffix = Path(path).suffix.lower()
        if suffix in OTHER_AUDIO:  # a player would take WAV data named .mp3 for a broken file
            raise ConfigError(f"{path}: replies are written as WAV audio; name the file .wav (convert it afterwards, "
                              "e.g. 'ffmpeg -i replies.wav replies.mp3')")
        self.path = writable_path(path, inputs)
        self.rate = rate
        self._file: ReplacingFile | None = None
        self._wav: wave.Wave_write | None = None
        self._closed = False
        self.seconds = 0.0

    def _open(self) -> wave.Wave_write:
        if self._wav is None:
            self._file = ReplacingFile(self.path)
            wav = wave.open(self._file.stream, "wb")
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
            try:
                wav.writeframes(pcm)
            except OSError as exc:  # a full disk: the file so far is dropped, a file already there stays
                self._abandon()
                raise write_error(exc, self.path) from exc
            self.seconds += len(pcm) / WIDTH / self.rate
        return True

    def close(self) -> None:
        with stops_held():  # a Ctrl-C or stop request now would lose every reply so far: it waits
            self._close()

    def _close(self) -> None:
        if self._closed:
            return
        self._closed = True
        keep_old = self.seconds == 0 and self.path.exists()  # nothing played: the file there stays
        if keep_old and self._wav is None:
            return
        wav, file = self._open(), self._file
        assert file is not None
        try:
            wav.close()
            if keep_old:
                file.discard()
            else:
                file.commit()
        except OSError as exc:
            file.discard()
            raise write_error(exc, self.path) from exc
        except BaseException:
            file.discard()
            raise

    def _abandon(self) -> None:
        """Drop the file being written (it can no longer be finished) and close for good."""
        self._closed = True
        if self._wav is not None:
            try:
                self._wav.close()  # patches the header: fails again, but leaves nothing to do when collected
            except (OSError, ValueError):
                pass
        if self._file is not None:
            self._file.discard()


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
