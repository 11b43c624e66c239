#!/usr/bin/env python3
"""Human voices outside the content: recorded speech that must not be given a section.

Every other speech figure comes from synthetic voices. Debian's ``pocketsphinx-testdata`` package
holds 14 short recordings of people (playing cards read aloud, digits, commands to a robot, five
sentences of an audiobook), none of them about cancer. Each goes through the real loop
(``voice-guide listen --input ... --json``: endpointer, pocketsphinx, matcher, dialogue) and the
script prints what was heard and done, then the share given a section (an answer or a topic: the
acceptance limit for out-of-scope speech is 10%) and the share raising a safety message.

    sudo apt-get install pocketsphinx-testdata
    python scripts/bench_human_oos.py
    python scripts/bench_human_oos.py --data /other/copy/of/test/data --json

Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

DATA = Path("/usr/share/pocketsphinx/test/data")
RECORDINGS = ("cards/*.wav", "librivox/*.wav", "goforward.raw", "numbers.raw", "something.raw", "tidigits/*.raw")
"""16 kHz mono 16-bit recordings: WAV files, and raw PCM (fed on standard input)."""


def hear(path: Path) -> list[dict[str, Any]]:
    """The loop's JSON line for each utterance in the recording."""
    raw = path.suffix == ".raw"
    command = [sys.executable, "-m", "voice_guide", "listen", "--input", "-" if raw else str(path), "--json",
               "--no-speak", "--engine", "pocketsphinx"]
    proc = subprocess.run(command, input=path.read_bytes() if raw else None, capture_output=True, timeout=300)
    if proc.returncode != 0:
        raise SystemExit(f"bench_human_oos: {path.name}: {proc.stderr.decode(errors='replace').strip()}")
    return [json.loads(line) for line in proc.stdout.decode().splitlines() if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DATA, help=f"pocketsphinx's test data folder (default {DATA})")
    parser.add_argument("--json", action="store_true", help="one JSON object with every utterance and the totals")
    args = parser.parse_args()
    files = sorted(p for pattern in RECORDINGS for p in args.data.glob(pattern))
    if not files:
        print(f"bench_human_oos: no recordings under {args.data}; install them with "
              "'sudo apt-get install pocketsphinx-testdata' or give --data", file=sys.stderr)
        return 1
    rows = [{"file": str(path.relative_to(args.data)), **result} for path in files for result in hear(path)]
    sectioned = [r for r in rows if r["section"] is not None]
    safety = [r for r in rows if r["kind"] == "safety"]
    if args.json:
        print(json.dumps({"utterances": rows, "given_a_section": len(sectioned), "safety": len(safety),
                          "total": len(rows)}, indent=2))
        return 0
    for r in rows:
        done = r["kind"] + (f" {r['section']}" if r["section"] else "") + (f" {r['command']}" if r["command"] else "")
        print(f"  {r['file']:<58} heard {r['transcript']!r} -> {done}")
    total = max(len(rows), 1)
    print(f"human out-of-scope recordings given a section: {len(sectioned) / total:.1%} ({len(sectioned)}/{len(rows)})")
    print(f"... raising a safety message:                 {len(safety) / total:.1%} ({len(safety)}/{len(rows)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
