"""Episode scripts: plans and templates are data, every line has provenance, a seed fixes the script."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from voice_guide.content import Library, Pack, load_pack
from voice_guide.episode.lexicon import load_lexicon
from voice_guide.episode.model import Line, Role, SegmentKind, Source, SourceKind, script_from_dict, script_to_dict
from voice_guide.episode.plans import find_plan, load_plans, resolve
from voice_guide.episode.readability import GRADE_LIMIT, fk_grade, readability, syllables
from voice_guide.episode.script import build_script, check_provenance, provenance, question_text
from voice_guide.episode.settings import load_production, load_show
from voice_guide.episode.templates import forbidden_words, load_templates
from voice_guide.errors import ContentError

TEMPLATES = load_templates()
SHOW = load_show()
PLANS = load_plans()


@pytest.fixture(scope="module")
def pack(library: Library) -> Pack:
    return library.primary


def test_every_builtin_plan_builds_with_full_provenance(pack: Pack) -> None:
    for plan in PLANS:
        script = build_script(pack, plan, TEMPLATES, SHOW, seed=0)
        report = provenance(script, pack, plan, TEMPLATES, SHOW)
        assert report.share == 1.0 and not report.problems, plan.id
        assert script.segments[0].kind is SegmentKind.DISCLAIMER
        assert script.segments[-1].kind is SegmentKind.CLOSE


def test_the_full_episode_speaks_every_answer_chunk_once_in_order_of_plan(pack: Pack) -> None:
    script = build_script(pack, find_plan(PLANS, "what-is-mbc"), TEMPLATES, SHOW, seed=0)
    spoken = [(line.source.ref, line.source.index) for line in script.lines if line.source.kind is SourceKind.CONTENT]
    expected = {(s.id, i) for s in pack.sections for i in range(len(s.answer))}
    assert sorted(spoken) == sorted(expected)
    assert set(script.sections_used) == {s.id for s in pack.sections}
    kinds = [s.kind for s in script.segments]
    assert SegmentKind.LISTENER_QUESTIONS in kinds and SegmentKind.CARE_TEAM in kinds and SegmentKind.RESOURCES in kinds


def test_medical_text_comes_only_from_the_guest_reading_the_pack(pack: Pack) -> None:
    script = build_script(pack, find_plan(PLANS, "what-is-mbc"), TEMPLATES, SHOW, seed=3)
    answers = {a for s in pack.sections for a in s.answer}
    for line in script.lines:
        if line.text in answers:
            assert line.source.kind is SourceKind.CONTENT and line.role is Role.GUEST
        if line.source.kind is SourceKind.TEMPLATE:
            values = " ".join(v for _, v in line.source.slots)
            leftover = line.text
            for _, v in line.source.slots:
                leftover = leftover.replace(v, " ")
            assert forbidden_words(leftover, TEMPLATES.forbidden) == [], (line.text, values)


def test_a_line_that_is_neither_template_nor_content_fails_the_build(pack: Pack) -> None:
    plan = find_plan(PLANS, "second-opinion")
    script = build_script(pack, plan, TEMPLATES, SHOW, seed=0)
    seg = script.segments[2]
    forged = Line(Role.GUEST, "Chemotherapy always cures metastatic breast cancer.", Source(SourceKind.CONTENT, "second-opinion", 0))
    bad = dataclasses.replace(script, segments=(*script.segments[:2], dataclasses.replace(seg, items=(*seg.items, forged)), *script.segments[3:]))
    report = provenance(bad, pack, plan, TEMPLATES, SHOW)
    assert report.share < 1.0 and "not answer chunk 1" in report.problems[0]
    with pytest.raises(ContentError, match="provenance check failed"):
        check_provenance(bad, pack, plan, TEMPLATES, SHOW)


@pytest.mark.parametrize(
    "line, problem",
    [
        (Line(Role.HOST, "Hello there.", Source(SourceKind.TEMPLATE, "welcome.hello", 0)), "does not match template"),
        (Line(Role.HOST, "Welcome to Cure Radio.", Source(SourceKind.TEMPLATE, "ident.name", 2, (("show_title", "Cure Radio"),))), "not from the show, plan or pack"),
        (Line(Role.LISTENER, "Here's one.", Source(SourceKind.TEMPLATE, "listener_questions.next", 0)), "given to the listener"),
        (Line(Role.HOST, "Is it stage four?", Source(SourceKind.TITLE, "what-is-mbc")), "not the title"),
        (Line(Role.LISTENER, "Is it curable?", Source(SourceKind.EXAMPLE, "what-is-mbc", 0)), "not example 1"),
        (Line(Role.HOST, "It is not medical advice.", Source(SourceKind.PACK, "disclaimer")), "does not match the pack"),
        (Line(Role.HOST, "Unknown.", Source(SourceKind.CONTENT, "no-such-section", 0)), "unknown section"),
    ],
)
def test_each_kind_of_forged_line_is_caught(pack: Pack, line: Line, problem: str) -> None:
    plan = find_plan(PLANS, "second-opinion")
    script = build_script(pack, plan, TEMPLATES, SHOW, seed=0)
    last = script.segments[-1]
    bad = dataclasses.replace(script, segments=(*script.segments[:-1], dataclasses.replace(last, items=(*last.items, line))))
    problems = provenance(bad, pack, plan, TEMPLATES, SHOW).problems
    assert len(problems) == 1 and problem in problems[0]


def test_the_same_seed_gives_the_same_script_and_seeds_vary_the_framing(pack: Pack) -> None:
    plan = find_plan(PLANS, "what-is-mbc")
    first = script_to_dict(build_script(pack, plan, TEMPLATES, SHOW, seed=7))
    assert script_to_dict(build_script(pack, plan, TEMPLATES, SHOW, seed=7)) == first
    others = [script_to_dict(build_script(pack, plan, TEMPLATES, SHOW, seed=s)) for s in range(3)]
    assert any(o != first for o in others)
    content = lambda d: [i["text"] for s in d["segments"] for i in s["items"] if i.get("source", {}).get("kind") == "content"]  # noqa: E731
    assert all(content(o) == content(first) for o in others)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**31))
def test_any_seed_builds_a_fully_attributed_script(library: Library, seed: int) -> None:
    pack = library.primary
    for plan_id in ("what-is-mbc", "feelings"):
        plan = find_plan(PLANS, plan_id)
        script = build_script(pack, plan, TEMPLATES, SHOW, seed=seed)
        assert provenance(script, pack, plan, TEMPLATES, SHOW).share == 1.0
        assert script_from_dict(script_to_dict(script)) == script


def test_template_variants_rotate_without_repeating_back_to_back(pack: Pack) -> None:
    script = build_script(pack, find_plan(PLANS, "what-is-mbc"), TEMPLATES, SHOW, seed=1)
    nudges = [line.source.index for line in script.lines if line.source.ref == "interview.more"]
    assert len(nudges) >= 3
    assert all(a != b for a, b in zip(nudges, nudges[1:]))


def test_ident_and_close_say_in_the_style_of_and_claim_no_endorsement(pack: Pack) -> None:
    script = build_script(pack, find_plan(PLANS, "what-is-mbc"), TEMPLATES, SHOW, seed=0)
    text = " ".join(line.text for line in script.lines)
    assert text.count("in the style of Frankly Speaking About Cancer") >= 2
    assert "not produced or endorsed by Cancer Support Community" in text
    for line in script.lines:
        assert line.role in (Role.HOST, Role.GUEST, Role.LISTENER)


def test_a_template_with_a_medical_word_is_rejected_with_file_and_line(tmp_path: Path) -> None:
    text = Path(TEMPLATES.path).read_text(encoding="utf-8").replace("Go on.", "Chemo works. Go on.")
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match=r"templates\.yaml:\d+: template 'interview\.more' variant 1 says 'chemo'"):
        load_templates(path)


def test_the_endorsement_wording_cannot_be_edited_away(tmp_path: Path) -> None:
    text = Path(TEMPLATES.path).read_text(encoding="utf-8").replace("It is not produced or endorsed by {publisher}.", "Brought to you by {publisher}.", 1)
    path = tmp_path / "templates.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match="must say 'not produced or endorsed by'"):
        load_templates(path)


NEW_PACK = """\
pack:
  id: sleep-basics
  title: Sleep and fatigue
  attribution: From a made-up sleep leaflet used in tests.
  language: en
  disclaimer: This is general education. Talk with your care team.
  fallback: I don't have information about that.
  safety: {emergency: Call 911., crisis: Call 988.}
sections:
  - id: tiredness
    title: Why am I so tired?
    answer: ["Tiredness is common. Rest when you need to.", "Short walks may help some people."]
    source: Tiredness is common. Rest when you need to. Short walks may help some people.
    examples: [why am i tired, i feel exhausted all day, is it normal to be so tired, tired all the time,
      how do i get more energy, why do i have no energy, what helps with tiredness, so worn out]
    keywords: [tired, tiredness, energy]
  - id: sleep-habits
    title: Habits that help sleep
    answer: ["A regular bedtime can help."]
    source: A regular bedtime can help.
    examples: [how can i sleep better, i can't sleep at night, tips for sleep, what helps me sleep,
      trouble sleeping, i wake up at night, bedtime habits, how do i fall asleep]
    keywords: [sleep, bedtime]
"""


def test_a_new_pack_gets_a_full_episode_from_the_generic_plan(tmp_path: Path) -> None:
    path = tmp_path / "sleep.yaml"
    path.write_text(NEW_PACK, encoding="utf-8")
    pack = load_pack(path)
    plan = find_plan(PLANS, "overview")
    script = build_script(pack, plan, TEMPLATES, SHOW, seed=0)
    assert script.title == "Sleep and fatigue"
    assert [s.title for s in script.segments if s.kind is SegmentKind.INTERVIEW] == ["Why am I so tired?", "Habits that help sleep"]
    assert provenance(script, pack, plan, TEMPLATES, SHOW).share == 1.0
    assert "publisher of the source material" in " ".join(line.text for line in script.lines)
    assert plan.slug(pack) == "overview-sleep-basics"
    with pytest.raises(ContentError, match="is for pack 'metastatic-breast-cancer'"):
        resolve(find_plan(PLANS, "what-is-mbc"), pack)


def test_plan_errors_name_the_plan_file_and_line(tmp_path: Path, pack: Pack) -> None:
    (tmp_path / "bad.yaml").write_text(
        "id: bad\ntitle: Bad\npack: metastatic-breast-cancer\nsegments:\n  - {kind: disclaimer, title: A}\n  - kind: interview\n    title: X\n"
        "    sections: [no-such-section]\n  - {kind: close, title: Z}\n",
        encoding="utf-8",
    )
    plan = load_plans([tmp_path], builtin=False)[0]
    with pytest.raises(ContentError, match=r"bad\.yaml:8: pack 'metastatic-breast-cancer' has no section 'no-such-section'"):
        resolve(plan, pack)
    (tmp_path / "bad.yaml").write_text("id: bad\ntitle: Bad\npack: any\nsegments:\n  - kind: monologue\n    title: X\n", encoding="utf-8")
    with pytest.raises(ContentError, match=r"bad\.yaml:5: segment kind must be one of"):
        load_plans([tmp_path], builtin=False)


def test_a_plans_folder_without_plans_is_an_error_not_nothing(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "notes.txt").write_text("not a plan")
    with pytest.raises(ContentError, match=r"plans: no plan files \(\*\.yaml\) in this folder; check --plans"):
        load_plans([tmp_path / "plans"])


def test_a_plan_without_its_disclaimers_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "bare.yaml").write_text(
        "id: bare\ntitle: Bare\npack: any\nsegments:\n  - kind: interview\n    title: X\n    sections: all\n  - kind: close\n    title: Bye\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError, match=r"bare\.yaml:4: a plan must open with a 'disclaimer' segment and end with a 'close' segment"):
        load_plans([tmp_path], builtin=False)


def test_a_plan_that_must_cover_everything_fails_when_a_chunk_is_left_out(tmp_path: Path, pack: Pack) -> None:
    text = Path(find_plan(PLANS, "what-is-mbc").path).read_text(encoding="utf-8").replace("chunks: [2, 3]", "chunks: [2]")
    (tmp_path / "partial.yaml").write_text(text.replace("\nid: what-is-mbc\n", "\nid: partial\n"), encoding="utf-8")
    plan = load_plans([tmp_path], builtin=False)[0]
    with pytest.raises(ContentError, match="section 'what-is-mbc' chunk 3 is never spoken"):
        resolve(plan, pack)


@pytest.mark.parametrize(
    "example, spoken",
    [
        ("what is stage iv", "What is stage IV?"),
        ("i'm scared", "I'm scared."),
        ("my dad doubts his diagnosis what can he do", "My dad doubts his diagnosis what can he do?"),
        ("the news was a shock and i don't know how to feel", "The news was a shock and I don't know how to feel."),
        ("mbc what is it", "MBC what is it?"),
    ],
)
def test_listener_questions_are_the_packs_examples_made_readable(example: str, spoken: str) -> None:
    assert question_text(example) == spoken


def test_readability_is_reported_per_segment_and_flags_hard_text(pack: Pack) -> None:
    assert fk_grade("The cat sat. The dog ran.") < 1
    hard = "Comprehensive multidisciplinary evaluation necessitates histopathological characterization of metastatic lesions."
    assert fk_grade(hard) > GRADE_LIMIT
    assert [syllables(w) for w in ("cat", "table", "metastatic", "recommended")] == [1, 2, 4, 4]
    script = build_script(pack, find_plan(PLANS, "what-is-mbc"), TEMPLATES, SHOW, seed=0)
    rows = readability(script, load_production().pacing.words_per_minute)
    assert len(rows) == len(script.segments)
    assert all(r.words > 0 and r.estimated_seconds > 0 for r in rows)
    assert sum(r.words for r in rows) == script.words
    assert any(r.content_grade is not None for r in rows)


def test_the_lexicon_respells_for_the_synthesizer_only(pack: Pack) -> None:
    lexicon = load_lexicon()
    text = "The most common sites for breast cancer metastases are the bones. Metastases can be treated; MBC is stage IV."
    spoken = lexicon.spoken(text)
    assert "metastaseez" in spoken and "Metastases" not in spoken and "M B C" in spoken and "stage four" in spoken
    assert lexicon.spoken("metastasesx and premetastases") == "metastasesx and premetastases"
    script = build_script(pack, find_plan(PLANS, "what-is-mbc"), TEMPLATES, SHOW, seed=0)
    assert not any("metastaseez" in line.text for line in script.lines)
    assert {t.term for t in lexicon.used_in(" ".join(line.text for line in script.lines))} >= {"metastatic", "lobules", "pathologist"}


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed, so respellings cannot be checked")
def test_respellings_still_give_the_golden_espeak_phonemes() -> None:
    for term in load_lexicon().terms:
        if not term.espeak:
            continue
        out = subprocess.run(["espeak-ng", "-q", "-x", "-v", "en-us", term.say], capture_output=True, text=True, check=True).stdout.strip()
        assert out == term.espeak, term.term
