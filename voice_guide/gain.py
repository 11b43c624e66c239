"""Speech volume: a gain, with a peak limiter so that "louder" past the voice's own level never clips.

A synthesized voice peaks near full scale with its speech some 17 dB below that (espeak-ng: peaks at
-2 dBFS, speech at -19 dBFS RMS). Turning it up by 9 dB would clip hard; a limiter instead lowers just
the peaks, a few milliseconds at a time, the way hearing aids and broadcast processors make speech
louder. Pure numpy.
"""

from __future__ import annotations

import numpy as np

CEILING_DBFS = -1.0
"""No sample is louder than this after the gain."""
WINDOW_MS = 8.0
"""How far either side of a peak the limiter starts to lower the level (also its smoothing)."""


def with_gain(samples: np.ndarray, gain: float, rate: int) -> np.ndarray:
    """``samples`` (floats, full scale 1.0) times ``gain``, peaks limited to :data:`CEILING_DBFS`.

    The gain reduction needed at each sample is spread over :data:`WINDOW_MS` either side (a moving
    minimum, then a moving average no wider than it), so it never undershoots what a peak needs and
    never changes abruptly enough to click.
    """
    out = np.asarray(samples, dtype=np.float32) * np.float32(max(gain, 0.0))
    ceiling = 10 ** (CEILING_DBFS / 20)
    peak = float(np.max(np.abs(out))) if out.size else 0.0
    if peak <= ceiling:
        return out
    need = np.minimum(1.0, ceiling / np.maximum(np.abs(out), 1e-9)).astype(np.float32)
    half = max(1, int(rate * WINDOW_MS / 1000))
    padded = np.pad(need, half, constant_values=1.0)
    floor = np.lib.stride_tricks.sliding_window_view(padded, 2 * half + 1).min(axis=1)
    # A moving average of the moving minimum, over a window no wider than the minimum's: each
    # sample's reduction is then at least what the sample itself needs. Past the ends the minimum
    # holds its last value (padding with "no reduction" would let a peak at an edge through).
    width = half + 1
    sums = np.cumsum(np.pad(floor, (width // 2, width - 1 - width // 2), mode="edge"), dtype=np.float64)
    smooth = (sums[width - 1:] - np.concatenate(([0.0], sums[:-width]))) / width
    limited = out * smooth.astype(np.float32)
    return np.clip(limited, -ceiling, ceiling)
