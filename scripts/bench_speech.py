#!/usr/bin/env python3
"""Speech-loop benchmark: the acceptance figures of the offline speech loop, measured, not assumed.

Speaks every question of the evaluation sets with espeak-ng (or flite, or festival) voices and rates that no test uses,
in a quiet room and in waiting-room babble (10 dB SNR), runs each through the real loop (endpointer,
recognizer, matcher, dialogue, pyttsx3 speech) and prints:

- answers routed to the right section (clean; babble; with ``--hesitant``, spoken with "um" and "uh"
  as people hesitate), with the text-only matcher as the ceiling. An answer given after a safety
  message (a safety statement heard only in a runner-up hearing) counts; how many did is shown
- out-of-scope speech given a section; safety utterances routed to safety; one-word and other commands
- needless safety messages (on answer, command and out-of-scope utterances; and, with a safety probe
  set, on its everyday sentences)
- end of speech to first reply audio (median, p90), not counting the endpoint silence
- recognition real-time factor; word error rate

    python scripts/bench_speech.py                      # tuning sets: tests/data/paraphrases.yaml + shared dev set
    python scripts/bench_speech.py --heldout            # final measurement only: tests/data/heldout.yaml
    python scripts/bench_speech.py --voices en-us+f3:150 --no-babble --jobs 2
    python scripts/bench_speech.py --heldout --voices flite:slt,flite:rms,flite:awb   # flite's voices
    python scripts/bench_speech.py --heldout --voices festival:ked_diphone,festival:cmu_us_slt_arctic_hts \\
        --babble-talkers flite   # two more speakers (apt-get install festival festvox-kdlpc16k festvox-us-slt-hts)
    python scripts/bench_speech.py --heldout --hesitant --no-babble                  # hesitant speech too
    python scripts/bench_speech.py --heldout --cold --no-babble   # each question the first after start-up
    python scripts/bench_speech.py --heldout --draw 1   # another draw of the noise: how far figures move with it
    python scripts/bench_speech.py --sets tests/data/safety_probe.yaml tests/data/safety_probe_2.yaml --no-babble   # spoken safety probes

Nothing is written to disk except the synthesizers' temporary files (deleted at once).
"""

from __future__ import annotations

import argparse
import difflib
import statistics
import sys
import time
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Iterable, Sequence

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "scripts"))

from bench_matcher import PROBE_KINDS, probe_sentences  # noqa: E402
from make_test_audio import babble, hesitant, speak, utterances_clip  # noqa: E402

from voice_guide.audio import AudioChunk  # noqa: E402
from voice_guide.evaluation import Case, load_cases  # noqa: E402
from voice_guide.matcher import Kind  # noqa: E402
from voice_guide.protocols import Transcript  # noqa: E402
from voice_guide.sinks import DiscardSink  # noqa: E402
from voice_guide.yaml_lines import load_yaml  # noqa: E402

VOICES = ("en-us+f3:150", "en-gb-x-rp:140", "en-us+f2:165", "en-us+m1:130")
"""Voices and rates for the benchmark; the e2e tests speak with plain en-us at 150 wpm."""
TUNING_SETS = (REPO / "tests/data/paraphrases.yaml", REPO.parent / "shared/eval/dev_questions.yaml")
HELDOUT = REPO / "tests/data/heldout.yaml"


EVERYDAY = "everyday"
"""Target of a safety probe set's everyday sentence: right when it raises no safety message."""


def load_items(paths: Iterable[Path]) -> list[Case]:
    """The questions of the evaluation files that exist (the shared dev set may be absent). A safety
    probe set (tests/data/safety_probe*.yaml) gives its emergency and crisis statements as safety
    items and its everyday sentences as items that must not raise a safety message."""
    items: list[Case] = []
    for path in paths:
        if not path.exists():
            print(f"bench: {path} not found, skipped", file=sys.stderr)
            continue
        data = load_yaml(path)
        if isinstance(data, dict) and set(PROBE_KINDS) <= set(data):
            probe = probe_sentences(path, data)
            items += [Case(text, Kind.SAFETY, kind) for kind in ("emergency", "crisis") for text in probe[kind]]
            items += [Case(text, Kind.OUT_OF_SCOPE, EVERYDAY) for text in probe[EVERYDAY]]
            continue
        items += load_cases(path)
    return items


class TimedRecognizer:
    """Wraps a recognizer to measure its compute time against the audio it was given."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.seconds = 0.0
        self.audio_s = 0.0

    def accept(self, chunk: AudioChunk) -> None:
        t = time.perf_counter()
        self.inner.accept(chunk)
        self.seconds += time.perf_counter() - t
        self.audio_s += chunk.seconds

    def finish(self) -> Transcript:
        t = time.perf_counter()
        out: Transcript = self.inner.finish()
        self.seconds += time.perf_counter() - t
        return out

    def reset(self) -> None:
        self.inner.reset()

    def set_phrases(self, phrases: Sequence[str] | None) -> None:
        self.inner.set_phrases(phrases)

    def new_visitor(self) -> None:
        self.inner.new_visitor()


_STATE: dict[str, Any] = {}


def _run_voice(jobs: list[Job]) -> list[dict[str, Any]]:
    """One voice's questions in one condition, in order, starting from a recognizer that has
    forgotten earlier voices (where it can), so a run's figures repeat whichever worker takes them."""
    new_speaker = getattr(_STATE["recognizer"].inner, "new_speaker", None)
    if new_speaker is not None:
        new_speaker()
    return [_run(job) for job in jobs]


def _init(engine: str, tts: bool, talkers: str = "espeak", cold: bool = False) -> None:
    from voice_guide.content import load_library
    from voice_guide.engines.registry import RecognizerRequest, create_recognizer
    from voice_guide.matcher import Matcher
    from voice_guide.vocabulary import build_vocabulary

    library = load_library()
    _STATE["library"], _STATE["matcher"] = library, Matcher(library)
    request = RecognizerRequest(build_vocabulary(library))
    _STATE["recognizer"] = TimedRecognizer(create_recognizer(engine, request))
    if cold:  # every question to a recognizer just started, as `listen --input` on a one-question file
        _STATE["fresh"] = lambda: TimedRecognizer(create_recognizer(engine, request))
    if tts:
        from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer

        _STATE["tts"] = Pyttsx3Synthesizer()
    else:
        from voice_guide.cli.listen import _SilentSynthesizer

        _STATE["tts"] = _SilentSynthesizer()
    _STATE["babble"] = babble(90.0, seed=7, talkers=talkers)


Job = tuple[Case, str, int, float | None, bool, int]
"""(question, voice, words per minute, babble SNR or None, spoken with hesitations, draw of the noise)"""


def _run(job: Job) -> dict[str, Any]:
    from voice_guide.dialogue import Dialogue, Heard
    from voice_guide.loop import Loop, LoopSettings

    item, voice, wpm, snr, hesitating, draw = job
    seed = (zlib.crc32(f"{voice}:{wpm}|{item.text}".encode()) + draw) % 2**32  # the same whichever other voices and questions run
    said = hesitant(item.text, seed=seed) if hesitating else item.text
    speech = speak(said, voice, wpm)
    clip = utterances_clip([speech], snr_db=snr, noise=_STATE["babble"] if snr is not None else None, seed=seed)
    rec = _STATE["fresh"]() if "fresh" in _STATE else _STATE["recognizer"]
    before_s, before_audio = rec.seconds, rec.audio_s
    loop = Loop(Dialogue(_STATE["library"], _STATE["matcher"]), rec, _STATE["tts"], DiscardSink(), LoopSettings(greet=False))
    results = loop.run(clip.chunks())
    heard = results[0] if results else None
    text_turn = Dialogue(_STATE["library"], _STATE["matcher"]).handle(Heard(said))
    return {
        "kind": item.kind.value, "target": item.target, "text": said, "voice": f"{voice}:{wpm}", "snr": snr,
        "hesitant": hesitating,
        "transcript": heard.transcript.text if heard else "", "got_kind": heard.turn.kind if heard else "none",
        "section": heard.turn.section if heard else None, "command": heard.turn.command if heard else None,
        "offered": list(heard.turn.match.choices) if heard and heard.turn.kind == "clarify" and heard.turn.match else [],
        "utterances": len(results), "text_kind": text_turn.kind, "text_section": text_turn.section,
        "text_command": text_turn.command,
        "first_audio_ms": heard.timings.first_audio_ms if heard else None,
        "first_speech_ms": heard.timings.first_speech_ms if heard else None,
        "asr_final_ms": heard.timings.asr_final_ms if heard else None,
        "rec_s": rec.seconds - before_s, "rec_audio_s": rec.audio_s - before_audio, "input_s": clip.seconds,
    }


def voice_and_rate(text: str) -> tuple[str, int]:
    """'en-us+f3:150' -> ('en-us+f3', 150); 'flite:slt' -> ('flite:slt', 150) (flite keeps its own rate)."""
    voice, _, rate = text.rpartition(":")
    return (voice, int(rate)) if voice and rate.isdigit() else (text, 150)


def answered_from(kind: str, section: str | None) -> str | None:
    """The section a turn answered from, after a safety message or not (None: no answer given)."""
    return section if kind in ("answer", "safety") else None


def correct(r: dict[str, Any], prefix: str = "") -> bool:
    kind, section, command = r[prefix + "kind" if prefix else "got_kind"], r[prefix + "section"], r[prefix + "command"]
    if r["kind"] == "answer":
        return answered_from(kind, section) == r["target"]
    if r["kind"] == "command":
        return bool(command == r["target"])
    if r["kind"] == "out_of_scope" and r["target"] == EVERYDAY:
        return kind != "safety"
    if r["kind"] == "out_of_scope":
        return answered_from(kind, section) is None
    return bool(kind == "safety")


def wer(ref: str, hyp: str) -> tuple[int, int]:
    from voice_guide.vocabulary import spoken

    a, b = spoken(ref).split(), hyp.split()
    matched = sum(block.size for block in difflib.SequenceMatcher(a=a, b=b).get_matching_blocks())
    return max(len(a), len(b)) - matched, len(a)


def share(hits: int, total: int) -> str:
    """ "12.5% (1/8)", or n/a for none."""
    return f"{100 * hits / total:5.1f}% ({hits}/{total})" if total else "   n/a"


def pct(rows: list[dict[str, Any]], prefix: str = "") -> str:
    return share(sum(correct(r, prefix) for r in rows), len(rows))


def given_a_section(rows: list[dict[str, Any]]) -> int:
    """How many of ``rows`` were answered from a section (for out-of-scope questions: wrongly)."""
    return sum(1 for r in rows if answered_from(r["got_kind"], r["section"]) is not None)


def after_safety(rows: list[dict[str, Any]]) -> str:
    """How many right answers came after a safety message (one heard only in a runner-up hearing)."""
    n = sum(1 for r in rows if correct(r) and r["got_kind"] == "safety")
    return f"   ({n} of them after a safety message)" if n else ""


def report(rows: list[dict[str, Any]], show_misses: bool) -> None:
    clean = [r for r in rows if r["snr"] is None and not r["hesitant"]]
    noisy = [r for r in rows if r["snr"] is not None]
    hesitating = [r for r in rows if r["hesitant"]]
    everyday = [r for r in rows if r["target"] == EVERYDAY]
    clean = [r for r in clean if r["target"] != EVERYDAY]
    by = lambda rs, k: [r for r in rs if r["kind"] == k]  # noqa: E731
    oos = by(clean, "out_of_scope")
    print("\n== speech loop benchmark (pocketsphinx unless --engine) ==")
    print(f"answers routed right, clean:         {pct(by(clean, 'answer'))}   text-only ceiling {pct(by(clean, 'answer'), 'text_')}"
          f"{after_safety(by(clean, 'answer'))}")
    asked = by(clean, "answer")
    offered = sum(1 for r in asked if correct(r) or r["target"] in r["offered"])
    if asked:
        print(f"  ... or offered in a clarification: {share(offered, len(asked))}"
              "   (\"Did you mean A or B?\" names the right section)")
    if noisy:
        print(f"answers routed right, babble {noisy[0]['snr']:g} dB:   {pct(by(noisy, 'answer'))}{after_safety(by(noisy, 'answer'))}")
    if hesitating:
        print(f"answers routed right, hesitant:      {pct(by(hesitating, 'answer'))}   text-only ceiling "
              f"{pct(by(hesitating, 'answer'), 'text_')}")
    if oos:
        print(f"out-of-scope given a section:        {share(given_a_section(oos), len(oos))}")
    hesitant_oos = by(hesitating, "out_of_scope")
    if hesitant_oos:
        print(f"  ... hesitant:                      {share(given_a_section(hesitant_oos), len(hesitant_oos))}")
    print(f"safety routed to safety, clean:      {pct(by(clean, 'safety'))}")
    print(f"commands recognized, clean:          {pct(by(clean, 'command'))}")
    asked_else = [r for r in clean if r["kind"] != "safety"]
    if asked_else:
        print(f"needless safety message, clean:      {share(sum(r['got_kind'] == 'safety' for r in asked_else), len(asked_else))}"
              "   (answer, command and out-of-scope utterances)")
    if everyday:
        print(f"everyday sentences raising one:      {share(sum(not correct(r) for r in everyday), len(everyday))}"
              "   (safety probe sets)")
    firsts = [r["first_speech_ms"] for r in clean if r["first_speech_ms"] is not None]
    audio = [r["first_audio_ms"] for r in clean if r["first_audio_ms"] is not None]
    if firsts:
        q = statistics.quantiles(firsts, n=10)
        print(f"endpoint -> first speech sample:     median {statistics.median(firsts):.0f} ms, p90 {q[-1]:.0f} ms (n={len(firsts)})")
    if audio:
        print(f"endpoint -> first reply audio:       median {statistics.median(audio):.0f} ms (earcon or speech)")
    rec_s, rec_audio, input_s = (sum(r[k] for r in rows) for k in ("rec_s", "rec_audio_s", "input_s"))
    print(f"recognition real-time factor:        {rec_s / max(rec_audio, 1e-9):.3f} of audio heard; {rec_s / input_s:.3f} of input")
    errors, words = map(sum, zip(*(wer(r["text"], r["transcript"]) for r in by(clean, "answer")))) if by(clean, "answer") else (0, 1)
    print(f"word error rate (answer questions):  {errors / max(words, 1):.3f}")
    print("\nper voice (clean answers / babble answers / OOS given a section / safety):")
    for voice in sorted({r["voice"] for r in rows}):
        vc = [r for r in clean if r["voice"] == voice]
        vn = [r for r in noisy if r["voice"] == voice]
        vo = by(vc, "out_of_scope")
        print(f"  {voice:18} {pct(by(vc, 'answer'))}  {pct(by(vn, 'answer'))}  "
              f"{given_a_section(vo)}/{len(vo)}  {pct(by(vc, 'safety'))}")
    if show_misses:
        print("\nmisses (clean, and hesitant):")
        for r in clean + hesitating + everyday:
            if not correct(r):
                print(f"  [{r['voice']}] {r['kind']}:{r['target']} said {r['text']!r} heard {r['transcript']!r} "
                      f"-> {r['got_kind']} {r['section'] or r['command'] or ''}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--heldout", action="store_true", help="measure on tests/data/heldout.yaml (final figure only)")
    parser.add_argument("--sets", nargs="*", type=Path, help="evaluation YAML files (default: the tuning sets)")
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated espeak voice:wpm list")
    parser.add_argument("--babble-snr", type=float, default=10.0)
    parser.add_argument("--no-babble", action="store_true")
    parser.add_argument("--hesitant", action="store_true",
                        help='also speak the answer and out-of-scope questions with hesitations ("um", "uh") in them')
    parser.add_argument("--babble-talkers", choices=("espeak", "flite"), default="espeak",
                        help="voices of the waiting-room babble (espeak: harsher for flite question voices)")
    parser.add_argument("--engine", default="pocketsphinx")
    parser.add_argument("--no-tts", action="store_true", help="skip speech synthesis (no first-audio figures)")
    parser.add_argument("--cold", action="store_true",
                        help="hear every question with a recognizer just started (slower: one start-up each)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--misses", action="store_true", help="list every miss")
    parser.add_argument("--draw", type=int, default=0,
                        help="which draw of the room noise, babble excerpt and hesitations (runs with other draws "
                             "show how far a figure moves with the noise alone)")
    args = parser.parse_args()
    sets = [HELDOUT] if args.heldout else (args.sets or list(TUNING_SETS))
    items = load_items(sets)
    voices = [voice_and_rate(v) for v in args.voices.split(",")]
    jobs: list[Job] = []
    for voice, wpm in voices:
        for item in items:
            jobs.append((item, voice, wpm, None, False, args.draw))
        if not args.no_babble:
            for item in items:
                if item.kind == "answer":
                    jobs.append((item, voice, wpm, args.babble_snr, False, args.draw))
        if args.hesitant:
            for item in items:
                if item.kind in ("answer", "out_of_scope") and item.target != EVERYDAY:
                    jobs.append((item, voice, wpm, None, True, args.draw))
    print(f"bench: {len(items)} utterances x {len(voices)} voices ({len(jobs)} runs) from "
          f"{', '.join(str(s.name) for s in sets)}; engine {args.engine}", file=sys.stderr)
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs, initializer=_init, initargs=(args.engine, not args.no_tts, args.babble_talkers, args.cold)) as pool:
        groups: dict[tuple[str, int, float | None, bool, int], list[Job]] = {}
        for job in jobs:
            groups.setdefault(job[1:], []).append(job)
        rows = [row for group in pool.map(_run_voice, groups.values()) for row in group]
    print(f"bench: done in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    report(rows, args.misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
