"""How a visitor recovers by voice alone: asking again (slower), answering a clarification in their own
words, picking from the topics, being still there, starting fresh as the next person. Built-in pack."""

from __future__ import annotations

import pytest

from voice_guide.config import DialogueSettings
from voice_guide.content import Library
from voice_guide.dialogue import (Dialogue, Heard, Idle, KeyPressed, Listen, ListenStarted, NoInput, Say, SetVoice,
                                  SpeechFinished, Start, State, Turn)
from voice_guide.matcher import Matcher

CLARIFYING = "is it new"
"""Asks "which did you mean?" between the second-primary and is-it-breast-cancer sections."""


@pytest.fixture()
def dialogue(library: Library, matcher: Matcher) -> Dialogue:
    return Dialogue(library, matcher)


def content(turn: Turn) -> list[str]:
    return [a.text for a in turn.actions if isinstance(a, Say) and a.section]


def clarifying(dialogue: Dialogue) -> tuple[str, ...]:
    turn = dialogue.handle(Heard(CLARIFYING))
    assert turn.kind == "clarify" and len(dialogue.mem.choices) == 2, turn.text
    return dialogue.mem.choices


@pytest.mark.parametrize("said, command", [("tell me again", "repeat"), ("can you tell me that again", "repeat"),
                                           ("start again", "beginning"), ("from the beginning", "beginning")])
def test_asking_again_replays_the_answer_not_a_section_about_recurrence(dialogue: Dialogue, said: str, command: str) -> None:
    first = dialogue.handle(Heard("what is metastatic breast cancer"))
    again = dialogue.handle(Heard(said))
    assert again.command == command and content(again) == content(first)


def test_say_that_again_slower_replays_at_the_slower_rate(dialogue: Dialogue) -> None:
    first = dialogue.handle(Heard("what is metastatic breast cancer"))
    again = dialogue.handle(Heard("could you say that again more slowly"))
    assert again.command == "repeat" and content(again) == content(first)
    assert again.actions[0] == SetVoice(dialogue.rate_wpm, dialogue.volume) and dialogue.rate_wpm < 150
    assert "Slower." not in again.text  # the replay is the reply


def test_a_step_at_its_limit_is_said_before_the_replay(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("where does breast cancer spread"))
    for _ in range(20):
        dialogue.handle(KeyPressed("louder"))
    again = dialogue.handle(Heard("repeat that louder"))
    texts = [a.text for a in again.actions if isinstance(a, Say)]
    assert texts[0] == dialogue._p("loudest") and content(again)


def test_only_steps_are_each_said(dialogue: Dialogue) -> None:
    turn = dialogue.handle(Heard("louder and slower please"))
    assert turn.text == "Louder. Slower." and dialogue.volume > 0.8 and dialogue.rate_wpm < 150


def test_louder_is_three_steps_of_three_decibels(dialogue: Dialogue) -> None:
    levels = [dialogue.volume]
    while dialogue.handle(KeyPressed("louder")).text != dialogue._p("loudest"):
        levels.append(dialogue.volume)
    assert len(levels) == 4 and levels[-1] > 2.5 * levels[0]  # 0.8 -> 2.26: 9 dB of gain


def test_clarification_reads_a_title_with_a_comma_as_one_choice(dialogue: Dialogue, library: Library) -> None:
    first, second = clarifying(dialogue)
    text = dialogue.mem.last_said[0].text
    assert f"First: {library.section(first).title} Or second: {library.section(second).title}" in text


@pytest.mark.parametrize(("said", "index"), [("the last one", 1), ("breast cancer", 1), ("the second primary", 0),
                                             ("the latter", 1), ("first", 0)])
def test_a_choice_picked_in_own_words(dialogue: Dialogue, said: str, index: int) -> None:
    choices = clarifying(dialogue)
    turn = dialogue.handle(Heard(said))
    assert turn.kind == "answer" and turn.section == choices[index]


def test_an_unclear_reply_asks_again_with_the_choices_then_lets_go(dialogue: Dialogue, library: Library) -> None:
    choices = clarifying(dialogue)
    for said in ("which one", "both"):
        turn = dialogue.handle(Heard(said))
        assert turn.kind == "clarify" and dialogue.state is State.CLARIFYING
        assert all(library.section(c).title in turn.text for c in choices)
    turn = dialogue.handle(Heard("i don't know"))
    assert turn.command == "no" and dialogue.state is State.LISTENING and not dialogue.mem.choices


def test_help_and_silence_during_a_clarification_keep_the_choices_in_front(dialogue: Dialogue, library: Library) -> None:
    choices = clarifying(dialogue)
    for event in (KeyPressed("help"), NoInput(), Heard("repeat")):
        turn = dialogue.handle(event)
        assert all(library.section(c).title in turn.text for c in choices), (event, turn.text)
        assert dialogue.state is State.CLARIFYING
    assert dialogue.handle(Heard("the second one")).section == choices[1]


def test_a_clear_new_question_during_a_clarification_is_answered(dialogue: Dialogue) -> None:
    clarifying(dialogue)
    assert dialogue.handle(Heard("where does breast cancer spread")).section == "common-sites"


def test_yes_to_the_idle_warning_keeps_the_place(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("where does breast cancer spread"))
    dialogue.handle(SpeechFinished())
    offer = dialogue.mem.offer
    assert offer
    warned = [dialogue.handle(Idle(1.0)) for _ in range(45)]
    assert any(t.kind == "idle_warning" for t in warned)
    kept = dialogue.handle(Heard("yes"))
    assert kept.command == "here" and not content(kept) and dialogue.mem.offer == offer
    assert dialogue.handle(Heard("yes")).section == offer  # a yes after that is a yes to the offer


def test_a_visitor_who_only_changed_the_voice_is_warned_before_the_reset(dialogue: Dialogue) -> None:
    dialogue.handle(KeyPressed("slower"))
    turns = [dialogue.handle(Idle(1.0)) for _ in range(60)]
    kinds = [t.kind for t in turns]
    assert "idle_warning" in kinds and kinds.index("idle_warning") < kinds.index("reset")


def test_the_next_visitor_hears_the_greeting_and_disclaimer(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(Start())
    dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(Heard("goodbye"))
    dialogue.reset()  # what the loop does after goodbye
    greeting = dialogue.handle(ListenStarted())
    assert library.primary.disclaimer in greeting.text
    assert library.primary.disclaimer not in dialogue.handle(Heard("where does breast cancer spread")).text


def test_the_first_visitor_after_a_kiosk_starts_hears_the_greeting_and_disclaimer(dialogue: Dialogue, library: Library) -> None:
    """The greeting at start-up goes to an empty waiting room; the first visitor, who pressed the
    button a few minutes later, never heard the disclaimer (only visitors after a reset did). A whole
    idle spell with nobody using the guide now makes the next press greet; a press within it does not."""
    dialogue.handle(Start())
    assert library.primary.disclaimer not in dialogue.handle(ListenStarted()).text  # someone there at start
    dialogue.reset()
    dialogue.handle(Start())
    for _ in range(61):
        assert dialogue.handle(Idle(1.0)).kind == "idle"  # nothing said to the empty room
    assert library.primary.disclaimer in dialogue.handle(ListenStarted()).text


def test_a_next_visitor_who_asks_straight_away_hears_the_disclaimer_first(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(Start())
    dialogue.reset()
    turn = dialogue.handle(Heard("where does breast cancer spread"))
    says = [a.text for a in turn.actions if isinstance(a, Say)]
    assert says[0] == library.primary.disclaimer and turn.section == "common-sites"


def test_a_next_visitors_emergency_is_not_delayed_by_the_disclaimer(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(Start())
    dialogue.reset()
    turn = dialogue.handle(Heard("i can't breathe"))
    assert turn.kind == "safety" and library.primary.disclaimer not in turn.text


def test_without_a_greeting_no_disclaimer_is_added(dialogue: Dialogue, library: Library) -> None:
    assert library.primary.disclaimer not in dialogue.handle(Heard("where does breast cancer spread")).text


def test_a_command_between_silences_starts_the_count_again(dialogue: Dialogue) -> None:
    dialogue.handle(NoInput())
    dialogue.handle(NoInput())
    dialogue.handle(Heard("louder"))
    turn = dialogue.handle(NoInput())
    assert turn.text == str(dialogue.prompts["no_input"][0]).strip() and any(isinstance(a, Listen) for a in turn.actions)


@pytest.mark.parametrize(("mode", "words"), [("push_to_talk", "Press the talk button"), ("wake", "Say hey guide"),
                                             ("continuous", "Ask again whenever you are ready")])
def test_the_third_miss_says_how_to_start_again_in_this_mode(library: Library, matcher: Matcher, mode: str,
                                                             words: str) -> None:
    dialogue = Dialogue(library, matcher, listen_mode=mode)
    turns = [dialogue.handle(NoInput()) for _ in range(3)]
    assert words in turns[-1].text and not any(words in t.text for t in turns[:-1])


@pytest.mark.parametrize(("said", "command"), [("thank you", "thanks"), ("um hello", "hello"), ("i'm still here", "here")])
def test_social_words_get_a_reply_and_keep_the_offer(dialogue: Dialogue, said: str, command: str) -> None:
    dialogue.handle(Heard("where does breast cancer spread"))
    offer = dialogue.mem.offer
    turn = dialogue.handle(Heard(said))
    assert turn.command == command and turn.text and not content(turn)
    assert dialogue.mem.offer == offer and "care team" not in turn.text


def test_a_topic_is_picked_from_the_list_by_its_place(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(KeyPressed("topics"))
    listed = dialogue.mem.listed
    assert dialogue.handle(Heard("the second one")).section == listed[1]
    dialogue.handle(KeyPressed("topics"))
    assert dialogue.handle(Heard("the last one")).section == listed[-1]


def test_topics_page_back_and_forth(dialogue: Dialogue) -> None:
    first = dialogue.handle(KeyPressed("topics")).text
    second = dialogue.handle(Heard("next")).text
    assert second != first and dialogue.handle(Heard("go back")).text == first
    assert "first one" in dialogue.handle(Heard("help")).text


def test_an_answer_with_nothing_left_to_offer_says_it_is_done(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher, settings=DialogueSettings(offer_related=False))
    turn = dialogue.handle(Heard("where does breast cancer spread"))
    assert turn.section == "common-sites" and len(library.section("common-sites").answer) == 1
    assert turn.text.endswith(dialogue._p("end_of_section"))
    assert "more to hear the rest" not in dialogue.handle(KeyPressed("help")).text


def test_go_on_after_a_stop_reads_the_part_that_was_cut_short(dialogue: Dialogue, library: Library) -> None:
    section = next(s for s in library.sections if len(s.answer) > 2)
    dialogue.handle(Heard(section.examples[0]))
    assert dialogue.mem.section == section.id
    dialogue.handle(SpeechFinished(interrupted=True))
    resumed = dialogue.handle(Heard("go on"))
    assert content(resumed) == [section.answer[0]]
    dialogue.handle(SpeechFinished())
    assert content(dialogue.handle(Heard("go on"))) == [section.answer[1]]


def test_a_safety_statement_heard_second_best_is_not_taken_for_still_here(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("where does breast cancer spread"))
    assert any(dialogue.handle(Idle(1.0)).kind == "idle_warning" for _ in range(45))
    turn = dialogue.handle(Heard("i am still here", ("i am still bleeding",)))
    assert turn.kind == "safety"


def test_go_on_after_a_cut_answer_was_repeated_whole_moves_on(dialogue: Dialogue, library: Library) -> None:
    section = next(s for s in library.sections if len(s.answer) > 2)
    dialogue.handle(Heard(section.examples[0]))
    dialogue.handle(SpeechFinished(interrupted=True))
    assert content(dialogue.handle(Heard("repeat"))) == [section.answer[0]]
    dialogue.handle(SpeechFinished())
    assert content(dialogue.handle(Heard("go on"))) == [section.answer[1]]


def test_go_on_after_help_still_reads_the_part_that_was_cut(dialogue: Dialogue, library: Library) -> None:
    section = next(s for s in library.sections if len(s.answer) > 2)
    dialogue.handle(Heard(section.examples[0]))
    dialogue.handle(SpeechFinished(interrupted=True))
    dialogue.handle(Heard("help"))
    assert content(dialogue.handle(Heard("go on"))) == [section.answer[0]]


def test_a_stop_in_a_topic_says_how_to_hear_the_rest(dialogue: Dialogue, library: Library) -> None:
    """"Stopped." gave no next step; a listener who stopped to think did not know how to go on. And
    "stop" said again after a stop had cut a part short (as people say "stop, stop") forgot the part:
    "go on" then skipped the rest of it."""
    section = next(s for s in library.sections if len(s.answer) == 2)
    dialogue.handle(Heard(section.examples[0]))
    dialogue.handle(SpeechFinished(interrupted=True))
    assert dialogue.handle(Heard("stop")).text == "Stopped. Say go on to continue."
    assert content(dialogue.handle(Heard("go on"))) == [section.answer[0]]  # the part that was cut, again
    dialogue.handle(SpeechFinished())
    dialogue.handle(Heard("more"))
    dialogue.handle(SpeechFinished())
    assert dialogue.handle(Heard("stop")).text == "Stopped."  # all of it heard: nothing to go on to
    dialogue.handle(Heard("brief"))
    dialogue.handle(Heard(section.examples[0]))
    assert dialogue.handle(Heard("stop")).text == "Stopped."  # brief prompts: the listener knows


def test_unclear_replies_and_silences_are_counted_apart(dialogue: Dialogue) -> None:
    clarifying(dialogue)
    dialogue.handle(Heard("which one"))
    dialogue.handle(Heard("both"))
    turn = dialogue.handle(NoInput())  # the first silence: not the third miss
    assert any(isinstance(a, Listen) for a in turn.actions) and dialogue.state is State.CLARIFYING


def test_a_long_reply_that_picks_nothing_gets_the_fallback(dialogue: Dialogue, library: Library) -> None:
    clarifying(dialogue)
    turn = dialogue.handle(Heard("what is the weather going to be like this afternoon"))
    assert turn.kind == "out_of_scope" and library.primary.fallback in turn.text and not dialogue.mem.choices


def test_a_next_visitor_who_starts_with_a_key_hears_the_disclaimer(dialogue: Dialogue, library: Library) -> None:
    dialogue.handle(Start())
    dialogue.reset()
    turn = dialogue.handle(KeyPressed("next"))
    assert turn.section and [a.text for a in turn.actions if isinstance(a, Say)][0] == library.primary.disclaimer


@pytest.mark.parametrize("said", ["i'm not sure", "not sure", "i have no idea", "i don't know which one"])
def test_not_sure_which_asks_again_and_is_never_a_topic(dialogue: Dialogue, said: str) -> None:
    # "not sure" is close to the second-opinion section's words: it was read as that answer.
    clarifying(dialogue)
    turn = dialogue.handle(Heard(said))
    assert turn.kind == "clarify" and turn.section is None and dialogue.state is State.CLARIFYING


@pytest.mark.parametrize("said", ["either one", "whichever", "i don't mind", "it doesn't matter"])
def test_either_one_reads_the_closer_choice(dialogue: Dialogue, said: str) -> None:
    choices = clarifying(dialogue)
    assert dialogue.handle(Heard(said)).section == choices[0]
