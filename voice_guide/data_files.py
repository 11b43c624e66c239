"""The word lists in ``voice_guide/data/``: read as YAML, every value checked to be text."""

from __future__ import annotations

from importlib import resources
from typing import Any, Iterable

import yaml

from voice_guide.errors import ContentError


def load_data(name: str) -> Any:
    text = (resources.files("voice_guide") / "data" / name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def texts(values: Iterable[Any], where: str) -> list[str]:
    """YAML values that must be text; a bare yes/no/on/off is read as a boolean and would be lost."""
    out = []
    for value in values:
        if not isinstance(value, str):
            raise ContentError(f"voice_guide/data/{where}", None, f"{value!r} is not text; put it in quotes")
        out.append(value)
    return out
