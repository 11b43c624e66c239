"""Mastering on generated signals: BS.1770 loudness, true peak, limiter, MP3 level and delay."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_guide.episode import dsp, encode
from voice_guide.episode.dsp import db_to_gain, sliding_min, true_peak_dbtp, true_peak_envelope
from voice_guide.episode.master import integrated_lufs, limiter_gain, master, measure
from voice_guide.errors import EngineError

RATE = 44100
needs_ffmpeg = pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed, so no independent decoder/meter")


def sine(hz: float, seconds: float, dbfs: float, phase: float = 0.0) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    return (db_to_gain(dbfs) * np.sin(2 * np.pi * hz * t + phase)).astype(np.float32)


def speechlike(seconds: float = 12.0, seed: int = 1) -> np.ndarray:
    """Syllable-rate bursts of harmonics and noise with sharp peaks, in stereo."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * RATE)) / RATE
    envelope = np.clip(np.sin(2 * np.pi * 4 * t), 0, None) ** 2 * (np.sin(2 * np.pi * 0.3 * t) > -0.5)
    voice = sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 12)) + 0.3 * rng.standard_normal(t.size)
    mono = 0.2 * envelope * voice
    mono[:: RATE // 3] = 0.95  # clicks that must be limited
    return np.stack([mono, 0.8 * mono], axis=1).astype(np.float32)


def test_a_full_scale_1k_sine_measures_as_bs1770_says() -> None:
    tone = sine(997, 5, -20.0)
    assert integrated_lufs(tone, RATE) == pytest.approx(-23.01, abs=0.05)  # mono: -3.01 LKFS at 0 dBFS
    assert integrated_lufs(np.stack([tone, tone], axis=1), RATE) == pytest.approx(-20.0, abs=0.05)


def test_true_peak_finds_the_peak_between_samples() -> None:
    quarter = sine(RATE / 4, 1, 0.0, phase=np.pi / 4)  # samples at ±0.707, the wave peaks at 1.0 between them
    assert 20 * np.log10(np.abs(quarter).max()) == pytest.approx(-3.01, abs=0.01)
    assert true_peak_dbtp(quarter) == pytest.approx(0.0, abs=0.2)
    assert true_peak_dbtp(sine(997, 1, -6.0)) == pytest.approx(-6.0, abs=0.05)


def test_the_sparse_envelope_matches_full_oversampling_above_its_floor() -> None:
    x = speechlike(3)
    full = true_peak_envelope(x, floor=0.0)
    reference = np.abs(x).max(axis=1)
    for phase in dsp._BS1770_PHASES:
        for ch in range(2):
            reference = np.maximum(reference, np.abs(np.convolve(x[:, ch].astype(np.float64), phase, mode="same")))
    assert np.abs(full - reference).max() < 1e-5
    sparse = true_peak_envelope(x, floor=0.5)
    above = reference >= 0.5
    assert np.abs(sparse - reference)[above].max() < 1e-5 and np.all(sparse[~above] < 0.5)


@settings(max_examples=50, deadline=None)
@given(values=st.lists(st.floats(0, 1, width=32), min_size=1, max_size=60), width=st.integers(1, 12))
def test_sliding_min_matches_brute_force(values: list[float], width: int) -> None:
    x = np.array(values, dtype=np.float32)
    assert np.array_equal(sliding_min(x, width), np.array([x[i : i + width].min() for i in range(x.size)], dtype=np.float32))


@pytest.mark.parametrize("channels, target", [(2, -16.0), (1, -19.0)])
def test_mastering_reaches_the_target_and_the_peak_ceiling(channels: int, target: float) -> None:
    x = speechlike()[:, :channels]
    out, report = master(x, RATE, target, ceiling_dbtp=-2.0)
    assert report.after.integrated_lufs == pytest.approx(target, abs=0.25)
    assert integrated_lufs(out, RATE) == pytest.approx(report.after.integrated_lufs, abs=1e-6)
    assert true_peak_dbtp(out) <= -2.0 + 0.05
    assert report.limited_samples > 0 and report.before.true_peak_dbtp > -1.0


def test_the_limiter_leaves_quiet_passages_untouched() -> None:
    x = np.concatenate([sine(440, 1, -30.0), sine(440, 0.01, 0.0), sine(440, 1, -30.0)])[:, None]
    gain = limiter_gain(x, RATE, -3.0)
    assert gain[: RATE - 3000].min() == 1.0 and gain[-RATE + 3000 :].min() == 1.0
    assert true_peak_dbtp(x * gain[:, None]) <= -3.0 + 0.05
    assert np.all(np.abs(np.diff(gain)) < 0.01)  # smooth ramps


def test_silence_cannot_be_mastered() -> None:
    with pytest.raises(EngineError, match="silent"):
        master(np.zeros((RATE, 2), np.float32), RATE, -16.0, -2.0)


@needs_ffmpeg
def test_ffmpeg_ebur128_agrees_with_our_loudness_and_true_peak(tmp_path: Path) -> None:
    out, report = master(speechlike(), RATE, -16.0, -2.0)
    path = tmp_path / "x.wav"
    path.write_bytes(encode.wav_bytes(encode.to_pcm16(out), RATE))
    lufs, peak = ebur128(path)
    assert lufs == pytest.approx(report.after.integrated_lufs, abs=0.15)
    assert peak <= -1.0


@needs_ffmpeg
def test_mp3_lines_up_with_the_wav_and_its_level_change_is_measured() -> None:
    x = np.zeros((3 * RATE, 2), np.float32)
    x[RATE : RATE + 4410] = sine(1000, 0.1, -6.0)[:, None]
    x[2 * RATE] = 0.9
    pcm = encode.to_pcm16(x)
    decoded = encode.decode_mp3(encode.mp3_bytes(pcm, RATE, 128), RATE, 2)
    assert decoded.shape[0] >= x.shape[0]
    assert int(np.argmax(np.abs(decoded[:, 0]))) == pytest.approx(2 * RATE, abs=2)  # no encoder delay left
    assert -0.8 < encode.mp3_gain_db(encode.to_pcm16(speechlike(4)), RATE, 128, 5) < 0.0
    with pytest.raises(EngineError, match="start with silence"):
        encode.mp3_bytes(encode.to_pcm16(np.full((RATE, 2), 0.5, np.float32)), RATE, 128)


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness and true peak from ffmpeg's own BS.1770 meter (independent of pyloudnorm)."""
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:") :]
    lufs = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return lufs, peak


def test_measure_reports_all_three_numbers() -> None:
    m = measure(speechlike(2), RATE)
    assert m.true_peak_dbtp >= m.sample_peak_dbfs and np.isfinite(m.integrated_lufs)
    assert set(m.as_dict()) == {"integrated_lufs", "true_peak_dbtp", "sample_peak_dbfs"}
