"""Earcons: short, distinct, generated sounds for listening, understood, not understood and warning.

Pure numpy, no files. Conventional meanings (rising = "go ahead", falling = "didn't work"),
every tone between 300 and 3000 Hz, each earcon under one second, soft attack and release.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voice_guide.audio import RATE, Clip, float_to_pcm

Note = tuple[float, float, float]
"""(frequency in Hz, length in ms, pause after in ms)."""

PATTERNS: dict[str, tuple[Note, ...]] = {
    "listening": ((660.0, 90.0, 20.0), (880.0, 120.0, 0.0)),
    "understood": ((1046.5, 140.0, 0.0),),
    "not_understood": ((494.0, 120.0, 30.0), (370.0, 200.0, 0.0)),
    "warning": ((740.0, 90.0, 90.0), (740.0, 90.0, 90.0), (740.0, 90.0, 0.0)),
}
"""Each earcon as notes; the names are the dialogue's ``Earcon`` action names."""


@dataclass(frozen=True)
class EarconSettings:
    enabled: bool = True
    level_dbfs: float = -20.0
    """Peak level at full volume; earcons follow the speech volume below that."""
    rate: int = RATE


def _note(freq: float, ms: float, rate: int) -> np.ndarray:
    n = int(rate * ms / 1000)
    t = np.arange(n) / rate
    # A touch of the octave makes it bell-like rather than a test tone.
    wave = np.sin(2 * np.pi * freq * t) + 0.25 * np.sin(2 * np.pi * 2 * freq * t)
    ramp = max(1, min(n // 2, int(rate * 0.012)))
    envelope = np.ones(n)
    envelope[:ramp] = np.linspace(0.0, 1.0, ramp)
    envelope[-ramp:] = np.linspace(1.0, 0.0, ramp) ** 2
    return np.asarray(wave * envelope / 1.25, dtype=np.float64)


def render(name: str, volume: float = 1.0, settings: EarconSettings | None = None) -> Clip:
    """The earcon ``name`` as a clip (empty when earcons are off). Unknown names raise KeyError."""
    st = settings or EarconSettings()
    notes = PATTERNS[name]
    if not st.enabled:
        return Clip(b"", st.rate)
    parts = []
    for freq, ms, pause in notes:
        parts.append(_note(freq, ms, st.rate))
        parts.append(np.zeros(int(st.rate * pause / 1000)))
    peak = 10 ** (st.level_dbfs / 20) * max(0.0, min(1.0, volume))
    return Clip(float_to_pcm(np.concatenate(parts) * peak), st.rate)


class Earcons:
    """Renders each earcon once per volume and keeps it, so playing one costs nothing."""

    def __init__(self, settings: EarconSettings | None = None) -> None:
        self.settings = settings or EarconSettings()
        self._cache: dict[tuple[str, float], Clip] = {}

    def get(self, name: str, volume: float = 1.0) -> Clip:
        key = (name, round(volume, 3))
        if key not in self._cache:
            self._cache[key] = render(name, volume, self.settings)
        return self._cache[key]
