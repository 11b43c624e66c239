"""The shape of a question: the topic word that asks (its frame), the clause it asks about, alternatives.

"how do they *find out* if it is breast cancer" asks how something is found out, about breast
cancer; "what does it *mean* that it spread" asks for a meaning. The frame is the topic token
governing a clause inside the question ("find out *if* ...", "mean *that* ...") or the verb of
"how do they ..." followed by more. Frame pairs ("#diagnose>#is_breast_cancer") join the frame
with each topic of its clause, so the pack's examples teach which section a frame asks for
whatever the clause is about. "A or B" with two different topics asks which one it is.

Pure functions over cleaned text and the tokens of ``TextFeatures.spanned_tokens``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from voice_guide.text import AUXILIARIES

Span = tuple[int, int, str]
"""A token with the positions of its first and last word in the cleaned text."""

EMBEDDERS = frozenset("if whether what where which how who that when".split())
"""Words that open a clause inside the question: "how do they find out *if* it spread"."""
FRAME_GAP = 3
"""At most this many words without a topic between the frame and the clause it opens."""
ASKERS = frozenset("they doctors doctor you we i she he the my your her his their oncologist oncologists".split())
"""Who does something in "how do *the doctors* ...", "how can *they* ..."."""
ALTERNATIVES = "#alternatives"
"""The feature of "A or B" between two different topics: "is it the breast cancer or a new one"."""


@dataclass(frozen=True)
class Frame:
    token: str
    """The topic token that asks ("#diagnose")."""
    clause: int
    """Word position where what it asks about starts."""


def clause_openings(cleaned: str, start: int = 0) -> list[int]:
    """Positions of words after ``start`` that open a clause inside the question (see ``EMBEDDERS``)."""
    words = cleaned.split()
    return [i for i in range(start + 1, len(words)) if words[i] in EMBEDDERS]


def verb_slot(cleaned: str, start: int = 0) -> int | None:
    """Where the verb of "how do they ...", "how can the doctors ...", "how will you ..." is, if the question opens so."""
    words = cleaned.split()[start:]
    if len(words) < 4 or words[0] != "how" or words[1] not in AUXILIARIES:
        return None
    i = 2
    while i < len(words) and i < 5 and words[i] in ASKERS:
        i += 1
    return start + i if 2 < i < len(words) else None


def noun_slot(cleaned: str, start: int = 0) -> int | None:
    """Where the noun of "what tests ...", "which organs ..." is, if the question opens so."""
    words = cleaned.split()[start:]
    return start + 1 if len(words) >= 3 and words[0] in ("what", "which") else None


def frame_of(cleaned: str, spans: Sequence[Span], start: int = 0) -> Frame | None:
    """The frame of the question starting at word ``start``, if it has one.

    The verb of "how do they ..." or the noun of "what tests ..." comes first (in "how do they know
    it is breast cancer that came back" the verb asks, not "breast cancer" before "that"); else the
    topic just before the first clause opened inside the question.
    """
    verb, noun = verb_slot(cleaned, start), noun_slot(cleaned, start)
    asking = [span for span in spans if verb is not None and span[0] <= verb <= span[1]]
    asking += [span for span in spans if noun is not None and span[0] == noun]
    if asking and asking[0][2].startswith("#") and any(a > asking[0][1] for a, _, _ in spans):
        return Frame(asking[0][2], asking[0][1] + 1)
    for opening in clause_openings(cleaned, start)[:1]:
        before = [span for span in spans if start <= span[0] < opening]
        if before:
            _, end, token = before[-1]
            if token.startswith("#") and (end >= opening or opening - end - 1 <= FRAME_GAP):
                return Frame(token, max(end + 1, opening))
    return None


def frame_pairs(frame: Frame, spans: Sequence[Span]) -> list[tuple[int, str]]:
    """The frame joined with each known topic of its clause ("#diagnose>#is_breast_cancer"), with positions."""
    return [(a, f"{frame.token}>{t}") for a, _, t in spans if a >= frame.clause and not t.startswith("?") and t != frame.token]


def alternatives_at(cleaned: str, spans: Sequence[Span]) -> int | None:
    """Position of the second of two different topics joined by "or" ("spread *or* a new cancer"), if any."""
    for i, word in enumerate(cleaned.split()):
        if word != "or":
            continue
        left = [t for _, b, t in spans if b < i and t.startswith("#")]
        right = [(a, t) for a, _, t in spans if a > i and t.startswith("#")]
        if left and right and left[-1] != right[0][1]:
            return right[0][0]
    return None
