"""Text -> Match: safety first, then commands, then content sections, else an honest fallback.

1. Safety (``voice_guide.safety``): regular expressions from ``data/safety.yaml``.
2. Commands (``voice_guide.commands``): the whole utterance must be one command (or, when it is
   no question either, a command phrase with one stray word at an end).
3. Sections (here): the question becomes features (``voice_guide.features``), idf-weighted, the
   question after a story weighing more, and the word that asks (the frame, ``voice_guide.frames``:
   "how do they *find out* if it is breast cancer") more than the clause it asks about. A
   section's score blends its best example, its examples taken together and how much of the
   question it knows. Not-covered phrases (``voice_guide.not_covered``) decline the question
   unless told as background or claimed by the section the rest of the question asks for; one
   topic word alone needs an anchor keyword.
4. Answer, clarify ("did you mean A or B?") or out of scope, by the thresholds in MatchSettings.

Pure and deterministic: no I/O after construction, no clock, no model download.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Iterable, Sequence

from voice_guide.commands import (
    CHOICE_COMMANDS,
    GLOBAL_COMMANDS,
    SOCIAL_COMMANDS,
    STRAY_COMMANDS,
    CommandReader,
    load_commands,
)
from voice_guide.config import MatchSettings
from voice_guide.content import Library, Section
from voice_guide.features import TextFeatures, load_neutral
from voice_guide.frames import ALTERNATIVES, Frame, alternatives_at, frame_of, frame_pairs
from voice_guide.not_covered import NotCovered
from voice_guide.safety import SafetyScreen
from voice_guide.spelling import spell_request
from voice_guide.text import STOPWORDS, clean, question_start, stem
from voice_guide.vocabulary import pattern_words

__all__ = ["CHOICE_COMMANDS", "GLOBAL_COMMANDS", "SOCIAL_COMMANDS", "Kind", "Match", "Matcher"]
"""The command lists are also imported from here by the dialogue."""


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
    hearing: str | None = None
    """The recognizer's runner-up hearing this match was read from, when it was not the best one."""
    steps: tuple[str, ...] = ()
    """Voice steps said with the command, in order ("say that again slower": repeat after slower)."""
    spelled: tuple[str, ...] = ()
    """The words a spell command names ("spell metastatic"); none for "spell that" (the words just read)."""
    scores: tuple[tuple[str, float], ...] = field(default=(), compare=False)
    features: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class _SectionIndex:
    """One section as the scorer sees it."""

    id: str
    profile: dict[str, float]
    """Unit vector of the examples taken together."""
    vocabulary: frozenset[str]
    """Every feature of the examples, keywords, title and answer."""
    claims: frozenset[str]
    """Keywords, cleaned: a not-covered phrase listed here does not stop this section."""
    anchors: frozenset[str]
    """Tokens of one-token keywords: one of these alone is enough to answer with this section."""
    postings: dict[str, tuple[tuple[int, float], ...]] = field(default_factory=dict)
    """token -> (example number, weight) in the unit vectors of the examples, keywords and title."""

    def best_example(self, q: dict[str, float]) -> float:
        """The highest cosine between the question and one example, over the examples sharing a token."""
        sums: dict[int, float] = {}
        for t, v in q.items():
            for i, w in self.postings.get(t, ()):
                sums[i] = sums.get(i, 0.0) + v * w
        return max(sums.values(), default=0.0)


def _unit(weights: dict[str, float]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for v in weights.values())) or 1.0
    return {t: v / norm for t, v in weights.items()}


def _dot(a: dict[str, float], b: dict[str, float]) -> float:
    return sum(v * b.get(t, 0.0) for t, v in a.items())


class Matcher:
    """Routes one utterance. Build once per library; ``match`` is cheap."""

    def __init__(self, library: Library, settings: MatchSettings | None = None) -> None:
        self.library = library
        self.settings = settings or MatchSettings()
        self.safety = SafetyScreen()
        self.vocab = TextFeatures(library, self.settings.fuzzy_word, load_neutral())
        self.reader = CommandReader(load_commands(), self.settings.fuzzy_command, self._is_word, self._is_topic)
        self.commands = self.reader.specs
        self.not_covered = NotCovered(library, self.vocab)
        raw = []
        for s in library.sections:
            examples = [set(self.features_of(clean(t))[0]) for t in (*s.examples, *s.keywords, s.title)]
            answer = set().union(*(self.vocab.features(clean(a)) for a in s.answer))
            raw.append((s, [e for e in examples if e], answer))
        df: Counter[str] = Counter()
        for _, examples, answer in raw:
            df.update(set().union(*examples, answer))
        n = len(raw)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self.unknown_idf = self.settings.unknown_weight * math.log((n + 1) / 0.5)
        """A word no section knows counts against every section, as much as the rarest word counts for one."""
        spelled = {w for kind in self.safety.patterns.values() for p in kind for w in pattern_words(p.pattern)}
        self.safety_stems = frozenset(stem(w) for w in spelled if not w.endswith("*"))
        """Stems of the words the safety triggers spell: unknown, they count ``safety_word_weight`` as much."""
        self.safety_prefixes = tuple(sorted(w.rstrip("*") for w in spelled if w.endswith("*")))
        """... and the beginnings they spell as stems ("wheez*": wheezing, wheezes)."""
        asked = _asked_in_examples(library, self.not_covered.phrases)
        self._sections = [self._index(s, examples, answer, asked.get(s.id, frozenset())) for s, examples, answer in raw]

    def _index(self, section: Section, examples: list[set[str]], answer: set[str],
               asked: frozenset[str] = frozenset()) -> _SectionIndex:
        vectors = [self._weights(e) for e in examples]
        summed: Counter[str] = Counter()
        for v in vectors:
            summed.update(v)
        claims = frozenset(clean(k) for k in section.keywords) | asked
        anchors = set()
        for keyword in claims - set(self.not_covered.phrases):
            tokens = self.vocab.tokens(keyword)
            if len(tokens) == 1 and not tokens[0].startswith("?"):
                anchors.add(tokens[0])
        postings: dict[str, list[tuple[int, float]]] = {}
        for i, v in enumerate(vectors):
            for t, w in v.items():
                postings.setdefault(t, []).append((i, w))
        return _SectionIndex(
            section.id,
            _unit(dict(summed)),
            frozenset(set().union(*examples, answer)),
            claims,
            frozenset(anchors),
            {t: tuple(p) for t, p in postings.items()},
        )

    def _weights(self, features: Iterable[str], boost: dict[str, float] | None = None) -> dict[str, float]:
        """Unit vector of idf weights; unknown words weigh ``unknown_idf`` (safety words less), unknown pairs nothing.

        ``boost`` multiplies the weight of some features (those of the question after a story).
        """
        weights = {}
        for t in features:
            if t in self.idf:
                weights[t] = self.idf[t]
            elif t.startswith("?"):
                weights[t] = self.unknown_idf * (self.settings.safety_word_weight if self._is_safety_word(t[1:]) else 1.0)
            if boost and t in boost and t in weights:
                weights[t] *= boost[t]
        return _unit(weights)

    def _is_safety_word(self, root: str) -> bool:
        return root in self.safety_stems or root.startswith(self.safety_prefixes)

    def features_of(self, cleaned: str, start: int | None = None) -> tuple[dict[str, int], Frame | None]:
        """Features with the last position each is found at, and the question's frame (``voice_guide.frames``).

        Besides tokens and pairs of neighbouring tokens, the frame paired with each topic of its
        clause ("#diagnose>#is_breast_cancer") and ``#alternatives`` for "A or B".
        """
        spans = self.vocab.spanned_tokens(cleaned)
        placed = self.vocab.features_of([(at, t) for at, _, t in spans])
        frame = frame_of(cleaned, spans, question_start(cleaned) if start is None else start)
        if frame:
            for at, pair in frame_pairs(frame, spans):
                placed.setdefault(pair, at)
        either = alternatives_at(cleaned, spans)
        if either is not None:
            placed.setdefault(ALTERNATIVES, either)
        return placed, frame

    def question_features(self, cleaned: str) -> tuple[list[str], dict[str, float]]:
        """The features of an utterance, and the extra weight of some of them.

        The question after a story weighs more (``question_weight``); so does the frame of the
        question (``frame_weight``), the topic word that asks ("how do they *find out* if it is
        breast cancer"), while the words of the clause it asks about weigh less (``clause_weight``).
        """
        start = question_start(cleaned)
        placed, frame = self.features_of(cleaned, start)
        lift = 1.0 + self.settings.question_weight
        boost = {t: lift for t, at in placed.items() if start and at >= start}
        if frame:
            for t, at in placed.items():
                if at >= frame.clause and ">" not in t:
                    boost[t] = boost.get(t, 1.0) * self.settings.clause_weight
            boost[frame.token] = boost.get(frame.token, 1.0) * (1.0 + self.settings.frame_weight)
        return list(placed), boost

    # -- stages -------------------------------------------------------------------------------
    def safety_kind(self, cleaned: str) -> str | None:
        """"emergency", "crisis" or None (see ``voice_guide.safety``)."""
        return self.safety.kind(cleaned)

    def command_of(self, cleaned: str, allowed: Iterable[str] | None = None) -> tuple[str, float] | None:
        """The command an utterance is, if the whole of it is one, with its confidence (see ``voice_guide.commands``)."""
        return self.reader.read(cleaned, allowed)

    def command_phrased(self, cleaned: str, allowed: Iterable[str] | None = None) -> str | None:
        """The command whose phrases alone make up the utterance (no head words, no repairs)."""
        return self.reader.phrased(cleaned, allowed)

    def _is_word(self, word: str) -> bool:
        """Whether a word is one the guide knows: content or everyday English."""
        return word in self.vocab.known or word in STOPWORDS or self.is_everyday(word)

    def is_everyday(self, word: str) -> bool:
        """Whether a word is everyday English that says nothing about a topic (``data/neutral.yaml``)."""
        return stem(word) in self.vocab.neutral

    def _is_topic(self, word: str) -> bool:
        """Whether a word means something to a section ("chemo", "scared"), not just everyday English."""
        return word not in STOPWORDS and any(not t.startswith("?") for t in self.vocab.tokens(word))

    def section_scores(
        self, cleaned: str, among: Sequence[str] | None = None
    ) -> tuple[list[tuple[str, float]], dict[str, float], list[str]]:
        """Score per section (best first), each section's share of the question it knows, and the features.

        A score blends the best single example, the section's examples taken together, and how much
        of the question's weight is words the section knows (``example_weight``, ``profile_weight``,
        the rest).
        """
        st = self.settings
        features, boost = self.question_features(cleaned)
        q = self._weights(features, boost)
        mass = sum(v * v for v in q.values()) or 1.0
        scored = []
        coverages = {}
        for s in self._sections:
            if among is not None and s.id not in among:
                continue
            best_example = s.best_example(q)
            coverage = sum(v * v for t, v in q.items() if t in s.vocabulary) / mass
            coverages[s.id] = coverage
            score = st.example_weight * best_example + st.profile_weight * _dot(q, s.profile)
            scored.append((s.id, score + (1.0 - st.example_weight - st.profile_weight) * coverage))
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored, coverages, features

    # -- entry points -------------------------------------------------------------------------
    def match(self, text: str) -> Match:
        cleaned = clean(text)
        if not cleaned:
            return Match(Kind.OUT_OF_SCOPE, reason="empty")
        kind = self.safety.kind(cleaned)
        if kind:
            return Match(Kind.SAFETY, safety=kind, score=1.0, reason="safety pattern")
        cmd = self.reader.read(cleaned, GLOBAL_COMMANDS + SOCIAL_COMMANDS)
        if cmd:
            return Match(Kind.COMMAND, command=cmd[0], score=cmd[1], reason="command phrase")
        stepped = self.reader.read_steps(cleaned)
        if stepped:
            return Match(Kind.COMMAND, command=stepped[0], steps=stepped[1], score=1.0, reason="commands in a row")
        spelled = spell_request(cleaned)  # after the steps: "spell that slower" is no word to spell
        if spelled is not None:
            return Match(Kind.COMMAND, command="spell", spelled=spelled, score=1.0, reason="spelling request")
        routed = self.route(cleaned)
        if routed.kind in (Kind.OUT_OF_SCOPE, Kind.CLARIFY) and not routed.reason.startswith("not covered"):
            stray = self.reader.read_with_stray(cleaned, STRAY_COMMANDS)
            if stray:
                return Match(Kind.COMMAND, command=stray[0], score=stray[1], reason="command phrase with a stray or misheard word")
        return routed

    def route(self, cleaned: str, among: Sequence[str] | None = None, accept: float | None = None) -> Match:
        """Route cleaned text to a section (optionally only ``among`` some), clarify, or decline.

        A question naming a topic the pack does not cover (``not_covered``) is declined, unless the
        rest of the question clearly asks for a section that lists that phrase among its keywords:
        "would my insurance pay for a second opinion" is about second opinions, "will medicare pay
        for my chemo" is not covered.
        """
        uncovered, background, rest = self.not_covered.find(cleaned)
        if background and not uncovered:
            match = self._decide(rest, among, accept)
            return replace(match, reason=f"{match.reason}; {', '.join(background)} only as background")
        if uncovered:
            match = self._decide(rest, among, accept)
            claims = self._section(match.section).claims if match.section else frozenset()
            unclaimed = [p for p in uncovered if p not in claims]
            if match.kind is Kind.ANSWER and not unclaimed:
                return replace(match, reason=f"accepted; {', '.join(uncovered)} claimed by the section")
            return Match(
                Kind.OUT_OF_SCOPE,
                score=match.score,
                runner_up=match.section or match.runner_up,
                runner_up_score=match.score,
                reason=f"not covered: {(unclaimed or uncovered)[0]}",
                scores=match.scores,
                features=match.features,
            )
        return self._decide(cleaned, among, accept)

    def _section(self, section_id: str) -> _SectionIndex:
        return next(s for s in self._sections if s.id == section_id)

    def topic_words(self, features: Sequence[str], section_id: str) -> list[str]:
        """The question's tokens that point at this section (pairs of tokens not counted)."""
        known = self._section(section_id).vocabulary
        return [t for t in features if "+" not in t and ">" not in t and t in known]

    def _decide(self, cleaned: str, among: Sequence[str] | None, accept: float | None) -> Match:
        st = self.settings
        scored, coverages, features = self.section_scores(cleaned, among)
        if not scored:
            return Match(Kind.OUT_OF_SCOPE, reason="no sections")
        (best, top), (runner, second) = scored[0], scored[1] if len(scored) > 1 else ("", 0.0)
        scores = tuple((sid, round(sc, 4)) for sid, sc in scored)
        if accept is None:
            threshold, floor = st.accept, st.clarify_floor
            clear = top >= st.clear_accept and top - second >= st.clear_margin and coverages[best] >= st.min_coverage
            topic = self.topic_words(features, best)
            # One topic word alone answers only if the section names it alone among its keywords:
            # "second opinion" does, "who is my oncologist" does not.
            thin = len(topic) < 2 and not set(topic) & self._section(best).anchors
        else:
            threshold, floor, clear, thin = accept, accept, False, False
        choices: tuple[str, ...] = ()
        if not thin and ((top >= threshold and top - second >= st.margin) or clear):
            kind, reason = Kind.ANSWER, "accepted"
        elif top >= floor:
            kind, reason = Kind.CLARIFY, "one topic word" if thin else "close call"
            choices = (best, runner) if runner and second >= floor and top - second < st.margin else (best,)
        else:
            return Match(Kind.OUT_OF_SCOPE, score=top, runner_up=best, runner_up_score=top, reason="below threshold",
                         scores=scores, features=tuple(features))
        return Match(kind, section=best, score=top, runner_up=runner or None, runner_up_score=second, choices=choices,
                     reason=reason, scores=scores, features=tuple(features))

    def key_bindings(self) -> dict[str, tuple[str, ...]]:
        return {name: spec.keys for name, spec in self.commands.items()}


def _asked_in_examples(library: Library, phrases: Sequence[str]) -> dict[str, frozenset[str]]:
    """For each section, the not-covered phrases of *other* packs that its own example questions use:
    the section claims them, so the built-in pack's "how long" (its prognosis questions) does not
    decline a clinic pack's "how long does chemotherapy take". A pack's own not-covered phrases stay
    its own to decline."""
    out: dict[str, frozenset[str]] = {}
    for pack in library.packs:
        own = {clean(p) for p in pack.not_covered}
        foreign = [p for p in phrases if p not in own]
        for section in pack.sections:
            said = [f" {clean(e)} " for e in section.examples]
            found = frozenset(p for p in foreign if any(f" {p} " in e for e in said))
            if found:
                out[section.id] = found
    return out
