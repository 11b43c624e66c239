"""Radio mode with fakes: the episode plays, a question interrupts it, the answer plays, the episode resumes."""

from __future__ import annotations

import queue
from pathlib import Path

import numpy as np
import pytest

from tests.fakes import FakeSynthesizer, ListSource, RecordingSink, ScriptedRecognizer, chunked, quiet, tone
from voice_guide.audio import Clip, float_to_pcm
from voice_guide.content import Library
from voice_guide.loop import Loop, LoopSettings, Mode
from voice_guide.matcher import Matcher
from voice_guide.radio import RADIO_RATE, Chapter, Episode, RadioPlayer
from voice_guide.radio_session import RadioDialogue, RadioSession


def episode(seconds: float = 60.0) -> Episode:
    t = np.arange(int(seconds * RADIO_RATE)) / RADIO_RATE
    audio = (0.1 * np.sin(2 * np.pi * 150 * t)).astype(np.float32)
    return Episode("show", "The show", "An episode for tests.", Clip(float_to_pcm(audio), RADIO_RATE),
                   (Chapter(0.0, "Opening"), Chapter(20.0, "Middle"), Chapter(40.0, "Close")))


def session(library: Library, matcher: Matcher, transcripts: list[str], mode: Mode,
            keys: "queue.Queue[str] | None" = None) -> tuple[RadioSession, RecordingSink, RadioPlayer]:
    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player)
    sink = RecordingSink()
    loop = Loop(dialogue, ScriptedRecognizer(transcripts), FakeSynthesizer(), sink,
                LoopSettings(mode=mode, greet=False), keys=keys)
    return RadioSession(loop, player, sink, resume_back_s=3.0), sink, player


def test_wake_phrase_question_interrupts_and_the_episode_resumes_earlier(library: Library, matcher: Matcher) -> None:
    radio, sink, player = session(library, matcher, ["hey guide where does breast cancer spread"], Mode.WAKE)
    source = chunked(quiet(10_000), tone(2_000), quiet(1_500), quiet(8_000))
    results = radio.run(ListSource(source))
    assert [(r.turn.kind, r.turn.section) for r in results] == [("answer", "common-sites")]
    whats = [e.what for e in radio.events if e.what != "play"]
    assert radio.events[0].what == "play" and whats == ["interrupt", "resume"]
    interrupt = next(e for e in radio.events if e.what == "interrupt")
    resume = next(e for e in radio.events if e.what == "resume")
    assert abs(interrupt.position_s - 10.0) < 0.1, "the visitor started speaking 10 s in"
    assert abs(resume.position_s - 7.0) < 0.1, "it resumes 3 s before that"
    assert player.position_s > 7.0 and not player.paused
    spoken = radio.loop.speaker.synthesizer.spoken  # type: ignore[attr-defined]
    answer_s = sum(0.06 * max(1, len(text.split())) for text, _ in spoken)
    assert answer_s > 1
    assert abs(sink.seconds - (21.5 + answer_s)) < 0.5, "all the input time has radio under it, plus the answer"


def test_speech_without_the_wake_phrase_does_not_stop_the_show(library: Library, matcher: Matcher) -> None:
    radio, _, player = session(library, matcher, ["so how was your weekend"], Mode.WAKE)
    radio.run(ListSource(chunked(quiet(5_000), tone(1_500), quiet(1_500), quiet(3_000))))
    assert "resume" not in [e.what for e in radio.events]
    assert [e.what for e in radio.events if e.what != "play"] == ["interrupt", "not for the guide"]  # the log says so
    assert abs(player.position_s - 11.0) < 0.2, "the episode played straight through"


def test_push_to_talk_pauses_at_the_key(library: Library, matcher: Matcher) -> None:
    keys: "queue.Queue[str]" = queue.Queue()
    radio, _, player = session(library, matcher, ["can i get a second opinion"], Mode.PUSH_TO_TALK, keys)
    chunks = chunked(quiet(6_000), tone(1_500), quiet(1_500), quiet(4_000))

    def press(index: int) -> None:
        if index == 60:  # 4.8 s in
            keys.put("space")

    results = radio.run(ListSource(chunks, on_chunk=press))
    assert [r.turn.section for r in results] == ["second-opinion"]
    interrupt = next(e for e in radio.events if e.what == "interrupt")
    resume = next(e for e in radio.events if e.what == "resume")
    assert abs(interrupt.position_s - 4.8) < 0.2 and abs(resume.position_s - 1.8) < 0.2


def test_radio_commands_by_voice(library: Library, matcher: Matcher) -> None:
    radio, _, player = session(library, matcher, ["hey guide next chapter", "hey guide what is this episode about",
                                                  "hey guide pause"], Mode.WAKE)
    results = radio.run(ListSource(chunked(quiet(3_000), tone(1_000), quiet(1_500), tone(1_000), quiet(1_500),
                                           tone(800), quiet(1_500), quiet(3_000))))
    assert [r.turn.command for r in results] == ["next_chapter", "about", "pause"]
    assert "Middle" in results[0].turn.text
    assert "The show" in results[1].turn.text and "An episode for tests." in results[1].turn.text
    assert player.paused and 20.0 <= player.position_s < 26.0


def test_radio_keys_and_the_help_lists_them(library: Library, matcher: Matcher) -> None:
    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player)
    assert dialogue.key_bindings()["next_chapter"] == ("]",)
    from voice_guide.dialogue import KeyPressed

    turn = dialogue.handle(KeyPressed("next_chapter"))
    assert turn.command == "next_chapter" and player.chapter.title == "Middle"
    turn = dialogue.handle(KeyPressed("previous_chapter"))
    assert player.chapter.title in ("Opening", "Middle")


def test_safety_comes_before_radio_commands(library: Library, matcher: Matcher) -> None:
    dialogue = RadioDialogue(library, matcher, player=RadioPlayer([episode()]))
    from voice_guide.dialogue import Heard

    assert dialogue.handle(Heard("pause i can't breathe")).kind == "safety"
    assert dialogue.handle(Heard("where does it spread")).section == "common-sites"


def test_sighup_reloads_the_packs_while_the_show_plays_on(
        library: Library, matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A kiosk operator edits a pack under a live radio and sends SIGHUP (``systemctl reload``): the
    show is not ended (SIGHUP's default), it plays on from where it was, and the next visitor's
    question is answered from the edited packs, heard with a recognizer built for them and the
    radio's own phrases."""
    import os
    import signal
    from types import SimpleNamespace

    from tests.test_content import VALID
    from voice_guide.cli import listen
    from voice_guide.radio_session import radio_phrases
    from voice_guide.settings import GuideSettings

    pack = tmp_path / "extra.yaml"
    pack.write_text(VALID, encoding="utf-8")
    radio, _, player = session(library, matcher, [], Mode.WAKE)
    asked: list[tuple[str, ...]] = []

    def make_recognizer(settings: GuideSettings, lib: Library, phrases: tuple[str, ...] = (),
                        engine: str | None = None) -> ScriptedRecognizer:
        asked.append(tuple(phrases))
        return ScriptedRecognizer(["hey guide tell me about alpha"])

    monkeypatch.setattr(listen, "make_recognizer", make_recognizer)
    operator = SimpleNamespace(settings=GuideSettings(), extra_phrases=radio_phrases(), recognizer=radio.loop.recognizer)
    seen: dict[str, float] = {}
    room = chunked(quiet(8_000), tone(1_500), quiet(1_500), quiet(3_000))
    at_4_s, at_8_s = (next(i for i, c in enumerate(room, 1) if c.timestamp_ms >= ms) for ms in (4_000, 8_000))

    def operator_and_clock(taken: int) -> None:
        if taken == at_4_s:
            os.kill(os.getpid(), signal.SIGHUP)
        elif taken == at_8_s:
            seen["position_s"] = player.position_s

    previous = signal.getsignal(signal.SIGHUP)
    with listen.hangups_taken(True) as hangups:
        hangups.reload_with(radio.loop, operator, [str(pack)])  # type: ignore[arg-type]
        results = radio.run(ListSource(room, on_chunk=operator_and_clock))
    assert signal.getsignal(signal.SIGHUP) is previous, "the caller's SIGHUP handler is back"
    assert radio.loop.dialogue.library.has_section("alpha") and asked == [tuple(radio_phrases())]
    assert isinstance(radio.loop.dialogue, RadioDialogue)
    assert [(r.turn.kind, r.turn.section) for r in results] == [("answer", "alpha")]
    assert abs(seen["position_s"] - 8.0) < 0.2, "the episode played on through the reload, from where it was"
    assert [e.what for e in radio.events if e.what != "play"] == ["interrupt", "resume"]


def test_a_live_radio_takes_sighup_as_a_reload_and_gives_the_handler_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """``voice-guide radio`` on the microphone (faked at the device edge): SIGHUP, whose default
    would end the show, reloads the packs, also when it comes while the session is still being
    built (systemd does not restart a kiosk a hangup ended), and the caller's handler is back when
    the command ends."""
    import json
    import os
    import signal

    from tests.test_content import VALID
    from voice_guide.audio import write_wav
    from voice_guide.cli import listen
    from voice_guide.cli.main import main

    shows = tmp_path / "episodes" / "show"
    shows.mkdir(parents=True)
    write_wav(shows / "episode.wav", Clip(float_to_pcm(np.zeros(5 * RADIO_RATE, dtype=np.float32)), RADIO_RATE))
    (shows / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}]}))
    (shows / "episode.json").write_text(json.dumps({"title": "Show", "description": "d"}))
    pack = tmp_path / "extra.yaml"
    pack.write_text(VALID, encoding="utf-8")

    def operator(taken: int) -> None:
        if taken == 10:  # 0.8 s into the show
            os.kill(os.getpid(), signal.SIGHUP)

    microphone = ListSource(chunked(quiet(3_000)), on_chunk=operator)

    def open_microphone(args: object, device: object) -> ListSource:
        os.kill(os.getpid(), signal.SIGHUP)  # a reload asked for while the session is being built
        return microphone

    monkeypatch.setattr(listen, "_source", open_microphone)
    unhandled: list[int] = []

    def callers_handler(signum: int, frame: object) -> None:
        unhandled.append(signum)

    previous = signal.signal(signal.SIGHUP, callers_handler)
    try:
        code = main(["radio", "--episodes", str(tmp_path / "episodes"), "--content", str(pack), "--no-speak",
                     "--mode", "wake"])  # no terminal here: push-to-talk would have no talk button
        after = signal.getsignal(signal.SIGHUP)
    finally:
        signal.signal(signal.SIGHUP, previous)
    err = capsys.readouterr().err
    assert code == 0 and microphone.taken == len(microphone.chunks), err
    assert unhandled == [] and err.count("content reloaded (12 sections)") == 2, err
    assert after is callers_handler, "the caller's SIGHUP handler is back"


def test_radio_keys_work_through_the_loop(library: Library, matcher: Matcher) -> None:
    """The keys the radio announces ("] / [ chapters, I about, K pause, L resume") reach the show."""
    keys: "queue.Queue[str]" = queue.Queue()
    radio, _, player = session(library, matcher, [], Mode.PUSH_TO_TALK, keys)

    def press(index: int) -> None:
        if index == 20:  # 1.6 s in
            keys.put("]")
        if index == 60:
            keys.put("k")

    radio.run(ListSource(chunked(quiet(8_000)), on_chunk=press))
    assert player.chapter.title == "Middle" and player.paused


def test_where_am_i_during_the_show_by_voice_or_key_names_the_episode_and_chapter(library: Library, matcher: Matcher) -> None:
    from voice_guide.dialogue import Heard, KeyPressed

    dialogue = RadioDialogue(library, matcher, player=RadioPlayer([episode()]))
    for event in (Heard("where am i"), KeyPressed("where"), Heard("what topic is this")):
        turn = dialogue.handle(event)
        assert "The show" in turn.text and "Opening" in turn.text, turn.text
        assert dialogue.acted == "about"
        dialogue.acted = None
    dialogue.handle(Heard("what is metastatic breast cancer"))
    assert "topic 1 of" in dialogue.handle(Heard("where am i")).text  # a topic is open: the place in it


def test_a_show_command_closes_the_end_question_and_the_offer_to_read_on(library: Library, matcher: Matcher) -> None:
    """"what is this episode about" after "Do you want to end?" left the question open, so a later
    "okay" ended the session."""
    from voice_guide.dialogue import End, Heard, SpeechFinished

    dialogue = RadioDialogue(library, matcher, player=RadioPlayer([episode()]))
    dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(SpeechFinished())
    assert "Do you want to end?" in dialogue.handle(Heard("that is it are")).text
    dialogue.handle(Heard("what is this episode about"))
    turn = dialogue.handle(Heard("okay"))
    assert not any(isinstance(a, End) for a in turn.actions) and dialogue.mem.chunk == 0


def test_a_crisis_said_without_the_wake_phrase_is_answered_and_the_show_stays_paused(library: Library, matcher: Matcher) -> None:
    """"i want to end my life", heard word for word but without "hey guide", was passed over and the
    show played on; and after a 911 or 988 message the show came straight back, over it."""
    radio, _, player = session(library, matcher, ["i want to end my life"], Mode.WAKE)
    results = radio.run(ListSource(chunked(quiet(5_000), tone(1_500), quiet(1_500), quiet(6_000))))
    assert [r.turn.kind for r in results] == ["safety"] and "988" in results[0].turn.text
    assert player.paused and "paused after a safety message" in [e.what for e in radio.events]
    assert abs(player.position_s - 2.0) < 0.2, "paused 3 s before the words began, to play on from there"


def test_stop_while_the_show_plays_pauses_it(library: Library, matcher: Matcher) -> None:
    """"stop" (or S, Esc) said "Stopped." and the show played on."""
    from voice_guide.dialogue import Heard, KeyPressed

    for event in (Heard("stop"), KeyPressed("stop")):
        player = RadioPlayer([episode()])
        dialogue = RadioDialogue(library, matcher, player=player)
        turn = dialogue.handle(event)
        assert player.paused and turn.command == "stop" and "resume" in turn.text and dialogue.acted == "pause"


def test_an_idle_reset_plays_a_paused_show_on(library: Library, matcher: Matcher) -> None:
    """A paused show stayed silent for good: pausing was not counted as use, so no reset came."""
    from voice_guide.dialogue import Heard, Idle

    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player, idle_timeout_s=60, idle_warning_s=20)
    dialogue.handle(Heard("pause the show"))
    assert player.paused
    assert dialogue.handle(Idle(45)).kind == "idle_warning"
    assert dialogue.handle(Idle(20)).kind == "reset" and not player.paused


def test_the_guide_s_own_question_comes_before_a_show_command_that_sounds_alike(library: Library, matcher: Matcher) -> None:
    """While paging the topics "go back" jumped the show back a chapter, and "next part" after "There
    is more" skipped to the next chapter; "repeat" after a show reply said nothing had been said."""
    from voice_guide.dialogue import Heard, SpeechFinished

    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player)
    dialogue.handle(Heard("topics"))
    dialogue.handle(Heard("more"))
    assert dialogue.handle(Heard("go back")).command == "topics" and dialogue.mem.topics_page == 0
    dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(SpeechFinished())
    assert dialogue.handle(Heard("next part")).command == "more" and dialogue.mem.chunk == 1
    assert player.chapter.title == "Opening"
    about = dialogue.handle(Heard("what is this episode about"))
    assert dialogue.handle(Heard("repeat")).text == about.text
    assert dialogue.handle(Heard("go back")).command == "previous_chapter"  # no question open: the show's


@pytest.mark.parametrize("name", ["", ".", "..", "../other"])
def test_a_playlist_name_that_is_no_episode_is_refused(tmp_path: Path, name: str) -> None:
    from voice_guide.errors import ConfigError
    from voice_guide.radio import load_episodes

    (tmp_path / "episodes").mkdir()
    with pytest.raises(ConfigError, match="is no episode name"):
        load_episodes(tmp_path / "episodes", [name])


def test_louder_and_softer_step_the_show_too(library: Library, matcher: Matcher) -> None:
    """The show's samples came out byte-identical after "louder": only the guide's voice changed."""
    levels = {}
    for step in (None, "hey guide softer", "hey guide louder"):
        radio, sink, _ = session(library, matcher, [step] if step else [], Mode.WAKE)
        radio.run(ListSource(chunked(quiet(2_000), tone(600), quiet(1_500), quiet(6_000))))
        played = np.frombuffer(b"".join(c.audio for c in sink.chunks), "<i2").astype(np.float64)
        levels[step] = float(np.sqrt(np.mean(played[-RADIO_RATE * 2:] ** 2)))  # the show, after the step
    assert levels["hey guide softer"] < 0.8 * levels[None] < 0.8 * levels["hey guide louder"]


def test_faster_and_slower_pace_the_show_too(library: Library, matcher: Matcher) -> None:
    """The show played on at its mastered pace after "faster" or "slower": only the guide's voice changed."""
    covered = {}
    for step in ("hey guide louder", "hey guide slower", "hey guide faster"):  # louder: the same pace
        radio, _, player = session(library, matcher, [step], Mode.WAKE)
        radio.run(ListSource(chunked(quiet(2_000), tone(600), quiet(1_500), quiet(10_000))))
        covered[step] = player.position_s  # the show resumed from the chapter's start, then played on
    assert covered["hey guide slower"] < 0.9 * covered["hey guide louder"] < 0.9 * covered["hey guide faster"]


def test_a_false_wake_brings_the_show_back_after_one_prompt(library: Library, matcher: Matcher) -> None:
    """"hey guide" alone (or the talk key by mistake), then silence: three reprompts kept the show
    silent for about 24 s of room time."""
    radio, _, player = session(library, matcher, ["hey guide"], Mode.WAKE)
    spoken: list[str] = []
    radio.loop.speaker.on_sentence = spoken.append
    radio.run(ListSource(chunked(quiet(2_000), tone(600), quiet(1_500), quiet(14_000))))
    assert [s for s in spoken if "did not hear" in s] == ["I did not hear a question."] and "Back to the show." in spoken
    assert not radio.loop.listening and not player.paused
    assert player.position_s > 6.0, "the show played on through most of the 18 s"


def test_help_and_where_am_i_name_the_show_too(library: Library, matcher: Matcher) -> None:
    """Help listed none of the show's commands, "where am I" stopped naming the show once a question
    had been answered, and "which episode is this" got an answer about resources."""
    from voice_guide.dialogue import Heard

    dialogue = RadioDialogue(library, matcher, player=RadioPlayer([episode()]))
    assert "next chapter" in dialogue.handle(Heard("help")).text and "next chapter" in dialogue.handle(Heard("repeat")).text
    dialogue.handle(Heard("what is metastatic breast cancer"))
    where = dialogue.handle(Heard("where am i")).text
    assert "topic 1 of 10" in where and "The show is at: Opening, in The show." in where
    assert dialogue.handle(Heard("which episode is this")).command == "about"


def test_questions_asked_while_paused_leave_the_paused_point_where_it_was(library: Library, matcher: Matcher) -> None:
    keys: "queue.Queue[str]" = queue.Queue()
    radio, _, player = session(library, matcher, ["pause", "where does it spread", "can i get a second opinion"],
                               Mode.PUSH_TO_TALK, keys)

    def press(index: int) -> None:
        if index in (60, 110, 160):
            keys.put("space")

    radio.run(ListSource(chunked(quiet(5_000), tone(800), quiet(1_500), quiet(1_500), tone(800), quiet(1_500),
                                 quiet(1_000), tone(800), quiet(1_500), quiet(3_000)), on_chunk=press))
    assert player.paused and abs(player.position_s - 4.8) < 0.3, player.position_s


def test_next_chapter_past_the_last_names_the_next_episode(library: Library, matcher: Matcher) -> None:
    from voice_guide.dialogue import Heard

    other = Episode("other", "The other show", "Another.", episode().audio, (Chapter(0.0, "Hello"),))
    player = RadioPlayer([episode(), other])
    dialogue = RadioDialogue(library, matcher, player=player)
    player.seek(45.0)
    turn = dialogue.handle(Heard("next chapter"))
    assert turn.command == "next_chapter" and turn.text == "Next episode: The other show. Hello."


def test_previous_chapter_said_as_a_chapter_begins_goes_to_the_one_before(library: Library, matcher: Matcher) -> None:
    """Said 0.4 s into a chapter, "previous chapter" restarted it: the show played on while the words
    were spoken, and the position was taken at their end."""
    radio, _, player = session(library, matcher, ["hey guide previous chapter"], Mode.WAKE)
    radio.run(ListSource(chunked(quiet(20_400), tone(2_500), quiet(1_500), quiet(1_000))))
    back = next(e for e in radio.events if e.what == "previous_chapter")
    assert back.position_s < 20.0 and player.chapter.title == "Opening"


def test_a_crisis_after_a_show_key_still_pauses_the_show(library: Library, matcher: Matcher) -> None:
    """A key press left its command unlooked-at until the next question, which then skipped the pause
    after a 988 message: the show played over it."""
    keys: "queue.Queue[str]" = queue.Queue()
    radio, _, player = session(library, matcher, ["i want to end my life"], Mode.PUSH_TO_TALK, keys)

    def press(index: int) -> None:
        if index == 10:
            keys.put("]")
        if index == 60:
            keys.put("space")

    results = radio.run(ListSource(chunked(quiet(5_000), tone(1_500), quiet(1_500), quiet(5_000)), on_chunk=press))
    assert [r.turn.kind for r in results] == ["safety"] and player.paused
    assert [e.what for e in radio.events if e.what != "play"][:1] == ["next_chapter"]


def test_show_commands_that_name_the_show_are_always_the_show_s(library: Library, matcher: Matcher) -> None:
    from voice_guide.dialogue import Heard, SpeechFinished

    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player)
    dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(SpeechFinished())
    assert dialogue.handle(Heard("next chapter")).command == "next_chapter" and player.chapter.title == "Middle"
    dialogue.handle(Heard("topics"))
    assert dialogue.handle(Heard("resume")).command == "resume"


def test_room_talk_running_into_a_command_does_not_leave_an_old_position(library: Library, matcher: Matcher) -> None:
    """Talk without the wake phrase, in short gaps, never settled: "previous chapter" then counted from
    where the talk began, long before."""
    talk = ["so how was your weekend"] * 6
    radio, _, player = session(library, matcher, talk + ["hey guide previous chapter"], Mode.WAKE)
    parts = [quiet(5_000)]
    for _ in talk:
        parts += [tone(4_000), quiet(1_200)]
    parts += [tone(1_500), quiet(1_500), quiet(2_000)]
    radio.run(ListSource(chunked(*parts)))
    back = next(e for e in radio.events if e.what == "previous_chapter")
    assert back.position_s == 20.0 and player.chapter.title == "Middle"


def test_a_false_wake_while_paused_says_the_show_is_paused(library: Library, matcher: Matcher) -> None:
    from voice_guide.dialogue import NoInput

    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player)
    player.pause()
    assert "say resume" in dialogue.handle(NoInput()).text


def test_no_idle_warning_cuts_into_a_playing_show(library: Library, matcher: Matcher) -> None:
    """"Are you still there?" and "Starting over" cut into the show a minute after every question,
    while the visitor sat listening to it. Now the conversation is forgotten quietly; the volume and
    pace the listener set (the show's too) stay, until a second idle spell gives the next person the
    show as it starts."""
    from voice_guide.dialogue import Heard, Idle, ResetSession, Say

    player = RadioPlayer([episode()])
    dialogue = RadioDialogue(library, matcher, player=player, idle_timeout_s=60, idle_warning_s=20)
    dialogue.handle(Heard("what is metastatic breast cancer"))
    dialogue.handle(Heard("louder"))
    dialogue.handle(Heard("slower"))
    louder, slower = dialogue.volume, dialogue.rate_wpm
    assert louder > dialogue.start_volume and slower < dialogue.speech.rate_wpm
    assert dialogue.handle(Idle(45)).kind == "idle"  # no warning
    reset = dialogue.handle(Idle(20))
    assert reset.kind == "reset" and any(isinstance(a, ResetSession) for a in reset.actions)
    assert not any(isinstance(a, Say) for a in reset.actions) and not player.paused
    assert (dialogue.volume, dialogue.rate_wpm) == (louder, slower)
    assert dialogue.handle(Idle(30)).kind == "idle"
    back = dialogue.handle(Idle(30))  # a second idle minute, nobody using it
    assert back.kind == "reset" and not any(isinstance(a, Say) for a in back.actions)
    assert (dialogue.volume, dialogue.rate_wpm) == (dialogue.start_volume, dialogue.speech.rate_wpm)
    assert [dialogue.handle(Idle(30)).kind for _ in range(4)] == ["idle"] * 4  # nothing left to forget
    assert "I have not said anything yet" in dialogue.handle(Heard("repeat")).text  # the answer is forgotten


def test_previous_chapter_at_an_episodes_start_names_the_episode_before(library: Library, matcher: Matcher) -> None:
    from dataclasses import replace

    from voice_guide.dialogue import Heard

    first = replace(episode(), slug="first", title="The first show")
    player = RadioPlayer([first, episode()])
    dialogue = RadioDialogue(library, matcher, player=player)
    assert dialogue.handle(Heard("next chapter")).text == "Next chapter: Middle."
    dialogue.handle(Heard("next chapter"))
    assert dialogue.handle(Heard("next chapter")).text == "Next episode: The show. Opening."
    assert dialogue.handle(Heard("previous chapter")).text == "Back to the episode before: The first show. Close."
    assert player.episode.slug == "first" and player.chapter.title == "Close"
