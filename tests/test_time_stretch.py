"""The show played faster or slower at its own pitch (WSOLA), block by block."""

from __future__ import annotations

import numpy as np
import pytest

from voice_guide.audio import float_to_pcm
from voice_guide.time_stretch import TimeStretcher

RATE = 22050


def voice(seconds: float, pitch: float = 140.0) -> np.ndarray:
    """A vowel-like sound: a pitch with harmonics, its loudness rising and falling as syllables do."""
    t = np.arange(int(seconds * RATE)) / RATE
    tone = sum(np.sin(2 * np.pi * pitch * k * t) / k for k in range(1, 6))
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 3.0 * t)
    return pcm(0.2 * tone * syllables)


def pcm(samples: np.ndarray) -> np.ndarray:
    """16-bit samples, as the stretcher reads a recording."""
    return np.frombuffer(float_to_pcm(np.asarray(samples, np.float32)), "<i2")


def level(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def pitch_of(samples: np.ndarray) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    freqs = np.fft.rfftfreq(samples.size, 1 / RATE)
    band = (freqs > 60) & (freqs < 400)
    return float(freqs[band][np.argmax(spectrum[band])])


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.5, 2.0, 3.0])
def test_the_pitch_stays_and_the_pace_changes(speed: float) -> None:
    audio = voice(6.0)
    stretcher = TimeStretcher(audio, RATE, speed=speed)
    out = stretcher.read(2 * RATE)
    assert out.size == 2 * RATE
    assert abs(stretcher.position / out.size - speed) < 0.02  # the input it covered
    assert abs(pitch_of(out) - 140.0) < 3.0  # a resampled show would be at 140 x speed
    assert abs(level(out) / level(audio / 32768.0) - 1.0) < 0.1  # as loud


@pytest.mark.parametrize("speed", [0.5, 0.75, 1.5, 2.0, 3.0])
def test_frames_join_in_phase(speed: float) -> None:
    """A steady tone stays steady: frames overlapped out of phase would cancel in part, and its loudness
    would rise and fall (the "phasey" sound of plain overlap-add, measured here as the check's foil)."""
    t = np.arange(4 * RATE) / RATE
    tone = pcm(0.2 * sum(np.sin(2 * np.pi * 140 * k * t) / k for k in range(1, 6)))

    def steadiness(samples: np.ndarray) -> float:
        """Loudest over softest of 4-period stretches (630 samples is 4 periods of 140 Hz exactly)."""
        rms = np.sqrt(np.mean(samples[:630 * 50].reshape(-1, 630) ** 2, axis=1))
        return float(rms.max() / rms.min())

    assert steadiness(TimeStretcher(tone, RATE, speed=speed).read(RATE + 630)[630:]) < 1.01
    plain = TimeStretcher(tone, RATE, speed=speed)
    plain._best_start = lambda nominal, natural: nominal  # type: ignore[method-assign]
    assert steadiness(plain.read(RATE + 630)[630:]) > 1.05


def test_block_by_block_is_the_same_as_all_at_once() -> None:
    audio = voice(3.0)
    whole = TimeStretcher(audio, RATE, speed=1.3).read(RATE)
    blocks = TimeStretcher(audio, RATE, speed=1.3)
    pieces = np.concatenate([blocks.read(1764) for _ in range(RATE // 1764 + 1)])[:RATE]
    assert float_to_pcm(pieces) == float_to_pcm(whole)


def test_it_ends_with_the_input() -> None:
    audio = voice(1.0)
    stretcher = TimeStretcher(audio, RATE, position=int(0.5 * RATE), speed=2.0)
    out = stretcher.read(RATE)
    assert stretcher.ended and 0.2 * RATE < out.size < 0.3 * RATE


def test_at_its_own_pace_it_gives_the_recording_back_and_says_where_to_go_on() -> None:
    """After "faster" then "normal" the stretcher comes back in step with the recording: the player
    can then play the recording itself from ``next_unread`` without a seam."""
    audio = voice(4.0)
    stretcher = TimeStretcher(audio, RATE, speed=1.6)
    stretcher.read(RATE // 2)
    stretcher.speed = 1.0
    for _ in range(3):
        stretcher.read(441)
    assert stretcher.in_step
    at = stretcher.next_unread
    again = stretcher.read(2000)
    assert np.abs(again - audio[at : at + 2000] / 32768.0).max() < 1e-4  # the recording itself
