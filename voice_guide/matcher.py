"""Text -> Match: safety first, then commands, then content sections, else an honest fallback.

Pure and deterministic: no I/O after construction, no clock, no model download.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum
from importlib import resources
from typing import Iterable, Sequence

import yaml
from rapidfuzz import fuzz, process

from voice_guide.config import MatchSettings
from voice_guide.content import Library, Section
from voice_guide.text import clean, contains_phrase, content_words, stem


class Kind(str, Enum):
    ANSWER = "answer"
    COMMAND = "command"
    CLARIFY = "clarify"
    OUT_OF_SCOPE = "out_of_scope"
    SAFETY = "safety"


@dataclass(frozen=True)
class Match:
    """What an utterance asks for. ``section`` or ``command`` is None where it does not apply."""

    kind: Kind
    section: str | None = None
    command: str | None = None
    score: float = 0.0
    runner_up: str | None = None
    runner_up_score: float = 0.0
    choices: tuple[str, ...] = ()
    safety: str | None = None
    """"emergency" or "crisis" for safety matches."""
    reason: str = ""
    scores: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    features: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class CommandSpec:
    """One command: exact phrases, whole-piece patterns, and its keyboard keys."""

    name: str
    phrases: tuple[str, ...]
    keys: tuple[str, ...]
    patterns: tuple[str, ...] = ()

    def grammar(self) -> re.Pattern[str]:
        """Matches a run of one or more pieces, each a phrase or a pattern of this command."""
        piece = "|".join([re.escape(p) for p in self.phrases] + [f"(?:{p})" for p in self.patterns])
        return re.compile(f"(?:{piece})(?: (?:{piece}))*")


@dataclass(frozen=True)
class CommandWords:
    """Everything read from ``data/commands.yaml``."""

    specs: dict[str, CommandSpec]
    polite: tuple[str, ...]
    interjections: frozenset[str]


def load_commands() -> CommandWords:
    data = yaml.safe_load((resources.files("voice_guide") / "data" / "commands.yaml").read_text(encoding="utf-8"))
    specs = {
        str(name): CommandSpec(
            str(name),
            tuple(clean(str(p)) for p in spec["phrases"]),
            tuple(str(k) for k in spec.get("keys", ())),
            tuple(str(p) for p in spec.get("patterns", ())),
        )
        for name, spec in data["commands"].items()
    }
    polite = tuple(sorted((clean(str(p)) for p in data["polite"]), key=len, reverse=True))
    interjections = frozenset(clean(str(w)) for w in data.get("interjections", ()))
    return CommandWords(specs, polite, interjections)


def load_neutral() -> frozenset[str]:
    data = yaml.safe_load((resources.files("voice_guide") / "data" / "neutral.yaml").read_text(encoding="utf-8"))
    return frozenset(stem(clean(str(w))) for w in data["neutral"])


def load_safety() -> dict[str, tuple[re.Pattern[str], ...]]:
    data = yaml.safe_load((resources.files("voice_guide") / "data" / "safety.yaml").read_text(encoding="utf-8"))
    return {kind: tuple(re.compile(p) for p in patterns) for kind, patterns in data.items()}


MAX_COMMAND_WORDS = 12
"""Longer utterances are never read as commands."""
MAX_FUZZY_COMMAND_WORDS = 5
"""Only this short an utterance is repaired onto a command phrase by fuzzy matching."""

GLOBAL_COMMANDS = ("help", "repeat", "stop", "slower", "faster", "louder", "softer", "topics", "more", "goodbye", "next", "previous")
CHOICE_COMMANDS = ("yes", "no", "first", "second", "third")


class _Vocabulary:
    """Synonym expansion and fuzzy repair of misheard words, built from the library."""

    def __init__(self, library: Library, fuzzy_word: int) -> None:
        self.fuzzy_word = fuzzy_word
        phrases: list[tuple[str, str]] = []
        for canon, variants in library.synonyms.items():
            for variant in (canon, *variants):
                phrases.append((clean(variant), canon))
        # Longest first, so "second opinion" wins over "second".
        self.phrases = sorted(set(phrases), key=lambda p: (-len(p[0]), p[0]))
        words: set[str] = set()
        for s in library.sections:
            for text in (s.title, *s.examples, *s.keywords):
                words.update(content_words(clean(text)))
        for variant, _ in self.phrases:
            words.update(variant.split())
        self.words = sorted(w for w in words if len(w) >= 4)
        self.known = set(words)

    def repair(self, words: list[str]) -> list[str]:
        fixed = []
        for w in words:
            if w in self.known or len(w) < 5 or w.isdigit():
                fixed.append(w)
                continue
            best = process.extractOne(w, self.words, scorer=fuzz.ratio, score_cutoff=self.fuzzy_word)
            fixed.append(best[0] if best else w)
        return fixed

    def concepts(self, cleaned: str) -> list[str]:
        found = []
        for variant, canon in self.phrases:
            if contains_phrase(cleaned, variant):
                found.append("#" + canon)
        return sorted(set(found))


class Matcher:
    """Routes one utterance. Build once per library; ``match`` is cheap."""

    def __init__(self, library: Library, settings: MatchSettings | None = None) -> None:
        self.library = library
        self.settings = settings or MatchSettings()
        words = load_commands()
        self.commands = words.specs
        self._grammars = {name: spec.grammar() for name, spec in self.commands.items()}
        self._polite = re.compile("(?<!\\S)(?:" + "|".join(re.escape(p) for p in words.polite) + ")(?!\\S)")
        self._interjections = words.interjections
        self._command_index = {p: name for name, spec in self.commands.items() for p in spec.phrases}
        self.safety = load_safety()
        self.vocab = _Vocabulary(library, self.settings.fuzzy_word)
        self.not_covered = tuple(clean(p) for p in library.not_covered)
        self._sections = library.sections
        docs: list[tuple[Section, list[Counter[str]], set[str]]] = []
        for s in self._sections:
            example_feats = [self._features(clean(e)) for e in (*s.examples, s.title)]
            vocab = set().union(*example_feats, *(self._features(clean(a)) for a in s.answer))
            for kw in s.keywords:
                vocab |= set(self._features(clean(kw)))
            docs.append((s, example_feats, vocab))
        n = len(docs)
        df: Counter[str] = Counter()
        for _, _, vocab in docs:
            df.update(vocab)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        # A word no section uses is evidence against every section: it weighs as the rarest word.
        # Everyday words and words carried by a synonym concept weigh nothing.
        self.unknown_idf = math.log((n + 1) / 0.5)
        self._neutral_stems = load_neutral() | {stem(w) for variant, _ in self.vocab.phrases for w in variant.split()}
        self._docs = [
            (s, [self._weights(f) for f in feats], vocab, {kw: set(self._features(clean(kw))) for kw in s.keywords})
            for s, feats, vocab in docs
        ]

    # -- features -----------------------------------------------------------------------------
    def _features(self, cleaned: str) -> Counter[str]:
        words = self.vocab.repair(content_words(cleaned))
        stems = [stem(w) for w in words]
        feats: Counter[str] = Counter(stems)
        feats.update(f"{a}_{b}" for a, b in zip(stems, stems[1:]))
        feats.update(self.vocab.concepts(" ".join(words)))
        feats.update(self.vocab.concepts(cleaned))
        return Counter({k: 1 for k in feats})

    def _unknown_weight(self, token: str) -> float:
        if "_" in token or token in self._neutral_stems:
            return 0.0
        return self.unknown_idf

    def _weights(self, feats: Counter[str]) -> dict[str, float]:
        w = {t: self.idf.get(t, self._unknown_weight(t)) for t in feats}
        norm = math.sqrt(sum(v * v for v in w.values())) or 1.0
        return {t: v / norm for t, v in w.items()}

    # -- stages -------------------------------------------------------------------------------
    def safety_kind(self, cleaned: str) -> str | None:
        for kind in ("emergency", "crisis"):
            if any(p.search(cleaned) for p in self.safety.get(kind, ())):
                return kind
        return None

    def command_readings(self, cleaned: str) -> list[str]:
        """Ways to read an utterance as a command: without polite words, as said, without a leading "no"."""
        core = " ".join(self._polite.sub(" ", cleaned).split())
        words = core.split()
        core = " ".join(w for i, w in enumerate(words) if i == 0 or w != words[i - 1])
        readings = [core, cleaned]
        for text in (core, cleaned):
            first, _, rest = text.partition(" ")
            if rest and first in self._interjections:
                readings.append(rest)
        return [r for i, r in enumerate(readings) if r and r not in readings[:i]]

    def command_of(self, cleaned: str, allowed: Iterable[str] | None = None) -> tuple[str, float] | None:
        """The command an utterance is, if the whole of it (less polite words) is one; with its confidence."""
        if not cleaned or len(cleaned.split()) > MAX_COMMAND_WORDS:
            return None
        names = [n for n in self._grammars if allowed is None or n in set(allowed)]
        readings = self.command_readings(cleaned)
        for text in readings:
            for name in names:
                if self._grammars[name].fullmatch(text):
                    return name, 1.0
        core = readings[0]
        if len(core.split()) <= MAX_FUZZY_COMMAND_WORDS:
            phrases = [p for p, name in self._command_index.items() if name in names]
            best = process.extractOne(core, phrases, scorer=fuzz.ratio, score_cutoff=self.settings.fuzzy_command)
            if best:
                return self._command_index[best[0]], best[1] / 100.0
        return None

    def section_scores(
        self, cleaned: str, among: Sequence[str] | None = None
    ) -> tuple[list[tuple[str, float]], dict[str, float], list[str]]:
        """Score per section (best first), each section's vocabulary coverage, and the features."""
        feats = self._features(cleaned)
        q = self._weights(feats)
        qmass = sum(v * v for v in q.values()) or 1.0
        w = self.settings.example_weight
        scored = []
        coverages = {}
        for s, examples, vocab, _ in self._docs:
            if among is not None and s.id not in among:
                continue
            best_example = max((sum(q[t] * e.get(t, 0.0) for t in q) for e in examples), default=0.0)
            coverage = sum(v * v for t, v in q.items() if t in vocab) / qmass
            coverages[s.id] = coverage
            scored.append((s.id, w * best_example + (1 - w) * coverage))
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored, coverages, sorted(feats)

    def _uncovered_topic(self, cleaned: str, section_id: str | None) -> str | None:
        """A not-covered phrase in the question that the candidate section does not claim."""
        claimed: set[str] = set()
        if section_id is not None:
            claimed = {clean(k) for k in self.library.section(section_id).keywords}
        for phrase in self.not_covered:
            if contains_phrase(cleaned, phrase) and phrase not in claimed:
                return phrase
        return None

    # -- entry points -------------------------------------------------------------------------
    def match(self, text: str) -> Match:
        cleaned = clean(text)
        if not cleaned:
            return Match(Kind.OUT_OF_SCOPE, reason="empty")
        kind = self.safety_kind(cleaned)
        if kind:
            return Match(Kind.SAFETY, safety=kind, score=1.0, reason="safety pattern")
        cmd = self.command_of(cleaned, GLOBAL_COMMANDS)
        if cmd:
            return Match(Kind.COMMAND, command=cmd[0], score=cmd[1], reason="command phrase")
        return self.route(cleaned)

    def route(self, cleaned: str, among: Sequence[str] | None = None, accept: float | None = None) -> Match:
        """Route cleaned text to a section (optionally only ``among`` some), clarify, or decline."""
        st = self.settings
        scored, coverages, feats = self.section_scores(cleaned, among)
        if not scored:
            return Match(Kind.OUT_OF_SCOPE, reason="no sections")
        (best, top), (runner, second) = scored[0], scored[1] if len(scored) > 1 else ("", 0.0)
        extra = {"scores": tuple((sid, round(sc, 4)) for sid, sc in scored), "features": tuple(feats)}
        runner_id = runner or None
        uncovered = self._uncovered_topic(cleaned, best)
        if uncovered:
            return Match(Kind.OUT_OF_SCOPE, score=top, runner_up=best, runner_up_score=top, reason=f"not covered: {uncovered}", **extra)
        threshold = st.accept if accept is None else accept
        clear = top >= st.clear_accept and top - second >= st.clear_margin and coverages[best] >= st.min_coverage
        if accept is not None:
            clear = False
        if (top >= threshold and top - second >= st.margin) or clear:
            return Match(Kind.ANSWER, section=best, score=top, runner_up=runner_id, runner_up_score=second, reason="accepted", **extra)
        floor = st.clarify_floor if accept is None else accept
        if top >= floor:
            choices = (best, runner) if runner and second >= floor and top - second < st.margin else (best,)
            return Match(Kind.CLARIFY, section=best, score=top, runner_up=runner_id, runner_up_score=second, choices=choices, reason="close call", **extra)
        return Match(Kind.OUT_OF_SCOPE, score=top, runner_up=best, runner_up_score=top, reason="below threshold", **extra)

    def key_bindings(self) -> dict[str, tuple[str, ...]]:
        return {name: spec.keys for name, spec in self.commands.items()}
