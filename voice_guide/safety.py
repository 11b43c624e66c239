"""The safety screen, checked before anything else: emergency and crisis statements.

Regular expressions from ``data/safety.yaml`` over the cleaned utterance; emergency first, so a
past overdose ("took all my pills") is an emergency and an intention ("going to take ...") a crisis.
"""

from __future__ import annotations

import functools
import re

from voice_guide.data_files import load_data, texts
from voice_guide.errors import ContentError

SAFETY_KINDS = ("emergency", "crisis")


_PART = re.compile(r"\{\{(\w+)\}\}")
"""A named part in a pattern, "{{adhere}}": ``parts`` in safety.yaml spells it out once for every pattern."""


def load_safety(taught_only: bool = False) -> dict[str, tuple[re.Pattern[str], ...]]:
    """Each kind's patterns. ``untaught`` ones (words that would make the recognizers hear everyday
    speech as them: "noose" for "news") are read from typed text and left out with ``taught_only``,
    which is what the recognizers' vocabulary is built from."""
    data = dict(load_data("safety.yaml"))
    parts = data.pop("parts", None) or {}
    if not isinstance(parts, dict):
        raise ContentError("voice_guide/data/safety.yaml", None, "'parts' must map names to pattern pieces")
    untaught = data.pop("untaught", None) or {}
    if not isinstance(untaught, dict) or not set(untaught) <= set(data):
        raise ContentError("voice_guide/data/safety.yaml", None,
                           f"'untaught' must map kinds ({', '.join(data)}) to lists of patterns")
    pieces = dict(zip(parts, texts(parts.values(), "safety.yaml (parts)")))
    kept = {kind: list(texts(patterns, f"safety.yaml ({kind})")) for kind, patterns in data.items()}
    if not taught_only:
        for kind, patterns in untaught.items():
            kept[kind] += texts(patterns, f"safety.yaml (untaught {kind})")
    return {kind: tuple(_compiled(p, pieces, kind) for p in patterns) for kind, patterns in kept.items()}


def _compiled(pattern: str, parts: dict[str, str], kind: str) -> re.Pattern[str]:
    """The pattern with its named parts spelled out, compiled."""

    def spelled(found: re.Match[str]) -> str:
        name = found.group(1)
        if name not in parts:
            raise ContentError("voice_guide/data/safety.yaml", None, f"{kind}: no part named {name!r} under 'parts'")
        return parts[name]

    text = _PART.sub(spelled, pattern)
    if "{{" in text:
        raise ContentError("voice_guide/data/safety.yaml", None,
                           f"{kind}: {pattern[:60]!r} still has '{{{{' after its parts are spelled out (a part inside a part, or a name that is not one word)")
    try:
        return re.compile(text)
    except re.error as exc:
        raise ContentError("voice_guide/data/safety.yaml", None, f"{kind}: {pattern[:60]!r} is not a valid pattern ({exc})") from exc


RECENT = 64
"""Screenings remembered: one turn screens its best hearing several times (the dialogue's checks, then
the matcher) and its runner-ups twice (a runner-up alarm, then settling a clarification)."""


class SafetyScreen:
    """Which safety message, if any, an utterance calls for."""

    def __init__(self, patterns: dict[str, tuple[re.Pattern[str], ...]] | None = None) -> None:
        self.patterns = load_safety() if patterns is None else patterns
        self._recent = functools.lru_cache(maxsize=RECENT)(self._screen)

    def kind(self, cleaned: str) -> str | None:
        """"emergency", "crisis" or None for cleaned text."""
        return self._recent(cleaned)

    def _screen(self, cleaned: str) -> str | None:
        for kind in SAFETY_KINDS:
            if any(p.search(cleaned) for p in self.patterns.get(kind, ())):
                return kind
        return None
