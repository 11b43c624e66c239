"""Endpointing on generated audio: time is audio length, so "8 s of silence" is 100 chunks, not a wait."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from tests.fakes import chunked, quiet, tone
from voice_guide.endpoint import EndpointEvent, Endpointer, EndpointSettings


def run(endpointer: Endpointer, chunks: list) -> list[tuple[EndpointEvent, float]]:
    return [(s.event, s.at_ms) for s in map(endpointer.push, chunks) if s.event is not None]


def test_one_utterance_ends_after_about_one_second_of_silence() -> None:
    events = run(Endpointer(), chunked(quiet(800), tone(1500), quiet(2000)))
    assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED]
    started, ended = events[0][1], events[1][1]
    assert 800 <= started <= 960
    assert 2300 + 1000 <= ended <= 2300 + 1000 + 240  # speech ends at 2.3 s, ~1 s of silence later


def test_pause_shorter_than_trailing_silence_keeps_one_utterance() -> None:
    """A slow speaker pausing 700 ms mid-sentence is still one utterance."""
    events = run(Endpointer(), chunked(quiet(400), tone(600), quiet(700), tone(600), quiet(1500)))
    assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED]


def test_trailing_silence_is_configurable() -> None:
    fast = Endpointer(EndpointSettings(trailing_silence_ms=500))
    events = run(fast, chunked(quiet(400), tone(600), quiet(700), tone(600), quiet(1500)))
    assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED] * 2


def test_one_short_word_is_caught() -> None:
    """ "stop" or "yes" is 250-400 ms: enough to count as an utterance."""
    for ms in (160, 250, 400):
        events = run(Endpointer(), chunked(quiet(500), tone(ms), quiet(1500)))
        assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED], ms


def test_a_click_is_not_an_utterance() -> None:
    events = run(Endpointer(), chunked(quiet(500), tone(40), quiet(1500)))
    assert all(e is not EndpointEvent.ENDED for e, _ in events)


def test_no_input_after_initial_silence_timeout() -> None:
    endpointer = Endpointer(EndpointSettings(initial_silence_ms=8000))
    events = run(endpointer, chunked(quiet(10_000)))
    assert events == [(EndpointEvent.NO_INPUT, 8000.0)]


def test_no_input_timer_only_when_armed_for_it() -> None:
    endpointer = Endpointer()
    endpointer.arm(initial_silence=False)
    assert run(endpointer, chunked(quiet(20_000))) == []


def test_maximum_utterance_length_cuts_endless_speech() -> None:
    endpointer = Endpointer(EndpointSettings(max_utterance_ms=5000))
    events = run(endpointer, chunked(quiet(300), tone(12_000)))
    assert events[0][0] is EndpointEvent.STARTED
    assert events[1][0] is EndpointEvent.MAX_LENGTH
    assert 4700 <= events[1][1] - events[0][1] <= 5100


def test_pre_roll_reaches_the_recognizer_when_speech_starts() -> None:
    endpointer = Endpointer(EndpointSettings(pre_roll_ms=300))
    steps = [endpointer.push(c) for c in chunked(quiet(1000), tone(500), quiet(1500))]
    start = next(s for s in steps if s.event is EndpointEvent.STARTED)
    heard_ms = sum(c.milliseconds for c in start.audio)
    assert 300 <= heard_ms <= 300 + 2 * 80
    total = sum(c.milliseconds for s in steps for c in s.audio)
    assert 500 + 300 <= total <= 300 + 500 + 300 + 3 * 80  # pre-roll, speech, and only 300 ms of the silence


def test_a_pause_inside_an_utterance_reaches_the_recognizer_whole() -> None:
    endpointer = Endpointer(EndpointSettings(pre_roll_ms=0))
    steps = [endpointer.push(c) for c in chunked(quiet(480), tone(480), quiet(800), tone(480), quiet(1600))]
    heard = sum(c.milliseconds for s in steps for c in s.audio)
    assert heard >= 480 + 800 + 480


def test_steady_room_noise_is_not_speech_but_speech_over_it_is() -> None:
    noise = quiet(4000, level_dbfs=-40, seed=1)
    events = run(Endpointer(), chunked(noise, tone(1000, level_dbfs=-22), quiet(2000, level_dbfs=-40, seed=2)))
    assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED]
    assert events[0][1] >= 4000


def test_quiet_input_below_the_absolute_floor_is_never_speech() -> None:
    events = run(Endpointer(), chunked(quiet(500), tone(1000, level_dbfs=-62), quiet(1500)))
    assert events == []


def test_several_utterances_in_a_row() -> None:
    endpointer = Endpointer()
    clips = []
    for _ in range(3):
        clips += [quiet(1200), tone(900)]
    events = run(endpointer, chunked(*clips, quiet(1500)))
    assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED] * 3


@settings(max_examples=25, deadline=None)
@given(
    speech=st.lists(st.integers(min_value=150, max_value=3000), min_size=1, max_size=4),
    # A gap must outlast the trailing silence (1 s), the level smoothing (160 ms) and one chunk.
    gaps=st.lists(st.integers(min_value=1300, max_value=3000), min_size=4, max_size=4),
    chunk_ms=st.sampled_from([20, 50, 80, 100]),
)
def test_property_every_utterance_separated_by_long_silence_is_found(speech: list[int], gaps: list[int], chunk_ms: int) -> None:
    clips = []
    for ms, gap in zip(speech, gaps):
        clips += [quiet(gap), tone(ms)]
    events = run(Endpointer(), chunked(*clips, quiet(1500), chunk_ms=chunk_ms))
    assert [e for e, _ in events] == [EndpointEvent.STARTED, EndpointEvent.ENDED] * len(speech)
