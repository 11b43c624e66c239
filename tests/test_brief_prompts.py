"""Brief prompts for listeners who know the guide ("More?" instead of "There is more. Say more to
continue."), switched by voice, key, setting or flag; the content and the safety messages never change."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from voice_guide.config import DialogueSettings
from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, Heard, Idle, KeyPressed, Say, Turn
from voice_guide.keys import key_map
from voice_guide.matcher import Kind, Matcher
from voice_guide.settings import load_settings

REPO = Path(__file__).resolve().parents[1]


def guidance(turn: Turn) -> list[str]:
    return [a.text for a in turn.actions if isinstance(a, Say) and not a.section]


def content(turn: Turn) -> list[str]:
    return [a.text for a in turn.actions if isinstance(a, Say) and a.section]


def read_everything(dialogue: Dialogue, library: Library) -> tuple[list[str], int]:
    """Every section asked for by its title and read to the end: the content heard, and the words of guidance."""
    heard, words = [], 0
    for section in library.sections:
        turn = dialogue.handle(Heard(section.title))
        for _ in range(len(section.answer)):
            heard += content(turn)
            words += sum(len(t.split()) for t in guidance(turn))
            turn = dialogue.handle(Heard("more"))
        dialogue.reset()
    return heard, words


@pytest.mark.parametrize("said", ["brief", "be brief please", "shorter prompts", "less talking", "no more instructions",
                                  "no more explaining", "fewer explanations", "less hints please"])
def test_brief_is_a_command(matcher: Matcher, said: str) -> None:
    match = matcher.match(said)
    assert match.kind is Kind.COMMAND and match.command == "brief"


@pytest.mark.parametrize("said", ["full prompts", "more instructions", "verbose", "switch to full prompts", "more hints"])
def test_full_is_a_command(matcher: Matcher, said: str) -> None:
    match = matcher.match(said)
    assert match.kind is Kind.COMMAND and match.command == "full"


@pytest.mark.parametrize("said", ["grief", "i am dealing with grief", "more"])
def test_near_words_are_not_brief_or_full(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).command not in ("brief", "full")


def test_brief_prompts_say_the_same_content_with_fewer_words(library: Library, matcher: Matcher) -> None:
    full_heard, full_words = read_everything(Dialogue(library, matcher), library)
    brief_heard, brief_words = read_everything(Dialogue(library, matcher, settings=DialogueSettings(brief=True)), library)
    assert brief_heard == full_heard and full_heard
    assert brief_words < full_words / 2, (brief_words, full_words)


def test_brief_and_full_by_voice(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher)
    assert guidance(dialogue.handle(Heard("what is metastatic breast cancer"))) == [dialogue.prompts["more_available"]]
    switched = dialogue.handle(Heard("be brief"))
    assert switched.command == "brief" and dialogue.brief
    assert guidance(dialogue.handle(Heard("more"))) == ["More?"]
    dialogue.handle(Heard("full prompts"))
    assert not dialogue.brief
    assert guidance(dialogue.handle(Heard("what is metastatic breast cancer"))) == [dialogue.prompts["more_available"]]


def test_switching_keeps_the_place_and_repeat_replays_the_answer(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher)
    answer = dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(KeyPressed("brief"))
    assert dialogue.handle(Heard("repeat")).text == answer.text
    assert content(dialogue.handle(Heard("more"))) == [library.section("what-is-mbc").answer[1]]


def test_safety_and_reprompts_stay_whole(library: Library, matcher: Matcher) -> None:
    full, brief = Dialogue(library, matcher), Dialogue(library, matcher, settings=DialogueSettings(brief=True))
    for said in ("i can't breathe", "i want to end my life", "zzz qqq"):
        assert full.handle(Heard(said)).text == brief.handle(Heard(said)).text


def test_the_next_person_gets_the_setting_back(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher, idle_timeout_s=60, idle_warning_s=20)
    dialogue.handle(Heard("brief"))
    assert dialogue.handle(Idle(45)).kind == "idle_warning"  # the switch alone is worth a warning
    assert dialogue.handle(Idle(20)).kind == "reset" and not dialogue.brief
    kept = Dialogue(library, matcher, settings=DialogueSettings(brief=True))
    kept.handle(Heard("full prompts"))
    kept.reset()
    assert kept.brief


def test_keys_b_and_v(matcher: Matcher) -> None:
    keys = key_map(matcher.key_bindings())
    assert keys["b"] == "brief" and keys["v"] == "full"


def test_settings_file_and_flag(tmp_path: Path) -> None:
    config = tmp_path / "kiosk.yaml"
    config.write_text("brief: true\n")
    assert load_settings(str(config)).brief
    config.write_text("brief: sometimes\n")
    with pytest.raises(Exception, match="brief"):
        load_settings(str(config))
    out = subprocess.run([sys.executable, "-m", "voice_guide", "ask", "--brief", "--no-speak", "what is metastatic breast cancer"],
                         capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0 and out.stdout.rstrip().endswith("More?"), out.stdout + out.stderr
