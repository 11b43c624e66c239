"""Simulated waiting-room audio: babble and noise, with a spoken question every few minutes.

Streamed chunk by chunk (hours of it never sit in memory), deterministic for a seed. Used by the
soak harness and by noise benchmarks. Speech comes from any :class:`Synthesizer`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Sequence

import numpy as np

from voice_guide.audio import CHUNK_MS, RATE, AudioChunk, Clip, float_to_pcm, pcm_to_float
from voice_guide.protocols import Synthesizer, Voice

BABBLE_LINES = (
    "Did you find a parking space this morning",
    "The coffee machine on the second floor is broken again",
    "My grandson plays football on Saturdays",
    "They said the wait would be about twenty minutes",
    "I think it is going to rain later this afternoon",
    "Could you pass me that magazine please",
    "We drove in from the other side of the county",
    "Her appointment was moved to next Thursday",
    "The television in the corner is always too loud",
    "I forgot my reading glasses in the car",
)
BABBLE_VOICES = ("en-us", "en-gb", "en-us+m3", "en+f2")


@dataclass(frozen=True)
class Placed:
    """A question placed in the stream: when it starts (s) and what is said."""

    start_s: float
    text: str
    seconds: float


def level(x: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0


@dataclass
class WaitingRoom:
    """A stream of waiting-room audio with ``questions`` spoken in turn every ``every_s`` seconds."""

    synthesizer: Synthesizer
    questions: Sequence[str]
    every_s: float = 180.0
    snr_db: float = 10.0
    """Question level over the babble-and-noise level."""
    seed: int = 0
    question_voice: Voice = Voice(rate_wpm=150, voice_id="en-us+f3")
    placed: list[Placed] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = np.random.default_rng(self.seed)
        self._babble = [self._speech(line, Voice(rate_wpm=170, voice_id=v))
                        for line, v in zip(BABBLE_LINES, BABBLE_VOICES * 3)]
        self._questions = [self._speech(q, self.question_voice) for q in self.questions]
        speech_level = np.mean([level(q) for q in self._questions]) if self._questions else 0.1
        self._background_level = float(speech_level) / (10 ** (self.snr_db / 20))

    def _speech(self, text: str, voice: Voice) -> np.ndarray:
        return pcm_to_float(self.synthesizer.synthesize(text, voice).resampled(RATE).audio)

    def _background(self, samples: int) -> np.ndarray:
        """Three overlapping talkers plus soft broadband noise, scaled to the background level."""
        out = np.zeros(samples, dtype=np.float32)
        for _ in range(3):
            pos = int(self._rng.integers(0, max(1, samples // 2)))
            while pos < samples:
                clip = self._babble[int(self._rng.integers(len(self._babble)))]
                end = min(samples, pos + clip.size)
                out[pos:end] += clip[: end - pos]
                pos = end + int(self._rng.integers(RATE // 4, RATE))
        noise = self._rng.normal(0.0, 1.0, samples).astype(np.float32)
        noise = np.convolve(noise, np.ones(8, dtype=np.float32) / 8, mode="same").astype(np.float32)  # duller, like a room
        babble_level, noise_level = level(out), level(noise)
        mix = (0.85 * out / babble_level if babble_level else out) + 0.5 * noise / noise_level
        return (mix * (self._background_level / max(level(mix), 1e-9))).astype(np.float32)

    def stream(self, total_s: float, chunk_ms: int = CHUNK_MS, block_s: float = 30.0) -> Iterator[AudioChunk]:
        """Yield ``total_s`` seconds of audio; questions start at every_s, 2*every_s, ... (recorded in ``placed``)."""
        self.placed.clear()
        step = RATE * chunk_ms // 1000
        block = int(block_s * RATE)
        next_question, asked = self.every_s, 0
        total = int(total_s * RATE)
        pending = np.zeros(0, dtype=np.float32)
        done = 0
        while done < total:
            n = min(block, total - done)
            audio = self._background(n)
            t0, t1 = done / RATE, (done + n) / RATE
            while self._questions and t0 <= next_question < t1:
                q = self._questions[asked % len(self._questions)]
                start = int((next_question - t0) * RATE)
                end = min(n, start + q.size)
                audio[start:end] += q[: end - start]
                self.placed.append(Placed(next_question, self.questions[asked % len(self.questions)], q.size / RATE))
                asked += 1
                next_question += self.every_s
            pending = np.concatenate([pending, audio])
            while pending.size >= step:
                yield AudioChunk(float_to_pcm(pending[:step]), RATE, int(1000 * done / RATE))
                pending = pending[step:]
                done += step
            if n < block and pending.size:
                yield AudioChunk(float_to_pcm(pending), RATE, int(1000 * done / RATE))
                done += pending.size
                pending = pending[:0]


def mix_at_snr(speech: Clip, noise: np.ndarray, snr_db: float) -> Clip:
    """``speech`` with ``noise`` (looped or cut to length) at ``snr_db`` below it."""
    s = pcm_to_float(speech.audio)
    n = np.resize(noise, s.size).astype(np.float32)
    gain = level(s) / (10 ** (snr_db / 20)) / max(level(n), 1e-9)
    return Clip(float_to_pcm(s + gain * n), speech.rate)
