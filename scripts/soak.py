#!/usr/bin/env python3
"""Soak: a full day of simulated waiting-room audio through the real speech loop; prints the figures.

    python scripts/soak.py                 # 8 hours, a question every 3 minutes, babble at 10 dB SNR
    python scripts/soak.py --hours 0.5 --json

Exit status 1 if any question went unanswered, memory grew 10 MB or more after warm-up, or files
were left behind.
"""

from __future__ import annotations

import argparse
import json
import sys

from rich.progress import Progress

from voice_guide.soak import run_soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--hours", type=float, default=8.0)
    parser.add_argument("--every", type=float, default=180.0, help="seconds between questions")
    parser.add_argument("--snr", type=float, default=10.0, help="question level over babble, dB")
    parser.add_argument("--engine", default="pocketsphinx")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with Progress(transient=True) as bar:
        task = bar.add_task(f"{args.hours:g} h of waiting room", total=1.0)
        report = run_soak(args.hours, args.every, args.snr, engine=args.engine,
                          progress=lambda done: bar.update(task, completed=done))
    r = report
    if args.json:
        print(json.dumps(r.to_json()))
    else:
        print(f"simulated:      {r.hours:g} h of waiting-room audio in {r.wall_s / 60:.1f} min ({r.speed_x_real_time:.0f}x real time)")
        print(f"questions:      {r.questions_answered}/{r.questions_asked} answered, {r.questions_routed_right} to the right section")
        print(f"utterances:     {r.utterances}")
        print(f"memory (RSS):   {r.rss_after_warmup_mb:.1f} MB after warm-up, {r.rss_end_mb:.1f} MB at the end "
              f"(growth {r.rss_growth_mb:+.1f} MB), peak {r.rss_peak_mb:.1f} MB")
        print(f"files left:     {r.files_left}")
    ok = r.questions_answered == r.questions_asked and r.rss_growth_mb < 10 and r.files_left == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
