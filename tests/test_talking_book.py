"""Talking-book commands a blind listener expects: "where am I" (topic n of m, part k of j) and
spelling a word out letter by letter. Built-in pack."""

from __future__ import annotations

import re

import pytest

from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, Heard, KeyPressed, Say, State
from voice_guide.keys import key_map
from voice_guide.matcher import Kind, Matcher
from voice_guide.spelling import hard_words, letters, spell_request
from voice_guide.text import clean
from voice_guide.vocabulary import build_vocabulary


@pytest.fixture()
def dialogue(library: Library, matcher: Matcher) -> Dialogue:
    return Dialogue(library, matcher)


def spelled_letters(text: str) -> list[str]:
    """The single letters of a spelling reply ("Tamoxifen: T, A, M, ..." -> ["T", "A", "M", ...])."""
    return re.findall(r"(?<=[ ,:])([A-Z0-9])(?=[,.])", text)


# -- where am I -----------------------------------------------------------------------------------
@pytest.mark.parametrize("said", ["where am i", "where are we now", "what topic is this", "which section am i in",
                                  "what am i listening to", "what part is this"])
def test_where_am_i_is_a_command(matcher: Matcher, said: str) -> None:
    match = matcher.match(said)
    assert match.kind is Kind.COMMAND and match.command == "where", match


@pytest.mark.parametrize("said", ["where does breast cancer spread", "where is the cancer", "what part of the body does it go to"])
def test_questions_with_where_are_still_questions(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).kind in (Kind.ANSWER, Kind.CLARIFY)  # "where is the cancer" asks which part


def test_where_names_the_topic_its_place_and_the_part(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(Heard("what is metastatic breast cancer"))
    section = library.section(dialogue.mem.section or "")
    number = [s.id for s in library.sections].index(section.id) + 1
    first = dialogue.handle(Heard("where am i"))
    assert first.command == "where"
    assert f"topic {number} of {len(library.sections)}" in first.text and section.title in first.text
    assert f"Part 1 of {len(section.answer)}" in first.text
    dialogue.handle(Heard("more"))
    assert f"Part 2 of {len(section.answer)}" in dialogue.handle(KeyPressed("where")).text


def test_where_before_any_topic_says_how_to_begin(dialogue: Dialogue) -> None:
    assert dialogue.handle(Heard("where am i")).text == dialogue._p("where_start")


def test_where_in_the_topic_list_gives_the_page_and_keeps_the_list(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(Heard("topics"))
    listed = dialogue.mem.listed
    turn = dialogue.handle(Heard("where am i"))
    pages = -(-len(library.sections) // dialogue.settings.topics_per_page)
    assert f"page 1 of {pages}" in turn.text
    picked = dialogue.handle(Heard("the second one"))
    assert picked.section == listed[1]


def test_where_during_a_clarification_repeats_the_question_and_keeps_it_open(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("is it new"))
    choices = dialogue.mem.choices
    assert dialogue.state is State.CLARIFYING and len(choices) == 2
    turn = dialogue.handle(Heard("where am i"))
    assert turn.text.startswith(dialogue._p("where_clarify")) and dialogue._choices() in turn.text
    assert dialogue.handle(Heard("the first one")).section == choices[0]


def test_where_keeps_the_offer_and_repeat_still_replays_the_answer(dialogue: Dialogue) -> None:
    answer = dialogue.handle(Heard("can i get a second opinion"))
    while dialogue.mem.offer is None:
        answer = dialogue.handle(Heard("more"))
    offer = dialogue.mem.offer
    dialogue.handle(Heard("where am i"))
    assert dialogue.handle(Heard("repeat")).text == answer.text
    assert dialogue.handle(Heard("yes")).section == offer


# -- spelling -------------------------------------------------------------------------------------
@pytest.mark.parametrize("said, words", [
    ("spell tamoxifen", ("tamoxifen",)),
    ("Can you spell oncologist, please?", ("oncologist",)),
    ("how do you spell metastatic", ("metastatic",)),
    ("how is biopsy spelled", ("biopsy",)),
    ("what is the spelling of lobules", ("lobules",)),
    ("spell breast cancer", ("breast", "cancer")),
    ("spell that", ()),
    ("spell it out please", ()),
    ("how do you spell that word", ()),
])
def test_spelling_requests_name_their_words(said: str, words: tuple[str, ...]) -> None:
    assert spell_request(clean(said)) == words


@pytest.mark.parametrize("said", ["spell out my options", "spell out the treatment options", "does it spell the end",
                                  "what is metastatic breast cancer", "spell the end of my career for me"])
def test_other_uses_of_spell_are_no_spelling_request(said: str) -> None:
    assert spell_request(clean(said)) is None


def test_spell_tamoxifen_gives_its_nine_letters(dialogue: Dialogue) -> None:
    turn = dialogue.handle(Heard("spell tamoxifen"))
    assert turn.kind == "command" and turn.command == "spell"
    assert spelled_letters(turn.text) == list("TAMOXIFEN")
    assert turn.section is None and not any(isinstance(a, Say) and a.section for a in turn.actions)


def test_letters_are_named_one_by_one() -> None:
    assert letters("her2") == "H, E, R, 2"


def test_spell_that_spells_the_long_words_just_read(dialogue: Dialogue, library: Library, matcher: Matcher) -> None:
    dialogue.handle(Heard("what is metastatic breast cancer"))
    chunk = library.section(dialogue.mem.section or "").answer[0]
    words = hard_words(chunk, matcher.is_everyday)
    assert "metastatic" in words
    turn = dialogue.handle(Heard("spell that"))
    assert turn.command == "spell"
    for word in words:
        assert f"{word.capitalize()}: {letters(word)}." in turn.text
    assert dialogue.handle(Heard("say that again")).text == turn.text  # the spelling is said again


def test_spell_that_with_nothing_read_says_how_to_ask(dialogue: Dialogue) -> None:
    assert dialogue.handle(Heard("spell that")).text == dialogue._p("spell_what")
    assert dialogue.handle(KeyPressed("spell")).text == dialogue._p("spell_what")


def test_hard_words_are_long_and_not_everyday(matcher: Matcher) -> None:
    text = "Your oncologist and pathologist will look at everything, including the biopsy, and recommend treatment."
    words = hard_words(text, matcher.is_everyday)
    assert words == ("oncologist", "pathologist", "recommend")  # the three longest, as read
    assert "everything" not in hard_words("everything together somewhere", matcher.is_everyday)


def test_spelling_during_a_clarification_keeps_the_question(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("is it new"))
    choices = dialogue.mem.choices
    turn = dialogue.handle(Heard("spell metastatic"))
    assert turn.command == "spell" and dialogue.state is State.CLARIFYING
    assert dialogue.handle(Heard("second")).section == choices[1]


def test_a_safety_statement_is_never_spelled(matcher: Matcher) -> None:
    assert matcher.match("how do you spell suicide").kind is Kind.SAFETY


def test_where_and_spell_have_keys(matcher: Matcher) -> None:
    keys = key_map(matcher.key_bindings())
    assert keys["w"] == "where" and keys["c"] == "spell"


def test_the_recognizers_learn_spell_with_the_contents_long_words(library: Library) -> None:
    vocabulary = build_vocabulary(library)
    assert {"spell metastatic", "spell oncologist", "spell biopsy", "where am i", "spell that"} <= set(vocabulary.commands)
    assert "spell because" not in vocabulary.commands


@pytest.mark.parametrize("said", ["what is this rash", "where am i bleeding", "where am i swollen"])
def test_where_takes_no_stray_word(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).command != "where"


@pytest.mark.parametrize("said", ["spell out side effects", "could you spell out treatment options", "spell out second opinion"])
def test_spell_out_several_words_asks_to_be_told(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).command != "spell"


@pytest.mark.parametrize("said, command", [("what was that part", "repeat"), ("what part is that", None)])
def test_where_leaves_older_readings_alone(matcher: Matcher, said: str, command: str | None) -> None:
    assert matcher.match(said).command == command


@pytest.mark.parametrize("said", ["spell", "spell please", "spell out", "spell again"])
def test_a_bare_spell_spells_what_was_just_read(dialogue: Dialogue, said: str) -> None:
    dialogue.handle(Heard("what is metastatic breast cancer"))
    assert "Metastatic: M, E, T" in dialogue.handle(Heard(said)).text


def test_spell_that_slower_spells_at_the_slower_rate(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("what is metastatic breast cancer"))
    turn = dialogue.handle(Heard("spell that slower"))
    assert turn.command == "spell" and "Metastatic: M, E, T" in turn.text and dialogue.rate_wpm < 150


def test_spell_that_spells_what_was_said_last_not_an_older_answer(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(Heard("topics"))
    assert "Diagnosing: D, I, A" in dialogue.handle(Heard("spell that")).text  # a title of the list just read
    dialogue.handle(Heard("what is metastatic breast cancer"))
    message = dialogue.handle(Heard("i have chest pain"))
    assert message.kind == "safety"
    assert "Metastatic" not in dialogue.handle(Heard("spell that")).text


def test_up_to_three_words_are_spelled(dialogue: Dialogue) -> None:
    text = dialogue.handle(Heard("spell metastatic breast cancer")).text
    assert text == "Metastatic: M, E, T, A, S, T, A, T, I, C. Breast: B, R, E, A, S, T. Cancer: C, A, N, C, E, R."
