"""The next visitor finds nothing of the last one: not a crisis message to replay, not a topic or a
question on the screen, not their words in a service's log."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from tests.fakes import FakeSynthesizer, ListSource, RecordingCaptions, RecordingSink, ScriptedRecognizer, chunked, quiet, tone
from voice_guide.captions import RichCaptions, caption_states
from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, Heard, Idle, ListenStarted
from voice_guide.loop import Loop, LoopSettings
from voice_guide.matcher import Matcher


@pytest.mark.parametrize("said", ["i want to kill myself", "what time does the cafeteria open", "hello"])
def test_any_answered_visitor_is_reset_and_nothing_can_be_replayed(library: Library, matcher: Matcher, said: str) -> None:
    dialogue = Dialogue(library, matcher, idle_timeout_s=60, idle_warning_s=20)
    first = dialogue.handle(Heard(said))
    assert dialogue.handle(Idle(45)).kind == "idle_warning"
    assert dialogue.handle(Idle(20)).kind == "reset"
    replay = dialogue.handle(Heard("repeat"))
    assert replay.text == dialogue._p("nothing_to_repeat") and first.text not in replay.text


def test_a_press_of_the_talk_button_alone_is_a_visitor(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher, idle_timeout_s=60, idle_warning_s=20)
    dialogue.handle(ListenStarted())
    assert dialogue.handle(Idle(70)).kind in ("idle_warning", "reset")


def test_noise_heard_as_nothing_does_not_wake_an_empty_room(library: Library, matcher: Matcher) -> None:
    dialogue = Dialogue(library, matcher, idle_timeout_s=60, idle_warning_s=20)
    assert dialogue.handle(Heard("")).kind == "no_match"
    assert dialogue.handle(Idle(70)).kind == "idle"


def test_the_reset_clears_the_screen_before_the_next_person(library: Library, matcher: Matcher) -> None:
    captions = RecordingCaptions()
    loop = Loop(Dialogue(library, matcher), ScriptedRecognizer(["i want to kill myself"]), FakeSynthesizer(),
                RecordingSink(), LoopSettings(greet=False), captions=captions)
    loop.run(ListSource(chunked(quiet(500), tone(1500), quiet(1500), quiet(62_000))))
    assert captions.clears, "the screen was cleared"
    after = captions.lines[captions.clears[-1]:]
    assert after and all("988" not in text and who != "you" for who, text in after), after


def test_a_crisis_said_aloud_is_not_put_up_on_the_shared_screen(library: Library, matcher: Matcher) -> None:
    """The visitor's words stayed on the waiting room's screen in large type until the idle reset;
    after a safety message only the guide's message is shown."""
    captions = RecordingCaptions()
    loop = Loop(Dialogue(library, matcher), ScriptedRecognizer(["i want to kill myself", "where does it spread"]),
                FakeSynthesizer(), RecordingSink(), LoopSettings(greet=False), captions=captions)
    loop.run(ListSource(chunked(quiet(500), tone(1500), quiet(1500), tone(1500), quiet(1500))))
    said = [text for who, text in captions.lines if who == "you"]
    assert said == ["where does it spread"]
    assert any("988" in text for who, text in captions.lines if who == "guide")


def test_rich_captions_clear_the_topic_and_lines() -> None:
    out = io.StringIO()
    captions = RichCaptions(Console(file=out, width=100, force_terminal=False, color_system=None))
    captions.status("speaking", topic="Where breast cancer most often spreads")
    captions.caption("you", "where does it spread")
    captions.clear()
    frame = out.getvalue().split("SPEAKING")[-1]  # the last frame drawn
    assert "Topic:" not in frame and "where does it spread" not in frame


def test_the_status_bar_says_what_starts_a_question_and_how_to_stop() -> None:
    assert caption_states("push_to_talk")["idle"] == "Press SPACE to ask a question"
    assert "hey guide" not in caption_states("push_to_talk")["idle"]
    assert "\u201cok guide\u201d" in caption_states("wake", wake_phrase="ok guide")["idle"]
    assert "say" not in caption_states(barge_in=False)["speaking"]
    assert "say \u201cstop\u201d" in caption_states(barge_in=True)["speaking"]


def test_push_to_talk_without_a_talk_button_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from voice_guide.cli.listen import check_talk_button
    from voice_guide.errors import ConfigError
    from voice_guide.settings import GuideSettings

    monkeypatch.setattr("sys.stdin", io.StringIO(""))  # a service with no terminal
    with pytest.raises(ConfigError, match="StandardInput=tty"):
        check_talk_button(True, GuideSettings(mode="push_to_talk"))
    check_talk_button(True, GuideSettings(mode="wake"))  # the wake phrase needs no button


def test_without_a_terminal_there_are_no_captions_to_log(matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    from voice_guide.cli.listen import make_captions
    from voice_guide.settings import GuideSettings

    monkeypatch.setattr("sys.stderr", io.StringIO())  # a service's journal
    assert make_captions(matcher, GuideSettings()) is None


def test_a_kiosk_console_shows_the_captions_and_the_journal_gets_only_the_operators_lines(
        matcher: Matcher, monkeypatch: pytest.MonkeyPatch) -> None:
    """The unit sent everything to the console: a failed reload or a missing microphone showed over
    the captions and never reached the journal. Captions now go to the terminal the keys come from,
    so standard error can be the journal, with no visitor's words in it."""
    import os
    import select

    from voice_guide.cli.listen import make_captions
    from voice_guide.settings import GuideSettings

    leader, follower = os.openpty()
    journal = io.StringIO()
    with os.fdopen(follower, "r") as console:
        monkeypatch.setattr("sys.stdin", console)
        monkeypatch.setattr("sys.stderr", journal)
        captions = make_captions(matcher, GuideSettings())
        assert captions is not None
        captions.caption("you", "i feel like ending it all")
        shown = ""
        while select.select([leader], [], [], 1.0)[0] and "ending it all" not in shown:
            shown += os.read(leader, 65536).decode(errors="replace")
    os.close(leader)
    assert "ending it all" in shown and journal.getvalue() == ""


def test_a_talk_time_after_the_recording_is_named(capsys: pytest.CaptureFixture[str]) -> None:
    import queue

    from voice_guide.cli.listen import pressed_at

    keys: "queue.Queue[str]" = queue.Queue()
    list(pressed_at(iter(chunked(quiet(2_000))), keys, [1.0, 100.0]))
    assert keys.qsize() == 1
    assert "--talk-at 100 s is after the end of the recording (2.0 s)" in capsys.readouterr().err
