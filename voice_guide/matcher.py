"""Text -> Match: safety first, then commands, then content sections, else an honest fallback.

1. Safety: regular expressions from ``data/safety.yaml`` (emergency, then crisis).
2. Commands: the whole utterance, less polite words, must be a run of one command's phrases or
   patterns (``data/commands.yaml``); failing that, only that command's head words plus filler.
3. Sections: the question becomes features (``#concept`` for the pack's synonym phrases, word
   stems, ``?word`` for words no section knows, pairs of neighbours), idf-weighted; a section's
   score blends its best example, its examples taken together and how much of the question it
   knows. Not-covered phrases decline the question unless told as background or claimed by the
   section the rest of the question asks for; one topic word alone needs an anchor keyword.
4. Answer, clarify ("did you mean A or B?") or out of scope, by the thresholds in MatchSettings.

Pure and deterministic: no I/O after construction, no clock, no model download.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from enum import Enum
from importlib import resources
from typing import Any, Iterable, Sequence

import yaml
from rapidfuzz import fuzz, process

from voice_guide.config import MatchSettings
from voice_guide.content import Library, Section
from voice_guide.errors import ContentError
from voice_guide.text import KEEP, STOPWORDS, clean, question_start, stem


MAX_COMMAND_WORDS = 12
"""Longer utterances are never read as commands."""
MAX_HEAD_WORDS = 8
"""Only this short an utterance is read as a command from its head words alone."""
HEAD_CONFIDENCE = 0.9
MAX_FUZZY_COMMAND_WORDS = 5
"""Only this short an utterance is repaired onto a command phrase by fuzzy matching."""

SKIPPED_IN_PHRASES = frozenset({"the", "a", "an", "my", "your", "his", "her", "their", "our", "its", "just", "really", "actually"})
"""Words a synonym phrase matches with or without: "how do the doctors know" is "how do doctors know"."""

BACKGROUND_WINDOW = 3
BACKGROUND_BEFORE = frozenset(
    "had after finished finishing completed did went through since took underwent received got before was were been post".split()
)
BACKGROUND_AFTER = frozenset("was were ago ended finished went worked".split())
"""Words near a not-covered phrase that make it part of the story, not the question."""

GLOBAL_COMMANDS = ("help", "repeat", "stop", "slower", "faster", "louder", "softer", "topics", "more", "goodbye", "next", "previous")
CHOICE_COMMANDS = ("yes", "no", "first", "second", "third")


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
    """One command: exact phrases, whole-piece patterns, head words, and its keyboard keys."""

    name: str
    phrases: tuple[str, ...]
    keys: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()

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
    filler: frozenset[str] = frozenset()


def _data(name: str) -> Any:
    text = (resources.files("voice_guide") / "data" / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _texts(values: Iterable[Any], where: str) -> list[str]:
    """YAML values that must be text; a bare yes/no/on/off is read as a boolean and would be lost."""
    out = []
    for value in values:
        if not isinstance(value, str):
            raise ContentError(f"voice_guide/data/{where}", None, f"{value!r} is not text; put it in quotes")
        out.append(value)
    return out


def load_commands() -> CommandWords:
    data = _data("commands.yaml")
    specs = {
        str(name): CommandSpec(
            str(name),
            tuple(clean(p) for p in _texts(spec["phrases"], f"commands.yaml ({name})")),
            tuple(_texts(spec.get("keys", ()), f"commands.yaml ({name} keys)")),
            tuple(_texts(spec.get("patterns", ()), f"commands.yaml ({name} patterns)")),
            tuple(clean(h) for h in _texts(spec.get("heads", ()), f"commands.yaml ({name} heads)")),
        )
        for name, spec in data["commands"].items()
    }
    polite = tuple(sorted((clean(p) for p in _texts(data["polite"], "commands.yaml (polite)")), key=len, reverse=True))
    interjections = frozenset(clean(w) for w in _texts(data.get("interjections", ()), "commands.yaml (interjections)"))
    filler = frozenset(clean(w) for w in _texts(data.get("filler", ()), "commands.yaml (filler)"))
    return CommandWords(specs, polite, interjections, filler)


@dataclass(frozen=True)
class EverydayWords:
    """What ``data/neutral.yaml`` lists: word stems and whole phrases that say nothing about a topic."""

    stems: frozenset[str]
    phrases: tuple[str, ...]


def load_neutral() -> EverydayWords:
    data = _data("neutral.yaml")
    words = _texts((w for g in data["neutral"] for w in (g if isinstance(g, list) else [g])), "neutral.yaml")
    stems = frozenset(stem(w) for word in words for w in clean(word).split())
    return EverydayWords(stems, tuple(clean(p) for p in _texts(data.get("phrases", ()), "neutral.yaml (phrases)")))


def load_safety() -> dict[str, tuple[re.Pattern[str], ...]]:
    data = _data("safety.yaml")
    return {kind: tuple(re.compile(p) for p in _texts(patterns, f"safety.yaml ({kind})")) for kind, patterns in data.items()}


class _Vocabulary:
    """How the library's words are read: synonym concepts, misheard-word repair, everyday words.

    ``tokens`` turns cleaned text into the matcher's features: ``#concept`` for every synonym
    phrase (the phrases covering the most words win, so "second opinion" is #opinion and not also
    #new), the stem of every other word that says something about a topic, and ``?stem`` for such
    a word no section knows.
    """

    def __init__(self, library: Library, fuzzy_word: int, everyday: EverydayWords) -> None:
        self.fuzzy_word = fuzzy_word
        self.neutral = everyday.stems
        # In phrases of two words or more, words that carry meaning are matched on their stems,
        # so "separate cancers" is the phrase "separate cancer"; small words and one-word variants
        # are matched as written ("going to" is not "go to", "called" is not "call"). An everyday
        # phrase ("i have a question about") is a concept of no name: its words are used up and
        # nothing is counted.
        variants: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        # A canonical name is a phrase too, unless it is a label ("is_breast_cancer" is not "is breast cancer").
        named = [
            (canon, phrase)
            for canon, phrases in library.synonyms.items()
            for phrase in ({canon, *phrases} if "_" not in canon else set(phrases))
        ]
        for canon, phrase in named + [("", p) for p in everyday.phrases]:
            words = tuple(w for w in clean(phrase).split() if w not in SKIPPED_IN_PHRASES)
            if len(words) > 1:
                words = tuple(_phrase_key(w) for w in words)
            if words:
                variants.setdefault(words[0], []).append((words, canon))
        self._variants = {w: sorted(set(v), key=lambda x: (-len(x[0]), x)) for w, v in variants.items()}
        known: set[str] = {w for _, phrase in named for w in clean(phrase).split()}
        for s in library.sections:
            for text in (s.title, *s.examples, *s.keywords, *s.answer):
                known.update(clean(text).split())
        self.known = frozenset(known)
        targets: dict[str, list[str]] = {}
        for w in sorted(known):
            if len(w) >= 6 and w not in STOPWORDS and w.isalpha():
                targets.setdefault(w[0], []).append(w)
        self._repair_targets = targets
        self.known_stems = frozenset(stem(w) for w in known)
        # A word the library does not know whose stem is that of one concept's one-word variants
        # only ("scare" for "scared") stands for that concept.
        by_stem: dict[str, set[str]] = {}
        for canon, phrase in named:
            words = clean(phrase).split()
            if len(words) == 1 and words[0] not in STOPWORDS:
                by_stem.setdefault(stem(words[0]), set()).add(canon)
        self._stem_concepts = {root: next(iter(c)) for root, c in by_stem.items() if len(c) == 1}

    def repair(self, word: str) -> str:
        """A misspelt or misheard word mapped onto a close word the library knows ("primery" -> "primary").

        Only words of six letters or more, onto a word of six letters or more with the same first
        letter: shorter words are too often other real words ("movie" is not "move"). Six-letter
        words need a closer match (``fuzzy_word``) than longer ones, where one slip weighs less.
        """
        if word in self.known or len(word) < 6 or word in STOPWORDS or not word.isalpha() or stem(word) in self.neutral:
            return word
        cutoff = self.fuzzy_word if len(word) < 7 else self.fuzzy_word - 6
        targets = self._repair_targets.get(word[0], ())
        best = process.extractOne(word, targets, scorer=fuzz.ratio, score_cutoff=cutoff)
        return str(best[0]) if best else word

    def phrases(self, words: Sequence[str]) -> dict[int, tuple[int, str]]:
        """Synonym phrases in the words: start -> (length, concept).

        Of overlapping phrases, the set covering the most words wins (then the fewest phrases), so
        "brand new kind of cancer" reads as "brand" + #new_cancer, not #new + "kind of cancer".
        """
        n = len(words)
        stems = [_phrase_key(w) for w in words]
        best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
        pick: list[tuple[int, str] | None] = [None] * (n + 1)
        for i in range(n - 1, -1, -1):
            best[i] = best[i + 1]
            candidates = self._variants.get(stems[i], []) + self._variants.get(words[i], [])
            for variant, canon in candidates:
                k = len(variant)
                if tuple((stems if k > 1 else words)[i : i + k]) == variant:
                    covered, count = best[i + k]
                    if (covered + k, count - 1) > best[i]:
                        best[i], pick[i] = (covered + k, count - 1), (k, canon)
        found = {}
        i = 0
        while i < n:
            chosen = pick[i]
            if chosen:
                found[i] = chosen
                i += chosen[0]
            else:
                i += 1
        return found

    def join_splits(self, words: Sequence[str]) -> list[str]:
        """Rejoin a word a recognizer split in two ("meta static", "a pinion", "prime airy")."""
        return [w for _, w in self._joined(words)]

    def _joined(self, words: Sequence[str]) -> list[tuple[int, str]]:
        """``join_splits`` with each word's position in the input.

        Two neighbours are joined only when neither is a longer word the library knows and the
        joined form is a library word of five letters or more ("up set"), or repairs to one. A run
        of single letters is joined when it spells a word the library knows ("m b c").
        """
        out: list[tuple[int, str]] = []
        i = 0
        while i < len(words):
            run = i
            while run < len(words) and len(words[run]) == 1 and words[run].isalpha():
                run += 1
            if run - i >= 2 and "".join(words[i:run]) in self.known:
                out.append((i, "".join(words[i:run])))
                i = run
                continue
            if i + 1 < len(words):
                a, b = words[i], words[i + 1]
                weak = all((w not in self.known or len(w) <= 4) and w.isalpha() for w in (a, b))
                if weak and len(a + b) >= 5:
                    joined = a + b if a + b in self.known else self.repair(a + b)
                    if joined in self.known and len(joined) >= 5:
                        out.append((i, joined))
                        i += 2
                        continue
            out.append((i, words[i]))
            i += 1
        return out

    def tokens(self, cleaned: str) -> list[str]:
        return [t for _, t in self.placed_tokens(cleaned)]

    def _placed_phrases(self, cleaned: str) -> tuple[list[tuple[int, str]], dict[int, tuple[int, str]]]:
        """The words matching reads (with their positions in ``cleaned``), and the synonym phrases among them."""
        placed = [(i, self.repair(w)) for i, w in self._joined(cleaned.split()) if w not in SKIPPED_IN_PHRASES]
        return placed, self.phrases([w for _, w in placed])

    def concept_spans(self, cleaned: str) -> list[tuple[int, int]]:
        """Word spans [start, end) in ``cleaned`` of the synonym phrases of two words or more found in it."""
        placed, phrases = self._placed_phrases(cleaned)
        return [(placed[i][0], placed[i + k - 1][0] + 1) for i, (k, canon) in phrases.items() if canon and k > 1]

    def placed_tokens(self, cleaned: str) -> list[tuple[int, str]]:
        """Tokens, each with the position of its first word in ``cleaned``."""
        placed, phrases = self._placed_phrases(cleaned)
        tokens: list[tuple[int, str]] = []
        inside_until = 0
        for i, (at, word) in enumerate(placed):
            if i in phrases:
                length, canon = phrases[i]
                if canon:
                    tokens.append((at, "#" + canon))
                inside_until = i + length
            if i < inside_until or (word in STOPWORDS and word not in KEEP) or not word.isalpha():
                continue
            root = stem(word)
            if root in self.neutral:
                continue
            if word not in self.known and root in self._stem_concepts:
                tokens.append((at, "#" + self._stem_concepts[root]))
                continue
            tokens.append((at, root if root in self.known_stems else "?" + root))
        return tokens

    def features(self, cleaned: str) -> list[str]:
        """Tokens plus pairs of neighbouring known tokens ("#spread+#named_organ"), without repeats."""
        return list(self.placed_features(cleaned))

    def placed_features(self, cleaned: str) -> dict[str, int]:
        """``features``, each with the last position it is found at (a pair: that of its second token)."""
        tokens = self.placed_tokens(cleaned)
        known = [(at, t) for at, t in tokens if not t.startswith("?")]
        pairs = [(at, f"{a}+{b}") for (_, a), (at, b) in zip(known, known[1:])]
        placed: dict[str, int] = {}
        for at, t in tokens + pairs:
            placed[t] = at
        return placed


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


def _phrase_key(word: str) -> str:
    """How a word is compared inside a synonym phrase: small words as written, others by stem."""
    return word if word in STOPWORDS else stem(word)


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
        words = load_commands()
        self.commands = words.specs
        self._grammars = {name: spec.grammar() for name, spec in self.commands.items()}
        self._polite = re.compile("(?<!\\S)(?:" + "|".join(re.escape(p) for p in words.polite) + ")(?!\\S)")
        self._interjections = words.interjections
        self._filler = words.filler
        heads = [(tuple(h.split()), name) for name, spec in self.commands.items() for h in spec.heads]
        self._heads = sorted(heads, key=lambda x: (-len(x[0]), x))
        self._command_index = {p: name for name, spec in self.commands.items() for p in spec.phrases}
        self._command_words = frozenset(w for p in self._command_index for w in p.split())
        self.safety = load_safety()
        self.vocab = _Vocabulary(library, self.settings.fuzzy_word, load_neutral())
        self.not_covered = tuple(sorted({clean(p) for p in library.not_covered if clean(p)}, key=lambda p: (-len(p), p)))
        self._not_covered_by_word: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for rank, phrase in enumerate(self.not_covered):
            parts = tuple(phrase.split())
            self._not_covered_by_word.setdefault(parts[0], []).append((rank, parts))
        raw = []
        for s in library.sections:
            examples = [set(self.vocab.features(clean(t))) for t in (*s.examples, *s.keywords, s.title)]
            answer = set().union(*(self.vocab.features(clean(a)) for a in s.answer))
            raw.append((s, [e for e in examples if e], answer))
        df: Counter[str] = Counter()
        for _, examples, answer in raw:
            df.update(set().union(*examples, answer))
        n = len(raw)
        self.idf = {t: math.log((n + 1) / (c + 0.5)) for t, c in df.items()}
        self.unknown_idf = self.settings.unknown_weight * math.log((n + 1) / 0.5)
        """A word no section knows counts against every section, as much as the rarest word counts for one."""
        self._sections = [self._index(s, examples, answer) for s, examples, answer in raw]

    def _index(self, section: Section, examples: list[set[str]], answer: set[str]) -> _SectionIndex:
        vectors = [self._weights(e) for e in examples]
        summed: Counter[str] = Counter()
        for v in vectors:
            summed.update(v)
        claims = frozenset(clean(k) for k in section.keywords)
        anchors = set()
        for keyword in claims - set(self.not_covered):
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
        """Unit vector of idf weights; unknown words weigh ``unknown_idf``, unknown pairs nothing.

        ``boost`` multiplies the weight of some features (those of the question after a story).
        """
        weights = {}
        for t in features:
            if t in self.idf:
                weights[t] = self.idf[t]
            elif t.startswith("?"):
                weights[t] = self.unknown_idf
            if boost and t in boost and t in weights:
                weights[t] *= boost[t]
        return _unit(weights)

    def question_features(self, cleaned: str) -> tuple[list[str], dict[str, float]]:
        """The features of an utterance, and the extra weight of those in the question after a story."""
        placed = self.vocab.placed_features(cleaned)
        start = question_start(cleaned)
        lift = 1.0 + self.settings.question_weight
        boost = {t: lift for t, at in placed.items() if start and at >= start}
        return list(placed), boost

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

    def _is_word(self, word: str) -> bool:
        """Whether a word is one the guide knows: content, command phrases, or everyday English."""
        return word in self._command_words or word in self.vocab.known or word in STOPWORDS or stem(word) in self.vocab.neutral

    def _by_heads(self, text: str) -> str | None:
        """The one command whose head words, with only filler around them, make up the utterance."""
        words = text.split()
        if len(words) > MAX_HEAD_WORDS:
            return None
        used = [False] * len(words)
        found = set()
        for head, name in self._heads:
            k = len(head)
            for i in range(len(words) - k + 1):
                if not any(used[i : i + k]) and tuple(words[i : i + k]) == head:
                    used[i : i + k] = [True] * k
                    found.add(name)
        if len(found) != 1 or not all(u or w in self._filler for w, u in zip(words, used)):
            return None
        return found.pop()

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
        for text in readings:
            headed = self._by_heads(text)
            if headed in names:
                return headed, HEAD_CONFIDENCE
        core = readings[0]
        # Only an utterance with a word nobody knows is repaired ("repet that"); "what is it" is
        # a question, however close it sounds to "that is it".
        if len(core.split()) <= MAX_FUZZY_COMMAND_WORDS and not all(self._is_word(w) for w in core.split()):
            phrases = [p for p, name in self._command_index.items() if name in names]
            best = process.extractOne(core, phrases, scorer=fuzz.ratio, score_cutoff=self.settings.fuzzy_command)
            if best:
                return self._command_index[best[0]], best[1] / 100.0
        return None

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

    def not_covered_in(self, cleaned: str) -> tuple[list[str], list[str], str]:
        """Not-covered phrases asked about, those told only as background, and the rest of the question.

        A phrase inside a longer synonym phrase of the pack is neither ("scared to death" says
        nothing about death; "breast cancer drugs" asks why it is still breast cancer). A phrase is background when the words around it tell of the past ("i had a mastectomy",
        "after chemo", "my surgery was ...") or it is told in a story before the question ("her
        back hurts and they found something how do they work out what it is"), as long as the
        question says something of its own: it does not veto, and it stays in the question only
        if the content knows its words (a mastectomy says something; "chemo" would only weigh
        against every section).
        """
        asked: list[str] = []
        background: list[str] = []
        words = cleaned.split()
        story_end = question_start(cleaned)
        if story_end and not any(not t.startswith("?") for t in self.vocab.tokens(" ".join(words[story_end:]))):
            story_end = 0  # the question says nothing of its own ("... what can she take"): the story is the question
        keep = [True] * len(words)
        seen: set[int] = set()
        # Longer phrases first ("how long do i have" before "how long"), then left to right.
        found = sorted(
            (rank, i, phrase)
            for i, word in enumerate(words)
            for rank, phrase in self._not_covered_by_word.get(word, ())
            if tuple(words[i : i + len(phrase)]) == phrase
        )
        spans = self.vocab.concept_spans(cleaned)
        for _, i, parts in found:
            phrase, size = " ".join(parts), len(parts)
            if seen.intersection(range(i, i + size)):
                continue
            if any(a <= i and i + size <= b and b - a > size for a, b in spans):
                continue  # part of a longer phrase the content knows: "breast cancer drugs", "scared to death"
            seen.update(range(i, i + size))
            before = set(words[max(0, i - BACKGROUND_WINDOW) : i])
            after = words[i + size : i + size + 1]
            told = bool(before & BACKGROUND_BEFORE) or bool(set(after) & BACKGROUND_AFTER) or i + size <= story_end
            (background if told else asked).append(phrase)
            known = all(w in self.vocab.known for w in phrase.split())
            keep[i : i + size] = [told and known] * size
        rest = " ".join(w for w, k in zip(words, keep) if k)
        return list(dict.fromkeys(asked)), list(dict.fromkeys(background)), rest

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
        """Route cleaned text to a section (optionally only ``among`` some), clarify, or decline.

        A question naming a topic the pack does not cover (``not_covered``) is declined, unless the
        rest of the question clearly asks for a section that lists that phrase among its keywords:
        "would my insurance pay for a second opinion" is about second opinions, "will medicare pay
        for my chemo" is not covered.
        """
        uncovered, background, rest = self.not_covered_in(cleaned)
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
        return [t for t in features if "+" not in t and t in known]

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
