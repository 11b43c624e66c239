"""Earcons are distinct, short, soft-edged and within 300-3000 Hz (ux.md acceptance 9)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from voice_guide.audio import pcm_to_float
from voice_guide.dialogue import Earcon
from voice_guide.earcons import PATTERNS, EarconSettings, Earcons, render

NAMES = sorted(PATTERNS)


def spectrum_peak_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[int(np.argmax(spectrum))])


def test_the_dialogue_earcon_names_all_have_a_sound() -> None:
    for name in ("listening", "understood", "not_understood", "warning"):
        assert Earcon(name).name in PATTERNS


@pytest.mark.parametrize("name", NAMES)
def test_each_earcon_is_short_audible_and_in_band(name: str) -> None:
    clip = render(name)
    samples = pcm_to_float(clip.audio)
    assert 0.1 <= clip.seconds < 1.0
    assert 0.02 < float(np.max(np.abs(samples))) < 0.2
    assert 300 <= spectrum_peak_hz(samples, clip.rate) <= 3000
    for freq, _, _ in PATTERNS[name]:
        assert 300 <= freq and 2 * freq <= 3000  # the fundamental and its octave
    assert abs(samples[0]) < 0.01 and abs(samples[-1]) < 0.01  # no clicks


def test_earcons_are_distinct_from_each_other() -> None:
    for a, b in itertools.combinations(NAMES, 2):
        assert PATTERNS[a] != PATTERNS[b]
        assert render(a).audio != render(b).audio


def test_listening_rises_and_not_understood_falls() -> None:
    listening = [f for f, _, _ in PATTERNS["listening"]]
    failing = [f for f, _, _ in PATTERNS["not_understood"]]
    assert listening == sorted(listening)
    assert failing == sorted(failing, reverse=True)


def test_earcons_can_be_turned_off_and_follow_volume() -> None:
    assert render("listening", settings=EarconSettings(enabled=False)).audio == b""
    loud = np.max(np.abs(pcm_to_float(render("understood", 1.0).audio)))
    soft = np.max(np.abs(pcm_to_float(render("understood", 0.5).audio)))
    assert soft == pytest.approx(loud / 2, rel=0.02)


def test_cache_returns_the_same_clip() -> None:
    earcons = Earcons()
    assert earcons.get("warning", 0.8) is earcons.get("warning", 0.8)
    with pytest.raises(KeyError):
        earcons.get("fanfare")
