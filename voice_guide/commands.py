"""Command recognition: an utterance is a command only when the whole of it is one.

After polite words are dropped it must be a run of one command's phrases or patterns
(``data/commands.yaml``); failing that, only that command's head words plus filler; failing that,
a short utterance with a word nobody knows may be repaired onto a command phrase.

When the utterance is no question either, ``read_with_stray`` lets one stray word stand before
or after a command phrase, the way a recognizer often hears a short command ("they slower please"),
or one word of a longer phrase be misheard ("can you a your voice").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, Iterable

from rapidfuzz import fuzz, process

from voice_guide.data_files import load_data, texts
from voice_guide.text import clean

MAX_COMMAND_WORDS = 12
"""Longer utterances are never read as commands."""
MAX_HEAD_WORDS = 8
"""Only this short an utterance is read as a command from its head words alone."""
HEAD_CONFIDENCE = 0.9
MAX_FUZZY_COMMAND_WORDS = 5
"""Only this short an utterance is repaired onto a command phrase by fuzzy matching."""
MAX_STRAY_WORDS = 6
"""Only this short an utterance is read as a command phrase with a stray word at one end, or with
one of its words misheard."""
MIN_NEAR_PHRASE_WORDS = 3
"""Only a command phrase this long may be read with one of its words misheard: "can you a your voice"
is "can you lower your voice", but in a two-word phrase one word is too little to go on."""
NEAR_CONFIDENCE = 0.8
"""Confidence of a command read from a near hearing: with a stray word, or only in a runner-up hearing."""

GLOBAL_COMMANDS = ("help", "repeat", "stop", "slower", "faster", "louder", "softer", "topics", "more", "goodbye", "next", "previous",
                   "beginning", "where", "spell", "brief", "full", "normal")
CHOICE_COMMANDS = ("yes", "no", "first", "second", "third", "last", "other", "unsure", "either")
SOCIAL_COMMANDS = ("thanks", "hello", "here")
"""Owed a short reply, never a medical fallback: "thank you", "hello", "I'm still here"."""
STEP_COMMANDS = ("slower", "faster", "louder", "softer")
"""Commands that change how the guide speaks: they may come with another ("say that again slower")."""
STEPPED_COMMANDS = ("repeat", "more", "next", "previous", "beginning", "spell")
"""Commands a step may come with."""
_JOINS = frozenset({"and", "then", "but"})
STRAY_COMMANDS = tuple(c for c in GLOBAL_COMMANDS if c not in ("goodbye", "where", "spell", "brief", "full", "normal"))
"""Commands a reading with a stray word may give: not goodbye, which ends the visitor's session
("i'm done fighting" is not "i'm done"), and not those whose phrases a question starts with ("what
is this rash" is not "what is this topic", "where am i bleeding" not "where am i")."""
_QUESTION_WORDS = frozenset("why when how what where who which whose should could would can do does did is are".split())
"""A stray word that asks: "why stop" is a question, not "stop"."""


@dataclass(frozen=True)
class CommandSpec:
    """One command: exact phrases, whole-piece patterns, head words, and its keyboard keys."""

    name: str
    phrases: tuple[str, ...]
    keys: tuple[str, ...]
    patterns: tuple[str, ...] = ()
    heads: tuple[str, ...] = ()
    untaught: tuple[str, ...] = ()
    """Patterns read as ``patterns`` are, but not taught to the recognizers: rarer, longer wordings,
    whose every variant in the language model would pull other speech toward them."""

    def grammar(self) -> re.Pattern[str]:
        """Matches a run of one or more pieces, each a phrase or a pattern of this command."""
        patterns = self.patterns + self.untaught
        piece = "|".join([re.escape(p) for p in self.phrases] + [f"(?:{p})" for p in patterns])
        return re.compile(f"(?:{piece})(?: (?:{piece}))*")


@dataclass(frozen=True)
class CommandWords:
    """Everything read from ``data/commands.yaml``."""

    specs: dict[str, CommandSpec]
    polite: tuple[str, ...]
    interjections: frozenset[str]
    filler: frozenset[str] = frozenset()


def load_commands() -> CommandWords:
    data = load_data("commands.yaml")
    specs = {
        str(name): CommandSpec(
            str(name),
            tuple(clean(p) for p in texts(spec["phrases"], f"commands.yaml ({name})")),
            tuple(texts(spec.get("keys", ()), f"commands.yaml ({name} keys)")),
            tuple(texts(spec.get("patterns", ()), f"commands.yaml ({name} patterns)")),
            tuple(clean(h) for h in texts(spec.get("heads", ()), f"commands.yaml ({name} heads)")),
            tuple(texts(spec.get("untaught", ()), f"commands.yaml ({name} untaught)")),
        )
        for name, spec in data["commands"].items()
    }
    polite = tuple(sorted((clean(p) for p in texts(data["polite"], "commands.yaml (polite)")), key=len, reverse=True))
    interjections = frozenset(clean(w) for w in texts(data.get("interjections", ()), "commands.yaml (interjections)"))
    filler = frozenset(clean(w) for w in texts(data.get("filler", ()), "commands.yaml (filler)"))
    return CommandWords(specs, polite, interjections, filler)


class CommandReader:
    """Reads utterances as commands. ``is_word`` tells whether a word is one the guide knows."""

    def __init__(
        self, words: CommandWords, fuzzy_command: int, is_word: Callable[[str], bool], is_topic: Callable[[str], bool]
    ) -> None:
        self.specs = words.specs
        self.fuzzy_command = fuzzy_command
        self._grammars = {name: spec.grammar() for name, spec in self.specs.items()}
        self._polite = re.compile("(?<!\\S)(?:" + "|".join(re.escape(p) for p in words.polite) + ")(?!\\S)")
        self._interjections = words.interjections
        self._filler = words.filler
        heads = [(tuple(h.split()), name) for name, spec in self.specs.items() for h in spec.heads]
        self._heads = sorted(heads, key=lambda x: (-len(x[0]), x))
        self._head_words = frozenset(w for head, _ in heads for w in head)
        self._index = {p: name for name, spec in self.specs.items() for p in spec.phrases}
        self.words = frozenset(w for p in self._index for w in p.split())
        self._long_phrases = tuple(
            (tuple(p.split()), name) for p, name in self._index.items() if len(p.split()) >= MIN_NEAR_PHRASE_WORDS
        )
        self._known = is_word
        self._topic = is_topic

    def readings(self, cleaned: str) -> list[str]:
        """Ways to read an utterance as a command: without polite words, as said, without a leading "no"."""
        core = " ".join(self._polite.sub(" ", cleaned).split())
        words = core.split()
        core = " ".join(w for i, w in enumerate(words) if i == 0 or w != words[i - 1])
        readings = [core, cleaned]
        for text in (core, cleaned):
            first, _, rest = text.partition(" ")
            if rest and first in self._interjections:
                readings.append(rest)
        return [r for i, r in enumerate(readings) if r and r not in readings[:i]]

    def _by_heads(self, text: str) -> str | None:
        """The one command whose head words, with only filler around them, make up the utterance."""
        words = text.split()
        if len(words) > MAX_HEAD_WORDS:
            return None
        used = [False] * len(words)
        found = set()
        for head, name in self._heads:
            k = len(head)
            for i in range(len(words) - k + 1):
                if not any(used[i : i + k]) and tuple(words[i : i + k]) == head:
                    used[i : i + k] = [True] * k
                    found.add(name)
        if len(found) != 1 or not all(u or w in self._filler for w, u in zip(words, used)):
            return None
        return found.pop()

    def _names(self, allowed: Iterable[str] | None) -> list[str]:
        if allowed is None:
            return list(self._grammars)
        wanted = set(allowed)
        return [n for n in self._grammars if n in wanted]

    def phrased(self, cleaned: str, allowed: Iterable[str] | None = None) -> str | None:
        """The command whose phrases or patterns make up the whole utterance (less polite words)."""
        if not cleaned or len(cleaned.split()) > MAX_COMMAND_WORDS:
            return None
        return self._phrased_in(self.readings(cleaned), self._names(allowed))

    def _phrased_in(self, readings: list[str], names: list[str]) -> str | None:
        for text in readings:
            for name in names:
                if self._grammars[name].fullmatch(text):
                    return name
        return None

    def read_with_stray(self, cleaned: str, allowed: Iterable[str] | None = None) -> tuple[str, float] | None:
        """A command phrase with one stray word before or after it ("they slower please"), or with one
        of its words misheard when it has three or more ("how does this away": "how does this work").

        For an utterance that is no question either. The stray or misheard word may not be a topic
        word ("stop chemo" is not "stop"), a command's head word ("speak more loudly slowly") or a
        word that asks ("why stop"; a misheard word anywhere: "why does this work").
        """
        words = cleaned.split()
        if not 2 <= len(words) <= MAX_STRAY_WORDS:
            return None
        names = self._names(allowed)
        for first, stray, rest in ((True, words[0], words[1:]), (False, words[-1], words[:-1])):
            if not self._may_stray(stray, asks=first):
                continue
            name = self.phrased(" ".join(rest), names)
            if name:
                return name, NEAR_CONFIDENCE
        for text in self.readings(cleaned):
            name = self._one_word_off(text.split(), names)
            if name:
                return name, NEAR_CONFIDENCE
        return None

    def _may_stray(self, word: str, asks: bool = True) -> bool:
        """Whether ``word`` may be the stray or misheard one: no topic word, no command's head word and,
        where it could ask (``asks``), no word that asks."""
        return not (self._topic(word) or word in self._head_words or (asks and word in _QUESTION_WORDS))

    def _one_word_off(self, words: list[str], names: list[str]) -> str | None:
        """The one command with a phrase of ``MIN_NEAR_PHRASE_WORDS`` or more that ``words`` says but
        for one word, which may stray (see ``read_with_stray``). Two commands that fit: none."""
        found = set()
        for phrase, name in self._long_phrases:
            if name in names and len(phrase) == len(words):
                off = [i for i, (said, heard) in enumerate(zip(phrase, words)) if said != heard]
                if len(off) == 1 and self._may_stray(words[off[0]]):
                    found.add(name)
        return found.pop() if len(found) == 1 else None

    def read_steps(self, cleaned: str) -> tuple[str, tuple[str, ...]] | None:
        """An utterance that is a command with voice steps around it: "say that again slower", "slower
        and repeat", "louder and slower please". Returns the command and its steps in the order said;
        the command is the last step when there are only steps. Every piece must be a whole phrase or
        pattern, joined at most by "and", "then" or "but"."""
        for text in self.readings(cleaned):
            words = text.split()
            if len(words) > MAX_COMMAND_WORDS:
                continue
            for pieces in self._pieces(words, 0):
                steps = [p for p in pieces if p in STEP_COMMANDS]
                others = [p for p in pieces if p not in STEP_COMMANDS]
                if len(pieces) < 2 or len(others) > 1 or (others and others[0] not in STEPPED_COMMANDS):
                    continue
                if others:
                    return others[0], tuple(steps)
                return steps[-1], tuple(steps[:-1])
        return None

    def _pieces(self, words: list[str], start: int) -> Iterable[list[str]]:
        """Ways to read ``words[start:]`` as whole command pieces (joining words skipped between them)."""
        if start == len(words):
            yield []
            return
        if start and words[start] in _JOINS:
            start += 1
        for end in range(len(words), start, -1):
            piece = " ".join(words[start:end])
            name = next((n for n in STEP_COMMANDS + STEPPED_COMMANDS if self._grammars[n].fullmatch(piece)), None)
            if name is None:
                continue
            for rest in self._pieces(words, end):
                yield [name, *rest]

    def read(self, cleaned: str, allowed: Iterable[str] | None = None) -> tuple[str, float] | None:
        """The command an utterance is, if the whole of it (less polite words) is one; with its confidence."""
        if not cleaned or len(cleaned.split()) > MAX_COMMAND_WORDS:
            return None
        names = self._names(allowed)
        readings = self.readings(cleaned)
        phrased = self._phrased_in(readings, names)
        if phrased:
            return phrased, 1.0
        for text in readings:
            headed = self._by_heads(text)
            if headed in names:
                return headed, HEAD_CONFIDENCE
        core = readings[0]
        # Only an utterance with a word nobody knows is repaired ("repet that"); "what is it" is
        # a question, however close it sounds to "that is it".
        if len(core.split()) <= MAX_FUZZY_COMMAND_WORDS and not all(w in self.words or self._known(w) for w in core.split()):
            phrases = [p for p, name in self._index.items() if name in names]
            best = process.extractOne(core, phrases, scorer=fuzz.ratio, score_cutoff=self.fuzzy_command)
            if best:
                return self._index[best[0]], best[1] / 100.0
        return None
