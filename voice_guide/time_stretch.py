"""Speech played faster or slower at its own pitch, as a talking book does: WSOLA (waveform-similarity
overlap-add). Each output frame is a windowed frame of the input taken near where the speed puts it,
shifted by up to a few milliseconds to the place whose waveform best continues the frame before, so
the overlap-add joins in phase (no echo, no pitch change). Block by block over a whole recording,
reading only the samples each frame needs; pure numpy.
"""

from __future__ import annotations

import numpy as np

FRAME_MS = 40.0
"""Frame length: a few pitch periods of the lowest voices."""
SEARCH_MS = 8.0
"""How far either side of its place a frame may shift to join in phase (more than a 125 Hz period)."""
MIN_SPEED, MAX_SPEED = 0.5, 3.0


class TimeStretcher:
    """Reads ``pcm`` (16-bit samples, e.g. ``np.frombuffer(data, "<i2")``: not copied) at ``speed`` times
    real time from ``position``: :meth:`read` gives the next float samples to play, :attr:`position`
    is how far into the input they reach."""

    def __init__(self, pcm: np.ndarray, rate: int, position: int = 0, speed: float = 1.0) -> None:
        self.pcm = pcm
        frame = int(rate * FRAME_MS / 1000) // 2 * 2
        self.frame, self.hop = frame, frame // 2
        self.search = int(rate * SEARCH_MS / 1000)
        self.window = np.hanning(frame + 1)[:frame].astype(np.float32)  # periodic: halves overlapped sum to 1
        self.speed = speed
        self.position = float(position)
        """Where in the input the output has reached at this speed (samples)."""
        self._tail = np.zeros(self.hop, np.float32)  # the second half of the last windowed frame
        self._last: int | None = None  # where the last frame was taken from
        self._joined = False  # whether it was taken where the one before it went on
        self._ready = np.zeros(0, np.float32)  # output made but not yet read

    @property
    def ended(self) -> bool:
        return self.position >= self.pcm.size

    @property
    def in_step(self) -> bool:
        """Whether the output read so far ends with the input itself, up to :attr:`next_unread` (the
        last frame went on where the one before it ended, as at speed 1 once in phase): the recording
        can then be played on from there as it is, without a seam."""
        return self._joined and self._ready.size <= self.hop

    @property
    def next_unread(self) -> int:
        """The input sample after the last one the output read so far has given (when :attr:`in_step`)."""
        return int(self.position) if self._last is None else self._last + self.hop - self._ready.size

    def read(self, count: int) -> np.ndarray:
        """The next ``count`` samples of output (fewer at the end of the input)."""
        while self._ready.size < count and not self.ended:
            self._ready = np.concatenate([self._ready, self._step()])
        out, self._ready = self._ready[:count], self._ready[count:]
        return out

    def _step(self) -> np.ndarray:
        """One hop of output: the overlap of the last frame and the next one, taken where it joins best."""
        start = int(round(self.position))
        if self._last is not None:
            natural = self._last + self.hop
            start = self._best_start(start, natural)
            self._joined = start == natural
        frame = self._slice(start, self.frame) * self.window
        out = self._tail + frame[: self.hop]
        self._tail = frame[self.hop :].copy()
        self._last = start
        self.position += self.hop * self.speed
        return out

    def _best_start(self, nominal: int, natural: int) -> int:
        """The start near ``nominal`` whose waveform is most like the input's own continuation of the
        last frame (which starts at ``natural``): normalised cross-correlation over a half-frame, so
        a louder stretch does not win for its loudness, and the continuation itself scores best."""
        target = self._slice(natural, self.hop)
        low = max(0, nominal - self.search)
        region = self._slice(low, self.hop + (nominal + self.search - low))
        if not target.any() or not region.any():
            return nominal
        scores = np.correlate(region, target, mode="valid")
        energy = np.cumsum(np.concatenate([[0.0], region.astype(np.float64) ** 2]))
        norms = np.sqrt(np.maximum(energy[self.hop :] - energy[: -self.hop], 1e-12))
        return low + int(np.argmax(scores / norms))

    def _slice(self, start: int, length: int) -> np.ndarray:
        """``length`` input samples from ``start`` as floats, zero past either end."""
        out = np.zeros(length, np.float32)
        lo, hi = max(0, start), min(self.pcm.size, start + length)
        if hi > lo:
            out[lo - start : hi - start] = self.pcm[lo:hi] / np.float32(32768.0)
        return out
