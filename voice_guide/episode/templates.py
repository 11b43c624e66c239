"""Framing templates: YAML slots with variants, a deterministic picker, and the no-medicine lint."""

from __future__ import annotations

import hashlib
import re
import string
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from voice_guide.errors import ContentError
from voice_guide.yaml_lines import LineDict, line_of, load_yaml

PLACEHOLDERS = frozenset(
    {
        "show_title",
        "style_of",
        "series",
        "publisher",
        "episode_title",
        "topic_list",
        "chapter_title",
        "chapter_title_lower",
        "section_title",
        "section_title_lower",
    }
)
"""The only values a template may contain; all come from the show, the plan or the pack."""

_WORD = re.compile(r"[a-z']+")


def default_path() -> Path:
    return Path(str(resources.files("voice_guide") / "episode" / "templates.yaml"))


def finish(text: str) -> str:
    """A spoken line ends in . ? or ! (a title slot may already end in one)."""
    text = " ".join(text.split())
    return text if text[-1:] in ".?!" else text + "."


def stable_index(*parts: object) -> int:
    """A number that depends only on ``parts`` (not on PYTHONHASHSEED or the platform)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass(frozen=True)
class Templates:
    slots: Mapping[str, tuple[str, ...]]
    forbidden: tuple[str, ...]
    must_contain: Mapping[str, tuple[str, ...]]
    path: str = "<templates>"
    lines: Mapping[str, int] | None = None

    def variants(self, slot: str) -> tuple[str, ...]:
        try:
            return self.slots[slot]
        except KeyError:
            raise ContentError(self.path, None, f"template slot '{slot}' is missing; add it with at least one variant") from None

    def render(self, slot: str, variant: int, values: Mapping[str, str]) -> str:
        """The finished line for one variant with its placeholder values."""
        template = self.variants(slot)[variant]
        try:
            return finish(template.format(**values))
        except KeyError as exc:
            raise ContentError(self.path, self._line(slot), f"template '{slot}' uses {{{exc.args[0]}}} which has no value here") from None

    def _line(self, slot: str) -> int | None:
        return (self.lines or {}).get(slot)


class Picker:
    """Chooses variants from a seed: each slot starts at a seeded variant, then rotates."""

    def __init__(self, templates: Templates, seed: int, salt: str = "") -> None:
        self.templates = templates
        self.seed = seed
        self.salt = salt
        self._used: dict[str, int] = {}

    def pick(self, slot: str) -> int:
        count = len(self.templates.variants(slot))
        occurrence = self._used.get(slot, 0)
        self._used[slot] = occurrence + 1
        return (stable_index(self.seed, self.salt, slot) + occurrence) % count

    def choose(self, key: str, count: int) -> int:
        """A seeded choice among ``count`` things (e.g. which example question to ask)."""
        return stable_index(self.seed, self.salt, "choice", key) % count


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def forbidden_words(text: str, forbidden: tuple[str, ...]) -> list[str]:
    """Words of ``text`` outside ``{placeholders}`` that start with a forbidden stem."""
    literal = re.sub(r"\{[^}]*\}", " ", text.lower())
    return [w for w in _WORD.findall(literal) if any(w.startswith(stem) for stem in forbidden)]


def lint(templates: Templates) -> None:
    """Every variant: known placeholders only, no medical words, required wording kept."""
    for slot, variants in templates.slots.items():
        line = templates._line(slot)
        for n, text in enumerate(variants, 1):
            unknown = placeholders(text) - PLACEHOLDERS
            if unknown:
                raise ContentError(templates.path, line, f"template '{slot}' variant {n} uses unknown {{{sorted(unknown)[0]}}}; known: {', '.join(sorted(PLACEHOLDERS))}")
            bad = forbidden_words(text, templates.forbidden)
            if bad:
                raise ContentError(templates.path, line, f"template '{slot}' variant {n} says '{bad[0]}': framing carries no medical words; move it to the content pack")
            for phrase in templates.must_contain.get(slot, ()):
                if phrase.lower() not in text.lower():
                    raise ContentError(templates.path, line, f"template '{slot}' variant {n} must say '{phrase}'")


def _strings(raw: Any, path: str, line: int | None, what: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw or not all(isinstance(v, str) and v.strip() for v in raw):
        raise ContentError(path, line, f"{what} must be a non-empty list of text")
    return tuple(" ".join(v.split()) for v in raw)


def parse_templates(raw: Any, path: str) -> Templates:
    if not isinstance(raw, LineDict) or not isinstance(raw.get("slots"), LineDict):
        raise ContentError(path, 1, "a template file needs a 'slots' mapping of slot name to variants")
    slots_raw: LineDict = raw["slots"]
    slots = {name: _strings(v, path, line_of(slots_raw, name), f"template '{name}'") for name, v in slots_raw.items()}
    must_raw = raw.get("must_contain", LineDict())
    if not isinstance(must_raw, dict):
        raise ContentError(path, line_of(raw, "must_contain"), "must_contain must map a slot to phrases")
    must = {name: _strings(v, path, line_of(must_raw, name), f"must_contain '{name}'") for name, v in must_raw.items()}
    for name in must:
        if name not in slots:
            raise ContentError(path, line_of(must_raw, name), f"must_contain names unknown slot '{name}'")
    forbidden = tuple(w.lower() for w in _strings(raw.get("forbidden", []) or ["-"], path, line_of(raw, "forbidden"), "forbidden"))
    templates = Templates(
        slots=slots,
        forbidden=tuple(w for w in forbidden if w != "-"),
        must_contain=must,
        path=path,
        lines={name: line_of(slots_raw, name) or 0 for name in slots},
    )
    lint(templates)
    return templates


def load_templates(path: str | Path | None = None) -> Templates:
    p = Path(path) if path is not None else default_path()
    return parse_templates(load_yaml(p), str(p))
