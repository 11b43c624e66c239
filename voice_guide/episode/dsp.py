"""Small numpy signal helpers for episodes: resampling to 44.1 kHz, gains, trimming, oversampling."""

from __future__ import annotations

import numpy as np

from voice_guide.audio import Clip, pcm_to_float
from voice_guide.resampling import resample

SILENCE_DBFS = -60.0
"""Samples quieter than this at a clip's ends count as silence to trim."""
TRIM_MARGIN_S = 0.005


def db_to_gain(db: float) -> float:
    return float(10.0 ** (db / 20.0))


def gain_to_db(gain: float) -> float:
    return float(20.0 * np.log10(max(gain, 1e-12)))


def lowpass_kernel(cutoff: float, half_taps: int) -> np.ndarray:
    """Windowed-sinc low-pass; ``cutoff`` as a fraction of the sample rate (0..0.5)."""
    n = np.arange(-half_taps, half_taps + 1)
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.kaiser(n.size, 8.0)
    return (kernel / kernel.sum()).astype(np.float64)


def upsample(samples: np.ndarray, factor: int, half_taps: int = 48) -> np.ndarray:
    """Integer-factor upsampling: zero-stuff, then a windowed-sinc low-pass at the old Nyquist."""
    if factor == 1 or samples.size == 0:
        return samples.astype(np.float32)
    stuffed = np.zeros(samples.size * factor, dtype=np.float64)
    stuffed[::factor] = samples
    kernel = lowpass_kernel(0.5 / factor * 0.95, half_taps * factor) * factor
    return np.convolve(stuffed, kernel, mode="same").astype(np.float32)


def clip_at_rate(clip: Clip, rate: int) -> np.ndarray:
    """A synthesizer's clip as float32 samples at ``rate`` (exact for integer ratios)."""
    samples = pcm_to_float(clip.audio)
    if clip.rate == rate:
        return samples
    if rate % clip.rate == 0:
        return upsample(samples, rate // clip.rate)
    return resample(samples, clip.rate, rate)


def trim(samples: np.ndarray, rate: int, threshold_dbfs: float = SILENCE_DBFS) -> np.ndarray:
    """Drop the engine's own leading and trailing silence, keeping a few milliseconds."""
    loud = np.flatnonzero(np.abs(samples) > db_to_gain(threshold_dbfs))
    if loud.size == 0:
        return samples[:0]
    margin = int(TRIM_MARGIN_S * rate)
    return samples[max(0, loud[0] - margin) : min(samples.size, loud[-1] + 1 + margin)]


# ITU-R BS.1770-4 Annex 2: 4x oversampling interpolation filter, 48 taps in 4 phases of 12.
_BS1770_PHASES = np.array(
    [
        [0.0017089843750, 0.0109863281250, -0.0196533203125, 0.0332031250000, -0.0594482421875, 0.1373291015625,
         0.9721679687500, -0.1022949218750, 0.0476074218750, -0.0266113281250, 0.0148925781250, -0.0083007812500],
        [-0.0291748046875, 0.0292968750000, -0.0517578125000, 0.0891113281250, -0.1665039062500, 0.4650878906250,
         0.7797851562500, -0.2003173828125, 0.1015625000000, -0.0582275390625, 0.0330810546875, -0.0189208984375],
        [-0.0189208984375, 0.0330810546875, -0.0582275390625, 0.1015625000000, -0.2003173828125, 0.7797851562500,
         0.4650878906250, -0.1665039062500, 0.0891113281250, -0.0517578125000, 0.0292968750000, -0.0291748046875],
        [-0.0083007812500, 0.0148925781250, -0.0266113281250, 0.0476074218750, -0.1022949218750, 0.9721679687500,
         0.1373291015625, -0.0594482421875, 0.0332031250000, -0.0196533203125, 0.0109863281250, 0.0017089843750],
    ]
)


_TAPS = _BS1770_PHASES.shape[1]
_MAX_GAIN = float(np.abs(_BS1770_PHASES).sum(axis=1).max())
"""No oversampled value exceeds this many times the largest sample in its 12-sample window."""


def sliding_min(values: np.ndarray, width: int) -> np.ndarray:
    """``out[i] = min(values[i : i + width])`` in O(n) (van Herk / Gil-Werman)."""
    if width <= 1:
        return values.copy()
    n = values.size
    pad = (-n) % width + width
    padded = np.concatenate([values, np.full(pad, np.inf, dtype=values.dtype)]).reshape(-1, width)
    prefix = np.minimum.accumulate(padded, axis=1).ravel()
    suffix = np.minimum.accumulate(padded[:, ::-1], axis=1)[:, ::-1].ravel()
    return np.minimum(suffix[:n], prefix[width - 1 : width - 1 + n])


def _near(magnitude: np.ndarray, level: float, block: int = 64) -> np.ndarray:
    """Samples within half a filter length of a block whose peak reaches ``level`` (a superset)."""
    n = magnitude.size
    blocks = -(-n // block)
    padded = np.zeros(blocks * block, magnitude.dtype)
    padded[:n] = magnitude
    hot = padded.reshape(blocks, block).max(axis=1) >= level
    hot[1:] |= hot[:-1].copy()
    hot[:-1] |= hot[1:].copy()
    return np.repeat(hot, block)[:n]


def _abs_max(data: np.ndarray) -> np.ndarray:
    out = np.abs(data[:, 0]).astype(np.float32)
    for ch in range(1, data.shape[1]):
        np.maximum(out, np.abs(data[:, ch]), out=out)
    return out


def true_peak_envelope(samples: np.ndarray, floor: float = 0.0, block: int = 1 << 16) -> np.ndarray:
    """Per input sample, the largest magnitude among its 4 oversampled values (BS.1770-4 Annex 2).

    ``samples`` is (n,) or (n, channels); the result is (n,), the max over channels. Only samples
    whose neighbourhood could reach ``floor`` are oversampled; elsewhere the result is the sample
    magnitude, which is then known to be below ``floor``. Worked in blocks to bound memory.
    """
    data = samples.reshape(samples.shape[0], -1)
    n, channels = data.shape
    out = _abs_max(data)
    wanted = _near(out, floor / _MAX_GAIN)
    if not wanted.any():
        return out
    padded = np.concatenate([np.zeros((_TAPS, channels), np.float32), data.astype(np.float32), np.zeros((_TAPS, channels), np.float32)])
    phases = _BS1770_PHASES.astype(np.float32)
    reversed_phases = np.ascontiguousarray(_BS1770_PHASES[:, ::-1].T.astype(np.float32))
    # output i of each phase is sum_k h[k] x[i + 5 - k]: the window x[i-6 .. i+5] against h reversed
    first = _TAPS - _TAPS // 2
    for ch in range(channels):
        windows = np.lib.stride_tricks.sliding_window_view(padded[:, ch], _TAPS)
        for start in range(0, n, block):
            stop = min(n, start + block)
            idx = start + np.flatnonzero(wanted[start:stop])
            if idx.size == 0:
                continue
            if idx.size > (stop - start) // 16:  # dense: filter the whole block (shift-and-add is fastest)
                peak = out[start:stop]
                for h in phases:
                    acc = np.zeros(stop - start, np.float32)
                    for k in range(_TAPS):
                        lo = _TAPS + start + (_TAPS // 2 - 1) - k
                        acc += h[k] * padded[lo : lo + stop - start, ch]
                    np.maximum(peak, np.abs(acc), out=peak)
            else:
                peaks = np.abs(windows[first + idx] @ reversed_phases).max(axis=1)
                out[idx] = np.maximum(out[idx], peaks)
    return out


def true_peak_dbtp(samples: np.ndarray) -> float:
    """True peak in dBTP (4x oversampled, per BS.1770-4)."""
    if samples.size == 0:
        return -120.0
    sample_peak = float(np.abs(samples).max())
    return gain_to_db(float(true_peak_envelope(samples, floor=sample_peak).max()))


def sample_peak_dbfs(samples: np.ndarray) -> float:
    return gain_to_db(float(np.abs(samples).max())) if samples.size else -120.0
