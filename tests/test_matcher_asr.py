"""Recognizer slips: words split in two are rejoined, misheard words repaired; indirect crisis wording still reaches safety."""

from __future__ import annotations

import pytest

from voice_guide.matcher import Kind, Matcher


@pytest.mark.parametrize(
    ("heard", "section"),
    [
        ("what is meta static breast cancer", "what-is-mbc"),
        ("what does second prime airy mean", "second-primary"),
        ("where does it usually spread to in the body", "common-sites"),
        # misheard words the pack lists as slips of its own words
        ("is it a new primer cancer", "second-primary"),
        ("can i get a second pinion", "second-opinion"),
        ("what test will they due to sea if it spread", "diagnosis"),
    ],
)
def test_split_and_misheard_words_are_repaired(matcher: Matcher, heard: str, section: str) -> None:
    m = matcher.match(heard)
    assert m.kind is Kind.ANSWER and m.section == section, m


def test_real_word_pairs_are_not_joined(matcher: Matcher) -> None:
    words = matcher.vocab.join_splits("my liver is it breast cancer".split())
    assert words == ["my", "liver", "is", "it", "breast", "cancer"]
    # an everyday word is a word too: "be alive" is not "believe" (#doubt, second opinions)
    assert matcher.vocab.join_splits("will i be alive next year".split()) == "will i be alive next year".split()
    assert matcher.match("will i be alive next year").kind is not Kind.ANSWER


@pytest.mark.parametrize(("heard", "joined"), [("what does my on collagist do", "oncologist"),
                                               ("has it me tastes to my bones", "metastases")])
def test_a_small_word_still_joins_a_split_word(matcher: Matcher, heard: str, joined: str) -> None:
    assert joined in matcher.vocab.join_splits(heard.split())


@pytest.mark.parametrize(
    "said",
    [
        "i honestly do not see any point in going on anymore",
        "there is no point in me being alive",
        "i have been stockpiling my sleeping pills",
        "i am keeping all my pain meds for later",
        "i am going to swallow them all at once",
        "my pain pills to take all of once",  # "at" heard as "of"
        "i am going to take on my pills tonight",  # "all" heard as "on"
    ],
)
def test_indirect_crisis_wording(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is Kind.SAFETY, m



@pytest.mark.parametrize(
    "heard",
    [
        "there is no wait on my chest",  # "a weight" heard as "no wait"
        "i am being stockpiling my exit to go on",  # the drug's name lost
        "my wife suddenly can not lift are right arm",  # "her" heard as "are"
    ],
)
def test_an_emergency_or_crisis_with_a_misheard_small_word_or_drug_name_still_reaches_safety(matcher: Matcher, heard: str) -> None:
    m = matcher.match(heard)
    assert m.kind is Kind.SAFETY, m


@pytest.mark.parametrize("said", ["i have been hoarding my energy for the weekend", "should i stockpile my supplies before chemo",
                                  "can you wait while i get my chest x ray results"])
def test_the_looser_safety_forms_leave_everyday_words_alone(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).kind is not Kind.SAFETY


@pytest.mark.parametrize("heard", ["ok goodbye note", "okay goodbye notes", "goodbye note", "thank you goodbye note"])
def test_a_goodbye_misheard_as_goodbye_note_is_no_crisis(matcher: Matcher, heard: str) -> None:
    """3 of 8 voices' "okay goodbye now" came out as "ok goodbye note", as the best hearing or a
    runner-up: a crisis message there ends the visit with a needless 988 (the loop then takes the
    runner-up "ok good bye now" as the goodbye it was)."""
    assert matcher.match(heard).kind is not Kind.SAFETY


@pytest.mark.parametrize("said", ["i wrote goodbye notes", "ok goodbye notes for my kids are done", "goodbye letters to my family",
                                  "i have recorded goodbye videos"])
def test_goodbye_notes_said_with_anything_more_are_still_a_crisis(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).kind is Kind.SAFETY

@pytest.mark.parametrize(
    ("heard", "section"),
    [("i am so scare", "emotions"), ("my mom is terrify", "emotions"), ("it metastasize to her bones", "common-sites")],
)
def test_unknown_word_with_a_concept_stem_stands_for_the_concept(matcher: Matcher, heard: str, section: str) -> None:
    m = matcher.match(heard)
    assert m.kind is Kind.ANSWER and m.section == section, m


@pytest.mark.parametrize(
    ("heard", "command"),
    [("they slower please", "slower"), ("speak up please him", "louder"), ("can you explain or", "more"),
     ("slower please they", "slower"),
     # one word of a phrase of three or more misheard
     ("can you a your voice", "softer"), ("how does this away", "help"), ("what do you commit", "topics"),
     ("um can you a your voice", "softer")],
)
def test_a_command_phrase_with_one_stray_or_misheard_word_is_still_the_command(
        matcher: Matcher, heard: str, command: str) -> None:
    m = matcher.match(heard)
    assert m.kind is Kind.COMMAND and m.command == command and m.score < 1.0, m


@pytest.mark.parametrize(
    "said",
    # the misheard word may not ask, be a topic word or a command's word; two words off is too far;
    # a word off two commands' phrases ("turn it up", "turn it down") is neither
    ["why does this work", "can you lower your oncologist", "what do you tumor", "how does this stop",
     "can you a your scan", "could blue say that egg", "turn it so"],
)
def test_a_misheard_word_must_not_ask_or_be_a_topic_and_only_one_may_be_off(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is not Kind.COMMAND, m


@pytest.mark.parametrize(
    "said",
    ["stop chemo", "should i stop treatment", "go faster grief", "i want to stop talking about my scan results now please",
     "why stop", "more pain",
     # goodbye ends the visitor's session: never from a stray-word reading
     "i am done tight", "sunny see you later"],
)
def test_a_stray_word_must_not_be_a_topic_and_a_question_stays_a_question(matcher: Matcher, said: str) -> None:
    m = matcher.match(said)
    assert m.kind is not Kind.COMMAND, m


@pytest.mark.parametrize(
    ("heard", "slip", "section"),
    [
        ("kill this be a new type of cancer", "kill", "second-primary"),  # "could this be ..."
        ("what tests organ when cancer chills not somewhere new", "chills", "diagnosis"),  # "... shows up somewhere new"
    ],
)
def test_a_safety_word_in_a_misheard_question_counts_less_than_another_unknown_word(
        matcher: Matcher, heard: str, slip: str, section: str) -> None:
    m = matcher.match(heard)
    assert m.kind is Kind.ANSWER and m.section == section, m
    everyday = matcher.match(heard.replace(slip, "lobby"))
    assert everyday.kind is not Kind.ANSWER and everyday.score < m.score, everyday


def test_a_safety_word_spelled_as_a_stem_counts_less_too(matcher: Matcher) -> None:
    assert "wheez" in matcher.safety_prefixes
    assert matcher._is_safety_word("wheez") and matcher._is_safety_word("wheezi") and not matcher._is_safety_word("weather")


@pytest.mark.parametrize("said", ["can chemo make me faint", "is the cancer in my brain going to kill me",
                                  "after my biopsy my arm is swollen is that normal"])
def test_questions_outside_the_pack_with_safety_words_are_still_not_answered(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).kind is not Kind.ANSWER
