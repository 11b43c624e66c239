"""Text normalisation shared by the matcher and the speech-side vocabulary. Pure functions."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

MAX_UTTERANCE_CHARS = 1000
"""Longer input is cut: no spoken question is longer, and matching work stays bounded."""

_CONTRACTIONS = [
    (r"\bcan't\b", "can not"),
    (r"\bcannot\b", "can not"),
    (r"\bwon't\b", "will not"),
    (r"\bshan't\b", "shall not"),
    (r"\bain't\b", "is not"),
    (r"n't\b", " not"),
    (r"\b(it|that|what|there|here|he|she|who|where|how|this|when|why)'s\b", r"\1 is"),
    (r"\blet's\b", "let us"),
    (r"'re\b", " are"),
    (r"'m\b", " am"),
    (r"'ve\b", " have"),
    (r"'ll\b", " will"),
    (r"'d\b", " would"),
    (r"'s\b", ""),
    (r"s'\s", "s "),
]
_CONTRACTION_RES = [(re.compile(p), r) for p, r in _CONTRACTIONS]
# Spoken forms without the apostrophe, as recognizers often produce them.
_BARE = {
    "cannot": "can not", "cant": "can not", "wont": "will not", "dont": "do not", "doesnt": "does not", "didnt": "did not",
    "isnt": "is not", "arent": "are not", "wasnt": "was not", "werent": "were not", "aint": "is not",
    "im": "i am", "ive": "i have", "youre": "you are", "youve": "you have", "theyre": "they are",
    "theyve": "they have", "weve": "we have", "hes": "he is", "shes": "she is", "thats": "that is",
    "whats": "what is", "theres": "there is", "wheres": "where is", "whos": "who is", "hows": "how is",
    "couldnt": "could not", "shouldnt": "should not", "wouldnt": "would not", "hasnt": "has not",
    "havent": "have not", "hadnt": "had not", "mustnt": "must not",
    # Spoken and typed shorthand.
    "wanna": "want to", "gonna": "going to", "gotta": "got to", "kinda": "kind of", "sorta": "sort of",
    "lemme": "let me", "gimme": "give me", "dunno": "do not know", "u": "you", "ur": "your",
    "pls": "please", "plz": "please", "thx": "thanks", "ya": "you",
}
_NUMBERS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six",
    "7": "seven", "8": "eight", "9": "nine", "10": "ten", "iv": "four", "iii": "three",
}
FILLERS = frozenset({"um", "umm", "uhm", "uh", "uhh", "er", "erm", "hm", "hmm", "mm", "ah", "ahh", "eh", "oh", "shh", "shhh"})

STOPWORDS = frozenset(
    """a an the is are am was were be been being do does did doing i me my mine myself you your yours
    it its itself this that these those what which who whom of to in on at for with about by from and or
    but if so as can could would should will shall may might must have has had having there here he she
    his her hers him they them their theirs we us our ours please just really very some any all also
    too then than now well like get got getting go going want wanted wondering wonder know tell me
    okay ok yeah hi hello guide hey thanks thank im id not no yes one how why when whether either neither
    whose into onto upon via per""".split()
)
# Words kept although common: they carry meaning for this domain.
KEEP = frozenset({"where", "same", "before", "again", "other", "another", "new", "different", "second", "first", "back", "still", "more"})


_HOMOPHONES = [
    # Recognizers write "too" as "to": "i took to many pills", "you are going to fast".
    (re.compile(r"\bto (many|much|fast|slow|loud|quiet|soft|late|early|high|low|weak|tired|bad)\b"), r"too \1"),
    # "were does it spread", "wear can i find": a question opening with where.
    (re.compile(r"^(were|wear) (does|do|did|can|could|is|are|else|would|should|will)\b"), r"where \2"),
    # "how do they no if": know, unless it is "no longer", "no more", ...
    (re.compile(r"\b(do|does|did|they|you|we|doctors|to) no\b(?! (longer|more|one|matter|way|idea|doubt|point|reason))"), r"\1 know"),
    # "what tests will they due to sea if it spread": do, see.
    (re.compile(r"\b(they|you|we|i|doctors|will|would|can|could) due\b"), r"\1 do"),
    (re.compile(r"\bsea (if|whether|what|how|where|it|the)\b"), r"see \1"),
]


def clean(text: str) -> str:
    """Lowercase, expand contractions, drop punctuation and fillers; one space between words."""
    text = unicodedata.normalize("NFKC", text[: MAX_UTTERANCE_CHARS * 4])
    if not text.isprintable():
        text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    if "'" in text:  # most text has no contraction: skip the patterns
        for pattern, repl in _CONTRACTION_RES:
            text = pattern.sub(repl, text)
    text = re.sub(r"[^\w' ]+", " ", text)
    text = text.replace("'", " ").replace("_", " ")
    words = []
    for word in text.split():
        if word in FILLERS:
            continue
        word = _BARE.get(word, word)
        words.extend(_NUMBERS.get(word, word).split())
    text = " ".join(words)
    for pattern, repl in _HOMOPHONES:
        text = pattern.sub(repl, text)
    return text[:MAX_UTTERANCE_CHARS]


_STEMMER = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word))


def content_words(cleaned: str) -> list[str]:
    """Words that carry meaning (stopwords dropped, domain words kept)."""
    return [w for w in cleaned.split() if w in KEEP or w not in STOPWORDS]


def contains_phrase(cleaned: str, phrase: str) -> bool:
    """Whole-word phrase test on cleaned text."""
    return f" {phrase} " in f" {cleaned} "


QUESTION_WORDS = frozenset("how what why where which who whether".split())
AUXILIARIES = frozenset("is are was were can could will would does do did should has have might may".split())
SUBJECTS = frozenset("it this that they i she he we you there these those".split())
CLAUSE_JOINS = frozenset("and but so".split())
STORY_MIN_WORDS = 4
"""Words of story needed before a question clause counts as one."""


def question_start(cleaned: str) -> int:
    """Where the question starts after a story, as a word position in ``cleaned``; 0 if there is no story.

    A question opens with a question word ("how do they ...") or an auxiliary and its subject
    ("is it ...", "could this ..."), not straight after another opening ("how do they"). The
    question is the first opening after the story's last "and", "but" or "so": "... and now her
    back hurts and they found something how do they work out what it is" asks "how do they work
    out what it is". A question word inside a question that opens the utterance opens a clause of
    it, not a new question: "what do they do to figure out whether it spread" has no story.
    """
    words = cleaned.split()
    opens = []
    open_clause = False
    for i, w in enumerate(words):
        if w in CLAUSE_JOINS:
            open_clause = False
        after_opening = i > 0 and (words[i - 1] in QUESTION_WORDS or words[i - 1] in AUXILIARIES)
        subject_next = i + 1 < len(words) and words[i + 1] in SUBJECTS
        if (w in QUESTION_WORDS or (w in AUXILIARIES and subject_next)) and not after_opening and not open_clause:
            opens.append(i)
            open_clause = i == 0  # "what do they do to figure out whether ...": one question, not a story
    joins = [i for i, w in enumerate(words) if w in CLAUSE_JOINS]
    last_join = joins[-1] if joins else 0
    later = [i for i in opens if i > last_join]
    start = later[0] if later else max((i for i in opens if i < last_join), default=0)
    return start if start >= STORY_MIN_WORDS else 0
