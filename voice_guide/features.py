"""How the library's words are read: text -> features for the section scorer.

Synonym phrases of the content pack become ``#concept`` features (the phrases covering the most
words win), other words that say something about a topic become their stems, words no section
knows become ``?stem``, and neighbouring known features pair up ("#spread+#named_organ").
Everyday words (``data/neutral.yaml``) say nothing either way. Misheard words are repaired onto
the library's words, and words a recognizer split in two are rejoined.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from rapidfuzz import fuzz, process

from voice_guide.content import Library
from voice_guide.data_files import load_data, texts
from voice_guide.text import KEEP, STOPWORDS, clean, stem

SKIPPED_IN_PHRASES = frozenset({"the", "a", "an", "my", "your", "his", "her", "their", "our", "its", "just", "really", "actually"})
"""Words a synonym phrase matches with or without: "how do the doctors know" is "how do doctors know"."""


@dataclass(frozen=True)
class EverydayWords:
    """What ``data/neutral.yaml`` lists: word stems and whole phrases that say nothing about a topic."""

    stems: frozenset[str]
    phrases: tuple[str, ...]


def load_neutral() -> EverydayWords:
    data = load_data("neutral.yaml")
    words = texts((w for g in data["neutral"] for w in (g if isinstance(g, list) else [g])), "neutral.yaml")
    stems = frozenset(stem(w) for word in words for w in clean(word).split())
    return EverydayWords(stems, tuple(clean(p) for p in texts(data.get("phrases", ()), "neutral.yaml (phrases)")))


class TextFeatures:
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
            single = clean(phrase).split()
            if len(single) == 1 and single[0] not in STOPWORDS:
                by_stem.setdefault(stem(single[0]), set()).add(canon)
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

        Two neighbours are joined only when neither is a longer word the library or everyday talk
        (data/neutral.yaml) knows ("be alive" stays apart) and the joined form is a library word of
        five letters or more ("up set"), or repairs to one. A run of single letters is joined when
        it spells a word the library knows ("m b c").
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
                weak = all((w not in self.known and stem(w) not in self.neutral or len(w) <= 4) and w.isalpha() for w in (a, b))
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
        return [(at, t) for at, _, t in self.spanned_tokens(cleaned)]

    def spanned_tokens(self, cleaned: str) -> list[tuple[int, int, str]]:
        """Tokens, each with the positions of its first and last word in ``cleaned``."""
        placed, phrases = self._placed_phrases(cleaned)
        tokens: list[tuple[int, int, str]] = []
        inside_until = 0
        for i, (at, word) in enumerate(placed):
            if i in phrases:
                length, canon = phrases[i]
                if canon:
                    tokens.append((at, placed[i + length - 1][0], "#" + canon))
                inside_until = i + length
            if i < inside_until or (word in STOPWORDS and word not in KEEP) or not word.isalpha():
                continue
            root = stem(word)
            if root in self.neutral:
                continue
            if word not in self.known and root in self._stem_concepts:
                tokens.append((at, at, "#" + self._stem_concepts[root]))
                continue
            tokens.append((at, at, root if root in self.known_stems else "?" + root))
        return tokens

    def features(self, cleaned: str) -> list[str]:
        """Tokens plus pairs of neighbouring known tokens ("#spread+#named_organ"), without repeats."""
        return list(self.placed_features(cleaned))

    def placed_features(self, cleaned: str) -> dict[str, int]:
        """``features``, each with the last position it is found at (a pair: that of its second token)."""
        return self.features_of(self.placed_tokens(cleaned))

    @staticmethod
    def features_of(tokens: Sequence[tuple[int, str]]) -> dict[str, int]:
        """``placed_features`` of tokens already found."""
        known = [(at, t) for at, t in tokens if not t.startswith("?")]
        pairs = [(at, f"{a}+{b}") for (_, a), (at, b) in zip(known, known[1:])]
        placed: dict[str, int] = {}
        for at, t in [*tokens, *pairs]:
            placed[t] = at
        return placed


def _phrase_key(word: str) -> str:
    """How a word is compared inside a synonym phrase: small words as written, others by stem."""
    return word if word in STOPWORDS else stem(word)
