"""A short synthesized intro/outro sting (no samples, no downloads) and ducking under speech."""

from __future__ import annotations

import numpy as np

from voice_guide.episode.dsp import db_to_gain

CHORD_HZ = (220.0, 277.18, 329.63, 415.30, 554.37)
"""A major-seventh arpeggio (A3 C#4 E4 G#4 C#5): warm, calm, not alarming."""
NOTE_STEP_S = 0.18
DUCK_ATTACK_S = 0.25
DUCK_RELEASE_S = 0.5


def sting(rate: int, seconds: float, level_db: float, channels: int = 2) -> np.ndarray:
    """Soft bell-like arpeggio over a low pad, with a fade-out; shape (n, channels)."""
    n = int(round(seconds * rate))
    t = np.arange(n) / rate
    left = np.zeros(n)
    right = np.zeros(n)
    for k, hz in enumerate(CHORD_HZ):
        onset = k * NOTE_STEP_S
        local = np.clip(t - onset, 0.0, None)
        env = np.where(t >= onset, (1 - np.exp(-local / 0.01)) * np.exp(-local / 1.6), 0.0)
        tone = np.sin(2 * np.pi * hz * local) + 0.3 * np.sin(4 * np.pi * hz * local) + 0.1 * np.sin(6 * np.pi * hz * local)
        pan = (k / (len(CHORD_HZ) - 1)) - 0.5
        left += env * tone * (0.5 - 0.4 * pan)
        right += env * tone * (0.5 + 0.4 * pan)
    pad_env = np.minimum(1.0, t / 0.8) * np.exp(-t / 3.0)
    pad = 0.35 * pad_env * (np.sin(2 * np.pi * 110.0 * t) + 0.5 * np.sin(2 * np.pi * 164.81 * t))
    left += pad
    right += pad
    fade = np.clip((seconds - t) / min(1.5, seconds / 3), 0.0, 1.0)
    out = np.stack([left * fade, right * fade], axis=1)
    out *= db_to_gain(level_db) / max(1e-9, float(np.abs(out).max()))
    if channels == 1:
        out = out.mean(axis=1, keepdims=True)
    return out.astype(np.float32)


def duck_gain(length: int, rate: int, speech: list[tuple[int, int]], duck_db: float) -> np.ndarray:
    """Gain for a music bed: 1 in the clear, ``duck_db`` under speech, with smooth ramps.

    ``speech`` lists (start, end) sample ranges, measured from the placed audio.
    """
    step = max(1, rate // 100)  # 10 ms control rate
    frames = length // step + 2
    active = np.zeros(frames, dtype=bool)
    attack = int(DUCK_ATTACK_S * rate) // step
    release = int(DUCK_RELEASE_S * rate) // step
    for start, end in speech:
        active[max(0, start // step - attack) : min(frames, end // step + 1)] = True
    target = np.where(active, db_to_gain(duck_db), 1.0)
    # ramps: the bed falls during the attack lead and rises over the release time
    width = max(1, attack)
    smooth = np.convolve(np.concatenate([np.full(width, target[0]), target]), np.ones(width) / width, mode="valid")[: frames]
    rel = max(1, release)
    rising = np.convolve(np.concatenate([np.full(rel, smooth[0]), smooth]), np.ones(rel) / rel, mode="valid")[: frames]
    control = np.minimum(smooth, rising)
    gain = np.interp(np.arange(length), np.arange(frames) * step, control)
    return gain.astype(np.float32)
