"""The frame of a question (the topic word that asks) and the clause it asks about; "A or B"."""

from __future__ import annotations

import pytest

from voice_guide.frames import ALTERNATIVES, alternatives_at, frame_of
from voice_guide.matcher import Matcher
from voice_guide.text import clean, question_start


@pytest.mark.parametrize(
    ("said", "frame", "clause"),
    [
        ("how do they find out if it is breast cancer", "#diagnose", "if it is breast cancer"),
        ("what do they do to figure out whether this spot came from my breast cancer", "#diagnose",
         "whether this spot came from my breast cancer"),
        ("how do they work out where a new tumor came from", "#diagnose", "where a new tumor came from"),
        ("how can they tell it is breast cancer", "#diagnose", "it is breast cancer"),
        ("what does it mean that it spread", "#meaning", "that it spread"),
        ("what tests do they do when it might have spread", "#test", "do they do when it might have spread"),
        ("what does it mean when it goes elsewhere", "#meaning", "when it goes elsewhere"),
        ("what if it is a different cancer", None, None),
        ("can you tell me if it spread to my bones", None, None),
        ("where does breast cancer spread", None, None),
    ],
)
def test_frame_and_clause(matcher: Matcher, said: str, frame: str | None, clause: str | None) -> None:
    cleaned = clean(said)
    found = frame_of(cleaned, matcher.vocab.spanned_tokens(cleaned), question_start(cleaned))
    assert (found.token if found else None) == frame
    if found:
        assert " ".join(cleaned.split()[found.clause:]) == clause


def test_a_clause_inside_a_question_is_not_a_new_question() -> None:
    assert question_start(clean("what do they do to figure out whether this thing on my liver came from my breast cancer")) == 0


@pytest.mark.parametrize(
    ("said", "either"),
    [
        ("is it the same cancer or a new one", True),
        ("is it breast cancer or not", False),  # one phrase of the pack
        ("are you on facebook or instagram", False),  # two of one kind
        ("should i have surgery or radiation", False),  # no topics the pack knows
    ],
)
def test_alternatives_between_two_topics(matcher: Matcher, said: str, either: bool) -> None:
    cleaned = clean(said)
    assert (alternatives_at(cleaned, matcher.vocab.spanned_tokens(cleaned)) is not None) == either
    assert (ALTERNATIVES in matcher.match(said).features) == either

