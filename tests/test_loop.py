"""The speech loop with fakes at the edge: scripted transcripts, tones for speech, a chunk-clock sink."""

from __future__ import annotations

import os
import queue
from pathlib import Path

import pytest

from tests.fakes import (FakeSynthesizer, ListSource, RecordingCaptions, RecordingSink, ScriptedRecognizer, chunked, quiet,
                         tone)
from voice_guide.content import Library
from voice_guide.dialogue import Dialogue, State
from voice_guide.earcons import Earcons
from voice_guide.endpoint import EndpointSettings
from voice_guide.loop import Loop, LoopSettings, Mode
from voice_guide.matcher import Matcher
from voice_guide.protocols import Transcript

Q = "what is metastatic breast cancer"


def make_loop(library: Library, matcher: Matcher, transcripts: list[str | Transcript], mode: Mode = Mode.CONTINUOUS,
              sink: RecordingSink | None = None, keys: queue.Queue[str] | None = None, **settings: object) -> tuple[Loop, ScriptedRecognizer, RecordingSink]:
    recognizer = ScriptedRecognizer(transcripts)
    sink = sink or RecordingSink()
    loop = Loop(Dialogue(library, matcher), recognizer, FakeSynthesizer(), sink,
                LoopSettings(mode=mode, greet=False, **settings), earcons=Earcons(), keys=keys)  # type: ignore[arg-type]
    return loop, recognizer, sink


def speech(*parts_ms: int) -> list:
    """Utterances of the given lengths, each followed by 1.5 s of silence."""
    clips = [quiet(500)]
    for ms in parts_ms:
        clips += [tone(ms), quiet(1500)]
    return chunked(*clips)


def test_each_utterance_is_heard_matched_and_answered(library: Library, matcher: Matcher) -> None:
    loop, recognizer, sink = make_loop(library, matcher, [Q, "repeat", "stop"])
    results = loop.run(ListSource(speech(1500, 500, 400)))
    assert [(r.turn.kind, r.turn.section, r.turn.command) for r in results] == [
        ("answer", "what-is-mbc", None), ("command", "what-is-mbc", "repeat"), ("command", None, "stop")]
    assert results[0].transcript.text == Q
    assert results[1].turn.text == results[0].turn.text  # repeat is verbatim
    assert len(recognizer.heard_ms) == 3 and all(ms >= 400 for ms in recognizer.heard_ms)
    assert sink.seconds > 2
    for r in results:
        assert r.timings.asr_final_ms >= 0 and r.timings.match_ms >= 0
        assert r.timings.first_speech_ms is not None and r.timings.first_audio_ms is not None
        assert r.timings.first_audio_ms <= r.timings.first_speech_ms
        assert set(r.to_json()) == {"transcript", "runner_up_used", "kind", "section", "command", "score", "text", "timings"}


def test_a_safety_statement_heard_as_a_runner_up_gets_the_safety_message(library: Library, matcher: Matcher) -> None:
    misheard = Transcript("i'm having tests pain", 0.4, ("i'm having tests pay", "i'm having chest pain"))
    loop, _, _ = make_loop(library, matcher, [misheard])
    [result] = loop.run(ListSource(speech(1500)))
    assert result.turn.kind == "safety" and "911" in result.turn.text
    assert result.transcript.alternatives == misheard.alternatives


def test_understood_earcon_plays_before_the_answer(library: Library, matcher: Matcher) -> None:
    loop, _, sink = make_loop(library, matcher, [Q])
    loop.run(ListSource(speech(1500)))
    first = sink.chunks[0].audio
    assert first == Earcons().get("understood", loop.voice.volume).audio[: len(first)]


def test_a_stop_key_silences_playback_within_250_ms(library: Library, matcher: Matcher) -> None:
    keys: queue.Queue[str] = queue.Queue()
    sink = RecordingSink()
    pressed: list[float] = []

    def press() -> None:
        pressed.append(sink.clock_ms)
        keys.put("s")

    sink.at[1200.0] = press
    loop, _, _ = make_loop(library, matcher, [Q], sink=sink, keys=keys)
    loop.run(ListSource(speech(1500)))
    assert pressed and sink.stopped_at_ms is not None
    assert sink.stopped_at_ms - pressed[0] <= 250
    assert len(loop.stops) == 1
    assert loop.dialogue.mem.state is not State.ANSWERING


def test_barge_in_stop_cuts_the_answer_short_in_duplex_mode(library: Library, matcher: Matcher) -> None:
    # The question, then (while the guide answers) a short "stop" from the user.
    audio = chunked(quiet(500), tone(1500), quiet(1500), tone(400), quiet(6000))
    recognizer = ScriptedRecognizer([Q], by_phrases={"stop": "stop"})
    sink = RecordingSink()
    loop = Loop(Dialogue(library, matcher), recognizer, FakeSynthesizer(ms_per_word=120), sink,
                LoopSettings(duplex=True, greet=False), earcons=None)
    loop.run(ListSource(audio))
    assert len(loop.stops) == 1
    assert sink.stopped_at_ms is not None
    answer_ms = 120 * len(loop.results[0].turn.text.split())
    assert sink.clock_ms < answer_ms
    # The stop was heard at most one chunk after the end of its trailing silence.
    assert loop.stops[0] <= 500 + 1500 + 1500 + 400 + 300 + 2 * 80 + 1000


def test_the_guide_does_not_hear_itself(library: Library, matcher: Matcher) -> None:
    """Long speech arriving while the guide talks (its own voice) is ignored, even if it sounds like stop."""
    audio = chunked(quiet(500), tone(1500), quiet(1500), tone(4000), quiet(8000))
    recognizer = ScriptedRecognizer([Q], by_phrases={"stop": "stop"})
    loop = Loop(Dialogue(library, matcher), recognizer, FakeSynthesizer(ms_per_word=120), RecordingSink(),
                LoopSettings(duplex=True, greet=False), earcons=None)
    results = loop.run(ListSource(audio))
    assert loop.stops == []
    assert len(results) == 1


def test_barge_in_can_be_turned_off(library: Library, matcher: Matcher) -> None:
    audio = chunked(quiet(500), tone(1500), quiet(1500), tone(400), quiet(6000))
    recognizer = ScriptedRecognizer([Q], by_phrases={"stop": "stop"})
    loop = Loop(Dialogue(library, matcher), recognizer, FakeSynthesizer(ms_per_word=120), RecordingSink(),
                LoopSettings(duplex=True, barge_in=False, greet=False), earcons=None)
    loop.run(ListSource(audio))
    assert loop.stops == []
    assert all(p is None or "stop" not in p for p in recognizer.phrases)


def test_push_to_talk_ignores_speech_until_the_talk_key(library: Library, matcher: Matcher) -> None:
    keys: queue.Queue[str] = queue.Queue()
    audio = speech(1200, 1200)
    source = ListSource(audio, on_chunk=lambda n: keys.put("space") if n == 30 else None)
    loop, recognizer, _ = make_loop(library, matcher, [Q], mode=Mode.PUSH_TO_TALK, keys=keys)
    results = loop.run(source)
    assert len(results) == 1 and results[0].turn.section == "what-is-mbc"
    assert len(recognizer.heard_ms) == 1  # the first utterance was never given to the recognizer


@pytest.mark.parametrize("mode", [Mode.PUSH_TO_TALK, Mode.WAKE])
def test_an_invitation_is_answered_without_a_new_press_or_wake_phrase(library: Library, matcher: Matcher, mode: Mode) -> None:
    """"There is more. Say more to continue." and then "more" was passed over in push-to-talk and
    wake modes: listening had closed after the answer. A reply window stays open for the
    initial-silence time; silence then closes it with no reprompt, and later speech is passed over."""
    keys: queue.Queue[str] = queue.Queue()
    first = ("hey guide " if mode is Mode.WAKE else "") + Q
    audio = chunked(quiet(500), tone(1200), quiet(1500), tone(600), quiet(12_000), tone(800), quiet(1500))
    source = ListSource(audio, on_chunk=lambda n: keys.put("space") if n == 1 and mode is Mode.PUSH_TO_TALK else None)
    loop, recognizer, _ = make_loop(library, matcher, [first, "more", "where does it spread"], mode=mode, keys=keys,
                                    endpoint=EndpointSettings(initial_silence_ms=8000))
    spoken: list[str] = []
    loop.speaker.on_sentence = spoken.append
    results = loop.run(source)
    assert [(r.turn.section, r.turn.command) for r in results] == [("what-is-mbc", None), ("what-is-mbc", "more")]
    assert not any("did not hear" in s for s in spoken) and not loop.listening


def test_noise_heard_as_nothing_in_a_reply_window_closes_it_quietly(library: Library, matcher: Matcher) -> None:
    """A cough after "There is more" got "Sorry, I did not understand" though nobody had spoken to the guide."""
    keys: queue.Queue[str] = queue.Queue()
    source = ListSource(chunked(quiet(500), tone(1200), quiet(1500), tone(300), quiet(1500), tone(800), quiet(1500)),
                        on_chunk=lambda n: keys.put("space") if n == 1 else None)
    loop, _, _ = make_loop(library, matcher, [Q, "", "where does it spread"], mode=Mode.PUSH_TO_TALK, keys=keys)
    spoken: list[str] = []
    loop.speaker.on_sentence = spoken.append
    results = loop.run(source)
    assert [r.turn.section for r in results] == ["what-is-mbc"]  # the noise, then speech with no press: passed over
    assert not any("understand" in s or "did not hear" in s for s in spoken)


def test_a_spoken_yes_to_the_idle_warning_keeps_the_place_in_push_to_talk(library: Library, matcher: Matcher) -> None:
    """"Are you still there?" then "yes" was passed over (no press): the visitor lost their place."""
    keys: queue.Queue[str] = queue.Queue()
    source = ListSource(chunked(quiet(500), tone(1200), quiet(43_000), tone(500), quiet(30_000)),
                        on_chunk=lambda n: keys.put("space") if n == 1 else None)
    loop, _, _ = make_loop(library, matcher, ["where does breast cancer spread", "yes"], mode=Mode.PUSH_TO_TALK, keys=keys)
    results = loop.run(source)
    assert [r.turn.command for r in results] == [None, "here"]
    assert loop.dialogue.mem.history  # the place kept: no reset


def test_push_to_talk_reprompts_then_stops_listening_after_the_third_silence_as_it_says(library: Library, matcher: Matcher) -> None:
    keys: queue.Queue[str] = queue.Queue()
    keys.put("space")
    loop, _, _ = make_loop(library, matcher, [], mode=Mode.PUSH_TO_TALK, keys=keys,
                           endpoint=EndpointSettings(initial_silence_ms=3000))
    spoken: list[str] = []
    loop.speaker.on_sentence = spoken.append
    loop.run(ListSource(chunked(quiet(40_000))))
    said = " ".join(spoken)
    assert spoken[0] == "I did not hear anything."
    assert said.count("did not hear") == 3 and "Press the talk button" in said  # not a fourth, 40 s on
    assert not loop.listening


def test_wake_phrase_opens_listening_and_can_carry_the_question(library: Library, matcher: Matcher) -> None:
    loop, _, _ = make_loop(library, matcher, [Q, "hey guide " + Q, "the guide", "where does it spread", "hello " + Q],
                           mode=Mode.WAKE, reply_window=False)  # the wake phrase alone (reply window: below)
    results = loop.run(ListSource(speech(1200, 1500, 600, 1200, 1500)))
    assert [r.turn.section for r in results] == ["what-is-mbc", "common-sites"]


def test_in_wake_mode_the_end_question_waits_for_its_answer(library: Library, matcher: Matcher) -> None:
    """"Do you want to end?" asked, then "no" without the wake phrase was passed over: the question is
    answered as a clarification is, without saying the wake phrase again."""
    loop, _, _ = make_loop(library, matcher, ["hey guide " + Q, "hey guide that is it are", "no"], mode=Mode.WAKE)
    results = loop.run(ListSource(speech(1500, 1200, 400)))
    assert [r.turn.command for r in results] == [None, "goodbye", "no"] and loop.unwoken == 0
    assert not loop.dialogue.mem.confirm_end and loop.dialogue.mem.section == "what-is-mbc"


def test_in_wake_mode_a_safety_statement_needs_no_wake_phrase(library: Library, matcher: Matcher) -> None:
    """"i have chest pain" without "hey guide" was passed over; a question without it still is."""
    loop, _, _ = make_loop(library, matcher, ["where does it spread", "i have chest pain"], mode=Mode.WAKE)
    results = loop.run(ListSource(speech(1200, 1200)))
    assert [r.turn.kind for r in results] == ["safety"] and "911" in results[0].turn.text
    assert loop.unwoken == 1 and not loop.listening


def test_keys_work_without_speaking(library: Library, matcher: Matcher) -> None:
    keys: queue.Queue[str] = queue.Queue()
    keys.put("t")
    loop, _, _ = make_loop(library, matcher, [], keys=keys)
    spoken: list[str] = []
    loop.speaker.on_sentence = spoken.append
    loop.run(ListSource(chunked(quiet(500))))
    assert spoken and spoken[0].startswith("I can tell you about")


def test_clarification_narrows_the_recognizer_and_restores_it(library: Library, matcher: Matcher) -> None:
    candidates = ("a second", "second", "spread", "tissue", "cancer", "breast")
    clarify = next((t for t in candidates if matcher.match(t).kind.value == "clarify"), None)
    assert clarify is not None, "no short clarifying question in this content pack"
    recognizer = ScriptedRecognizer([clarify, "first"])
    loop = Loop(Dialogue(library, matcher), recognizer, FakeSynthesizer(), RecordingSink(), LoopSettings(greet=False))
    results = loop.run(ListSource(speech(800, 400)))
    narrowed = [p for p in recognizer.phrases if p is not None]
    assert narrowed and "first" in narrowed[0]
    assert results[1].turn.kind == "answer"
    assert recognizer.phrases[-1] is None


def test_idle_warning_then_reset_restores_voice_and_forgets(library: Library, matcher: Matcher) -> None:
    loop, recognizer, _ = make_loop(library, matcher, [Q, "slower"])
    spoken: list[str] = []
    loop.speaker.on_sentence = spoken.append
    loop.run(ListSource(chunked(*[c for c in (quiet(500), tone(1500), quiet(1500), tone(500))], quiet(62_000))))
    assert any("Are you still there" in s for s in spoken)
    assert any("Starting over" in s for s in spoken)
    assert loop.dialogue.mem.history == []
    assert loop.voice.rate_wpm == loop.dialogue.speech.rate_wpm
    assert recognizer.visitors == 1, "the recognizer settles again on the next person's voice"


def test_goodbye_starts_a_fresh_session_for_the_next_person(library: Library, matcher: Matcher) -> None:
    loop, recognizer, _ = make_loop(library, matcher, [Q, "goodbye", "repeat"])
    results = loop.run(ListSource(speech(1500, 600, 500)))
    assert [r.turn.command for r in results] == [None, "goodbye", "repeat"]
    assert recognizer.visitors == 1
    assert "not said anything" in results[2].turn.text


def test_a_runner_up_hearing_acted_on_is_reported_and_captioned(library: Library, matcher: Matcher) -> None:
    heard = Transcript("what are you", 0.5, ("what are you doing", "goodbye"))
    captions = RecordingCaptions()
    loop = Loop(Dialogue(library, matcher), ScriptedRecognizer([heard, Q]), FakeSynthesizer(), RecordingSink(),
                LoopSettings(greet=False), captions=captions)
    results = loop.run(ListSource(speech(600, 1500)))
    assert results[0].turn.command == "goodbye"
    assert results[0].runner_up_used == "goodbye" and results[0].to_json()["transcript"] == "what are you"
    assert ("you", "goodbye") in captions.lines, "the caption shows what the guide acted on"
    assert results[1].runner_up_used is None and ("you", Q) in captions.lines


def test_one_word_commands_are_caught(library: Library, matcher: Matcher) -> None:
    loop, recognizer, _ = make_loop(library, matcher, ["stop", "yes", "more"])
    results = loop.run(ListSource(speech(250, 300, 350)))
    assert [r.turn.command for r in results] == ["stop", "yes", "more"]


def test_the_loop_writes_nothing_to_disk(library: Library, matcher: Matcher, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    loop, _, _ = make_loop(library, matcher, [Q, "repeat"])
    loop.run(ListSource(speech(1500, 500)))
    assert os.listdir(tmp_path) == []


def test_input_ending_mid_utterance_is_still_handled(library: Library, matcher: Matcher) -> None:
    loop, _, _ = make_loop(library, matcher, [Q])
    results = loop.run(ListSource(chunked(quiet(500), tone(1500), quiet(300))))
    assert len(results) == 1


def test_talk_key_during_an_answer_stops_it_and_listens(library: Library, matcher: Matcher) -> None:
    keys: queue.Queue[str] = queue.Queue()
    sink = RecordingSink()
    sink.at[800.0] = lambda: keys.put("space")
    loop, recognizer, _ = make_loop(library, matcher, [Q, "repeat"], mode=Mode.PUSH_TO_TALK, sink=sink, keys=keys)
    keys.put("space")
    results = loop.run(ListSource(speech(1500, 500)))
    assert len(loop.stops) == 1 and sink.stopped_at_ms is not None and sink.stopped_at_ms - 800 <= 250
    assert [r.turn.command for r in results] == [None, "repeat"]


def test_other_keys_during_an_answer_wait_for_it_to_end(library: Library, matcher: Matcher) -> None:
    keys: queue.Queue[str] = queue.Queue()
    sink = RecordingSink()
    sink.at[800.0] = lambda: keys.put("-")
    loop, _, _ = make_loop(library, matcher, [Q], sink=sink, keys=keys)
    loop.run(ListSource(speech(1500)))
    assert loop.stops == [] and sink.stopped_at_ms is None
    assert loop.voice.rate_wpm < loop.dialogue.speech.rate_wpm  # "slower" was done after the answer
