"""Mastering: BS.1770 loudness (pyloudnorm) to the podcast target and a true-peak limiter."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from voice_guide.episode.dsp import db_to_gain, sample_peak_dbfs, sliding_min, true_peak_dbtp, true_peak_envelope
from voice_guide.errors import EngineError

_LOGGER = logging.getLogger(__name__)

RAMP_S = 0.005
"""Limiter attack (and release) ramp: gain starts falling this long before a peak."""
HOLD_S = 0.040
"""The limiter holds its reduction this long after a peak before recovering."""
MAX_PASSES = 4


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    true_peak_dbtp: float
    sample_peak_dbfs: float

    def as_dict(self) -> dict[str, float]:
        return {k: round(v, 2) for k, v in vars(self).items()}


@dataclass(frozen=True)
class MasterReport:
    before: Loudness
    after: Loudness
    target_lufs: float
    ceiling_dbtp: float
    gain_db: float
    limited_samples: int
    """How many samples the limiter turned down."""
    passes: int


def integrated_lufs(samples: np.ndarray, rate: int) -> float:
    """Integrated loudness per ITU-R BS.1770-4 (gated), via pyloudnorm."""
    import pyloudnorm

    if samples.shape[0] < int(0.4 * rate):
        raise EngineError("audio is shorter than 0.4 s; BS.1770 loudness needs at least one 400 ms block")
    # float32 gives the same result as float64 here (to 1e-6 LU) in two thirds of the time
    return float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float32, copy=False)))


def measure(samples: np.ndarray, rate: int) -> Loudness:
    return Loudness(integrated_lufs(samples, rate), true_peak_dbtp(samples), sample_peak_dbfs(samples))


def moving_mean(values: np.ndarray, width: int) -> np.ndarray:
    """``out[i] = mean(values[i - width + 1 : i + 1])``; before the start the first value repeats."""
    if width <= 1 or values.size == 0:
        return values.copy()
    padded = np.concatenate([np.full(width - 1, values[0], dtype=np.float64), values.astype(np.float64)])
    sums = np.cumsum(padded)
    sums[width:] = sums[width:] - sums[:-width]
    return (sums[width - 1 :] / width).astype(values.dtype)


def _smooth(needed: np.ndarray, ramp: int, hold: int) -> np.ndarray:
    ahead = sliding_min(needed, ramp)  # min over [i, i + ramp)
    held = sliding_min(np.concatenate([np.ones(hold, dtype=needed.dtype), ahead]), hold + 1)[: ahead.size]  # and over [i - hold, i]
    return np.minimum(moving_mean(held, ramp), 1.0)


def limiter_gain(samples: np.ndarray, rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Per-sample gain that keeps the 4x-oversampled peak under the ceiling, with smooth ramps.

    The needed gain is min-filtered over [i - hold, i + ramp] and then averaged over the past
    ``ramp`` samples, so the gain at every peak is at most what that peak needs. Only the stretches
    around peaks are worked on; everywhere else the gain is exactly 1.
    """
    ceiling = db_to_gain(ceiling_dbtp)
    envelope = true_peak_envelope(samples, floor=ceiling)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-9)).astype(np.float32)
    gain = np.ones_like(needed)
    over = np.flatnonzero(needed < 1.0)
    if over.size == 0:
        return gain
    ramp = max(1, int(RAMP_S * rate))
    hold = max(1, int(HOLD_S * rate))
    reach = hold + 2 * ramp + 2
    breaks = np.flatnonzero(np.diff(over) > 2 * reach)
    for first, last in zip(np.r_[over[0], over[breaks + 1]], np.r_[over[breaks], over[-1]]):
        lo, hi = max(0, first - ramp - 1), min(needed.size, last + hold + ramp + 1)
        gain[lo:hi] = _smooth(needed[lo:hi], ramp, hold)
    return gain


def limit(samples: np.ndarray, rate: int, ceiling_dbtp: float) -> tuple[np.ndarray, int]:
    gain = limiter_gain(samples, rate, ceiling_dbtp)
    reduced = int(np.count_nonzero(gain < 1.0))
    if reduced == 0:
        return samples, 0
    shaped = gain[:, None] if samples.ndim == 2 else gain
    return (samples * shaped).astype(np.float32), reduced


def _energy_db(samples: np.ndarray) -> float:
    return 10.0 * float(np.log10(max(float(np.mean(np.square(samples, dtype=np.float32), dtype=np.float64)), 1e-20)))


def master(samples: np.ndarray, rate: int, target_lufs: float, ceiling_dbtp: float, tolerance_lu: float = 1.0) -> tuple[np.ndarray, MasterReport]:
    """Gain to ``target_lufs`` and limit true peaks to ``ceiling_dbtp``.

    Limiting lowers loudness a little; the first pass estimates by how much from the change in
    signal energy and makes it up before the one BS.1770 measurement that decides. Further passes
    (rare) correct from that measurement. Each pass starts again from the unlimited mix.
    """
    before = measure(samples, rate)
    if not np.isfinite(before.integrated_lufs):
        raise EngineError("the rendered audio is silent; check the synthesizer ('voice-guide doctor')")
    source = samples.astype(np.float32, copy=False)
    gain = target_lufs - before.integrated_lufs
    estimated = False
    passes = 0
    while True:
        passes += 1
        scaled = source * np.float32(db_to_gain(gain))
        out, limited = limit(scaled, rate, ceiling_dbtp)
        if not estimated:
            estimated = True
            loss = _energy_db(out) - _energy_db(scaled)
            if loss < -0.05:
                gain -= loss
                continue
        current = integrated_lufs(out, rate)
        _LOGGER.debug("master pass %d: gain %.2f dB, %.2f LUFS, %d samples limited", passes, gain, current, limited)
        if abs(current - target_lufs) <= min(0.1, tolerance_lu / 4) or passes >= MAX_PASSES:
            break
        gain += target_lufs - current
    after = Loudness(current, true_peak_dbtp(out), sample_peak_dbfs(out))
    return out, MasterReport(before, after, target_lufs, ceiling_dbtp, round(gain, 2), limited, passes)
