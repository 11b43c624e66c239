"""Spelling words out letter by letter ("spell metastatic"), as talking books and screen readers do.

A listener who hears a word such as "oncologist" may need its letters to look it up, write it
down or say it to a care team. Spelling says nothing medical: only the letters of a word the
visitor named, or of the long words the guide has just read (``spell that``).

Pure: cleaned text in, words and letters out.
"""

from __future__ import annotations

import re
from typing import Callable

from voice_guide.text import STOPWORDS

MAX_SPELLED_WORDS = 3
"""At most this many words are spelled from one request ("spell metastatic breast cancer")."""
HARD_WORD_LETTERS = 8
"""A word of the guide's own text this long, and not everyday English, counts as hard to spell."""
MAX_HARD_WORDS = 3
"""``spell that`` spells at most this many of the words just read (the longest)."""
MAX_WORD_LETTERS = 30
"""Longer "words" are not spelled (no one asks for 31 letters)."""

_LEAD = r"(?:(?:please|now|okay|ok|so|can you|could you|would you|will you) )*"
_TAIL = r"(?: (?:please|for me|again|out|thanks|thank you))*"
_ASKS = (
    # "spell", "spell please", "spell it again": the words just read
    rf"{_LEAD}spell(?: (?:it|that|this|them|those))?{_TAIL}",
    # "spell out tamoxifen"; "spell out side effects" asks to be told them, so only one word
    rf"{_LEAD}spell out (?:the word )?(?P<one>[^ ]+){_TAIL}",
    rf"{_LEAD}spell (?!out )(?:the word |the name |for me )?(?P<w>.+?){_TAIL}",
    rf"how (?:do|would|can|could|should|does) (?:you|i|we|one|they|it) spell (?:the word )?(?P<w>.+?){_TAIL}",
    rf"how (?:is|are) (?:the word )?(?P<w>.+?) (?:spelled|spelt){_TAIL}",
    rf"(?:what is|give me|tell me|say) the spelling (?:of|for) (?:the word )?(?P<w>.+?){_TAIL}",
)
_PATTERNS = tuple(re.compile(p) for p in _ASKS)
REFERENTS = frozenset({"that", "it", "this", "that word", "this word", "the word", "those", "these", "those words",
                       "these words", "the words", "them", "that one", "the last word", "the long words", "the hard words"})
"""What "spell that" may call the words just read."""


def spell_request(cleaned: str) -> tuple[str, ...] | None:
    """The words a request asks to have spelled ("spell metastatic" -> ("metastatic",)); ``()`` for
    "spell that" or a bare "spell" (the words just read); None if the utterance asks for no spelling.

    "spell out" takes one word: "spell out side effects" asks to be told them, not for letters.
    """
    for pattern in _PATTERNS:
        found = pattern.fullmatch(cleaned)
        if found is None:
            continue
        said = found.groupdict().get("one") or found.groupdict().get("w")
        if not said or said in REFERENTS:
            return ()
        words = tuple(said.split())
        if len(words) > MAX_SPELLED_WORDS or not all(_spellable(w) for w in words):
            return None
        return words
    return None


def _spellable(word: str) -> bool:
    return 0 < len(word) <= MAX_WORD_LETTERS and word.isalnum()


def letters(word: str) -> str:
    """"her2" -> "H, E, R, 2": letter names with a pause between them, as a synthesizer reads them."""
    return ", ".join(c.upper() for c in word)


def shown(word: str) -> str:
    """"metastatic" -> "Metastatic"; letters and digits together are a name in capitals ("her2" ->
    "HER2", "brca1" -> "BRCA1"), but an ordinal is not ("2nd")."""
    named = re.search(r"[a-z]", word) and re.search(r"\d", word) and not re.fullmatch(r"\d+(st|nd|rd|th)", word)
    return word.upper() if named else word.capitalize()


def hard_words(text: str, everyday: Callable[[str], bool]) -> tuple[str, ...]:
    """The longest words of ``text`` that are hard to spell, in the order they are read: at least
    ``HARD_WORD_LETTERS`` letters and not everyday English (``everyday``), at most ``MAX_HARD_WORDS``."""
    found: dict[str, int] = {}  # word -> where it is first read
    for at, word in enumerate(content_words(text, everyday)):
        if len(word) >= HARD_WORD_LETTERS:
            found.setdefault(word, at)
    longest = sorted(found, key=lambda w: (-len(w), found[w]))[:MAX_HARD_WORDS]
    return tuple(sorted(longest, key=found.__getitem__))


def content_words(text: str, everyday: Callable[[str], bool], shortest: int = 1) -> list[str]:
    """The words of ``text`` that are neither joining words nor everyday English, as read, at least
    ``shortest`` letters long."""
    return [w for w in re.findall(r"[a-z]+", text.lower()) if len(w) >= shortest and w not in STOPWORDS and not everyday(w)]
