"""Encoding: 16-bit WAV and MP3 (44.1 kHz CBR via lameenc); MP3 decoding through ffmpeg for checks.

MP3 encoders delay the audio by a fixed number of samples. The mix always starts with silence,
so we drop exactly that many samples from the front before encoding: a decoded MP3 then lines
up sample for sample with the WAV, and chapter times hold for both files.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave

import numpy as np

from voice_guide.errors import EngineError

LAME_DELAY_SAMPLES = 1105
"""LAME's encoder delay (576) plus the MP3 decoder delay (529), for a tag-less CBR stream."""


def to_pcm16(audio: np.ndarray) -> np.ndarray:
    """float32 (n, channels) in [-1, 1] -> little-endian int16 (n, channels), with TPDF dither."""
    rng = np.random.default_rng(0)  # fixed seed: the same mix always gives the same bytes
    dither = rng.random(audio.shape, dtype=np.float32)
    dither -= rng.random(audio.shape, dtype=np.float32)
    scaled = audio * np.float32(32768.0) + dither
    return np.clip(np.round(scaled), -32768, 32767).astype("<i2")


def wav_bytes(pcm: np.ndarray, rate: int) -> bytes:
    """A 16-bit WAV from int16 samples shaped (n, channels)."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(pcm.shape[1])
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


def mp3_bytes(pcm: np.ndarray, rate: int, kbps: int, quality: int = 5) -> bytes:
    """Constant-bit-rate MP3 from int16 (n, channels), compensated for the encoder delay (module doc)."""
    import lameenc

    leading = pcm[:LAME_DELAY_SAMPLES]
    if leading.size and int(np.abs(leading.astype(np.int32)).max()) > 32:
        raise EngineError("the mix must start with silence for delay-free MP3; raise pacing.lead_in")
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(kbps)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_channels(pcm.shape[1])
    encoder.set_quality(quality)
    data = np.ascontiguousarray(pcm[LAME_DELAY_SAMPLES:]).tobytes()
    return bytes(encoder.encode(data)) + bytes(encoder.flush())


def mp3_gain_db(pcm: np.ndarray, rate: int, kbps: int, quality: int, seconds: float = 10.0) -> float:
    """How much quieter the encoder makes the loudest ``seconds`` of the mix (about -0.45 dB at 128k).

    LAME turns the level down a little at lower bit rates; knowing by how much lets the mix be
    encoded once at the right level. Needs ffmpeg; returns 0.0 without it.
    """
    if not ffmpeg_available():
        return 0.0
    n = min(pcm.shape[0], int(seconds * rate))
    block = rate // 10
    blocks = pcm.shape[0] // block
    if blocks > n // block:
        energy = (pcm[: blocks * block, 0].astype(np.float32) ** 2).reshape(blocks, block).sum(axis=1)
        window = np.convolve(energy, np.ones(n // block), mode="valid")
        start = int(np.argmax(window)) * block
    else:
        start = 0
    excerpt = np.concatenate([np.zeros((LAME_DELAY_SAMPLES, pcm.shape[1]), "<i2"), pcm[start : start + n]])
    decoded = decode_mp3(mp3_bytes(excerpt, rate, kbps, quality), rate, pcm.shape[1])
    original = excerpt[LAME_DELAY_SAMPLES:].astype(np.float64) / 32768.0
    m = min(original.shape[0], decoded.shape[0])
    ref = float(np.sqrt(np.mean(original[:m] ** 2)))
    out = float(np.sqrt(np.mean(decoded[:m].astype(np.float64) ** 2)))
    return 20 * np.log10(out / ref) if ref > 0 and out > 0 else 0.0


def ffmpeg_available() -> bool:
    return shutil.which("ffmpeg") is not None


def decode_mp3(data: bytes, rate: int, channels: int) -> np.ndarray:
    """Decode MP3 bytes with ffmpeg (independent of the encoder) to float32 (n, channels)."""
    if not ffmpeg_available():
        raise EngineError("ffmpeg is not installed, so the MP3 cannot be re-measured; install it: 'sudo apt-get install ffmpeg'")
    proc = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-f", "mp3", "-i", "pipe:0", "-f", "f32le", "-ac", str(channels), "-ar", str(rate), "pipe:1"],
        input=data,
        capture_output=True,
        check=False,
    )
    if proc.returncode != 0:
        raise EngineError(f"ffmpeg could not decode the MP3: {proc.stderr.decode(errors='replace').strip()[:200]}")
    return np.frombuffer(proc.stdout, dtype="<f4").reshape(-1, channels).copy()


def mp3_duration(data: bytes) -> float:
    """Playing time from the MP3 stream itself (via mutagen)."""
    from mutagen.mp3 import MP3

    info = MP3(io.BytesIO(data)).info
    if info is None:
        raise EngineError("the MP3 has no audio frames; rebuild the episode")
    return float(info.length)
