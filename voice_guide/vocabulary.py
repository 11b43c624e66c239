"""What the recognizers are biased toward: phrases and a sentence corpus built from the content.

Built at start-up from the content pack (titles, example questions, keywords), the command phrases
and the safety triggers, plus general everyday sentences that are *not* about the content. The
general sentences matter as much as the domain ones: they give out-of-domain speech words of its
own to come out as, so it is rejected by the matcher instead of being forced into a section.

Pure: no engine imports. ``language_model_arpa`` turns a corpus into a trigram model (interpolated
Kneser-Ney, written in ARPA back-off form) for decoders that take one.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Sequence

from voice_guide.commands import CHOICE_COMMANDS, GLOBAL_COMMANDS, load_commands
from voice_guide.content import Library
from voice_guide.features import load_neutral
from voice_guide.safety import load_safety
from voice_guide.spelling import content_words
from voice_guide.text import stem

GENERAL_TEXT = """
what is the weather like today / will it be sunny this afternoon / it looks like rain outside / is it cold out there
do i need an umbrella / how hot is it going to get this weekend / the snow is supposed to start tonight
what time does the clinic close / what time is my appointment / how long is the wait / is the doctor running late
when will they call my name / i have been waiting for an hour / where do i check in / where is the front desk
where is the elevator / which floor is the pharmacy on / where can i park my car / how much does parking cost
where are the restrooms / is there a bathroom on this floor / where is the coffee shop / can i get something to eat here
is the cafeteria open / where can i buy a snack / is there a vending machine nearby / where can i get a glass of water
can i charge my phone here / can you call a taxi for me / when does the next bus leave
how do i get to the train station / where is the main entrance / where is the exit / 
where do i go for my blood draw / where is the radiology department / how do i get to the infusion center
is there a chapel in the building / what are the visiting hours / can my kids come with me / turn on the television
change the channel please / what is on the news / play my favorite song / tell me a funny story
tell me something interesting / sing me a song / who are you / what is your name / are you a robot / are you a real person
how old are you / do you like music / what is your favorite color / what day of the week is it / what is the date today
what month is it / what year is it / set a timer for ten minutes / wake me up at six in the morning
remind me to take my keys / add milk to my shopping list / call my daughter / send a text message to my son
what is the phone number for the hospital / how do i pay my bill / can i pay with a credit card
who do i talk to about my bill / where is the billing office / does my insurance cover this visit
how much will this cost me / can i get a receipt / how do i fill out this form / i forgot my glasses / i lost my wallet
has anyone seen my phone / my car keys are missing / who won the basketball game / when does the baseball season start
who is playing on sunday / how did the home team do / what movies are playing this weekend / recommend a good book
who wrote this novel / what is the best restaurant in town / order me some food / how do i cook rice
what is a good recipe for chicken soup / how many feet are in a mile / what is two plus two / how far away is the moon
why is the sky blue / who was the first president / what language do they speak in brazil
how tall is the tallest mountain / how many people live in the city / tell me about the history of this town
how do airplanes fly / how does a computer work / can you translate this into spanish
what does this word mean / what is the meaning of life / i like your voice / this is a nice building
the chairs here are uncomfortable / it is too cold in this room / it is too warm in here / the lights are too bright
my feet hurt from walking / i am tired of waiting / i am hungry / i am thirsty / my ride is outside
my husband is parking the car / my wife will be here soon / my son drove me today / my friend came with me
we came from out of town / the traffic was terrible this morning / the drive took two hours / i took the bus here
how much chemo will i need / what are the side effects of chemotherapy / will i lose my hair / will radiation make me tired
how long does radiation take / what foods should i avoid / can i drink alcohol during treatment / should i take vitamins
is it safe to exercise / can i still go to work / how do i apply for disability / will my insurance pay for the medicine
how much does the medicine cost / what is the dose of my pill / how many tablets should i take / can i take ibuprofen
what should i take for nausea / what helps with constipation / how do i manage the pain / what are the chances it will work
how long will i live / what is my life expectancy / what is the survival rate / is this cancer curable / can this be cured
what is the prognosis / will i die from this / how long do i have left / what stage am i
is there a clinical trial i can join / how do clinical trials work / what is immunotherapy / what is hormone therapy
what is targeted therapy / should i have surgery / what about a mastectomy / how do i take care of my port
what happens during an infusion / how long is each infusion / is breast cancer hereditary
should my sister be tested for the gene / do men get breast cancer / can i see a dietitian
where is the social worker / who can help me with transportation / i need a refill on my prescription
when is my next scan / when will i get my results / can i see my test results online / how do i use the patient portal
i need to reschedule my appointment / i need to cancel my appointment / is my doctor in today
my blood pressure is high / my sugar is low / i have a headache / i feel a little dizzy
i have been coughing a lot / i have a cold / i think i have the flu / my throat is sore
i did not sleep well last night / i have been very tired lately / my hands are cold / i have a rash on my arm
my legs are swollen / i am allergic to penicillin / do i need a flu shot / should i get a vaccine / do i need to wear a mask
can my dog come in / i need a wheelchair / can someone help me walk / is there a ramp for wheelchairs
i was asking about something else / nothing / nothing at all
i do not know / maybe later / not right now / let me think about it / hello / hi there / good morning / good afternoon
how are you today / i am fine thank you / nice to meet you / how is it going / that is funny / that is interesting
oh really / i see / all right / sounds good / got it / i understand / makes sense / sorry about that
i have a question / can i ask you something / 
my phone is ringing / someone is calling me / the music is too loud in here
they are calling my number / is it my turn yet
i am next in line / please sit down / have a seat over there / sign in on the clipboard
fill in your name and date of birth / please show your insurance card / your copay is twenty dollars
the doctor will see you now / step on the scale please / roll up your sleeve
we will take your temperature / the lab is down the hall / turn left at the end of the hallway / go up to the third floor
the elevator is around the corner / take the stairs to the second floor / it is next to the main lobby
the parking garage is across the street
"""
"""Everyday sentences a waiting room hears that the content does not answer (slash-separated)."""

_CONTRACT = (("can not", "can't"), ("do not", "don't"), ("does not", "doesn't"), ("will not", "won't"),
             ("is not", "isn't"), ("i am", "i'm"), ("would not", "wouldn't"), ("could not", "couldn't"),
             ("what is", "what's"), ("it is", "it's"), ("that is", "that's"), ("there is", "there's"))
_DIGITS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
_ORDINALS = ("zeroth", "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth")
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_GAP = "\x00"
_ANY_WORD = "\x01"
STEM = "*"
"""Ends a word stem in a phrase spelled out from a pattern ("suicid*" from ``suicid\\w*``); a
recognizer's dictionary completes it (see :func:`restrict`)."""
_ENDINGS = ("", "e", "s", "es", "ed", "ing", "al", "ally", "ion", "ions", "is", "ive", "y", "ic", "xis", "ctic", "ness")
_FORMS_PER_STEM = 6
_VARIANTS_PER_SENTENCE = 12


def number_words(n: int) -> str:
    """0-999 as spoken words ("one hundred four"); larger numbers digit by digit."""
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return _TEENS[n - 10]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _DIGITS[n % 10])
    if n < 1000:
        rest = n % 100
        return _DIGITS[n // 100] + " hundred" + ("" if rest == 0 else " " + number_words(rest))
    return " ".join(_DIGITS[int(d)] for d in str(n))


def spoken(text: str, stems: bool = False) -> str:
    """Text as a recognizer writes it: lowercase words and apostrophes, numbers spelled out (and,
    with ``stems``, the :data:`STEM` mark kept at the end of a word)."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"\b(\d)(?:st|nd|rd|th)\b", lambda m: f" {_ORDINALS[int(m.group(1))]} ", text)
    text = re.sub(r"\d+", lambda m: f" {number_words(int(m.group()))} ", text)
    text = re.sub(r"[^a-z'* ]+" if stems else r"[^a-z' ]+", " ", text)
    if stems:
        text = re.sub(r"(?<![a-z])\*+|\*+(?=[a-z'])", " ", text)
    return " ".join(w.strip("'") for w in text.split() if w.strip("'"))


def with_contractions(sentence: str) -> list[str]:
    """The sentence plus its contracted form ("can not breathe" -> "can't breathe")."""
    short = sentence
    for long_form, contracted in _CONTRACT:
        short = re.sub(rf"\b{long_form}\b", contracted, short)
    return [sentence] if short == sentence else [sentence, short]


_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
Joiner = Callable[[list[str], list[str], int], list[str]]


def _group_end(pattern: str, i: int) -> int:
    """Index of the ')' that closes the group opened at ``i`` (or the end)."""
    depth = 0
    while i < len(pattern):
        if pattern[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(pattern[i], 0)
        if depth == 0:
            return i
        i += 1
    return len(pattern)


def _expand(pattern: str, i: int, limit: int, join: Joiner) -> tuple[list[str], int]:
    """Expand a regular expression's alternatives from ``i`` to the closing ')' (or the end)."""
    alts: list[list[str]] = [[""]]
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            nxt = pattern[i + 1 : i + 2]
            i += 2
            if nxt == "b":
                continue
            piece = [" "] if nxt == "s" else [_ANY_WORD] if nxt == "w" else [_GAP] if nxt.isalpha() else [nxt]
        elif pattern.startswith(_LOOKAROUNDS, i):
            i = _group_end(pattern, i) + 1  # a lookaround matches no words of its own
            continue
        elif c == "(":
            j = i + 3 if pattern.startswith("(?:", i) else i + 1
            piece, i = _expand(pattern, j, limit, join)
            i += 1
        elif c == ")":
            break
        elif c == "|":
            alts.append([""])
            i += 1
            continue
        elif c == "[":
            end = pattern.find("]", i + 1)
            i = end + 1 if end > 0 else len(pattern)
            piece = [_GAP]
        elif c in "^$":
            i += 1
            continue
        else:
            piece = [_GAP] if c == "." else [c]
            i += 1
        if pattern.startswith("{", i):
            end = pattern.find("}", i)
            i = end + 1 if end > 0 else len(pattern)
            piece = [_GAP]
        if i < len(pattern) and pattern[i] in "*+":
            piece = piece if piece in ([" "], [_ANY_WORD]) else [_GAP]
            i += 1
        if i < len(pattern) and pattern[i] == "?":
            piece = piece if piece == [" "] else piece + [""]  # an optional space still parts two words
            i += 1
        alts[-1] = join(alts[-1], piece, limit)
    return _interleaved(alts), i


def _joined(heads: list[str], tails: list[str], limit: int) -> list[str]:
    """Every head followed by every tail, at most ``limit``, in order of head index plus tail index, so
    that a cut keeps later heads too rather than only the first head with every tail."""
    out: list[str] = []
    for total in range(len(heads) + len(tails) - 1):
        for h in range(max(0, total - len(tails) + 1), min(total, len(heads) - 1) + 1):
            out.append(heads[h] + tails[total - h])
            if len(out) == limit:
                return out
    return out


def _paired(heads: list[str], tails: list[str], limit: int) -> list[str]:
    """Heads followed by tails, at most ``limit``: each pass gives every head a tail no earlier pass
    used, until every tail has been used, so a cut keeps as many different words as it can."""
    out: list[str] = []
    if not heads or not tails:
        return out
    for start in range(0, len(tails), len(heads)):
        for h, head in enumerate(heads):
            out.append(head + tails[(start + h) % len(tails)])
            if len(out) == limit:
                return out
    return out


def _interleaved(groups: list[list[str]]) -> list[str]:
    """The groups' items taken in turn (first of each, then second of each...)."""
    longest = max(map(len, groups), default=0)
    return [group[k] for k in range(longest) for group in groups if k < len(group)]


def pattern_phrases(pattern: str, limit: int = 40) -> list[str]:
    """Plain phrases a (simple) regular expression matches: alternatives spelled out, wildcards
    treated as breaks, a word's open ending marked as a stem, an optional space kept as a space.
    "\\b(can ?not|unable to) breathe" -> ["can not breathe", "unable to breathe"]; "\\bsuicid\\w*" ->
    ["suicid*"]."""
    return _spelled(pattern, _joined)[:limit]


def pattern_words(pattern: str) -> list[str]:
    """Every word (or stem) a regular expression spells, including those a cut of
    :func:`pattern_phrases` leaves out. "\\b(cough|vomit\\w*) (up )?blood" -> ["cough", "up",
    "blood", "vomit*"]."""
    return list(_pattern_words(pattern))


@lru_cache(maxsize=1024)
def _pattern_words(pattern: str) -> tuple[str, ...]:
    """``pattern_words``, spelled once per pattern: the vocabulary and the matcher both ask at start-up."""
    return tuple(dict.fromkeys(w for phrase in _spelled(pattern, _paired) for w in phrase.split()))


def _spelled(pattern: str, join: Joiner) -> list[str]:
    expanded, _ = _expand(pattern, 0, 500, join)
    out: dict[str, None] = {}  # in order, without repeats
    for text in expanded:
        text = re.sub(f"(?<=[a-z]){_ANY_WORD}(?=[ {_GAP}]|$)", STEM, text).replace(_ANY_WORD, _GAP)
        out.update((phrase, None) for phrase in (" ".join(part.split()) for part in text.split(_GAP)) if phrase)
    return list(out)


def general_sentences() -> tuple[str, ...]:
    return tuple(s.strip() for s in GENERAL_TEXT.replace("\n", " / ").split("/") if s.strip())


@dataclass(frozen=True)
class Vocabulary:
    """Phrases in four groups; every phrase is in :func:`spoken` form."""

    domain: tuple[str, ...]
    """Section titles, example questions and keywords."""
    commands: tuple[str, ...]
    safety: tuple[str, ...]
    general: tuple[str, ...]
    replies: tuple[str, ...] = ()
    """What a reply to a clarification says (see :func:`reply_phrases`); empty means the commands."""
    synonyms: tuple[str, ...] = ()
    """The pack's synonym phrases ("mets", "secondary breast cancer", "what does that stand for"): the
    words the matcher understands, so the recognizer should be able to hear them too."""

    def phrases(self) -> tuple[str, ...]:
        """Domain, command and safety phrases (a grammar's phrase list), without repeats."""
        return tuple(dict.fromkeys(self.domain + self.commands + self.safety))

    def corpus(self, domain_weight: int = 2, safety_weight: int = 1, synonym_weight: int = 1) -> list[str]:
        """Sentences for a language model; domain and commands count ``domain_weight`` times."""
        return (list(self.domain + self.commands) * domain_weight + list(self.safety) * safety_weight
                + list(self.synonyms) * synonym_weight + list(self.general))

    def reply_corpus(self, weight: int = 2) -> list[str]:
        """Sentences for the one language model of clarification replies: the replies ``weight`` times,
        the safety triggers (an emergency said instead of "the first one" must still be heard), then
        everyday talk (so other speech still comes out as other words and is declined)."""
        return list(self.replies or self.commands) * weight + list(self.safety) + list(self.general)

    def reply_phrases(self) -> tuple[str, ...]:
        """A reply grammar's phrases: the replies, then the safety triggers (word stems left out)."""
        return tuple(dict.fromkeys((*(self.replies or self.commands), *(p for p in self.safety if STEM not in p))))

    def words(self) -> set[str]:
        groups = (self.domain, self.commands, self.safety, self.general, self.replies, self.synonyms)
        return {w for group in groups for p in group for w in p.split()}


def _unique(texts: Iterable[str], stems: bool = False) -> tuple[str, ...]:
    return tuple(dict.fromkeys(s for t in texts for s in with_contractions(spoken(t, stems)) if s))


def build_vocabulary(library: Library, extra_commands: Sequence[str] = ()) -> Vocabulary:
    """The vocabulary for ``library``: its sections, every command and safety trigger, everyday talk."""
    domain = _unique(t for s in library.sections for t in (s.title, *s.examples, *s.keywords))
    words = load_commands()
    commands = _unique([p for spec in words.specs.values() for p in spec.phrases]
                       + [p for spec in words.specs.values() for pat in spec.patterns for p in pattern_phrases(pat, 20)]
                       + list(extra_commands), stems=True)
    # A wake phrase (an extra command) is often followed straight away by the question: teach the
    # language model that sequence, at the weight of everyday talk so it does not crowd out the rest.
    wakes = [w for w in (spoken(c) for c in extra_commands) if w]
    woken = _unique(f"{w} {q}" for w in wakes for q in library_questions(library))
    patterns = [pat.pattern for kinds in load_safety(taught_only=True).values() for pat in kinds]
    safety = _unique((p for pat in patterns for p in pattern_phrases(pat)), stems=True)
    # A word the phrases' cut left out could never be heard: it comes in on its own.
    heard = {w for p in safety for w in p.split()}
    safety += tuple(w for w in _unique((w for pat in patterns for w in pattern_words(pat)), stems=True) if w not in heard)
    synonyms = _unique(t for variants in library.synonyms.values() for t in variants)
    general = _unique(general_sentences()) + woken
    # "spell <word>" only for words the recognizer hears anyway: every new word is one more that other
    # speech can be misheard as ("testing for spread" as "testing fourth ...").
    known = {w for group in (domain, commands, safety, general, synonyms) for p in group for w in p.split()}
    commands += tuple(p for p in spelling_phrases(library) if p.split()[1] in known)
    return Vocabulary(domain, commands, safety, general, reply_phrases(library, extra_commands), synonyms)


def reply_phrases(library: Library, extra_commands: Sequence[str] = ()) -> tuple[str, ...]:
    """Everything a reply to "Did you mean A or B?" may say, for *any* A and B: yes, no and the
    ordinals in all their forms, every section's title and keywords (its short names), and the
    commands. One fixed set, so a recognizer builds its reply model once at start-up instead of one
    per set of choices; the dialogue narrows the meaning to the choices actually offered."""
    specs = load_commands().specs
    choices = [p for name in CHOICE_COMMANDS if name in specs
               for p in (*specs[name].phrases, *(q for pat in specs[name].patterns for q in pattern_phrases(pat, 40)))]
    commands = [p for name in GLOBAL_COMMANDS if name in specs for p in (name, *specs[name].phrases)]
    topics = [t for s in library.sections for t in (s.title, *s.keywords)]
    return _unique([*choices, *topics, *commands, *extra_commands])


SPELLED_LETTERS = 6
"""Content words this long are taught to the recognizers after "spell" ("spell biopsy")."""


def spelling_phrases(library: Library) -> list[str]:
    """"spell <word>" for every content word of the titles and answers worth spelling out: at least
    ``SPELLED_LETTERS`` letters and not everyday English, so "spell oncologist" can be heard (the
    vocabulary keeps those whose word it has anyway)."""
    everyday = load_neutral().stems
    words = dict.fromkeys(w for s in library.sections for text in (s.title, *s.answer)
                          for w in content_words(text, lambda w: stem(w) in everyday, SPELLED_LETTERS))
    return [f"spell {w}" for w in words]


def library_questions(library: Library) -> list[str]:
    return [q for s in library.sections for q in s.examples]


def completed(sentence: str, known: Callable[[str], bool]) -> list[str]:
    """The sentence with each word stem ("suicid*") completed into the words the recognizer knows
    ("suicide", "suicides", "suicidal"), one sentence per combination; a stem with no known word is
    left as it is (and so unknown)."""
    variants = [""]
    for word in sentence.split():
        forms = [word]
        if word.endswith(STEM):
            stem = word[: -len(STEM)]
            forms = [w for w in dict.fromkeys(stem + e for e in _ENDINGS) if known(w)][:_FORMS_PER_STEM] or [word]
        variants = [f"{v} {f}".strip() for v in variants for f in forms][:_VARIANTS_PER_SENTENCE]
    return variants


def restrict(sentences: Iterable[str], known: Callable[[str], bool]) -> list[str]:
    """Sentences with their stems completed (see :func:`completed`), cut at words the recognizer
    cannot say (the pieces are kept, not the gap)."""
    out = []
    for sentence in sentences:
        for variant in completed(sentence, known) if STEM in sentence else [sentence]:
            piece: list[str] = []
            for word in variant.split() + [""]:
                if word and not word.endswith(STEM) and known(word):
                    piece.append(word)
                elif piece:
                    out.append(" ".join(piece))
                    piece = []
    return out


def language_model_arpa(sentences: Sequence[str]) -> str:
    """A trigram model of ``sentences`` (interpolated Kneser-Ney) as ARPA text."""
    tri: Counter[tuple[str, str, str]] = Counter()
    bi_raw: Counter[tuple[str, str]] = Counter()
    for sentence in sentences:
        w = ["<s>", *sentence.split(), "</s>"]
        bi_raw.update(zip(w, w[1:]))
        tri.update(zip(w, w[1:], w[2:]))
    if not bi_raw:
        raise ValueError("no sentences to build a language model from")
    left_of_bigram: Counter[tuple[str, str]] = Counter((v, x) for (_, v, x) in tri)
    # Continuation counts for bigrams; a bigram after <s> has no left context, so it keeps its count.
    bi = {k: n if k[0] == "<s>" else max(left_of_bigram[k], 1) for k, n in bi_raw.items()}
    uni: Counter[str] = Counter(x for (_, x) in bi_raw)

    def discount(counts: Iterable[int]) -> float:
        """Kneser-Ney's D = n1 / (n1 + 2 n2), kept away from 0 and 1 so every context can back off."""
        c = Counter(counts)
        return min(0.9, max(0.1, c[1] / (c[1] + 2 * c[2]))) if c[1] + c[2] else 0.5

    d1, d2, d3 = discount(uni.values()), discount(bi.values()), discount(tri.values())
    total1 = sum(uni.values())
    words = sorted(uni)
    p1 = {w: max(uni[w] - d1, 0) / total1 + d1 * len(uni) / total1 / len(words) for w in words}
    ctx2: defaultdict[str, float] = defaultdict(float)
    n_ctx2: Counter[str] = Counter()
    for (v, _), n in bi.items():
        ctx2[v] += n
        n_ctx2[v] += 1
    gamma2 = {v: d2 * n_ctx2[v] / ctx2[v] for v in ctx2}
    p2 = {(v, x): max(n - d2, 0) / ctx2[v] + gamma2[v] * p1[x] for (v, x), n in bi.items()}
    ctx3: defaultdict[tuple[str, str], float] = defaultdict(float)
    n_ctx3: Counter[tuple[str, str]] = Counter()
    for (u, v, _), n in tri.items():
        ctx3[(u, v)] += n
        n_ctx3[(u, v)] += 1
    gamma3 = {k: d3 * n_ctx3[k] / ctx3[k] for k in ctx3}
    p3 = {(u, v, x): max(n - d3, 0) / ctx3[(u, v)] + gamma3[(u, v)] * p2[(v, x)] for (u, v, x), n in tri.items()}

    def log(p: float) -> str:
        return f"{math.log10(p):.4f}"

    lines = ["\\data\\", f"ngram 1={len(words) + 1}", f"ngram 2={len(p2)}", f"ngram 3={len(p3)}", "", "\\1-grams:",
             f"-99.0000 <s> {log(gamma2['<s>'])}"]
    lines += [f"{log(p1[w])} {w}" + (f" {log(gamma2[w])}" if w in gamma2 else "") for w in words]
    lines += ["", "\\2-grams:"]
    lines += [f"{log(p)} {v} {x}" + (f" {log(gamma3[(v, x)])}" if (v, x) in gamma3 else "") for (v, x), p in sorted(p2.items())]
    lines += ["", "\\3-grams:"]
    lines += [f"{log(p)} {' '.join(k)}" for k, p in sorted(p3.items())]
    return "\n".join(lines + ["", "\\end\\", ""])
