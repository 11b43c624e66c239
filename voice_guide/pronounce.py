"""Pronunciations for words a recognizer's dictionary lacks, built from words it has.

A content pack and the safety triggers use words a stock dictionary may not hold: abbreviations
said letter by letter ("mbc") and inflections ("meds", "vomited", "heaviness"). A word the
dictionary lacks cannot be heard at all, so it is better spelled from its parts: the letters'
names, or the stem's phones plus the ending's. Words run together ("workup") are left alone:
splitting a word into two known ones also gave glued pattern pieces ("isblurry") a pronunciation,
and such non-words then turned up in transcripts.

Pure: the dictionary comes in as a lookup function (word -> ARPAbet phones, or None).
"""

from __future__ import annotations

from typing import Callable

Lookup = Callable[[str], "str | None"]

LETTERS = {
    "a": "EY", "b": "B IY", "c": "S IY", "d": "D IY", "e": "IY", "f": "EH F", "g": "JH IY", "h": "EY CH",
    "i": "AY", "j": "JH EY", "k": "K EY", "l": "EH L", "m": "EH M", "n": "EH N", "o": "OW", "p": "P IY",
    "q": "K Y UW", "r": "AA R", "s": "EH S", "t": "T IY", "u": "Y UW", "v": "V IY", "w": "D AH B AH L Y UW",
    "x": "EH K S", "y": "W AY", "z": "Z IY",
}
"""Each letter's name, as said when a word is spelled out."""

_SIBILANT = {"S", "Z", "SH", "ZH", "CH", "JH"}
_VOICELESS = {"P", "T", "K", "F", "TH", "S", "SH", "CH", "HH"}
_ABBREVIATION_LETTERS = 4
"""Longest word with no vowel that is read as letters ("mbc"); longer ones are left alone. Two-letter
words with a vowel ("od", "iv") are not: as letters they are short enough to be heard in any noise."""
_SHORTEST_STEM = 2


def pronounce(word: str, lookup: Lookup) -> str | None:
    """Phones for ``word`` from known words, or None when no rule applies."""
    known = lookup(word)
    if known:
        return known
    if not word.isalpha():
        return None
    if len(word) <= _ABBREVIATION_LETTERS and not any(v in word for v in "aeiouy"):
        return " ".join(LETTERS[c] for c in word)
    return _inflected(word, lookup)


def _inflected(word: str, lookup: Lookup) -> str | None:
    for ending, bases in _ENDINGS:
        if not word.endswith(ending) or len(word) - len(ending) < _SHORTEST_STEM:
            continue
        stem = word[: -len(ending)]
        for base in bases(stem):
            phones = lookup(base)
            if phones:
                return f"{phones} {_ending_phones(ending, phones.split()[-1])}"
    return None


def _ending_phones(ending: str, last: str) -> str:
    last = last.rstrip("012")
    if ending in ("s", "es"):
        return "IH Z" if last in _SIBILANT else "S" if last in _VOICELESS else "Z"
    if ending in ("ed", "d"):
        return "IH D" if last in ("T", "D") else "T" if last in _VOICELESS else "D"
    return _SUFFIX_PHONES[ending]


_SUFFIX_PHONES = {"ing": "IH NG", "ness": "N AH S", "er": "ER", "ers": "ER Z", "ly": "L IY"}


def _same(stem: str) -> list[str]:
    return [stem]


def _e_dropped(stem: str) -> list[str]:
    """"vomit" + "ed", "squeez" + "ed" (squeeze), "stopp" + "ed" (stop), "heavi" + "ness" (heavy)."""
    bases = [stem, stem + "e"]
    if len(stem) > 2 and stem[-1] == stem[-2]:
        bases.append(stem[:-1])
    if stem.endswith("i"):
        bases.append(stem[:-1] + "y")
    return bases


_ENDINGS: tuple[tuple[str, Callable[[str], list[str]]], ...] = (
    ("ness", _e_dropped), ("ers", _e_dropped), ("ing", _e_dropped), ("es", _e_dropped), ("ed", _e_dropped),
    ("er", _e_dropped), ("ly", _e_dropped), ("s", _same), ("d", _same),
)

