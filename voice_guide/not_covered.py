"""Topics the pack does not cover (its ``not_covered`` phrases): asked about, or only told as background.

"will medicare pay for my chemo" asks about a topic the pack does not cover; "i had a mastectomy
so how can it still be breast cancer" only tells one.
"""

from __future__ import annotations

from voice_guide.content import Library
from voice_guide.features import TextFeatures
from voice_guide.text import clean, question_start

BACKGROUND_WINDOW = 3
BACKGROUND_BEFORE = frozenset(
    "had after finished finishing completed did went through since took underwent received got before was were been post".split()
)
BACKGROUND_AFTER = frozenset("was were ago ended finished went worked".split())
"""Words near a not-covered phrase that make it part of the story, not the question."""


class NotCovered:
    """Finds the pack's not-covered phrases in an utterance."""

    def __init__(self, library: Library, vocab: TextFeatures) -> None:
        self.vocab = vocab
        self.phrases = tuple(sorted(_uncovered(library), key=lambda p: (-len(p), p)))
        self._by_word: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        for rank, phrase in enumerate(self.phrases):
            parts = tuple(phrase.split())
            self._by_word.setdefault(parts[0], []).append((rank, parts))

    def find(self, cleaned: str) -> tuple[list[str], list[str], str]:
        """Not-covered phrases asked about, those told only as background, and the rest of the question.

        A phrase inside a longer synonym phrase of the pack is neither ("scared to death" says
        nothing about death; "breast cancer drugs" asks why it is still breast cancer). A phrase
        is background when the words around it tell of the past ("i had a mastectomy", "after
        chemo", "my surgery was ...") or it is told in a story before the question ("her
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
            for rank, phrase in self._by_word.get(word, ())
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


def _uncovered(library: Library) -> set[str]:
    """The packs' not-covered phrases, less those another pack covers: a phrase one pack does not
    cover ("chemo", "survival") that a section of another pack lists among its keywords, or inside
    one of them ("survival rate"), is the library's topic now, matched like any other, and that
    section answers it. Within one pack a keyword does not lift the pack's own not-covered phrase;
    it only lets its section claim the phrase (see ``Matcher.route``)."""
    phrases: set[str] = set()
    for pack in library.packs:
        elsewhere = [f" {clean(k)} " for other in library.packs if other is not pack for s in other.sections for k in s.keywords]
        phrases.update(c for c in (clean(p) for p in pack.not_covered) if c and not any(f" {c} " in k for k in elsewhere))
    return phrases
