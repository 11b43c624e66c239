#!/usr/bin/env python3
"""How loud each "louder"/"softer" step is: the dialogue's volume steps, applied by the real pyttsx3
(espeak-ng) synthesizer to the content pack's answers.

For each volume the guide can reach from its default (pressing "softer" and "louder" until each
limit), prints the gain asked for, the speech level reached (RMS over 20 ms frames within 40 dB of
the loudest one, in dBFS), the change from the default, the peak, and the share of samples at the
limiter's ceiling. Above 1.0 the peaks are limited, so the level gained is less than the gain asked.

    python scripts/bench_volume.py
    python scripts/bench_volume.py --answers 4 --json

Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from voice_guide.audio import pcm_to_float  # noqa: E402
from voice_guide.content import load_library  # noqa: E402
from voice_guide.dialogue import Dialogue, KeyPressed  # noqa: E402
from voice_guide.gain import CEILING_DBFS  # noqa: E402
from voice_guide.matcher import Matcher  # noqa: E402
from voice_guide.protocols import Voice  # noqa: E402


def reachable_volumes(dialogue: Dialogue) -> list[float]:
    """Every volume "softer" and "louder" reach from the default, quietest first."""
    volumes = {dialogue.volume}
    for command in ("softer", "louder"):
        dialogue.reset()
        for _ in range(20):
            dialogue.handle(KeyPressed(command))
            volumes.add(dialogue.volume)
    return sorted(volumes)


def speech_level(samples: np.ndarray, rate: int) -> float:
    """RMS in dBFS over the 20 ms frames within 40 dB of the loudest (the pauses left out)."""
    size = rate // 50
    frames = samples[: len(samples) // size * size].astype(np.float64).reshape(-1, size)
    power = np.mean(frames**2, axis=1)
    active = power[power > power.max() * 1e-4]
    return float(10 * np.log10(np.mean(active)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=6, help="answer chunks to speak (default 6)")
    parser.add_argument("--voice", default="en-us", help="espeak-ng voice (default en-us)")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of the table")
    args = parser.parse_args(argv)

    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer

    library = load_library()
    dialogue = Dialogue(library, Matcher(library))
    default = dialogue.speech.volume
    texts = [chunk for section in library.sections for chunk in section.answer][: args.answers]
    ceiling = 10 ** (CEILING_DBFS / 20)
    rows = []
    with Pyttsx3Synthesizer() as synth:
        for volume in reachable_volumes(dialogue):
            clips = [synth.synthesize(t, Voice(rate_wpm=150, volume=volume, voice_id=args.voice)) for t in texts]
            samples = np.concatenate([pcm_to_float(c.audio) for c in clips])
            rows.append({"volume": volume, "gain_db": round(20 * np.log10(volume), 1),
                         "level_dbfs": round(speech_level(samples, clips[0].rate), 1),
                         "peak_dbfs": round(float(20 * np.log10(np.max(np.abs(samples)))), 2),
                         "at_ceiling": round(float(np.mean(np.abs(samples) >= ceiling - 1e-3)), 5)})
    base = next(r["level_dbfs"] for r in rows if r["volume"] == default)
    for row in rows:
        row["vs_default_db"] = round(row["level_dbfs"] - base, 1)
    if args.json:
        print(json.dumps({"default": default, "answers": len(texts), "voice": args.voice, "steps": rows}))
        return 0
    print(f"{len(texts)} answer chunks, espeak-ng {args.voice} at 150 wpm; default volume {default}")
    print(f"{'volume':>7} {'gain dB':>8} {'level dBFS':>11} {'vs default':>11} {'peak dBFS':>10} {'at ceiling':>11}")
    for r in rows:
        print(f"{r['volume']:>7} {r['gain_db']:>8} {r['level_dbfs']:>11} {r['vs_default_db']:>+11} "
              f"{r['peak_dbfs']:>10} {r['at_ceiling']:>11.3%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
