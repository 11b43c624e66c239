"""Audio values and file I/O: 16 kHz mono 16-bit inside, any WAV outside.

Only the standard library and numpy: device and engine modules live in ``engines/``.
"""

from __future__ import annotations

import io
import struct
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol

import numpy as np

from voice_guide.errors import AudioFormatError
from voice_guide.resampling import StreamResampler, resample


class AudioTooLongError(AudioFormatError):
    """A WAV file longer than :data:`MAX_WAV_SECONDS`: a good file, too long to read whole."""


RATE = 16_000
"""Sample rate of every chunk inside the speech loop."""
WIDTH = 2
CHANNELS = 1
CHUNK_MS = 80
"""Default chunk length: short enough to honour a stop between chunks."""
MAX_WAV_SECONDS = 4 * 3600
"""Longest input file accepted (the soak day is streamed, not read whole)."""
MAX_WAV_RATE = 384_000
"""Highest sample rate accepted: a header declaring more is broken, not a recording."""
_BLOCK_BYTES = 1 << 18
"""A WAV file is decoded and resampled this many bytes at a time, so reading it takes the memory
of its 16 kHz result and one block, not of the file."""


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
    recorded_rate: int | None = None
    """The rate of the file it was read from, before conversion (None if not read from a file)."""

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


def dithered(pcm: bytes, rng: np.random.Generator) -> bytes:
    """Add one least significant bit to about a quarter of the samples, as pocketsphinx's own dither
    does, against digitally silent input (files, generated audio), but from the caller's generator:
    the same generator state gives the same noise, so the same audio is heard the same way."""
    samples = np.frombuffer(pcm, dtype="<i2").astype(np.int32)
    samples += rng.random(samples.size) < 0.25
    return np.minimum(samples, 32767).astype("<i2").tobytes()


def pcm_to_float(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0


def float_to_pcm(samples: np.ndarray) -> bytes:
    clipped = np.clip(samples, -1.0, 32767 / 32768)
    return (clipped * 32768.0).round().astype("<i2").tobytes()


_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE


@dataclass(frozen=True)
class _Format:
    code: int
    channels: int
    rate: int
    width: int


def _check_encoding(fmt: _Format) -> None:
    """Raise unless :func:`_decode_frames` can decode ``fmt``."""
    if fmt.code == _FLOAT and fmt.width in (4, 8):
        return
    if fmt.code != _PCM:
        raise AudioFormatError(f"unsupported WAV encoding {fmt.code}; use PCM or float WAV")
    if fmt.width > 4:
        raise AudioFormatError(f"unsupported sample width {fmt.width} bytes; use 8, 16, 24 or 32-bit PCM WAV")


def _decode_frames(frames: bytes, fmt: _Format) -> np.ndarray:
    """The whole frames in ``frames`` (of a format :func:`_check_encoding` accepts), as mono float32."""
    width, channels = fmt.width, fmt.channels
    frames = frames[: len(frames) - len(frames) % (width * channels)]
    if fmt.code == _FLOAT:
        data = np.frombuffer(frames, dtype="<f4" if width == 4 else "<f8").astype(np.float32)
        data = np.nan_to_num(np.clip(data, -1.0, 1.0))
    elif width == 1:
        data = (np.frombuffer(frames, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width == 2:
        data = np.frombuffer(frames, dtype="<i2").astype(np.float32) / 32768.0
    elif width == 3:
        raw = np.frombuffer(frames, dtype=np.uint8).reshape(-1, 3)
        ints = (raw[:, 0].astype(np.int32) | (raw[:, 1].astype(np.int32) << 8) | (raw[:, 2].astype(np.int32) << 16))
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        data = ints.astype(np.float32) / float(1 << 23)
    else:
        data = np.frombuffer(frames, dtype="<i4").astype(np.float32) / float(1 << 31)
    return data.reshape(-1, channels).mean(axis=1)


def _parse_fmt(body: bytes) -> _Format:
    if len(body) < 16:
        raise AudioFormatError("the WAV 'fmt' chunk is too short")
    code, channels, rate, _, _, bits = struct.unpack("<HHIIHH", body[:16])
    if code == _EXTENSIBLE and len(body) >= 26:
        code = struct.unpack("<H", body[24:26])[0]
    if channels < 1 or not 1000 <= rate <= MAX_WAV_RATE or bits < 8 or bits % 8:
        raise AudioFormatError(f"not a usable WAV ({channels} channels, {rate} Hz, {bits} bits)")
    return _Format(code, channels, rate, bits // 8)


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def _read_header(stream: _Readable) -> tuple[_Format, int]:
    """The format of a RIFF/WAVE stream (PCM, float, or extensible) and its data chunk's declared
    size, read up to the first sample."""
    head = stream.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise AudioFormatError("not a WAV file (no RIFF/WAVE header)")
    fmt: _Format | None = None
    while True:
        header = stream.read(8)
        if len(header) < 8:
            raise AudioFormatError("no audio data in the WAV file" if fmt else "no 'fmt' chunk in the WAV file")
        chunk_id, size = header[:4], struct.unpack("<I", header[4:])[0]
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(stream.read(size + size % 2))
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioFormatError("the WAV file has audio before its format")
            return fmt, size
        else:
            skipped = stream.read(size + size % 2)
            if len(skipped) < size:
                raise AudioFormatError("the WAV file ends inside a chunk")


class _NotWav(AudioFormatError):
    """A stream whose header is no usable WAV header."""


def _byte_limit(fmt: _Format, max_seconds: float) -> int:
    """The bytes of samples in ``max_seconds`` of ``fmt``."""
    return int(max_seconds * fmt.rate) * fmt.width * fmt.channels


def _read_wav_header(stream: _Readable, max_seconds: float) -> tuple[_Format, int]:
    """The format of a RIFF/WAVE stream and its data chunk's declared size, once it is known that
    the samples can be decoded and are not declared longer than ``max_seconds``."""
    try:
        fmt, size = _read_header(stream)
    except AudioFormatError as exc:
        raise _NotWav(str(exc)) from exc
    if size != 0xFFFFFFFF and size > _byte_limit(fmt, max_seconds):
        raise AudioTooLongError(f"{size / (fmt.rate * fmt.width * fmt.channels) / 3600:.1f} h is longer "
                                f"than the {max_seconds / 3600:.0f} h limit; split it first")
    _check_encoding(fmt)
    return fmt, size


def _frame_blocks(stream: _Readable, fmt: _Format, size: int, max_seconds: float) -> Iterator[bytes]:
    """The ``size`` bytes of samples that follow (what is there, if the stream ends first) in blocks
    of whole frames; more than ``max_seconds`` of them is refused."""
    frame, limit = fmt.width * fmt.channels, _byte_limit(fmt, max_seconds)
    step, left = max(1, _BLOCK_BYTES // frame) * frame, min(size, limit + 1)
    pending = b""
    while left > 0:
        block = stream.read(min(step, left))
        if not block:
            break
        left -= len(block)
        if left == 0 and size > limit:  # a length the header did not say (0xFFFFFFFF) and too long
            raise AudioTooLongError(f"longer than the {max_seconds / 3600:.0f} h limit; split it first")
        pending += block
        whole = len(pending) - len(pending) % frame
        if whole:
            yield pending[:whole]
            pending = pending[whole:]


def _read_clip(stream: _Readable, rate: int, max_seconds: float) -> Clip:
    """A WAV stream decoded and resampled block by block into a mono clip at ``rate``."""
    fmt, size = _read_wav_header(stream, max_seconds)
    resampler = StreamResampler(fmt.rate, rate)
    out = io.BytesIO()  # grows in place, and its bytes become the clip's without a copy
    frames = 0
    for block in _frame_blocks(stream, fmt, size, max_seconds):
        samples = _decode_frames(block, fmt)
        frames += samples.size
        out.write(float_to_pcm(resampler.push(samples)))
    if frames == 0:
        raise AudioFormatError("the WAV file has no audio")
    out.write(float_to_pcm(resampler.finish()))
    return Clip(out.getvalue(), rate, recorded_rate=fmt.rate)


def read_wav(source: str | Path | _Readable, rate: int = RATE, max_seconds: float = MAX_WAV_SECONDS,
             name: str | None = None) -> Clip:
    """Read a WAV (PCM 8-32 bit, float, extensible; any rate and channels) as a mono clip at ``rate``,
    in the memory of the clip and one block (see :data:`_BLOCK_BYTES`)."""
    name = name or (str(source) if isinstance(source, (str, Path)) else "<stream>")
    try:
        if isinstance(source, (str, Path)):
            with open(source, "rb") as stream:
                return _read_clip(stream, rate, max_seconds)
        return _read_clip(source, rate, max_seconds)
    except FileNotFoundError as exc:
        raise AudioFormatError(f"{name}: no such file; check the path") from exc
    except IsADirectoryError as exc:
        raise AudioFormatError(f"{name}: is a folder, not a WAV file") from exc
    except _NotWav as exc:
        raise AudioFormatError(f"{name}: not a PCM WAV file ({exc}); convert it, e.g. 'sox in.mp3 -r 16000 -c 1 out.wav'") from exc
    except AudioFormatError as exc:
        raise AudioFormatError(f"{name}: {exc}") from exc
    except OSError as exc:
        raise AudioFormatError(f"{name}: cannot read ({exc.strerror})") from exc


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


def silence(seconds: float, rate: int = RATE) -> Clip:
    return Clip(b"\x00\x00" * int(round(seconds * rate)), rate)


STDIN = "standard input"
_UNKNOWN_LENGTHS = (0, 0x7FFFFFFF, 0xFFFFFFFF)
"""Data sizes a recorder writing to a pipe puts in the header (it cannot know the length)."""


def piped_audio(stream: BinaryIO, rate: int = RATE) -> Iterator[AudioChunk]:
    """Audio piped in: raw 16-bit mono PCM at ``rate``, or a WAV stream. Both are streamed as they
    come when they are 16-bit mono at ``rate`` (a live ``arecord -f S16_LE -r 16000 -c 1``); a WAV
    file in another format is read whole and converted, as :func:`read_wav` does."""
    head = stream.read(12)
    if not head:
        raise AudioFormatError(f"nothing came in on {STDIN}; pipe raw 16 kHz 16-bit mono PCM or a WAV file")
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return chunk_stream(stream, rate, start=head)
    seen = _Recording(head, stream)
    try:
        fmt, size = _read_header(seen)
    except AudioFormatError as exc:
        raise AudioFormatError(f"{STDIN}: not a PCM WAV stream ({exc})") from exc
    if fmt == _Format(_PCM, 1, rate, WIDTH):
        body = stream if size in _UNKNOWN_LENGTHS else _Limited(stream, size)
        first = body.read(WIDTH)  # waits for the first sample, as a file is read before it is heard
        if len(first) < WIDTH:
            raise AudioFormatError(f"{STDIN}: the WAV stream has no audio; pipe a recording with sound in it")
        return chunk_stream(body, rate, start=first)
    if size in _UNKNOWN_LENGTHS:
        raise AudioFormatError(f"{STDIN}: a WAV stream of unknown length must be {rate} Hz mono 16-bit, "
                               f"e.g. 'arecord -f S16_LE -r {rate} -c 1'")
    return read_wav(_Recording(seen.bytes, stream, keep=False), rate, name=STDIN).chunks()  # its length is checked first


class _Limited:
    """The first ``size`` bytes of ``stream`` (a data chunk; what follows it is no audio)."""

    def __init__(self, stream: _Readable, size: int) -> None:
        self._stream, self._left = stream, size

    def read(self, size: int) -> bytes:
        block = self._stream.read(min(size, self._left)) if self._left > 0 else b""
        self._left -= len(block)
        return block


class _Recording:
    """Reads ``start``, then from ``stream``; with ``keep``, keeps every byte read in ``bytes``."""

    def __init__(self, start: bytes, stream: _Readable, keep: bool = True) -> None:
        self.bytes, self._start, self._stream, self._keep = b"", start, stream, keep

    def read(self, size: int) -> bytes:
        block, self._start = self._start[:size], self._start[size:]
        if len(block) < size:
            block += self._stream.read(size - len(block))
        if self._keep:
            self.bytes += block
        return block


def chunk_stream(stream: _Readable, rate: int = RATE, chunk_ms: int = CHUNK_MS, start: bytes = b"") -> Iterator[AudioChunk]:
    """Raw 16-bit mono PCM at ``rate`` from a byte stream (e.g. stdin), as chunks; ``start`` is what
    was already read from it."""
    step = rate * chunk_ms // 1000 * WIDTH
    offset = 0
    pending = start
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
