"""Content packs: the built-in pack is faithful to its source; broken packs fail with file:line."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from voice_guide.content import FIRST_CHUNK_MAX_WORDS, MIN_EXAMPLES, Library, build_library, load_library, load_pack
from voice_guide.errors import ContentError
from voice_guide.text import clean

SOURCE = Path(__file__).resolve().parents[1] / "voice_guide" / "content" / "sources" / "what-is-metastatic-breast-cancer.txt"
REQUIRED_IDS = {
    "what-is-mbc", "diagnosis", "common-sites", "emotions", "doctor-questions", "second-opinion",
    "is-it-breast-cancer", "second-primary", "same-as-earlier", "resources",
}
# Words the spoken answers may add to the page's wording: joining words only, never medical ones.
EDIT_WORDS = {"bring", "up", "are", "there", "first", "third", "fourth", "four", "same", "true", "also", "and",
              "can", "community", "include", "its", "offers", "support", "the", "you"}


def test_builtin_pack_has_the_required_sections(library: Library) -> None:
    assert {s.id for s in library.sections} == REQUIRED_IDS


def test_every_sentence_of_the_source_page_is_in_some_section(library: Library) -> None:
    page = SOURCE.read_text(encoding="utf-8")
    sources = " ".join(clean(s.source) for s in library.sections)
    pieces = re.findall(r"[^.?!\n]+[.?!\u201d\"]*", page)
    sentences = [clean(p) for p in pieces if re.search(r"[.?!]", p) and len(clean(p).split()) >= 4]
    sentences = [s for s in sentences if s != clean(library.primary.title)]
    assert len(sentences) >= 15
    missing = [s for s in sentences if s not in sources]
    assert not missing, f"source sentences missing from the pack: {missing}"
    resources = clean(library.section("resources").source)
    for heading in ("social media", "free materials", "frankly speaking about cancer internet radio show", "mini meals"):
        assert heading in resources


def test_answers_add_no_new_words_beyond_listed_edits(library: Library) -> None:
    for s in library.sections:
        source_words = set(clean(s.source).split())
        added = {w for chunk in s.answer for w in clean(chunk).split()} - source_words
        assert added <= EDIT_WORDS, f"{s.id} adds {sorted(added - EDIT_WORDS)}"


def test_answers_keep_the_medical_words_of_the_source(library: Library) -> None:
    for s in library.sections:
        spoken = {w for chunk in s.answer for w in clean(chunk).split()}
        for term in ("metastatic", "lobules", "pathologist", "biopsy", "biochemical", "bones", "recurred"):
            if term in clean(s.source).split():
                assert term in spoken, f"{s.id} drops '{term}'"


def test_section_shape(library: Library) -> None:
    for s in library.sections:
        assert len(s.answer[0].split()) <= FIRST_CHUNK_MAX_WORDS
        assert len(s.examples) >= MIN_EXAMPLES
        assert s.keywords and s.title and s.source
        for rel in s.related:
            assert library.has_section(rel)


def test_pack_level_messages(library: Library) -> None:
    pack = library.primary
    assert "911" in pack.safety.emergency.split(".")[0]
    assert "988" in pack.safety.crisis.split(".")[0]
    assert "not medical advice" in pack.disclaimer
    assert pack.fallback and pack.attribution and pack.language == "en"


VALID = textwrap.dedent(
    """\
    pack:
      id: test-pack
      title: Test pack
      attribution: Tests
      language: en
      disclaimer: Not medical advice.
      fallback: I don't know that.
      safety:
        emergency: Call 911.
        crisis: Call or text 988.
    sections:
      - id: alpha
        title: Alpha
        answer: [Alpha answer.]
        source: Alpha answer.
        examples: [a1, a2, a3, a4, a5, a6, a7, a8]
        keywords: [alpha]
        related: [beta]
      - id: beta
        title: Beta
        answer: [Beta answer., More beta.]
        source: Beta answer. More beta.
        examples: [b1, b2, b3, b4, b5, b6, b7, b8]
        keywords: [beta]
    """
)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> ContentError:
    with pytest.raises(ContentError) as info:
        build_library([load_pack(write(tmp_path, text))])
    return info.value


def test_an_answer_written_as_one_text_is_one_chunk(tmp_path: Path) -> None:
    library = build_library([load_pack(write(tmp_path, VALID.replace("answer: [Alpha answer.]", "answer: Alpha answer.")))])
    assert library.section("alpha").answer == ("Alpha answer.",)


def test_a_word_an_answer_adds_is_allowed_once_an_edit_quotes_it(tmp_path: Path) -> None:
    added = VALID.replace("    answer: [Alpha answer.]\n", '    answer: ["Alpha answer, in short."]\n    edits: [\'Adds "short".\']\n')
    assert build_library([load_pack(write(tmp_path, added))]).section("alpha").answer == ("Alpha answer, in short.",)
    mentioned = added.replace("""Adds "short".""", "Adds short.")  # named in passing, not quoted: not allowed
    assert "the answer says short" in str(error_of(tmp_path, mentioned))


@pytest.mark.parametrize("answer", ["Alpha answer not.", "Alpha answer, all of it.", "Alpha answer should be three."])
def test_an_answer_cannot_turn_its_source_around_with_short_words(tmp_path: Path, answer: str) -> None:
    # "not", "all", "should", numbers: joining words in a question, but they change what an answer claims.
    err = error_of(tmp_path, VALID.replace("    answer: [Alpha answer.]\n", f'    answer: ["{answer}"]\n'))
    assert "the answer says" in str(err) and "which its source does not" in str(err)


def test_valid_pack_loads(tmp_path: Path) -> None:
    library = build_library([load_pack(write(tmp_path, VALID))])
    assert [s.id for s in library.sections] == ["alpha", "beta"]
    assert library.section("beta").answer == ("Beta answer.", "More beta.")


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("    keywords: [alpha]\n", "    keywords: [alpha]\n    colour: red\n", 18, "unknown key 'colour'"),
        ("    title: Alpha\n", "", 12, "missing required field 'title'"),
        ("  - id: beta\n", "  - id: alpha\n", 19, "duplicate section id 'alpha'"),
        ("    related: [beta]\n", "    related: [gamma]\n", 12, "unknown section 'gamma'"),
        ("    answer: [Alpha answer.]\n", "    answer: []\n", 14, "empty answer"),
        ("    answer: [Alpha answer.]\n", "    answer: [" + "word " * 41 + "]\n", 14, "41 words"),
        ("    answer: [Alpha answer.]\n", "    answer: [Alpha answer. Stop your chemo and take ten aspirin a day.]\n", 14,
         "the answer says stop, chemo, take, ten, aspirin, day, which its source does not"),
        ("    answer: [Alpha answer.]\n", "    answer: [42]\n", 14, "answer item 1 must be non-empty text"),
        ("    examples: [a1, a2, a3, a4, a5, a6, a7, a8]\n", "    examples: [a1, a2]\n", 16, "at least 8"),
        ("  language: en\n", "  language: en\n  language: fr\n", 6, "duplicate key 'language'"),
        ("    crisis: Call or text 988.\n", "    crisis: [unclosed\n", 11, "YAML syntax"),
    ],
)
def test_broken_pack_names_file_and_line(tmp_path: Path, old: str, new: str, line: int, words: str) -> None:
    assert old in VALID
    err = error_of(tmp_path, VALID.replace(old, new, 1))
    assert words in str(err)
    assert err.line == line, str(err)
    assert str(err).startswith(f"{tmp_path / 'pack.yaml'}:{line}: ")


def test_missing_file_and_wrong_top_level(tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no such file"):
        load_pack(tmp_path / "nope.yaml")
    with pytest.raises(ContentError, match="mapping"):
        load_pack(write(tmp_path, "- just\n- a list\n"))


@pytest.mark.parametrize("where", [10, 20_000])  # read at once, or only when the reader gets there
def test_a_control_character_is_one_line_that_says_what_to_do(tmp_path: Path, where: int) -> None:
    text = "pack:\n  id: x\n" + "#" + "x" * where + "\n  title: \"a\x02b\"\n"
    with pytest.raises(ContentError, match="remove control characters") as info:
        load_pack(write(tmp_path, text))
    assert "\n" not in str(info.value)


def test_extra_pack_adds_sections_without_code_changes(tmp_path: Path) -> None:
    extra = VALID.replace("test-pack", "extra").replace("id: alpha", "id: gamma").replace("id: beta", "id: delta").replace("[beta]", "[delta]")
    folder = tmp_path / "packs"
    folder.mkdir()
    (folder / "extra.yaml").write_text(extra, encoding="utf-8")
    library = load_library([folder])
    assert library.has_section("gamma") and library.has_section("what-is-mbc")


def test_two_topics_with_one_title_are_refused(tmp_path: Path) -> None:
    """A pack copied with only its ids renamed passed, and the guide asked "First: Alpha? Or second: Alpha?"."""
    copy = VALID.replace("test-pack", "copy").replace("id: alpha", "id: gamma").replace("id: beta", "id: delta").replace("[beta]", "[delta]")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = write(tmp_path / "a", VALID), write(tmp_path / "b", copy)
    with pytest.raises(ContentError, match="section 'gamma' has the title of section 'alpha'") as info:
        build_library([load_pack(first), load_pack(second)])
    assert str(info.value).startswith(f"{second}:")


def test_extra_pack_clashing_with_builtin_ids_is_rejected(tmp_path: Path) -> None:
    clash = VALID.replace("id: alpha", "id: diagnosis").replace("    related: [beta]\n", "")
    path = write(tmp_path, clash)
    with pytest.raises(ContentError, match="duplicate section id 'diagnosis'"):
        load_library([path])


def test_a_file_that_never_ends_is_refused_before_it_fills_the_memory() -> None:
    with pytest.raises(ContentError, match="larger than 16 MB"):
        load_pack("/dev/zero")
