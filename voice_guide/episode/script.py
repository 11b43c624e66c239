"""Build an episode script from a content pack and a plan, and prove every line's provenance.

Pure: no I/O, no clock, no randomness beyond the seed. Framing lines come from the templates,
medical lines are the pack's answer chunks word for word, attributed to their sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from voice_guide.content import Pack, Section
from voice_guide.episode.model import EpisodeScript, Item, Line, Pause, Role, Segment, SegmentKind, Source, SourceKind
from voice_guide.episode.plans import TOPIC_KINDS, Plan, ResolvedSegment, SpokenSection, resolve
from voice_guide.episode.settings import Show
from voice_guide.episode.templates import Picker, Templates, placeholders
from voice_guide.errors import ContentError

WRITE_DOWN_PAUSE_S = 2.0
"""Time to write after the questions for the care team."""
MIN_QUESTION_WORDS = 5
"""Listener questions use the pack's fuller example phrasings, not fragments like "stage four"."""
_QUESTION_WORDS = {"what", "how", "is", "can", "do", "does", "will", "should", "could", "where", "why", "who", "which", "are", "has", "did", "would", "any"}
_WH_WORDS = {"what", "how", "where", "why", "who", "which"}
_MODALS = {"can", "could", "should", "will", "would", "do", "does", "did", "is", "are", "was", "happens"}
_PRONOUNS = {"i", "you", "she", "he", "they", "we", "it"}
_ACRONYMS = {"mbc": "MBC", "iv": "IV", "dr": "Dr", "brca": "BRCA", "her2": "HER2"}


def lower_first(text: str) -> str:
    """'What it is' -> 'what it is'; acronyms such as 'MBC' stay as they are."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def join_list(items: list[str]) -> str:
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + ", and " + items[-1]


def question_text(example: str) -> str:
    """A pack example phrasing as a listener would say it: capitalised, with end punctuation."""
    words = example.strip().split()
    fixed = [_ACRONYMS.get(w, w) for w in words]
    fixed = [re.sub(r"^i(?=$|')", "I", w) for w in fixed]
    text = " ".join(fixed)
    text = text[:1].upper() + text[1:]
    if text[-1:] in ".?!":
        return text
    return text + ("?" if _is_question([w.lower() for w in words]) else ".")


def _is_question(words: list[str]) -> bool:
    """Starts with a question word, or has a clause like "what does ..." / "is it ..." later on."""
    if words and words[0] in _QUESTION_WORDS:
        return True
    pairs = zip(words, words[1:])
    return any((a in _WH_WORDS and b in _MODALS) or (a in _MODALS and b in _PRONOUNS) for a, b in pairs)


def slot_values(pack: Pack, plan: Plan, show: Show, segments: tuple[ResolvedSegment, ...]) -> dict[str, str]:
    topics = [lower_first(s.title) for s in segments if s.kind in TOPIC_KINDS]
    return {
        "show_title": show.title,
        "style_of": show.style_of,
        "series": pack.series or pack.title,
        "publisher": pack.publisher or "the publisher of the source material",
        "episode_title": plan.title_for(pack),
        "topic_list": join_list(topics),
    }


def allowed_values(pack: Pack, plan: Plan, show: Show, segments: tuple[ResolvedSegment, ...]) -> dict[str, set[str]]:
    """Every value each placeholder may take in this episode."""
    allowed = {k: {v} for k, v in slot_values(pack, plan, show, segments).items()}
    allowed["chapter_title"] = {s.title for s in segments}
    allowed["chapter_title_lower"] = {lower_first(s.title) for s in segments}
    allowed["section_title"] = {s.title for s in pack.sections}
    allowed["section_title_lower"] = {lower_first(s.title) for s in pack.sections}
    return allowed


class _Writer:
    """Collects the items of one segment, choosing template variants with the picker."""

    def __init__(self, templates: Templates, picker: Picker, values: Mapping[str, str]) -> None:
        self.templates = templates
        self.picker = picker
        self.values = dict(values)
        self.items: list[Item] = []

    def say(self, role: Role, slot: str, **extra: str) -> None:
        variant = self.picker.pick(slot)
        values = {**self.values, **extra}
        template = self.templates.variants(slot)[variant]
        used = tuple((name, values[name]) for name in sorted(placeholders(template)) if name in values)
        text = self.templates.render(slot, variant, values)
        self.items.append(Line(role, text, Source(SourceKind.TEMPLATE, slot, variant, used)))

    def pack_text(self, pack: Pack, field_name: str) -> None:
        self.items.append(Line(Role.HOST, getattr(pack, field_name), Source(SourceKind.PACK, field_name)))

    def answer(self, spoken: SpokenSection) -> None:
        """The guest reads the chunks; the host nudges between them."""
        for n, chunk in enumerate(spoken.chunks):
            if n:
                self.say(Role.HOST, "interview.more")
            text = spoken.section.answer[chunk]
            self.items.append(Line(Role.GUEST, text, Source(SourceKind.CONTENT, spoken.section.id, chunk)))

    def ask(self, section: Section) -> None:
        if section.title.endswith("?"):
            self.say(Role.HOST, "interview.ask_lead")
            self.items.append(Line(Role.HOST, section.title, Source(SourceKind.TITLE, section.id)))
        else:
            self.say(Role.HOST, "interview.ask", section_title_lower=lower_first(section.title))

    def listener_question(self, section: Section) -> None:
        usable = [i for i, e in enumerate(section.examples) if len(e.split()) >= MIN_QUESTION_WORDS] or list(range(len(section.examples)))
        index = usable[self.picker.choose(f"example:{section.id}", len(usable))]
        text = question_text(section.examples[index])
        self.items.append(Line(Role.LISTENER, text, Source(SourceKind.EXAMPLE, section.id, index)))


def _segment_items(seg: ResolvedSegment, w: _Writer, pack: Pack, has_welcome: bool) -> None:
    kind = seg.kind
    if kind is SegmentKind.DISCLAIMER:
        w.say(Role.HOST, "disclaimer.lead")
        w.pack_text(pack, "disclaimer")
        w.say(Role.HOST, "disclaimer.voices")
    elif kind is SegmentKind.IDENT:
        w.say(Role.HOST, "ident.name")
        w.say(Role.HOST, "ident.style")
        if not has_welcome:
            w.say(Role.HOST, "welcome.hello")
            w.say(Role.HOST, "welcome.today")
            w.say(Role.HOST, "welcome.guest")
            w.say(Role.GUEST, "welcome.guest_hello")
    elif kind is SegmentKind.WELCOME:
        for slot in ("welcome.hello", "welcome.today", "welcome.audience", "welcome.not_alone", "welcome.guest"):
            w.say(Role.HOST, slot)
        w.say(Role.GUEST, "welcome.guest_hello")
        w.say(Role.HOST, "welcome.agenda")
        w.say(Role.HOST, "welcome.partner")
    elif kind is SegmentKind.KEY_TERMS:
        w.say(Role.HOST, "key_terms.intro")
        w.say(Role.HOST, "key_terms.ask")
        for spoken in seg.sections:
            w.answer(spoken)
        w.say(Role.HOST, "key_terms.outro")
    elif kind is SegmentKind.INTERVIEW:
        single = len(seg.sections) == 1 and seg.sections[0].section.title == seg.title
        if not single:
            w.say(Role.HOST, "interview.intro", chapter_title_lower=lower_first(seg.title))
        for spoken in seg.sections:
            w.ask(spoken.section)
            w.answer(spoken)
        w.say(Role.HOST, "interview.care_team")
    elif kind is SegmentKind.LISTENER_QUESTIONS:
        w.say(Role.HOST, "listener_questions.intro")
        for spoken in seg.sections:
            w.say(Role.HOST, "listener_questions.next")
            w.listener_question(spoken.section)
            w.answer(spoken)
            w.say(Role.HOST, "listener_questions.closer")
    elif kind is SegmentKind.CARE_TEAM:
        w.say(Role.HOST, "care_team.intro")
        w.say(Role.HOST, "care_team.ask")
        for n, spoken in enumerate(seg.sections):
            if n:
                w.ask(spoken.section)
            w.answer(spoken)
        w.items.append(Pause(WRITE_DOWN_PAUSE_S, "time to write"))
        w.say(Role.HOST, "care_team.outro")
    elif kind is SegmentKind.RESOURCES:
        w.say(Role.HOST, "resources.intro")
        for spoken in seg.sections:
            w.answer(spoken)
        w.say(Role.HOST, "resources.outro")
    elif kind is SegmentKind.CLOSE:
        w.say(Role.HOST, "close.recap")
        w.say(Role.HOST, "close.thanks")
        w.say(Role.GUEST, "close.guest_thanks")
        w.say(Role.HOST, "close.not_alone")
        w.say(Role.HOST, "close.disclaimer_lead")
        w.pack_text(pack, "disclaimer")
        w.say(Role.HOST, "close.credits")
        w.pack_text(pack, "attribution")
        w.say(Role.HOST, "close.style")
        w.say(Role.HOST, "close.signoff")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "segment"


def build_script(pack: Pack, plan: Plan, templates: Templates, show: Show, seed: int = 0) -> EpisodeScript:
    """The typed script for ``plan`` over ``pack``; raises ContentError if provenance fails."""
    segments = resolve(plan, pack)
    values = slot_values(pack, plan, show, segments)
    picker = Picker(templates, seed, salt=plan.id)
    has_welcome = any(s.kind is SegmentKind.WELCOME for s in segments)
    built: list[Segment] = []
    for n, seg in enumerate(segments, 1):
        writer = _Writer(templates, picker, values)
        _segment_items(seg, writer, pack, has_welcome)
        built.append(
            Segment(
                id=f"{n:02d}-{_slug(seg.title)}",
                kind=seg.kind,
                title=seg.title,
                items=tuple(writer.items),
                sting=seg.sting,
                sections=tuple(s.section.id for s in seg.sections),
            )
        )
    script = EpisodeScript(
        plan_id=plan.id,
        title=values["episode_title"],
        show_title=show.title,
        pack_id=pack.id,
        pack_title=pack.title,
        attribution=pack.attribution,
        seed=seed,
        segments=tuple(built),
        description=plan.description,
        outro_sting=plan.outro_sting,
    )
    check_provenance(script, pack, plan, templates, show)
    return script


@dataclass(frozen=True)
class Provenance:
    """How many lines came from where; ``share`` is 1.0 when every line is accounted for."""

    total: int
    by_kind: Mapping[str, int]
    problems: tuple[str, ...]

    @property
    def share(self) -> float:
        return (self.total - len(self.problems)) / self.total if self.total else 1.0


def _line_problem(line: Line, pack: Pack, templates: Templates, allowed: Mapping[str, set[str]]) -> str | None:
    src = line.source
    sections = {s.id: s for s in pack.sections}
    if src.kind is SourceKind.TEMPLATE:
        if src.ref not in templates.slots or not 0 <= src.index < len(templates.slots[src.ref]):
            return f"names unknown template {src.ref}#{src.index + 1}"
        values = dict(src.slots)
        for name, value in values.items():
            if value not in allowed.get(name, set()):
                return f"fills {{{name}}} with text that is not from the show, plan or pack: {value!r}"
        if templates.render(src.ref, src.index, values) != line.text:
            return f"does not match template {src.ref}#{src.index + 1}"
        if line.role is Role.LISTENER:
            return "is a template line given to the listener"
        return None
    if src.kind is SourceKind.PACK:
        if src.ref not in ("disclaimer", "attribution") or getattr(pack, src.ref) != line.text:
            return f"does not match the pack's {src.ref}"
        return None
    section = sections.get(src.ref)
    if section is None:
        return f"names unknown section '{src.ref}'"
    if src.kind is SourceKind.CONTENT:
        ok = 0 <= src.index < len(section.answer) and section.answer[src.index] == line.text and line.role is Role.GUEST
        return None if ok else f"is not answer chunk {src.index + 1} of section '{section.id}' read by the guest expert"
    if src.kind is SourceKind.TITLE:
        return None if section.title == line.text else f"is not the title of section '{section.id}'"
    if src.kind is SourceKind.EXAMPLE:
        ok = 0 <= src.index < len(section.examples) and question_text(section.examples[src.index]) == line.text
        return None if ok and line.role is Role.LISTENER else f"is not example {src.index + 1} of section '{section.id}' asked by the listener"
    return "has no known source"


def provenance(script: EpisodeScript, pack: Pack, plan: Plan, templates: Templates, show: Show) -> Provenance:
    """Check every line against the template file and the content pack."""
    allowed = allowed_values(pack, plan, show, resolve(plan, pack))
    counts: dict[str, int] = {}
    problems: list[str] = []
    total = 0
    for seg in script.segments:
        for n, line in enumerate(seg.lines, 1):
            total += 1
            counts[line.source.kind.value] = counts.get(line.source.kind.value, 0) + 1
            problem = _line_problem(line, pack, templates, allowed)
            if problem:
                problems.append(f"segment '{seg.id}' line {n} ({line.role.label}: {line.text[:50]!r}) {problem}")
    return Provenance(total, counts, tuple(problems))


def check_provenance(script: EpisodeScript, pack: Pack, plan: Plan, templates: Templates, show: Show) -> Provenance:
    """Like :func:`provenance`, but a line that is neither template nor content fails the build."""
    report = provenance(script, pack, plan, templates, show)
    if report.problems:
        raise ContentError(plan.path, plan.line, f"provenance check failed: {report.problems[0]}; every line must be a template or the pack's text")
    return report
