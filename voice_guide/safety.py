"""The safety screen, checked before anything else: emergency and crisis statements.

Regular expressions from ``data/safety.yaml`` over the cleaned utterance; emergency first, so a
past overdose ("took all my pills") is an emergency and an intention ("going to take ...") a crisis.
"""

from __future__ import annotations

import re

from voice_guide.data_files import load_data, texts

SAFETY_KINDS = ("emergency", "crisis")


def load_safety() -> dict[str, tuple[re.Pattern[str], ...]]:
    data = load_data("safety.yaml")
    return {kind: tuple(re.compile(p) for p in texts(patterns, f"safety.yaml ({kind})")) for kind, patterns in data.items()}


class SafetyScreen:
    """Which safety message, if any, an utterance calls for."""

    def __init__(self, patterns: dict[str, tuple[re.Pattern[str], ...]] | None = None) -> None:
        self.patterns = load_safety() if patterns is None else patterns

    def kind(self, cleaned: str) -> str | None:
        """"emergency", "crisis" or None for cleaned text."""
        for kind in SAFETY_KINDS:
            if any(p.search(cleaned) for p in self.patterns.get(kind, ())):
                return kind
        return None
