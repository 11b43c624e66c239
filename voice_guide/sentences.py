"""Split spoken text into sentences, so the first one can play while the rest renders."""

from __future__ import annotations

import re

_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9])")


def split_sentences(text: str) -> list[str]:
    """Sentences in order; text without sentence ends stays one piece."""
    parts = [p.strip() for p in _SPLIT.split(" ".join(text.split()))]
    return [p for p in parts if p]
