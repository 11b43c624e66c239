#!/usr/bin/env python3
"""Matching time and accuracy of the question matcher on labelled sets.

    python scripts/bench_matcher.py                 # the dev set (if present) and tests/data/paraphrases.yaml
    python scripts/bench_matcher.py SET.yaml ...    # any sets in the same format
    python scripts/bench_matcher.py --repeat 5      # time each utterance five times

Prints, per set: answers routed to the right section, commands, out-of-scope questions given a
section (false accepts), safety recall; then the median, p95 and worst time of one match() call
over every utterance of every labelled set, measured with time.perf_counter. A safety probe set
(tests/data/safety_probe*.yaml: `emergency`, `crisis`, `everyday` lists) gets its own figures:
statements given their own message, any safety message, and everyday sentences that raised one.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from voice_guide.content import load_library  # noqa: E402
from voice_guide.errors import ContentError  # noqa: E402
from voice_guide.evaluation import Report, evaluate, load_cases  # noqa: E402
from voice_guide.matcher import Matcher  # noqa: E402
from voice_guide.yaml_lines import load_yaml  # noqa: E402

DEFAULT_SETS = [REPO.parent / "shared" / "eval" / "dev_questions.yaml", REPO / "tests" / "data" / "paraphrases.yaml"]


def _figure(report: Report, kind: str) -> str:
    ok, n = report.by_kind.get(kind, [0, 0])
    return f"{ok}/{n} ({100 * ok / n:.1f}%)" if n else "-"


PROBE_KINDS = ("emergency", "crisis", "everyday")


def probe_sentences(path: Path, data: dict[str, object]) -> dict[str, list[str]]:
    """A safety probe set's three lists of sentences, or a ContentError that says what is wrong."""
    probe = {}
    for kind in PROBE_KINDS:
        sentences = data[kind]
        if not isinstance(sentences, list) or not all(isinstance(q, str) for q in sentences):
            raise ContentError(str(path), None, f"'{kind}' must be a list of sentences (quote numbers and yes/no)")
        probe[kind] = sentences
    return probe


def _probe_report(matcher: Matcher, probe: dict[str, list[str]]) -> list[str]:
    """The safety probe figures, then each statement or sentence routed wrong."""
    lines, wrong = [], []
    for kind in ("emergency", "crisis"):
        got = [(q, matcher.match(q).safety) for q in probe[kind]]
        own, any_ = sum(g == kind for _, g in got), sum(g is not None for _, g in got)
        lines.append(f"  {kind:<16} {own}/{len(got)} given their own message, {any_}/{len(got)} any safety message")
        wrong += [f"    miss: {q!r} expected {kind}, got {g}" for q, g in got if g != kind]
    alarms = [(q, g) for q in probe["everyday"] for g in [matcher.match(q).safety] if g is not None]
    lines.append(f"  everyday         {len(alarms)}/{len(probe['everyday'])} raised a safety message")
    wrong += [f"    alarm: {q!r} got {g}" for q, g in alarms]
    return lines + wrong


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="labelled sets (default: dev + paraphrases)")
    parser.add_argument("--repeat", type=int, default=3, help="times each utterance is matched for timing")
    args = parser.parse_args(argv)
    paths = args.sets or [p for p in DEFAULT_SETS if p.exists()]
    if not paths:
        print("no labelled sets found; pass one or more YAML files", file=sys.stderr)
        return 2

    started = time.perf_counter()
    matcher = Matcher(load_library())
    print(f"matcher built in {1000 * (time.perf_counter() - started):.0f} ms")

    texts: list[str] = []
    for path in paths:
        try:
            data = load_yaml(path)
            if isinstance(data, dict) and set(PROBE_KINDS) <= set(data):
                print(f"\n{path.name}", *_probe_report(matcher, probe_sentences(path, data)), sep="\n")
                continue
            cases = load_cases(path)
        except (ContentError, OSError) as exc:
            print(f"bench_matcher: {exc}", file=sys.stderr)
            return 2
        report = evaluate(matcher, cases)
        texts.extend(c.text for c in cases)
        fa, n_oos = report.out_of_scope_given_section, report.by_kind.get("out_of_scope", [0, 0])[1]
        print(f"\n{path.name}")
        print(f"  answers          {_figure(report, 'answer')}")
        print(f"  commands         {_figure(report, 'command')}")
        print(f"  out of scope     {fa}/{n_oos} given a section ({100 * fa / n_oos if n_oos else 0:.1f}%), "
              f"{report.out_of_scope_clarified} clarified")
        print(f"  safety recall    {_figure(report, 'safety')}")
        for c in report.confusions:
            print(f"    miss: {c['text']!r} expected {c['expected']}, got {c['got']} ({c['got_kind']})")

    timings = []
    for _ in range(max(1, args.repeat)):
        for text in texts:
            t0 = time.perf_counter()
            matcher.match(text)
            timings.append(1000 * (time.perf_counter() - t0))
    timings.sort()
    if timings:
        p95 = timings[min(len(timings) - 1, int(0.95 * len(timings)))]
        print(f"\nmatch time over {len(texts)} utterances x {max(1, args.repeat)}: "
              f"median {statistics.median(timings):.3f} ms, p95 {p95:.3f} ms, max {timings[-1]:.3f} ms")

    walls = []
    for _ in range(5):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "voice_guide", "ask", "--json", "--no-speak", "where does it spread"],
                       check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
    print(f"'voice-guide ask --json' wall time including start-up, 5 runs: median {statistics.median(walls):.2f} s, "
          f"max {max(walls):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
