"""The first utterance after start-up on the real pocketsphinx. The decoder starts from a fixed guess
of the voice and microphone (its cepstral mean); the first utterance is heard twice, the second time
with the guess corrected, so a one-question session (``listen --input`` on one question, a kiosk just
switched on) is heard as well as later questions are."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import espeak
from voice_guide.audio import RATE, AudioChunk
from voice_guide.content import Library
from voice_guide.matcher import Matcher
from voice_guide.protocols import Transcript
from voice_guide.vocabulary import build_vocabulary

pytestmark = pytest.mark.e2e

pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")

from voice_guide.engines.pocketsphinx_asr import PocketsphinxRecognizer, PocketsphinxSettings  # noqa: E402

FIRST = [
    ("diagnosing metastatic breast cancer", "diagnosis"),
    ("is this my breast cancer coming back", "is-it-breast-cancer"),
    ("what exactly is metastatic breast cancer", "what-is-mbc"),
]
"""Questions the decoder's start-up guess mishears (checked with ``settle_first=False``)."""


class StartCounter:
    """Forwards to the real decoder and counts the utterances it starts."""

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder
        self.starts = 0

    def __getattr__(self, name: str) -> Any:
        if name == "start_utt":
            self.starts += 1
        return getattr(self._decoder, name)


def transcript(recognizer: PocketsphinxRecognizer, text: str) -> Transcript:
    pad = bytes(2 * int(0.3 * RATE))
    pcm = pad + espeak(text).audio + pad
    for i in range(0, len(pcm), 3200):
        recognizer.accept(AudioChunk(pcm[i:i + 3200], RATE))
    return recognizer.finish()


def hear(recognizer: PocketsphinxRecognizer, text: str) -> str:
    return transcript(recognizer, text).text


@pytest.mark.parametrize("said,section", FIRST)
def test_first_utterance_after_start_up_is_heard_right(library: Library, matcher: Matcher, said: str,
                                                        section: str) -> None:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library))  # fresh, as at start-up
    heard = hear(recognizer, said)
    match = matcher.match(heard)
    assert (match.kind.value, match.section) == ("answer", section), heard


def test_only_the_first_utterance_is_heard_twice(library: Library) -> None:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library))
    counter = StartCounter(recognizer._decoder)
    recognizer._decoder = counter
    hear(recognizer, "where does breast cancer spread")
    assert counter.starts == 2
    hear(recognizer, "can i get a second opinion")
    hear(recognizer, "stop")
    assert counter.starts == 4
    assert recognizer._first == []  # the first utterance's audio is not kept


def test_settling_can_be_turned_off(library: Library) -> None:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library), PocketsphinxSettings(settle_first=False))
    counter = StartCounter(recognizer._decoder)
    recognizer._decoder = counter
    hear(recognizer, "where does breast cancer spread")
    assert counter.starts == 1


def test_new_speaker_forgets_the_voice_and_settles_again(library: Library) -> None:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library))
    start = recognizer._decoder.get_cmn()
    hear(recognizer, "where does breast cancer spread")
    assert recognizer._decoder.get_cmn() != start  # learned this voice
    recognizer.new_speaker()
    assert recognizer._decoder.get_cmn() == start
    counter = StartCounter(recognizer._decoder)
    recognizer._decoder = counter
    hear(recognizer, "can i get a second opinion")
    assert counter.starts == 2  # heard twice again, as a first utterance


def test_a_new_visitor_is_settled_on_but_the_room_is_kept(library: Library) -> None:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library))
    hear(recognizer, "where does breast cancer spread")
    learned = recognizer._decoder.get_cmn()
    recognizer.new_visitor()
    assert recognizer._decoder.get_cmn() == learned  # the microphone and room are still this kiosk's
    counter = StartCounter(recognizer._decoder)
    recognizer._decoder = counter
    hear(recognizer, "can i get a second opinion")
    assert counter.starts == 2  # the new visitor's first question is heard twice
    hear(recognizer, "stop")
    assert counter.starts == 3


def test_the_same_audio_is_heard_the_same_way_every_time(library: Library) -> None:
    """Each utterance's dither starts from the same seed, and a new speaker forgets the last voice
    entirely: recognizers started alike hear a recording alike, down to the runner-up hearings and
    the score, and so does one that was told of a new speaker after hearing it."""
    vocabulary = build_vocabulary(library)
    said = ["what should i bring up at my next appointment", "can it spread to my bones or my liver"]
    first, second = PocketsphinxRecognizer(vocabulary), PocketsphinxRecognizer(vocabulary)
    heard = [transcript(first, text) for text in said]
    assert [transcript(second, text) for text in said] == heard
    assert heard[0].alternatives  # there are runner-ups to compare
    first.new_speaker()
    assert [transcript(first, text) for text in said] == heard
