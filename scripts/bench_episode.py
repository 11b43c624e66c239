#!/usr/bin/env python3
"""Benchmark an episode build: render speed (x real time), loudness and true peak before/after MP3.

    python scripts/bench_episode.py                      # the full episode with pyttsx3
    python scripts/bench_episode.py --plan second-opinion --engine piper

Renders into a temporary folder (or --out), then prints the figures from the build's QA report
and, when ffmpeg is installed, ffmpeg's own BS.1770 meter on the MP3 as an independent check.
Exit status 1 if pyttsx3 renders slower than 20x real time or a QA check fails.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from voice_guide.content import load_library
from voice_guide.episode.pipeline import BuildOptions, Resources, build_episode
from voice_guide.episode.plans import find_plan, load_plans

MIN_PYTTSX3_SPEED = 20.0


def synthesizer(engine: str):  # type: ignore[no-untyped-def]
    if engine == "piper":
        from voice_guide.engines.piper_tts import PiperSynthesizer

        return PiperSynthesizer()
    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer

    return Pyttsx3Synthesizer()


def ffmpeg_meter(path: Path) -> str:
    if shutil.which("ffmpeg") is None:
        return "ffmpeg not installed: no independent measurement"
    err = subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:") :]
    lufs = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"Peak:\s+(-?[\d.]+) dBFS", summary)
    return f"{lufs.group(1) if lufs else '?'} LUFS, true peak {peak.group(1) if peak else '?'} dBTP (ffmpeg ebur128)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plan", default="what-is-mbc")
    parser.add_argument("--engine", choices=("pyttsx3", "piper"), default="pyttsx3")
    parser.add_argument("--mono", action="store_true")
    parser.add_argument("--out", help="keep the bundle here (default: a temporary folder)")
    args = parser.parse_args()

    pack = load_library().primary
    plan = find_plan(load_plans(), args.plan)
    res = Resources.load()
    with tempfile.TemporaryDirectory(prefix="bench-episode-") as tmp:
        out = Path(args.out or tmp)
        started = time.perf_counter()
        synth = synthesizer(args.engine)
        engine_start = time.perf_counter() - started
        try:
            result = build_episode(pack, plan, res, out, BuildOptions(channels=1 if args.mono else 2), synth, args.engine, datetime.now(timezone.utc))
        finally:
            synth.close()
        qa = result.qa
        speed, loud = qa["speed"], qa["loudness"]
        print(f"plan {args.plan} · engine {args.engine} · {qa['episode']['channels']} channel(s) · engine start {engine_start:.2f} s")
        print(f"audio        {speed['audio_s']:.1f} s ({qa['words']['total']} words, {qa['lines']} lines, {qa['segments']} chapters)")
        print(f"render       {speed['render_s']:.2f} s = {speed['render_x_realtime']:.1f}x real time (script + synthesis + mix)")
        print(f"whole build  {speed['build_s']:.2f} s = {speed['build_x_realtime']:.1f}x real time (+ mastering, MP3, checks, bundle)")
        for name, label in (("before_mastering", "mix"), ("wav", "WAV"), ("mp3", "MP3")):
            value = loud.get(name)
            if value:
                print(f"{label:<12} {value['integrated_lufs']:.2f} LUFS, true peak {value['true_peak_dbtp']:.2f} dBTP, sample peak {value['sample_peak_dbfs']:.2f} dBFS")
        print(f"target       {loud['target_lufs']:g} ± {loud['tolerance_lu']:g} LU, true peak <= {loud['max_true_peak_dbtp']:g} dBTP")
        print(f"MP3 check    {ffmpeg_meter(result.folder / 'episode.mp3')}")
        if qa.get("timing"):
            print(f"timing       {qa['timing']['checked']} chapter/cue starts, max error {qa['timing']['max_error_ms']} ms, mean {qa['timing']['mean_error_ms']} ms")
        failed = [c["name"] for c in qa["checks"] if c["ok"] is False]
        print(f"qa           {'all checks passed' if not failed else 'FAILED: ' + ', '.join(failed)}")
    slow = args.engine == "pyttsx3" and speed["render_x_realtime"] < MIN_PYTTSX3_SPEED
    if slow:
        print(f"render is slower than {MIN_PYTTSX3_SPEED:g}x real time", file=sys.stderr)
    return 1 if slow or failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
