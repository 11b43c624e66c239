#!/usr/bin/env python3
"""Kiosk benchmark: a new visitor's first question, heard right after another person's questions.

For every ordered pair of voices (A, B), a pocketsphinx recognizer that has just heard a few of A's
questions hears one question of B, either as it is (the decoder still tuned to A) or after
``new_visitor()``, which the loop calls when a kiosk session ends or is reset. Prints the share of
B's first questions routed to the right section both ways.

    python scripts/bench_new_visitor.py
    python scripts/bench_new_visitor.py --voices en-us+m1:130,flite:slt --questions 6

Tuning questions only (tests/data/paraphrases.yaml and the shared dev set). Nothing is written to disk.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from itertools import permutations
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_speech import TUNING_SETS, load_items, share, voice_and_rate  # noqa: E402
from make_test_audio import speak, utterances_clip  # noqa: E402

CONDITIONS = ("as it is", "new_visitor()")
_STATE: dict[str, Any] = {}


def _init() -> None:
    from voice_guide.content import load_library
    from voice_guide.engines.pocketsphinx_asr import PocketsphinxRecognizer
    from voice_guide.matcher import Matcher
    from voice_guide.vocabulary import build_vocabulary

    library = load_library()
    _STATE["matcher"] = Matcher(library)
    _STATE["recognizer"] = PocketsphinxRecognizer(build_vocabulary(library))


def _hear(text: str, voice: str) -> str:
    spoken = _STATE.setdefault("spoken", {})
    if (text, voice) not in spoken:
        spoken[text, voice] = utterances_clip([speak(text, *voice_and_rate(voice))], lead_s=0.3, gap_s=0.3)
    recognizer = _STATE["recognizer"]
    for chunk in spoken[text, voice].chunks():
        recognizer.accept(chunk)
    return str(recognizer.finish().text)


def _pair(job: tuple[str, str, list[str], list[tuple[str, str]]]) -> dict[str, int]:
    """B's questions, each after a fresh recognizer heard A's warm-up questions, in both conditions."""
    first, second, warm_up, questions = job
    recognizer, matcher = _STATE["recognizer"], _STATE["matcher"]
    right = dict.fromkeys(CONDITIONS, 0)
    for text, section in questions:
        for condition in CONDITIONS:
            recognizer.new_speaker()
            for said in warm_up:
                _hear(said, first)
            if condition == "new_visitor()":
                recognizer.new_visitor()
            match = matcher.match(_hear(text, second))
            right[condition] += int(match.kind.value == "answer" and match.section == section)
    return right


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--voices", default="en-us+m1:130,en-us+f2:165,flite:rms,flite:slt",
                        help="comma-separated voices (espeak voice:wpm or flite:NAME)")
    parser.add_argument("--warm-up", type=int, default=5, help="questions the previous visitor asks")
    parser.add_argument("--questions", type=int, default=12, help="first questions per pair of voices")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()

    answers = [c for c in load_items(TUNING_SETS) if c.kind.value == "answer"]
    warm_up = [c.text for c in answers[: args.warm_up]]
    questions = [(c.text, str(c.target)) for c in answers[args.warm_up :: 9][: args.questions]]
    pairs = list(permutations(args.voices.split(","), 2))
    jobs = [(a, b, warm_up, questions) for a, b in pairs]
    print(f"bench: {len(pairs)} pairs of voices x {len(questions)} first questions, after {len(warm_up)} of another voice",
          file=sys.stderr)
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=_init) as pool:
        results = list(pool.map(_pair, jobs))
    total = len(pairs) * len(questions)
    print("\n== a new visitor's first question (pocketsphinx) ==")
    for condition in CONDITIONS:
        hits = sum(r[condition] for r in results)
        print(f"{condition:<16} {share(hits, total)} routed right")
    print("\nper pair (A -> B):")
    for (a, b), r in zip(pairs, results):
        print(f"  {a:>16} -> {b:<16} " + "  ".join(f"{c}: {r[c]}/{len(questions)}" for c in CONDITIONS))


if __name__ == "__main__":
    main()
