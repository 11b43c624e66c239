"""The typed episode script: episode -> segments -> lines and pauses. No markup strings.

Every line carries its :class:`Source`, so the build can prove where each sentence came from:
framing comes from the template file, medicine only from the content pack's answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Union


class Role(str, Enum):
    """Generic speaker roles; never a real person's name."""

    HOST = "host"
    GUEST = "guest"
    LISTENER = "listener"

    @property
    def label(self) -> str:
        return {"host": "Host", "guest": "Guest expert", "listener": "Listener"}[self.value]


class SourceKind(str, Enum):
    """Where a line's text comes from."""

    TEMPLATE = "template"
    """Show framing from ``templates.yaml`` (no medical claims), slots filled from the pack/plan/show."""
    CONTENT = "content"
    """A content pack section's answer chunk, word for word: the only medical text."""
    TITLE = "title"
    """A content pack section's title, asked by the host."""
    EXAMPLE = "example"
    """One of a section's example questions, asked by the listener."""
    PACK = "pack"
    """The pack's own disclaimer or attribution."""


class SegmentKind(str, Enum):
    DISCLAIMER = "disclaimer"
    IDENT = "ident"
    WELCOME = "welcome"
    KEY_TERMS = "key_terms"
    INTERVIEW = "interview"
    LISTENER_QUESTIONS = "listener_questions"
    CARE_TEAM = "care_team"
    RESOURCES = "resources"
    CLOSE = "close"


@dataclass(frozen=True)
class Source:
    """Provenance of one line."""

    kind: SourceKind
    ref: str
    """Template slot name, section id, or pack field name."""
    index: int = 0
    """Template variant or answer chunk/example number (0-based)."""
    slots: tuple[tuple[str, str], ...] = ()
    """Values filled into a template's ``{slots}``."""

    def describe(self) -> str:
        if self.kind is SourceKind.TEMPLATE:
            return f"template {self.ref}#{self.index + 1}"
        if self.kind is SourceKind.PACK:
            return f"pack {self.ref}"
        if self.kind is SourceKind.TITLE:
            return f"section {self.ref} title"
        return f"section {self.ref} {self.kind.value} {self.index + 1}"


@dataclass(frozen=True)
class Line:
    """One speaker turn: the exact printed text; pronunciation respellings apply only at synthesis."""

    role: Role
    text: str
    source: Source

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class Pause:
    """A deliberate silence, in addition to the usual gaps between speakers."""

    seconds: float
    reason: str = ""


Item = Union[Line, Pause]


@dataclass(frozen=True)
class Segment:
    """One chapter of the episode."""

    id: str
    kind: SegmentKind
    title: str
    items: tuple[Item, ...]
    sting: bool = False
    """Lay the synthesized intro sting under the start of this segment."""
    sections: tuple[str, ...] = ()
    """Content sections spoken in this segment, in order."""

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(i for i in self.items if isinstance(i, Line))


@dataclass(frozen=True)
class EpisodeScript:
    plan_id: str
    title: str
    show_title: str
    pack_id: str
    pack_title: str
    attribution: str
    seed: int
    segments: tuple[Segment, ...]
    description: str = ""
    outro_sting: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)
    """Extra lines for the show notes (never spoken)."""

    @property
    def lines(self) -> tuple[Line, ...]:
        return tuple(line for s in self.segments for line in s.lines)

    @property
    def sections_used(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(sid for s in self.segments for sid in s.sections))

    @property
    def words(self) -> int:
        return sum(line.words for line in self.lines)


# --- JSON (script.json) -------------------------------------------------------------------------


def _item_to_dict(item: Item) -> dict[str, Any]:
    if isinstance(item, Pause):
        return {"pause": item.seconds, "reason": item.reason}
    src = item.source
    source: dict[str, Any] = {"kind": src.kind.value, "ref": src.ref, "index": src.index}
    if src.slots:
        source["slots"] = dict(src.slots)
    return {"role": item.role.value, "speaker": item.role.label, "text": item.text, "source": source}


def _item_from_dict(raw: dict[str, Any]) -> Item:
    if "pause" in raw:
        return Pause(float(raw["pause"]), str(raw.get("reason", "")))
    src = raw["source"]
    slots = tuple((str(k), str(v)) for k, v in src.get("slots", {}).items())
    return Line(Role(raw["role"]), str(raw["text"]), Source(SourceKind(src["kind"]), str(src["ref"]), int(src["index"]), slots))


def script_to_dict(script: EpisodeScript) -> dict[str, Any]:
    return {
        "plan": script.plan_id,
        "title": script.title,
        "show": script.show_title,
        "pack": script.pack_id,
        "pack_title": script.pack_title,
        "attribution": script.attribution,
        "seed": script.seed,
        "description": script.description,
        "outro_sting": script.outro_sting,
        "notes": list(script.notes),
        "segments": [
            {
                "id": s.id,
                "kind": s.kind.value,
                "title": s.title,
                "sting": s.sting,
                "sections": list(s.sections),
                "items": [_item_to_dict(i) for i in s.items],
            }
            for s in script.segments
        ],
    }


def script_from_dict(raw: dict[str, Any]) -> EpisodeScript:
    return EpisodeScript(
        plan_id=raw["plan"],
        title=raw["title"],
        show_title=raw["show"],
        pack_id=raw["pack"],
        pack_title=raw["pack_title"],
        attribution=raw["attribution"],
        seed=int(raw["seed"]),
        description=raw.get("description", ""),
        outro_sting=bool(raw.get("outro_sting", False)),
        notes=tuple(raw.get("notes", ())),
        segments=tuple(
            Segment(
                id=s["id"],
                kind=SegmentKind(s["kind"]),
                title=s["title"],
                sting=bool(s.get("sting", False)),
                sections=tuple(s.get("sections", ())),
                items=tuple(_item_from_dict(i) for i in s["items"]),
            )
            for s in raw["segments"]
        ),
    )
