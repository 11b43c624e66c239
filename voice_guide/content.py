"""Content packs: curated YAML -> validated dataclasses. A broken pack never half-loads."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable, Sequence

from voice_guide.errors import ConfigError, ContentError
from voice_guide.text import STOPWORDS, clean
from voice_guide.yaml_lines import LineDict, LineList, line_of, load_yaml

FIRST_CHUNK_MAX_WORDS = 40
MIN_EXAMPLES = 8
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

_PACK_KEYS = {"pack", "synonyms", "not_covered", "sections"}
_META_REQUIRED = {"id", "title", "attribution", "language", "disclaimer", "fallback", "safety"}
_META_OPTIONAL = {"series", "publisher", "source_file"}
_SAFETY_KEYS = {"emergency", "crisis"}
_SECTION_REQUIRED = {"id", "title", "answer", "source", "examples", "keywords"}
_SECTION_OPTIONAL = {"edits", "related"}


@dataclass(frozen=True)
class Section:
    """One topic: what is spoken (in chunks), the page's wording, and how people ask for it."""

    id: str
    title: str
    answer: tuple[str, ...]
    source: str
    examples: tuple[str, ...]
    keywords: tuple[str, ...]
    related: tuple[str, ...] = ()
    edits: tuple[str, ...] = ()
    pack_id: str = ""
    line: int = 0


@dataclass(frozen=True)
class SafetyMessages:
    emergency: str
    crisis: str


@dataclass(frozen=True)
class Pack:
    id: str
    title: str
    attribution: str
    language: str
    disclaimer: str
    fallback: str
    safety: SafetyMessages
    sections: tuple[Section, ...]
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    not_covered: tuple[str, ...] = ()
    series: str = ""
    publisher: str = ""
    source_file: str = ""
    path: str = ""


@dataclass(frozen=True)
class Library:
    """All loaded packs seen as one set of sections; the first pack speaks the shared messages."""

    packs: tuple[Pack, ...]

    @property
    def primary(self) -> Pack:
        return self.packs[0]

    @property
    def sections(self) -> tuple[Section, ...]:
        return tuple(s for p in self.packs for s in p.sections)

    def section(self, section_id: str) -> Section:
        for s in self.sections:
            if s.id == section_id:
                return s
        raise KeyError(section_id)

    def has_section(self, section_id: str) -> bool:
        return any(s.id == section_id for s in self.sections)

    @property
    def synonyms(self) -> dict[str, tuple[str, ...]]:
        merged: dict[str, tuple[str, ...]] = {}
        for pack in self.packs:
            for canon, variants in pack.synonyms.items():
                merged[canon] = tuple(dict.fromkeys(merged.get(canon, ()) + variants))
        return merged


def _text(value: Any, path: str, line: int | None, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ContentError(path, line, f"{what} must be non-empty text")
    return " ".join(value.split())


def _text_list(value: Any, path: str, line: int | None, what: str, allow_empty: bool = False) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ContentError(path, line, f"{what} must be a list of text")
    if not value and not allow_empty:
        raise ContentError(path, line, f"{what} must not be empty")
    return tuple(_text(v, path, line_of(value, i, line), f"{what} item {i + 1}") for i, v in enumerate(value))


def _check_keys(mapping: Any, path: str, line: int | None, required: set[str], optional: set[str], what: str) -> LineDict:
    if not isinstance(mapping, LineDict):
        raise ContentError(path, line, f"{what} must be a mapping of keys to values")
    for key in mapping:
        if key not in required | optional:
            known = ", ".join(sorted(required | optional))
            raise ContentError(path, line_of(mapping, key), f"unknown key '{key}' in {what} (known: {known})")
    for key in sorted(required):
        if key not in mapping:
            raise ContentError(path, mapping.line, f"{what} is missing required field '{key}'")
    return mapping


def _section(raw: Any, path: str, line: int | None, pack_id: str) -> Section:
    data = _check_keys(raw, path, line, _SECTION_REQUIRED, _SECTION_OPTIONAL, "section")
    sid = _text(data["id"], path, line_of(data, "id"), "section id")
    if not _ID.match(sid):
        raise ContentError(path, line_of(data, "id"), f"section id '{sid}' must be lowercase words joined by '-'")
    where = f"section '{sid}'"
    answer = data["answer"]
    if isinstance(answer, str):  # one chunk, written without the list
        answer = LineList([answer])
        answer.line = line_of(data, "answer") or 0
        answer.item_lines = [answer.line]
    if answer is None or answer == [] or (isinstance(answer, list) and all(isinstance(a, str) and not a.strip() for a in answer)):
        raise ContentError(path, line_of(data, "answer"), f"{where}: empty answer; give at least one spoken chunk")
    chunks = _text_list(answer, path, line_of(data, "answer"), f"{where} answer")
    words = len(chunks[0].split())
    if words > FIRST_CHUNK_MAX_WORDS:
        raise ContentError(
            path,
            line_of(answer, 0, line_of(data, "answer")),
            f"{where}: first answer chunk has {words} words; keep it to {FIRST_CHUNK_MAX_WORDS} and move the rest to a later chunk",
        )
    examples = _text_list(data["examples"], path, line_of(data, "examples"), f"{where} examples")
    if len(examples) < MIN_EXAMPLES:
        raise ContentError(path, line_of(data, "examples"), f"{where}: {len(examples)} examples; give at least {MIN_EXAMPLES} varied phrasings")
    related = _text_list(data.get("related", LineList()), path, line_of(data, "related"), f"{where} related", allow_empty=True)
    source = _text(data["source"], path, line_of(data, "source"), f"{where} source")
    edits = _text_list(data.get("edits", LineList()), path, line_of(data, "edits"), f"{where} edits", allow_empty=True)
    unsourced = unsourced_words(chunks, source, edits)
    if unsourced:
        raise ContentError(path, line_of(data, "answer"), f"{where}: the answer says {', '.join(unsourced[:8])}, which "
                           "its source does not; an answer may only restate its source (quote a word an edit adds in 'edits')")
    return Section(
        id=sid,
        title=_text(data["title"], path, line_of(data, "title"), f"{where} title"),
        answer=chunks,
        source=source,
        examples=examples,
        keywords=_text_list(data["keywords"], path, line_of(data, "keywords"), f"{where} keywords"),
        related=related,
        edits=edits,
        pack_id=pack_id,
        line=data.line,
    )


MEANING_WORDS = frozenset("no not nor neither never none nothing cannot one two three four five six seven eight nine "
                          "ten all any every some only can could may might must should shall will would".split())
"""Short words that change what a sentence claims ("you should not", "stage three", "all"): an answer
may say them only where its source does, or an edit quotes them."""
_QUOTED = re.compile(r'"([^"]+)"|\u201c([^\u201d]+)\u201d')


def unsourced_words(answer: Sequence[str], source: str, edits: Sequence[str]) -> list[str]:
    """Words an answer says that neither its source nor a listed edit does, in the order said.
    Joining words ("the", "is", "and") are free; anything else, a medical word or a negation above
    all, must come from the source or be quoted in an edit ('numbered "First", "Second"'): only the
    content speaks medicine, and only as its source says it."""
    quoted = {w for e in edits for m in _QUOTED.finditer(e) for w in clean(m.group(1) or m.group(2)).split()}
    allowed = set(clean(source).split()) | quoted | (STOPWORDS - MEANING_WORDS)
    said = [w for chunk in answer for w in clean(chunk).split()]
    return list(dict.fromkeys(w for w in said if w not in allowed))


def parse_pack(raw: Any, path: str) -> Pack:
    """Validate one pack's parsed YAML. Dangling related ids are checked by :func:`build_library`."""
    top = _check_keys(raw, path, 1, {"pack", "sections"}, _PACK_KEYS - {"pack", "sections"}, "content pack")
    meta = _check_keys(top["pack"], path, line_of(top, "pack"), _META_REQUIRED, _META_OPTIONAL, "pack")
    safety = _check_keys(meta["safety"], path, line_of(meta, "safety"), _SAFETY_KEYS, set(), "pack safety")
    pack_id = _text(meta["id"], path, line_of(meta, "id"), "pack id")
    synonyms: dict[str, tuple[str, ...]] = {}
    raw_syn = top.get("synonyms", LineDict())
    if not isinstance(raw_syn, dict):
        raise ContentError(path, line_of(top, "synonyms"), "synonyms must map a word to a list of variants")
    for canon, variants in raw_syn.items():
        synonyms[canon.lower()] = tuple(v.lower() for v in _text_list(variants, path, line_of(raw_syn, canon), f"synonyms '{canon}'"))
    raw_sections = top["sections"]
    if not isinstance(raw_sections, list) or not raw_sections:
        raise ContentError(path, line_of(top, "sections"), "sections must be a non-empty list")
    sections = tuple(_section(s, path, line_of(raw_sections, i), pack_id) for i, s in enumerate(raw_sections))
    seen: dict[str, int] = {}
    for s in sections:
        if s.id in seen:
            raise ContentError(path, s.line, f"duplicate section id '{s.id}' (first at line {seen[s.id]})")
        seen[s.id] = s.line
    return Pack(
        id=pack_id,
        title=_text(meta["title"], path, line_of(meta, "title"), "pack title"),
        attribution=_text(meta["attribution"], path, line_of(meta, "attribution"), "pack attribution"),
        language=_text(meta["language"], path, line_of(meta, "language"), "pack language"),
        disclaimer=_text(meta["disclaimer"], path, line_of(meta, "disclaimer"), "pack disclaimer"),
        fallback=_text(meta["fallback"], path, line_of(meta, "fallback"), "pack fallback"),
        safety=SafetyMessages(
            emergency=_text(safety["emergency"], path, line_of(safety, "emergency"), "safety emergency message"),
            crisis=_text(safety["crisis"], path, line_of(safety, "crisis"), "safety crisis message"),
        ),
        sections=sections,
        synonyms=synonyms,
        not_covered=tuple(p.lower() for p in _text_list(top.get("not_covered", LineList()), path, line_of(top, "not_covered"), "not_covered", allow_empty=True)),
        series=str(meta.get("series", "")),
        publisher=str(meta.get("publisher", "")),
        source_file=str(meta.get("source_file", "")),
        path=path,
    )


def load_pack(path: str | Path) -> Pack:
    p = Path(path)
    return parse_pack(load_yaml(p), str(p))


def build_library(packs: Sequence[Pack]) -> Library:
    """Join packs; section ids and titles must be unique across packs and every related id must exist."""
    if not packs:
        raise ConfigError("no content packs to load: the built-in pack is left out (--no-builtin, or builtin_content: "
                          "false) and no other is given (--content, or content: in the settings file)")
    seen: dict[str, Section] = {}
    for pack in packs:
        for s in pack.sections:
            if s.id in seen:
                first = seen[s.id]
                raise ContentError(pack.path, s.line, f"duplicate section id '{s.id}' (already in pack '{first.pack_id}' at line {first.line}); rename one")
            seen[s.id] = s
    titled: dict[str, Section] = {}
    for pack in packs:
        for s in pack.sections:
            first = titled.setdefault(clean(s.title), s)
            if first is not s:  # the guide names topics by title: two alike cannot be told apart by ear
                raise ContentError(pack.path, s.line, f"section '{s.id}' has the title of section '{first.id}' "
                                   f"(pack '{first.pack_id}', line {first.line}): \"{s.title}\"; listeners tell topics "
                                   "apart by their titles, so give it another")
    for pack in packs:
        for s in pack.sections:
            for rel in s.related:
                if rel not in seen:
                    raise ContentError(pack.path, s.line, f"section '{s.id}' is related to unknown section '{rel}'; fix the id or remove it")
    return Library(tuple(packs))


def builtin_pack_paths() -> list[Path]:
    folder = resources.files("voice_guide") / "content"
    return sorted(Path(str(p)) for p in folder.iterdir() if p.name.endswith(".yaml"))


def pack_paths(location: str | Path) -> list[Path]:
    if not str(location).strip():
        raise ConfigError("a content path is empty (an unset variable?); give a pack file or folder")
    p = Path(location)
    if p.is_dir():
        found = sorted(list(p.glob("*.yaml")) + list(p.glob("*.yml")))
        if not found:
            raise ContentError(str(p), None, "folder has no *.yaml content packs")
        return found
    if p.exists():
        return [p]
    raise ContentError(str(p), None, "no such file or folder; check the --content path")


def load_library(extra: Iterable[str | Path] = (), builtin: bool = True) -> Library:
    """The built-in pack(s) plus packs from each ``--content`` location."""
    paths = builtin_pack_paths() if builtin else []
    for location in extra:
        paths.extend(pack_paths(location))
    return build_library([load_pack(p) for p in paths])
