"""Episode plans: YAML data saying which segments an episode has and which sections each speaks.

A plan names a pack (or ``any``), so a new content pack gets episodes from the generic plans
without code changes. ``resolve`` turns a plan and a pack into concrete segments.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Iterable

from voice_guide.content import Pack, Section
from voice_guide.episode.model import SegmentKind
from voice_guide.errors import ConfigError, ContentError
from voice_guide.yaml_lines import LineDict, line_of, load_yaml

ANY_PACK = "any"
_PLAN_KEYS = {"id", "title", "description", "pack", "segments", "covers_all_sections", "target_minutes", "outro_sting"}
_SEGMENT_KEYS = {"kind", "title", "sections", "each", "sting"}
_SPEAKING_KINDS = {SegmentKind.KEY_TERMS, SegmentKind.INTERVIEW, SegmentKind.LISTENER_QUESTIONS, SegmentKind.CARE_TEAM, SegmentKind.RESOURCES}
TOPIC_KINDS = _SPEAKING_KINDS
"""Segments whose titles make up the episode's topic list."""


@dataclass(frozen=True)
class SectionRef:
    id: str
    chunks: tuple[int, ...] | None = None
    """0-based answer chunks to speak; None = all."""
    line: int | None = None


@dataclass(frozen=True)
class SegmentPlan:
    kind: SegmentKind
    title: str
    sections: tuple[SectionRef, ...] | str = ()
    """Section references, or ``"all"`` / ``"rest"`` (every section no other segment names)."""
    each: bool = False
    """Expand into one segment per section, titled by the section's title."""
    sting: bool = False
    line: int | None = None


@dataclass(frozen=True)
class Plan:
    id: str
    title: str
    pack: str
    segments: tuple[SegmentPlan, ...]
    description: str = ""
    covers_all_sections: bool = False
    target_minutes: float | None = None
    outro_sting: bool = True
    path: str = "<plan>"
    line: int | None = None

    def applies_to(self, pack: Pack) -> bool:
        return self.pack in (ANY_PACK, pack.id)

    def slug(self, pack: Pack) -> str:
        """Output folder name: the plan id, plus the pack id for generic plans."""
        return self.id if self.pack == pack.id else f"{self.id}-{pack.id}"

    def title_for(self, pack: Pack) -> str:
        return self.title.replace("{pack_title}", pack.title)


@dataclass(frozen=True)
class SpokenSection:
    section: Section
    chunks: tuple[int, ...]


@dataclass(frozen=True)
class ResolvedSegment:
    kind: SegmentKind
    title: str
    sections: tuple[SpokenSection, ...]
    sting: bool = False


def default_dir() -> Path:
    return Path(str(resources.files("voice_guide") / "episode" / "plans"))


def _text(raw: Any, path: str, line: int | None, what: str) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ContentError(path, line, f"{what} must be non-empty text")
    return " ".join(raw.split())


def _section_refs(raw: Any, path: str, line: int | None) -> tuple[SectionRef, ...] | str:
    if raw in ("all", "rest"):
        return str(raw)
    if not isinstance(raw, list) or not raw:
        raise ContentError(path, line, "sections must be 'all', 'rest' or a list of section ids")
    refs = []
    for i, item in enumerate(raw):
        item_line = line_of(raw, i, line)
        if isinstance(item, str):
            refs.append(SectionRef(item, None, item_line))
            continue
        if not isinstance(item, dict) or set(item) - {"id", "chunks"} or "id" not in item:
            raise ContentError(path, item_line, "a section entry is an id or {id: ..., chunks: [1, 2]}")
        chunks = item.get("chunks")
        if chunks is not None and (not isinstance(chunks, list) or not chunks or not all(isinstance(c, int) and c >= 1 for c in chunks)):
            raise ContentError(path, item_line, "chunks must list answer chunk numbers starting at 1")
        refs.append(SectionRef(_text(item["id"], path, item_line, "section id"), tuple(c - 1 for c in chunks) if chunks else None, item_line))
    return tuple(refs)


def _segment(raw: Any, path: str, line: int | None) -> SegmentPlan:
    if not isinstance(raw, LineDict):
        raise ContentError(path, line, "a segment must be a mapping with 'kind' and 'title'")
    for key in raw:
        if key not in _SEGMENT_KEYS:
            raise ContentError(path, line_of(raw, key), f"unknown segment key '{key}' (known: {', '.join(sorted(_SEGMENT_KEYS))})")
    try:
        kind = SegmentKind(raw.get("kind"))
    except ValueError:
        kinds = ", ".join(k.value for k in SegmentKind)
        raise ContentError(path, line_of(raw, "kind", line), f"segment kind must be one of: {kinds}") from None
    sections: tuple[SectionRef, ...] | str = ()
    if kind in _SPEAKING_KINDS:
        if "sections" not in raw:
            raise ContentError(path, raw.line, f"a {kind.value} segment needs 'sections'")
        sections = _section_refs(raw["sections"], path, line_of(raw, "sections"))
    elif "sections" in raw:
        raise ContentError(path, line_of(raw, "sections"), f"a {kind.value} segment speaks no sections; remove 'sections'")
    each = bool(raw.get("each", False))
    title = "" if each and "title" not in raw else _text(raw.get("title"), path, line_of(raw, "title", raw.line), "segment title")
    return SegmentPlan(kind, title, sections, each, bool(raw.get("sting", False)), raw.line)


def parse_plan(raw: Any, path: str) -> Plan:
    if not isinstance(raw, LineDict):
        raise ContentError(path, 1, "a plan must be a mapping with id, title, pack and segments")
    for key in raw:
        if key not in _PLAN_KEYS:
            raise ContentError(path, line_of(raw, key), f"unknown plan key '{key}' (known: {', '.join(sorted(_PLAN_KEYS))})")
    for key in ("id", "title", "pack", "segments"):
        if key not in raw:
            raise ContentError(path, raw.line, f"plan is missing '{key}'")
    segs = raw["segments"]
    if not isinstance(segs, list) or not segs:
        raise ContentError(path, line_of(raw, "segments"), "segments must be a non-empty list")
    segments = tuple(_segment(s, path, line_of(segs, i)) for i, s in enumerate(segs))
    if segments[0].kind is not SegmentKind.DISCLAIMER or segments[-1].kind is not SegmentKind.CLOSE:
        raise ContentError(path, line_of(raw, "segments"), "a plan must open with a 'disclaimer' segment and end with a 'close' segment; both speak the pack's disclaimer")
    target = raw.get("target_minutes")
    if target is not None and (not isinstance(target, (int, float)) or target <= 0):
        raise ContentError(path, line_of(raw, "target_minutes"), "target_minutes must be a positive number")
    return Plan(
        id=_text(raw["id"], path, line_of(raw, "id"), "plan id"),
        title=_text(raw["title"], path, line_of(raw, "title"), "plan title"),
        pack=_text(raw["pack"], path, line_of(raw, "pack"), "plan pack"),
        segments=segments,
        description=" ".join(str(raw.get("description", "")).split()),
        covers_all_sections=bool(raw.get("covers_all_sections", False)),
        target_minutes=float(target) if target is not None else None,
        outro_sting=bool(raw.get("outro_sting", True)),
        path=path,
        line=raw.line,
    )


def load_plans(extra: Iterable[str | Path] = (), builtin: bool = True) -> list[Plan]:
    """Built-in plans plus plans from each extra file or folder; ids must be unique."""
    paths = sorted(default_dir().glob("*.yaml")) if builtin else []
    for location in extra:
        p = Path(location)
        if p.is_dir():
            found = sorted(p.glob("*.yaml"))
            if not found:
                raise ContentError(str(p), None, "no plan files (*.yaml) in this folder; check --plans")
            paths.extend(found)
        elif p.exists():
            paths.append(p)
        else:
            raise ContentError(str(p), None, "no such plan file or folder; check --plans")
    plans: list[Plan] = []
    seen: dict[str, str] = {}
    for p in paths:
        plan = parse_plan(load_yaml(p), str(p))
        if plan.id in seen:
            raise ContentError(str(p), plan.line, f"plan id '{plan.id}' is already used by {seen[plan.id]}; rename one")
        seen[plan.id] = str(p)
        plans.append(plan)
    return plans


def find_plan(plans: Iterable[Plan], plan_id: str) -> Plan:
    plans = list(plans)
    for plan in plans:
        if plan.id == plan_id:
            return plan
    known = ", ".join(p.id for p in plans)
    raise ConfigError(f"no plan '{plan_id}'; known plans: {known} (see 'voice-guide episode plans')")


def resolve(plan: Plan, pack: Pack) -> tuple[ResolvedSegment, ...]:
    """Concrete segments with sections and chunks; fails on unknown ids or missing coverage."""
    if not plan.applies_to(pack):
        raise ContentError(plan.path, plan.line, f"plan '{plan.id}' is for pack '{plan.pack}', not '{pack.id}'; pick another --pack or plan")
    by_id = {s.id: s for s in pack.sections}
    named = {ref.id for seg in plan.segments if isinstance(seg.sections, tuple) for ref in seg.sections}
    out: list[ResolvedSegment] = []
    for seg in plan.segments:
        spoken: list[SpokenSection] = []
        if seg.sections == "all":
            spoken = [SpokenSection(s, tuple(range(len(s.answer)))) for s in pack.sections]
        elif seg.sections == "rest":
            spoken = [SpokenSection(s, tuple(range(len(s.answer)))) for s in pack.sections if s.id not in named]
        elif isinstance(seg.sections, tuple):
            for ref in seg.sections:
                if ref.id not in by_id:
                    raise ContentError(plan.path, ref.line, f"pack '{pack.id}' has no section '{ref.id}'; known: {', '.join(by_id)}")
                section = by_id[ref.id]
                chunks = ref.chunks if ref.chunks is not None else tuple(range(len(section.answer)))
                bad = [c + 1 for c in chunks if c >= len(section.answer)]
                if bad:
                    raise ContentError(plan.path, ref.line, f"section '{ref.id}' has {len(section.answer)} answer chunks, not {bad[0]}")
                spoken.append(SpokenSection(section, chunks))
        if seg.each:
            out.extend(ResolvedSegment(seg.kind, seg.title or s.section.title, (s,), seg.sting and i == 0) for i, s in enumerate(spoken))
        elif seg.kind in _SPEAKING_KINDS and not spoken:
            continue
        else:
            out.append(ResolvedSegment(seg.kind, seg.title, tuple(spoken), seg.sting))
    if plan.covers_all_sections:
        spoken_chunks = {(s.section.id, c) for seg in out for s in seg.sections for c in s.chunks}
        for section in pack.sections:
            missing = [c + 1 for c in range(len(section.answer)) if (section.id, c) not in spoken_chunks]
            if missing:
                raise ContentError(plan.path, plan.line, f"plan '{plan.id}' must cover every section, but section '{section.id}' chunk {missing[0]} is never spoken")
    return tuple(out)
