"""Radio mode with fakes: the episode plays, a question interrupts it, the answer plays, the episode resumes."""

from __future__ import annotations

import queue

import numpy as np

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
