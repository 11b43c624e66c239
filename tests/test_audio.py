"""Audio values and WAV reading: any rate and channel count in, 16 kHz mono out; garbage is refused cleanly."""

from __future__ import annotations

import io
import math
import struct
import tracemalloc
import wave
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_guide.audio import RATE, float_to_pcm, AudioChunk, Clip, chunk_stream, dithered, piped_audio, read_wav, rms_dbfs, silence, wav_bytes
from voice_guide.resampling import resample
from voice_guide.errors import AudioFormatError


def tone_wav(path: Path, rate: int, channels: int, width: int, seconds: float = 0.5, freq: float = 440.0) -> None:
    n = int(rate * seconds)
    t = np.arange(n) / rate
    x = 0.5 * np.sin(2 * math.pi * freq * t)
    frames = np.repeat(x[:, None], channels, axis=1).reshape(-1)
    if width == 1:
        raw = ((frames * 127) + 128).astype(np.uint8).tobytes()
    elif width == 2:
        raw = (frames * 32767).astype("<i2").tobytes()
    elif width == 3:
        ints = (frames * (2**23 - 1)).astype(np.int32)
        raw = b"".join(struct.pack("<i", v)[:3] for v in ints)
    else:
        raw = (frames * (2**31 - 1)).astype("<i4").tobytes()
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(width)
        w.setframerate(rate)
        w.writeframes(raw)


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
@pytest.mark.parametrize(("channels", "width"), [(1, 2), (2, 2), (1, 1), (2, 3), (1, 4)])
def test_any_pcm_wav_becomes_16k_mono(tmp_path: Path, rate: int, channels: int, width: int) -> None:
    path = tmp_path / "t.wav"
    tone_wav(path, rate, channels, width)
    clip = read_wav(path)
    assert clip.rate == RATE and clip.recorded_rate == rate  # the file's own rate, for the telephone-quality warning
    assert abs(clip.seconds - 0.5) < 0.01
    level = rms_dbfs(clip.audio)
    assert -12 < level < -4, level  # a 0.5 amplitude sine is about -9 dBFS


def test_resampling_keeps_the_pitch() -> None:
    rate = 44100
    x = np.sin(2 * math.pi * 1000 * np.arange(rate) / rate).astype(np.float32)
    y = resample(x, rate, RATE)
    peak = np.argmax(np.abs(np.fft.rfft(y))) * RATE / len(y)
    assert abs(peak - 1000) < 5


def test_downsampling_removes_what_cannot_be_represented() -> None:
    rate = 48000
    x = np.sin(2 * math.pi * 12000 * np.arange(rate) / rate).astype(np.float32)  # above 8 kHz Nyquist
    y = resample(x, rate, RATE)
    assert np.sqrt(np.mean(y**2)) < 0.1


@pytest.mark.parametrize(
    ("content", "words"),
    [(b"", "not a PCM WAV"), (b"RIFF\x00\x00", "not a PCM WAV"), (b"hello world" * 10, "not a PCM WAV")],
)
def test_bad_files_give_one_clear_error(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioFormatError, match=words):
        read_wav(path)


def test_missing_empty_and_folder(tmp_path: Path) -> None:
    with pytest.raises(AudioFormatError, match="no such file"):
        read_wav(tmp_path / "missing.wav")
    with pytest.raises(AudioFormatError, match="folder"):
        read_wav(tmp_path)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(wav_bytes(Clip(b"", RATE)))
    with pytest.raises(AudioFormatError, match="no audio"):
        read_wav(empty)


def test_truncated_file_reads_what_is_there(tmp_path: Path) -> None:
    path = tmp_path / "t.wav"
    tone_wav(path, 16000, 1, 2, seconds=1.0)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    assert 0.4 < read_wav(path).seconds < 0.6


def test_too_long_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "long.wav"
    tone_wav(path, 8000, 1, 2, seconds=2.0)
    with pytest.raises(AudioFormatError, match="longer than") as info:
        read_wav(path, max_seconds=1.0)
    assert "not a PCM WAV" not in str(info.value) and "convert" not in str(info.value)  # a good file, just long


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=4096))
def test_garbage_never_escapes_as_another_error(data: bytes) -> None:
    try:
        clip = read_wav(io.BytesIO(data))
    except AudioFormatError:
        return
    assert clip.rate == RATE


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=20000), st.sampled_from([20, 50, 80, 100]))
def test_raw_stream_chunks_cover_every_sample(data: bytes, ms: int) -> None:
    chunks = list(chunk_stream(io.BytesIO(data), chunk_ms=ms))
    total = sum(len(c.audio) for c in chunks)
    assert total == len(data) - len(data) % 2
    assert all(len(c.audio) <= RATE * ms // 1000 * 2 for c in chunks)


def test_chunks_know_their_duration() -> None:
    clip = silence(1.0)
    chunks = list(clip.chunks(80))
    assert len(chunks) == 13 and abs(sum(c.seconds for c in chunks) - 1.0) < 1e-9
    assert isinstance(chunks[0], AudioChunk) and chunks[1].timestamp_ms == 80


def riff(fmt_body: bytes, data: bytes, extra_chunk: bool = True) -> bytes:
    chunks = b"fmt " + struct.pack("<I", len(fmt_body)) + fmt_body
    if extra_chunk:
        chunks += b"LIST" + struct.pack("<I", 5) + b"abcde\x00"  # odd size: padded
    chunks += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", 4 + len(chunks)) + b"WAVE" + chunks


def test_float_and_extensible_wavs_are_read(tmp_path: Path) -> None:
    rate = 22050
    x = (0.5 * np.sin(2 * math.pi * 440 * np.arange(rate // 2) / rate)).astype("<f4")
    stereo = np.repeat(x[:, None], 2, axis=1).reshape(-1)
    float_fmt = struct.pack("<HHIIHH", 3, 2, rate, rate * 8, 8, 32)
    (tmp_path / "f.wav").write_bytes(riff(float_fmt, stereo.tobytes()))
    pcm = (x * 32767).astype("<i2").tobytes()
    guid_pcm = struct.pack("<H", 1) + b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
    ext_fmt = struct.pack("<HHIIHHHHI", 0xFFFE, 1, rate, rate * 2, 2, 16, 22, 16, 4) + guid_pcm
    (tmp_path / "e.wav").write_bytes(riff(ext_fmt, pcm))
    for name in ("f.wav", "e.wav"):
        clip = read_wav(tmp_path / name)
        assert abs(clip.seconds - 0.5) < 0.01 and -12 < rms_dbfs(clip.audio) < -4, name


def test_unknown_encoding_is_refused(tmp_path: Path) -> None:
    alaw = struct.pack("<HHIIHH", 6, 1, 8000, 8000, 1, 8)
    (tmp_path / "a.wav").write_bytes(riff(alaw, b"\x00" * 800))
    with pytest.raises(AudioFormatError, match="unsupported WAV encoding"):
        read_wav(tmp_path / "a.wav")


def test_dither_is_one_bit_on_a_quarter_of_the_samples_and_repeats_with_its_seed() -> None:
    pcm = np.array([0] * 40_000 + [32767] * 1000, "<i2").tobytes()
    first = dithered(pcm, np.random.default_rng(5))
    added = np.frombuffer(first, "<i2").astype(np.int32) - np.frombuffer(pcm, "<i2")
    assert set(np.unique(added[:40_000])) == {0, 1}
    assert 0.23 < added[:40_000].mean() < 0.27
    assert added[40_000:].max() == 0  # the loudest sample does not wrap around
    assert dithered(pcm, np.random.default_rng(5)) == first
    assert dithered(pcm, np.random.default_rng(6)) != first


def test_piped_audio_is_a_wav_file_when_it_has_a_wav_header_else_raw_pcm() -> None:
    tone = Clip(float_to_pcm(0.3 * np.sin(np.arange(22050) / 5).astype(np.float32)), 22050)
    wav = wav_bytes(tone)
    heard = b"".join(c.audio for c in piped_audio(io.BytesIO(wav)))
    assert heard == tone.resampled(RATE).audio  # decoded and resampled, not read as raw samples
    raw = bytes(range(256)) * 40
    assert b"".join(c.audio for c in piped_audio(io.BytesIO(raw))) == raw  # the first bytes are kept
    with pytest.raises(AudioFormatError, match="nothing came in"):
        piped_audio(io.BytesIO(b""))


def test_a_live_wav_stream_of_unknown_length_is_streamed_when_it_needs_no_conversion() -> None:
    samples = (np.arange(48_000) % 200 - 100).astype("<i2").tobytes()

    def header(rate: int, bits: int, size: int) -> bytes:
        fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * bits // 8, bits // 8, bits)
        return b"RIFF" + struct.pack("<I", 0x7FFFFFFF) + b"WAVE" + b"fmt " + struct.pack("<I", 16) + fmt \
            + b"data" + struct.pack("<I", size)

    live = piped_audio(io.BytesIO(header(RATE, 16, 0x7FFFFFFF) + samples))  # as 'arecord -f S16_LE -r 16000 -c 1'
    assert b"".join(c.audio for c in live) == samples
    tagged = header(RATE, 16, len(samples)) + samples + b"LIST" + struct.pack("<I", 4) + b"INFO"
    assert b"".join(c.audio for c in piped_audio(io.BytesIO(tagged))) == samples  # what follows the data is no audio
    with pytest.raises(AudioFormatError, match="longer than the 4 h limit"):  # refused before reading 10 h
        piped_audio(io.BytesIO(header(44100, 16, 44100 * 2 * 36000) + samples))
    with pytest.raises(AudioFormatError, match="arecord -f S16_LE"):
        piped_audio(io.BytesIO(header(8000, 8, 0x7FFFFFFF) + samples))  # arecord's default, 8 kHz 8-bit
    with pytest.raises(AudioFormatError, match="standard input: not a PCM WAV stream"):
        piped_audio(io.BytesIO(b"RIFF\0\0\0\0WAVEjunk"))


@pytest.mark.parametrize("rate", [8000, 22050, 44100, 48000, 96000])
@pytest.mark.parametrize("channels", [1, 2])
@pytest.mark.parametrize("block", [998, 1 << 18])
def test_reading_block_by_block_gives_what_resampling_the_whole_file_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rate: int, channels: int, block: int) -> None:
    noise = np.random.default_rng(rate + channels).uniform(-0.5, 0.5, (int(rate * 0.3) + 7, channels))
    path = tmp_path / "n.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((noise * 32767).astype("<i2").tobytes())
    whole = float_to_pcm(resample((noise * 32767).astype("<i2").astype(np.float32).mean(axis=1) / 32768, rate, RATE))
    monkeypatch.setattr("voice_guide.audio._BLOCK_BYTES", block)  # 998: block edges fall inside frames
    assert read_wav(path).audio == whole


def test_a_long_file_is_read_in_the_memory_of_its_result(tmp_path: Path) -> None:
    rate, seconds = 48_000, 60
    x = (0.3 * np.sin(np.arange(rate * seconds) / 7) * 32767).astype("<i2")
    path = tmp_path / "long.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(np.repeat(x[:, None], 2, axis=1).tobytes())  # 11.5 MB; 1.9 MB at 16 kHz mono
    del x
    tracemalloc.start()
    try:
        clip = read_wav(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert abs(clip.seconds - seconds) < 0.01
    assert peak < len(clip.audio) + 8_000_000, f"{peak / 1e6:.0f} MB to read {len(clip.audio) / 1e6:.1f} MB of audio"


@pytest.mark.parametrize("rate", [1, 999, 384_001, 0xFFFFFFFF])
def test_an_implausible_sample_rate_is_refused(tmp_path: Path, rate: int) -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, (2 * rate) & 0xFFFFFFFF, 2, 16)
    (tmp_path / "r.wav").write_bytes(riff(fmt, b"\x10\x00" * 50_000))
    with pytest.raises(AudioFormatError, match=f"r.wav: not a PCM WAV file .*{rate} Hz"):
        read_wav(tmp_path / "r.wav")
    with pytest.raises(AudioFormatError, match=f"standard input: not a PCM WAV stream .*{rate} Hz"):
        piped_audio(io.BytesIO(riff(fmt, b"\x10\x00" * 50_000)))


def test_the_highest_plausible_sample_rate_is_read(tmp_path: Path) -> None:
    rate = 384_000
    (tmp_path / "r.wav").write_bytes(riff(struct.pack("<HHIIHH", 1, 1, rate, 2 * rate, 2, 16), b"\x10\x00" * rate))
    assert abs(read_wav(tmp_path / "r.wav").seconds - 1.0) < 1e-3


@pytest.mark.parametrize("declared", [0, 0x7FFFFFFF, 0xFFFFFFFF, 3200])
def test_a_piped_wav_with_no_audio_is_refused_as_the_same_file_is(declared: int) -> None:
    fmt = struct.pack("<HHIIHH", 1, 1, RATE, 2 * RATE, 2, 16)
    empty = riff(fmt, b"", extra_chunk=False)
    empty = empty[:-4] + struct.pack("<I", declared)  # what a recorder that wrote nothing leaves
    with pytest.raises(AudioFormatError, match="standard input: the WAV stream has no audio"):
        piped_audio(io.BytesIO(empty))
    one_sample = b"".join(c.audio for c in piped_audio(io.BytesIO(empty + b"\x01\x00")))
    assert one_sample == b"\x01\x00"
