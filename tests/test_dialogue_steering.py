"""Steering by voice alone, from a blind listener's audit: a goodbye the guide is not sure of is
confirmed, yes reads on, "start over" goes back to the first part, a topic moved to is announced,
the topic list pages with "next page", says where it starts again, and a spelling can be asked for again."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, End, Heard, Idle, KeyPressed, Say, SetVoice, SpeechFinished, Turn
from voice_guide.matcher import Kind, Matcher


@pytest.fixture()
def dialogue(library: Library, matcher: Matcher) -> Dialogue:
    return Dialogue(library, matcher)


def content(turn: Turn) -> list[str]:
    return [a.text for a in turn.actions if isinstance(a, Say) and a.section]


def ends(turn: Turn) -> bool:
    return any(isinstance(a, End) for a in turn.actions)


def asked(dialogue: Dialogue, text: str) -> Turn:
    turn = dialogue.handle(Heard(text))
    dialogue.handle(SpeechFinished())
    return turn


@pytest.mark.parametrize("heard", [Heard("that is it are"), Heard("you that is it"), Heard("you", ("that is it",)),
                                   Heard("leg", ("exit",))])
def test_a_goodbye_the_guide_is_not_sure_of_is_asked_about_first(dialogue: Dialogue, heard: Heard) -> None:
    """"next" heard as "that is it" (best, with a stray word, or as a runner-up) ended the session."""
    first = asked(dialogue, "what is metastatic breast cancer")
    question = dialogue.handle(heard)
    assert question.command == "goodbye" and not ends(question) and "Do you want to end?" in question.text
    declined = dialogue.handle(Heard("no"))
    assert not ends(declined) and dialogue.mem.section == "what-is-mbc"
    assert content(dialogue.handle(Heard("repeat"))) == content(first)  # the place is kept


@pytest.mark.parametrize("reply", [Heard("yes"), Heard("goodbye"), KeyPressed("yes")])
def test_a_confirmed_goodbye_ends(dialogue: Dialogue, reply: Heard | KeyPressed) -> None:
    asked(dialogue, "what is metastatic breast cancer")
    assert not ends(dialogue.handle(Heard("that is it are")))
    assert ends(dialogue.handle(reply))


def test_a_clear_goodbye_ends_at_once_and_the_question_is_asked_once(dialogue: Dialogue) -> None:
    asked(dialogue, "what is metastatic breast cancer")
    assert ends(dialogue.handle(Heard("goodbye")))
    other = Dialogue(dialogue.library, dialogue.matcher)
    other.handle(Heard("that is it are"))
    turn = other.handle(Heard("where does it spread"))  # not a reply: heard as usual, and the question is closed
    assert turn.section == "common-sites" and not other.mem.confirm_end
    assert not ends(other.handle(Heard("yes")))


@pytest.mark.parametrize("said", ["yes", "okay", "sure", "yes please", "tell me"])
def test_yes_to_there_is_more_reads_on(dialogue: Dialogue, said: str) -> None:
    first = asked(dialogue, "what is metastatic breast cancer")
    assert "There is more" in first.text
    turn = dialogue.handle(Heard(said))
    assert content(turn) and content(turn) != content(first) and dialogue.mem.chunk == 1


@pytest.mark.parametrize("said", ["not now", "maybe later", "no i am fine"])
def test_declining_an_offer_in_everyday_words(dialogue: Dialogue, said: str) -> None:
    for text in ("what is metastatic breast cancer", "more", "more"):
        asked(dialogue, text)
    assert dialogue.mem.offer
    turn = dialogue.handle(Heard(said))
    assert turn.command == "no" and not content(turn) and "care team" not in turn.text


@pytest.mark.parametrize("said", ["start over", "from the beginning", "read it from the top", "go back to the start",
                                  "the first part"])
def test_start_over_reads_the_topic_from_its_first_part(dialogue: Dialogue, said: str) -> None:
    first = asked(dialogue, "what is metastatic breast cancer")
    asked(dialogue, "more")
    turn = dialogue.handle(Heard(said))
    assert turn.command == "beginning" and content(turn) == content(first)
    assert turn.text.startswith("Topic 1 of 10: What is metastatic breast cancer?")


def test_start_over_with_no_topic_says_how_to_begin(dialogue: Dialogue) -> None:
    turn = dialogue.handle(Heard("start over"))
    assert turn.command == "beginning" and not content(turn) and "question" in turn.text


@pytest.mark.parametrize("said, number", [("next", 2), ("skip", 2)])
def test_a_topic_moved_to_is_announced(dialogue: Dialogue, said: str, number: int) -> None:
    asked(dialogue, "what is metastatic breast cancer")
    turn = dialogue.handle(Heard(said))
    title = dialogue.library.sections[number - 1].title
    assert turn.text.startswith(f"Topic {number} of 10: {title}") and content(turn)
    assert dialogue.mem.section == dialogue.library.sections[number - 1].id


def test_a_pick_from_the_list_is_announced_but_an_asked_question_is_not(dialogue: Dialogue) -> None:
    asked(dialogue, "topics")
    picked = dialogue.handle(Heard("the second one"))
    assert picked.text.startswith(f"Topic 2 of 10: {dialogue.library.sections[1].title}")
    answered = dialogue.handle(Heard("what is metastatic breast cancer"))
    assert not answered.text.startswith("Topic")


def test_the_topic_list_pages_by_page_and_says_where_it_starts_again(dialogue: Dialogue) -> None:
    first = dialogue.handle(Heard("topics"))
    back = dialogue.handle(Heard("previous page"))
    assert back.text.startswith("This is the first page.") and back.text.endswith(first.text.split(". ", 1)[-1])
    pages = [dialogue.handle(Heard("next page")).text for _ in range(dialogue._topic_pages())]
    assert pages[-1].startswith("That was the whole list.") and not any("whole list" in p for p in pages[:-1])
    assert all(not content(dialogue.handle(Heard("next page"))) for _ in range(2))  # never an answer


def test_spell_it_again_spells_the_same_word(dialogue: Dialogue) -> None:
    first = dialogue.handle(Heard("spell lobules"))
    assert "L, O, B, U, L, E, S" in first.text
    for again in ("spell it again", "how do you spell that", "spell that slower"):
        assert "L, O, B, U, L, E, S" in dialogue.handle(Heard(again)).text, again
    asked(dialogue, "what is metastatic breast cancer")
    assert "Metastatic: M, E, T, A" in dialogue.handle(Heard("spell that")).text  # something new was read


@pytest.mark.parametrize("said", ["normal speed", "back to normal", "reset the volume", "normal voice please"])
def test_normal_brings_back_the_starting_speed_and_volume(dialogue: Dialogue, said: str) -> None:
    """There was no way back but step by step: "normal speed" got a clarification."""
    start = (dialogue.rate_wpm, dialogue.volume)
    for step in ("slower", "slower", "louder"):
        dialogue.handle(Heard(step))
    assert (dialogue.rate_wpm, dialogue.volume) != start
    turn = dialogue.handle(Heard(said))
    assert turn.command == "normal" and (dialogue.rate_wpm, dialogue.volume) == start
    assert SetVoice(*start) in turn.actions


@pytest.mark.parametrize("said, command", [("read it to me", "repeat"), ("read me all of it", "more")])
def test_asking_to_have_it_read_is_a_command_not_a_question(dialogue: Dialogue, said: str, command: str) -> None:
    asked(dialogue, "what is metastatic breast cancer")
    assert dialogue.handle(Heard(said)).command == command


def _statements() -> list[str]:
    import yaml

    found: list[str] = []
    for path in sorted((Path(__file__).parent / "data").glob("safety_probe*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found += [str(t) for t in data["emergency"] + data["crisis"]]
    return found


@pytest.mark.parametrize("before", [(), ("what is metastatic breast cancer",),
                                    ("what is metastatic breast cancer", "more", "more"), ("topics",),
                                    ("what is metastatic breast cancer", "that is it are")])
def test_no_open_question_turns_a_safety_statement_into_a_reply(library: Library, matcher: Matcher,
                                                                before: tuple[str, ...]) -> None:
    """"I would like to die" read on as a yes to "There is more" (a new yes phrase, "i would like to").
    After an answer with more to come, an offer, a topic list and the end question, every emergency
    and crisis statement of the safety probe sets still gets its safety message."""
    missed = []
    for statement in _statements():
        dialogue = Dialogue(library, matcher)
        for text in before:
            asked(dialogue, text)
        if dialogue.handle(Heard(statement)).kind != "safety":
            missed.append(statement)
    assert missed == []


def test_yes_reads_on_only_right_after_there_is_more(dialogue: Dialogue) -> None:
    """After an answer with more, then a 911 message, "okay" read the next part of the answer."""
    asked(dialogue, "what is metastatic breast cancer")
    assert dialogue.handle(Heard("i have chest pain")).kind == "safety"
    turn = dialogue.handle(Heard("okay"))
    assert not content(turn) and dialogue.mem.chunk == 0
    asked(dialogue, "what is metastatic breast cancer")
    dialogue.handle(Heard("stop"))
    assert not content(dialogue.handle(Heard("okay")))


def test_the_idle_warning_closes_the_end_question(dialogue: Dialogue) -> None:
    asked(dialogue, "what is metastatic breast cancer")
    dialogue.handle(Heard("that is it are"))
    assert dialogue.handle(Idle(45)).kind == "idle_warning"
    turn = dialogue.handle(Heard("yes"))  # "I'm here", as the Y key says
    assert not ends(turn) and dialogue.mem.section == "what-is-mbc"


def test_i_am_fine_to_are_you_still_there_keeps_the_place(dialogue: Dialogue) -> None:
    asked(dialogue, "topics")
    dialogue.handle(Idle(45))
    dialogue.handle(Heard("i am fine"))
    assert dialogue.mem.topics_page == 0 and dialogue.handle(Heard("the second one")).section


def test_a_name_with_a_digit_is_spelled_under_its_capitals(dialogue: Dialogue) -> None:
    assert dialogue.handle(Heard("spell her2")).text == "HER2: H, E, R, 2."
    assert dialogue.handle(Heard("spell lobules")).text == "Lobules: L, O, B, U, L, E, S."
    assert dialogue.handle(Heard("spell 2nd")).text == "2nd: 2, N, D."


def test_repeat_after_a_spelling_keeps_it_for_spell_it_again(dialogue: Dialogue) -> None:
    dialogue.handle(Heard("spell lobules"))
    dialogue.handle(Heard("repeat"))
    assert "L, O, B, U, L, E, S" in dialogue.handle(Heard("spell it again")).text


@pytest.mark.parametrize("said", ["stop the app", "stop the session", "stop the conversation"])
def test_stop_the_app_stops_reading(dialogue: Dialogue, said: str) -> None:
    asked(dialogue, "what is metastatic breast cancer")
    turn = dialogue.handle(Heard(said))
    assert turn.command == "stop" and not ends(turn)


@pytest.mark.parametrize("said, command", [("back to the list", "topics"), ("what other topics are there", "topics"),
                                           ("where was i", "where"), ("go to the beginning", "beginning"),
                                           ("restart", "beginning"), ("go home", "topics"), ("home screen", "topics"),
                                           ("go back home", "topics")])
def test_finding_the_way_in_everyday_words(dialogue: Dialogue, said: str, command: str) -> None:
    """Each of these gave an answer, a clarification about a medical topic or the fallback ("home
    screen" read the diagnosis section: "screen" as in screening)."""
    asked(dialogue, "what is metastatic breast cancer")
    assert dialogue.handle(Heard(said)).command == command


@pytest.mark.parametrize("said", ["home care", "home oxygen", "care home", "home remedies", "home"])
def test_a_subject_with_home_in_it_is_no_way_to_the_topic_list(matcher: Matcher, said: str) -> None:
    """A bare "home" made "home care" and "care home" near matches of the topic list."""
    assert matcher.match(said).kind is not Kind.COMMAND


@pytest.mark.parametrize("said", ["i'm blind", "i can't see the screen", "i can't read the screen", "i can't read this",
                                  "i have low vision", "i'm visually impaired", "i can't see very well", "i can't see"])
def test_someone_who_cannot_see_the_screen_is_told_how_to_use_the_guide_by_voice(dialogue: Dialogue, said: str) -> None:
    """"I can't see the screen" read the diagnosis answer (screen, as in screening), "I can't read
    the screen" the resources, "I'm blind" got the fallback."""
    turn = dialogue.handle(Heard(said))
    assert turn.command == "help" and "Ask a question in your own words" in turn.text


@pytest.mark.parametrize("said, command", [("no thanks", "no"), ("no thank you", "no"), ("thank you", "thanks")])
def test_no_thanks_to_an_offer_declines_it(dialogue: Dialogue, said: str, command: str) -> None:
    """"No thanks" got "You are welcome" and left the offer open."""
    for text in ("what is metastatic breast cancer", "more", "more"):
        asked(dialogue, text)
    assert dialogue.mem.offer
    assert dialogue.handle(Heard(said)).command == command
    assert (dialogue.mem.offer is None) == (command == "no")
