"""Stop-signal stress test: does a parallel episode build always stop cleanly?

Starts ``voice-guide episode build --all --jobs 2`` again and again in a fresh folder, and at a random
moment sends Ctrl-C (SIGINT) or a stop request (SIGTERM), to the main process alone (as a service
manager may) or to the whole process group (as a terminal does). Each run is clean when the build
exits 130 or 143 within 5 s, prints no traceback, leaves no running process behind and no half-built
``.partial`` folder. Prints the share of clean runs and what each other run left.

    python scripts/stress_stop.py                 # 30 runs, stopped 1-8 s in (while episodes render)
    python scripts/stress_stop.py --early         # stopped 0-0.6 s in (while the workers start)
    python scripts/stress_stop.py --runs 100 --seed 7

Timing, not function: the tests check each way of stopping once; this looks for the rare race.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.e2e.conftest import send_stop  # noqa: E402 - the e2e tests' own way of stopping a process

STOP_WITHIN_S = 5.0
GONE_WITHIN_S = 5.0
"""Children reparented to init can linger as zombies until it reaps them; only running ones count."""


def _running(group: int) -> list[str]:
    """The group's processes that are still running (not zombies), as "pid command"."""
    found = subprocess.run(["pgrep", "-g", str(group)], capture_output=True, text=True).stdout.split()
    out = []
    for pid in found:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
            command = Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ").strip()
        except (OSError, IndexError):
            continue  # gone meanwhile
        if state != "Z":
            out.append(f"{pid} {command[:100]}")
    return out


def one_run(folder: Path, rng: random.Random, early: bool) -> tuple[str, str | None]:
    """(what was sent, None when the run stopped cleanly, else what went wrong)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    proc = subprocess.Popen([sys.executable, "-m", "voice_guide", "episode", "build", "--all", "--jobs", "2", "--out", "out"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    signum = rng.choice([signal.SIGINT, signal.SIGTERM])
    to_group = rng.random() < 0.5
    if early:
        started = time.monotonic()
        while not (folder / "out").exists() and time.monotonic() - started < 30:
            time.sleep(0.002)
        time.sleep(rng.uniform(0.0, 0.6))
    else:
        time.sleep(rng.uniform(1.0, 8.0))
    sent = f"{signal.Signals(signum).name} to the {'group' if to_group else 'main process'}"
    stopped = send_stop(proc, signum, to_group)
    if stopped.returncode is None:
        return sent, "still running 30 s later"
    err = stopped.stderr
    deadline = time.monotonic() + GONE_WITHIN_S
    left = _running(proc.pid)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = _running(proc.pid)
    for entry in left:
        try:
            os.kill(int(entry.split()[0]), signal.SIGKILL)
        except OSError:
            pass
    partial = sorted(p.name for p in (folder / "out").glob(".*")) if (folder / "out").exists() else []
    problems = []
    if stopped.returncode not in (0, 128 + signum):
        problems.append(f"exit {stopped.returncode}")
    if stopped.took_s > STOP_WITHIN_S:
        problems.append(f"took {stopped.took_s:.1f} s")
    if "Traceback" in err or "Error" in err:
        problems.append("printed: " + " | ".join(line for line in err.splitlines() if "Error" in line or "Traceback" in line)[:300])
    if left:
        problems.append(f"left running: {left}")
    if partial:
        problems.append(f"left {partial}")
    return sent, "; ".join(problems) or None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--early", action="store_true", help="stop 0-0.6 s after the build starts (workers starting)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: a new one each time, printed)")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"stress_stop: {args.runs} runs, {'early' if args.early else 'while rendering'}, seed {seed}", flush=True)
    failed = 0
    with tempfile.TemporaryDirectory(prefix="vg-stress-") as tmp:
        for i in range(args.runs):
            sent, problem = one_run(Path(tmp) / "run", rng, args.early)
            if problem:
                failed += 1
                print(f"  run {i + 1}: {sent}: {problem}", flush=True)
    print(f"clean stops: {args.runs - failed}/{args.runs}")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
