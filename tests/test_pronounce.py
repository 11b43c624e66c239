"""Pronunciations for words a recognizer's dictionary lacks, spelled from words it has."""

from __future__ import annotations

from voice_guide.pronounce import LETTERS, pronounce

DICTIONARY = {
    "med": "M EH D", "vomit": "V AA M AH T", "heavy": "HH EH V IY", "squeeze": "S K W IY Z", "stop": "S T AA P",
    "work": "W ER K", "up": "AH P", "bus": "B AH S", "thin": "TH IH N", "talk": "T AO K",
}


def lookup(word: str) -> str | None:
    return DICTIONARY.get(word)


def test_a_known_word_keeps_its_own_pronunciation() -> None:
    assert pronounce("vomit", lookup) == "V AA M AH T"


def test_endings_follow_the_last_sound_of_the_stem() -> None:
    assert pronounce("meds", lookup) == "M EH D Z"
    assert pronounce("talks", lookup) == "T AO K S"
    assert pronounce("buses", lookup) == "B AH S IH Z"
    assert pronounce("vomited", lookup) == "V AA M AH T IH D"
    assert pronounce("talked", lookup) == "T AO K T"
    assert pronounce("squeezed", lookup) == "S K W IY Z D"
    assert pronounce("stopped", lookup) == "S T AA P T"
    assert pronounce("squeezing", lookup) == "S K W IY Z IH NG"
    assert pronounce("heaviness", lookup) == "HH EH V IY N AH S"
    assert pronounce("thinners", lookup) == "TH IH N ER Z"


def test_abbreviations_are_read_letter_by_letter() -> None:
    assert pronounce("mbc", lookup) == "EH M B IY S IY"
    assert pronounce("mbc", lookup) == " ".join(LETTERS[c] for c in "mbc")
    assert pronounce("od", lookup) is None  # two letters with a vowel: too easily heard in noise


def test_no_rule_no_pronunciation() -> None:
    assert pronounce("xylophonic", lookup) is None
    assert pronounce("don't", lookup) is None
    assert pronounce("strengths", lookup) is None
    assert pronounce("workup", lookup) is None  # not split: "these at" glued by a pattern would be one word
