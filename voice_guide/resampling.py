"""Resampling to the loop's 16 kHz (and back for devices): a windowed-sinc low-pass, then linear
interpolation; whole signals at once, or block by block with the same result. Pure numpy."""

from __future__ import annotations

import numpy as np

_HALF_TAPS = 32
"""The low-pass filter looks this many samples either side."""


def _low_pass(src_rate: int, dst_rate: int) -> np.ndarray:
    """The windowed-sinc anti-aliasing filter for downsampling ``src_rate`` to ``dst_rate``."""
    cutoff = 0.45 * dst_rate / src_rate
    taps = np.arange(-_HALF_TAPS, _HALF_TAPS + 1)
    kernel = 2 * cutoff * np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
    return kernel / kernel.sum()


def resample(samples: np.ndarray, src_rate: int, dst_rate: int) -> np.ndarray:
    """Band-limited resampling (windowed-sinc low-pass, then linear interpolation)."""
    if src_rate == dst_rate or samples.size == 0:
        return samples.astype(np.float32)
    if dst_rate < src_rate:
        samples = np.convolve(samples, _low_pass(src_rate, dst_rate), mode="same")
    duration = samples.size / src_rate
    count = int(round(duration * dst_rate))
    positions = np.arange(count) * (src_rate / dst_rate)
    return np.interp(positions, np.arange(samples.size), samples).astype(np.float32)


class StreamResampler:
    """:func:`resample` of a signal that comes in blocks, block by block, with the same result: the
    filter keeps the last samples it needs across a block edge, the interpolation the last it read."""

    def __init__(self, src_rate: int, dst_rate: int) -> None:
        self.src_rate, self.dst_rate = src_rate, dst_rate
        self._step = src_rate / dst_rate
        self._kernel = _low_pass(src_rate, dst_rate) if dst_rate < src_rate else None
        self._taps: np.ndarray = np.zeros(_HALF_TAPS)  # the filter's zero padding before the first sample
        self._held: np.ndarray = np.zeros(0)  # filtered samples the interpolation still needs
        self._first = 0  # index of the first held sample in the filtered signal
        self._made = 0  # output samples so far
        self._seen = 0  # input samples so far

    def push(self, samples: np.ndarray) -> np.ndarray:
        """The output that ``samples`` (the next input block) completes."""
        self._seen += samples.size
        if self.src_rate == self.dst_rate:
            return samples.astype(np.float32)
        return self._interpolate(self._filter(samples), final=False)

    def finish(self) -> np.ndarray:
        """The rest of the output, once every input block was pushed."""
        if self.src_rate == self.dst_rate or self._seen == 0:
            return np.zeros(0, np.float32)
        tail = self._filter(np.zeros(_HALF_TAPS)) if self._kernel is not None else np.zeros(0)
        return self._interpolate(tail, final=True)

    def _filter(self, samples: np.ndarray) -> np.ndarray:
        """The low-passed samples this block completes (each needs :data:`_HALF_TAPS` after it)."""
        if self._kernel is None:
            return samples
        pending = np.concatenate([self._taps, samples])
        if pending.size <= 2 * _HALF_TAPS:
            self._taps = pending
            return np.zeros(0)
        self._taps = pending[-2 * _HALF_TAPS:]
        return np.convolve(pending, self._kernel, mode="valid")

    def _interpolate(self, filtered: np.ndarray, final: bool) -> np.ndarray:
        """The output samples that fall between the held filtered samples (at the end: all the rest)."""
        held = np.concatenate([self._held, filtered])
        if final:
            count = int(round(self._seen / self.src_rate * self.dst_rate))
        else:  # only positions well inside what is held: the last output depends on the length
            count = int(np.ceil((self._first + held.size - 1) / self._step)) - 2
        if count <= self._made or held.size == 0:
            self._held = held
            return np.zeros(0, np.float32)
        positions = np.arange(self._made, count) * self._step
        out = np.interp(positions, np.arange(self._first, self._first + held.size), held).astype(np.float32)
        self._made = count
        drop = max(0, min(int(count * self._step) - self._first, held.size - 1))
        self._held, self._first = held[drop:], self._first + drop
        return out
