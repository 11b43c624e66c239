"""Volume above the voice's own level: louder speech, peaks limited, nothing clipped."""

from __future__ import annotations

import numpy as np
import pytest

from voice_guide.gain import CEILING_DBFS, with_gain

RATE = 16_000
CEILING = 10 ** (CEILING_DBFS / 20)


SYLLABLES = (1.0, 0.3, 0.6, 0.15, 0.8, 0.4, 0.25, 0.5)
"""Relative levels of stressed and unstressed syllables: speech's peaks are a few loud syllables."""


def speech_like() -> np.ndarray:
    """Syllables of a harmonic tone at speech-like levels, 200 ms each with short gaps, the loudest
    peaking near full scale like a synthesized voice."""
    t = np.arange(int(RATE * 0.2)) / RATE
    tone = sum(np.sin(2 * np.pi * f * t) / k for k, f in enumerate((140, 280, 420, 700, 1100), start=1))
    ramp = np.minimum(1.0, np.minimum(t, t[::-1]) / 0.03)
    gap = np.zeros(int(RATE * 0.05))
    x = np.concatenate([np.concatenate([level * tone * ramp, gap]) for level in SYLLABLES]).astype(np.float32)
    return 0.8 * x / np.max(np.abs(x))


def rms_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(x.astype(np.float64) ** 2))


def test_a_gain_that_stays_under_the_ceiling_is_just_a_gain() -> None:
    x = speech_like()
    assert np.allclose(with_gain(x, 0.5, RATE), 0.5 * x)


@pytest.mark.parametrize("gain", [1.41, 2.0, 2.26, 4.0])
def test_louder_than_full_scale_is_limited_not_clipped(gain: float) -> None:
    x = speech_like()
    y = with_gain(x, gain, RATE)
    assert y.shape == x.shape and np.max(np.abs(y)) <= CEILING + 1e-6
    hard = np.clip(x * gain, -1, 1)
    # A clipper squares off every peak; the limiter lowers the level around it instead, so
    # the signal is never flattened at the ceiling for more than a sample or two.
    assert np.sum(np.abs(y) >= CEILING - 1e-4) < np.sum(np.abs(hard) >= 1.0) / 10


def test_each_step_up_is_louder() -> None:
    x = speech_like()
    levels = [rms_db(with_gain(x, g, RATE)) for g in (0.8, 1.13, 1.6, 2.26)]
    assert all(b - a > 1.0 for a, b in zip(levels, levels[1:])), levels
    assert levels[-1] - levels[0] > 5.0


def test_the_limiter_leaves_the_quiet_between_peaks_alone() -> None:
    x = np.zeros(RATE, dtype=np.float32)
    x[:4000] = 0.1 * np.sin(2 * np.pi * 200 * np.arange(4000) / RATE)
    x[8000:8400] = 0.9 * np.sin(2 * np.pi * 200 * np.arange(400) / RATE)  # one loud burst, half a second on
    y = with_gain(x, 2.0, RATE)
    assert np.allclose(y[:4000], 2.0 * x[:4000])
    assert np.max(np.abs(y[8000:8400])) <= CEILING + 1e-6


def test_a_peak_at_the_very_end_is_limited_not_clipped() -> None:
    x = np.zeros(RATE // 10, dtype=np.float32)
    x[-300:] = 0.9 * np.sin(2 * np.pi * 200 * np.arange(300) / RATE)  # loud to the last sample
    y = with_gain(x, 2.0, RATE)
    end = slice(-60, None)
    loud = np.abs(x[end]) > 0.1
    ratio = y[end][loud] / x[end][loud]
    # The limiter's window runs past the end: the level is lowered smoothly, not squared off at
    # the ceiling (before, the last peaks were cut flat and the ratio dipped at each of them).
    assert np.max(np.abs(y)) <= CEILING + 1e-6 and float(np.std(ratio)) < 1e-3
