from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_guide.text import MAX_UTTERANCE_CHARS, clean, contains_phrase, content_words, stem


@pytest.mark.parametrize(
    ("said", "cleaned"),
    [
        ("I can't breathe!", "i can not breathe"),
        ("cant breath", "can not breath"),
        ("He won't respond.", "he will not respond"),
        ("she isn't moving", "she is not moving"),
        ("isnt moving", "is not moving"),
        ("hes not breathing", "he is not breathing"),
        ("I'd rather be dead", "i would rather be dead"),
        ("you're going too slow", "you are going too slow"),
        ("That's it for now", "that is it for now"),
        ("im done bye", "i am done bye"),
        ("I wanna go", "i want to go"),
        ("theyre gonna biopsy it", "they are going to biopsy it"),
        ("my mom's liver", "my mom liver"),
        ("Um, uh... what's stage IV?", "what is stage four"),
        ("stage 4", "stage four"),
        ("shh stop it", "stop it"),
        ("second-opinion", "second opinion"),
        ("can u repeat pls", "can you repeat please"),
        ("It\u2019s in my bones", "it is in my bones"),
        ("   ", ""),
        # recognizer slips
        ("i took to many pills", "i took too many pills"),
        ("were does it spread", "where does it spread"),
        ("we were told", "we were told"),
        ("how do they no if its metastatic", "how do they know if its metastatic"),
        ("its initiatives", "its initiatives"),
        ("i no longer want to live", "i no longer want to live"),
    ],
)
def test_clean(said: str, cleaned: str) -> None:
    assert clean(said) == cleaned


def test_clean_bounds_length() -> None:
    assert len(clean("word " * 10_000)) <= MAX_UTTERANCE_CHARS


def test_content_words_drop_stopwords_but_keep_domain_words() -> None:
    assert content_words("is it the same as before") == ["same", "before"]
    assert content_words("what is a second primary") == ["second", "primary"]


def test_contains_phrase_is_whole_word() -> None:
    assert contains_phrase("my surgery was years ago", "surgery")
    assert not contains_phrase("it is curable", "cure")
    assert contains_phrase("a second opinion please", "second opinion")


def test_stem_groups_word_forms() -> None:
    assert stem("spreading") == stem("spreads") == stem("spread")
    assert stem("diagnosed") == stem("diagnosing")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_clean_is_idempotent_and_plain(text: str) -> None:
    once = clean(text)
    assert clean(once) == once
    assert once == once.strip()
    assert "  " not in once
    assert once == once.lower()
