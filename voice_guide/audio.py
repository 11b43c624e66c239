"""Audio values and file I/O: 16 kHz mono 16-bit inside, any WAV outside.

Only the standard library and numpy: device and engine modules live in ``engines/``.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

import numpy as np

from voice_guide.errors import AudioFormatError

RATE = 16_000
"""Sample rate of every chunk inside the speech loop."""
WIDTH = 2
CHANNELS = 1
CHUNK_MS = 80
"""Default chunk length: short enough to honour a stop between chunks."""
MAX_WAV_SECONDS = 4 * 3600
"""Longest input file accepted (the soak day is streamed, not read whole)."""


@dataclass(frozen=True)
class AudioChunk:
    """A piece of mono 16-bit PCM audio that knows its duration."""

    audio: bytes
    rate: int = RATE
    timestamp_ms: int = 0

    @property
    def samples(self) -> int:
        return len(self.audio) // WIDTH

    @property
    def seconds(self) -> float:
        return self.samples / self.rate

    @property
    def milliseconds(self) -> float:
        return 1000.0 * self.samples / self.rate

    def array(self) -> np.ndarray:
        """Samples as float32 in [-1, 1]."""
        return pcm_to_float(self.audio)


@dataclass(frozen=True)
class Clip:
    """A whole mono 16-bit recording (e.g. one synthesized sentence)."""

    audio: bytes
    rate: int

    @property
    def seconds(self) -> float:
        return len(self.audio) / WIDTH / self.rate

    def chunks(self, chunk_ms: int = CHUNK_MS) -> Iterator[AudioChunk]:
        """Cut into chunks of ``chunk_ms`` (the last may be shorter)."""
        step = max(1, self.rate * chunk_ms // 1000) * WIDTH
        for start in range(0, len(self.audio), step):
            yield AudioChunk(self.audio[start : start + step], self.rate, 1000 * start // WIDTH // self.rate)

    def resampled(self, rate: int) -> "Clip":
        if rate == self.rate:
            return self
        return Clip(float_to_pcm(resample(pcm_to_float(self.audio), self.rate, rate)), rate)


def pcm_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm(samples: np.ndarray) -> bytes:
    clipped = np.clip(samples, -1.0, 32767 / 32768)
    return (clipped * 32768.0).round().astype("<i2").tobytes()


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Band-limited resampling (windowed-sinc low-pass, then linear interpolation)."""
    if src_rate == dst_rate or samples.size == 0:
        return samples.astype(np.float32)
    if dst_rate < src_rate:
        cutoff = 0.45 * dst_rate / src_rate
        taps = np.arange(-32, 33)
        kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
        kernel /= kernel.sum()
        samples = np.convolve(samples, kernel, mode="same")
    duration = samples.size / src_rate
    count = int(round(duration * dst_rate))
    positions = np.arange(count) * (src_rate / dst_rate)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


def _decode_frames(frames: bytes, width: int, channels: int) -> np.ndarray:
    if width == 1:
        data = (np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        data = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        raw = np.frombuffer(frames, dtype=np.uint8).reshape(-1, 3)
        ints = (raw[:, 0].astype(np.int32) | (raw[:, 1].astype(np.int32) << 8) | (raw[:, 2].astype(np.int32) << 16))
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        data = ints.astype(np.float32) / float(1 << 23)
    elif width == 4:
        data = np.frombuffer(frames, dtype="<i4").astype(np.float32) / float(1 << 31)
    else:
        raise AudioFormatError(f"unsupported sample width {width} bytes; use 8, 16, 24 or 32-bit PCM WAV")
    usable = data.size - data.size % channels
    return data[:usable].reshape(-1, channels).mean(axis=1)


def read_wav(source: str | Path | BinaryIO, rate: int = RATE, max_seconds: float = MAX_WAV_SECONDS) -> Clip:
    """Read a PCM WAV of any rate and channel count as a mono clip at ``rate``."""
    name = str(source) if isinstance(source, (str, Path)) else "<stream>"
    try:
        with wave.open(str(source) if isinstance(source, Path) else source, "rb") as wav:
            channels, width, src_rate, frames = wav.getnchannels(), wav.getsampwidth(), wav.getframerate(), wav.getnframes()
            if channels < 1 or src_rate < 1000:
                raise AudioFormatError(f"{name}: not a usable WAV ({channels} channels at {src_rate} Hz)")
            if frames / src_rate > max_seconds:
                raise AudioFormatError(
                    f"{name}: {frames / src_rate / 3600:.1f} h is longer than the {max_seconds / 3600:.0f} h limit; split it first"
                )
            data = wav.readframes(frames)
    except FileNotFoundError as exc:
        raise AudioFormatError(f"{name}: no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise AudioFormatError(f"{name}: is a folder, not a WAV file") from exc
    except (wave.Error, EOFError) as exc:
        raise AudioFormatError(f"{name}: not a PCM WAV file ({exc}); convert it, e.g. 'sox in.mp3 -r 16000 -c 1 out.wav'") from exc
    if not data:
        raise AudioFormatError(f"{name}: the WAV file has no audio")
    mono = _decode_frames(data, width, channels)
    return Clip(float_to_pcm(resample(mono, src_rate, rate)), rate)


def wav_bytes(clip: Clip) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(WIDTH)
        wav.setframerate(clip.rate)
        wav.writeframes(clip.audio)
    return buffer.getvalue()


def write_wav(path: str | Path, clip: Clip) -> None:
    Path(path).write_bytes(wav_bytes(clip))


def concat(clips: Iterable[Clip], rate: int) -> Clip:
    return Clip(b"".join(c.resampled(rate).audio for c in clips), rate)


def silence(seconds: float, rate: int = RATE) -> Clip:
    return Clip(b"\x00\x00" * int(round(seconds * rate)), rate)


def chunk_stream(stream: BinaryIO, rate: int = RATE, chunk_ms: int = CHUNK_MS) -> Iterator[AudioChunk]:
    """Raw 16-bit mono PCM at ``rate`` from a byte stream (e.g. stdin), as chunks."""
    step = rate * chunk_ms // 1000 * WIDTH
    offset = 0
    pending = b""
    while True:
        block = stream.read(step - len(pending))
        if not block:
            break
        pending += block
        if len(pending) >= step:
            yield AudioChunk(pending, rate, 1000 * offset // rate)
            offset += len(pending) // WIDTH
            pending = b""
    if len(pending) >= WIDTH:
        pending = pending[: len(pending) - len(pending) % WIDTH]
        yield AudioChunk(pending, rate, 1000 * offset // rate)


def rms_dbfs(pcm: bytes) -> float:
    samples = pcm_to_float(pcm)
    if samples.size == 0:
        return -120.0
    power = float(np.mean(samples.astype(np.float64) ** 2))
    return 10 * np.log10(max(power, 1e-12))
