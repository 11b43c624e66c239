"""A hand-written fake synthesizer for episode tests (no engine, exact and known durations)."""

from __future__ import annotations

import numpy as np

from voice_guide.audio import Clip, float_to_pcm
from voice_guide.protocols import Voice

FAKE_RATE = 44100
"""The mix rate, so clips are placed without resampling and timings are exact."""
MS_PER_WORD = 200
SILENCE_MS = 40
"""Leading and trailing silence in every clip, like a real engine; the renderer trims it."""


class ToneSynthesizer:
    """Every word is 200 ms of tone (pitch from the voice), wrapped in 40 ms of silence.

    After trimming, a sentence of n words lasts exactly n * 200 ms + the 5 ms margins, so
    renderer timings can be asserted to the sample.
    """

    name = "fake"

    def __init__(self) -> None:
        self.calls: list[tuple[str, Voice]] = []

    def synthesize(self, text: str, voice: Voice) -> Clip:
        self.calls.append((text, voice))
        words = len(text.split())
        n = FAKE_RATE * MS_PER_WORD * words // 1000
        t = np.arange(n) / FAKE_RATE
        hz = 120.0 + 2.0 * voice.pitch + (0 if voice.voice_id is None else 10 * (len(voice.voice_id) % 7))
        tone = 0.3 * np.sin(2 * np.pi * hz * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 3 * t) ** 2)
        tone[0] = tone[-1] = 0.3  # loud first and last samples: trimming keeps exactly n samples
        pad = np.zeros(FAKE_RATE * SILENCE_MS // 1000)
        return Clip(float_to_pcm(np.concatenate([pad, tone, pad])), FAKE_RATE)

    def close(self) -> None:
        pass


def trimmed_samples(words: int) -> int:
    """Samples one fake sentence occupies in the mix (tone plus the renderer's two 5 ms margins)."""
    return FAKE_RATE * MS_PER_WORD * words // 1000 + 2 * int(0.005 * FAKE_RATE)


def test_the_fake_is_deterministic_and_sized_by_words() -> None:
    fake = ToneSynthesizer()
    a = fake.synthesize("one two three", Voice())
    b = fake.synthesize("one two three", Voice())
    assert a == b
    assert a.seconds == (3 * MS_PER_WORD + 2 * SILENCE_MS) / 1000
