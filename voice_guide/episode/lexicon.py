"""Pronunciation lexicon: respellings applied to the text given to a synthesizer, never printed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from voice_guide.errors import ContentError
from voice_guide.yaml_lines import line_of, load_yaml


@dataclass(frozen=True)
class Term:
    term: str
    respelling: str
    say: str
    espeak: str = ""


@dataclass(frozen=True)
class Lexicon:
    terms: tuple[Term, ...] = ()

    def spoken(self, text: str) -> str:
        """``text`` with every listed term replaced by its ``say`` form (longest terms first)."""
        for term in sorted(self.terms, key=lambda t: -len(t.term)):
            if term.say != term.term:
                text = re.sub(rf"(?<![\w-]){re.escape(term.term)}(?![\w-])", term.say, text, flags=re.IGNORECASE)
        return text

    def used_in(self, text: str) -> tuple[Term, ...]:
        """Terms that occur in ``text`` (for the host's pronunciation notes)."""
        return tuple(t for t in self.terms if re.search(rf"(?<![\w-]){re.escape(t.term)}(?![\w-])", text, flags=re.IGNORECASE))


def default_path() -> Path:
    return Path(str(resources.files("voice_guide") / "episode" / "lexicon.yaml"))


def parse_lexicon(raw: Any, path: str) -> Lexicon:
    entries = raw.get("terms") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise ContentError(path, 1, "a lexicon needs 'terms': a list of {term, respelling, say}")
    terms = []
    for i, entry in enumerate(entries):
        line = line_of(entries, i)
        if not isinstance(entry, dict) or not isinstance(entry.get("term"), str) or not isinstance(entry.get("respelling"), str):
            raise ContentError(path, line, "each lexicon entry needs text 'term' and 'respelling'")
        unknown = set(entry) - {"term", "respelling", "say", "espeak"}
        if unknown:
            raise ContentError(path, line, f"unknown lexicon key '{sorted(unknown)[0]}' (known: term, respelling, say, espeak)")
        terms.append(Term(entry["term"], entry["respelling"], str(entry.get("say", entry["term"])), str(entry.get("espeak", ""))))
    return Lexicon(tuple(terms))


def load_lexicon(path: str | Path | None = None) -> Lexicon:
    p = Path(path) if path is not None else default_path()
    return parse_lexicon(load_yaml(p), str(p))
