"""Hesitant speech on the real pocketsphinx: "um" and "uh" are heard as fillers between words, so
they do not turn into words ("i'm", "arm") that derail the question around them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import espeak
from voice_guide.audio import RATE, AudioChunk
from voice_guide.content import Library
from voice_guide.matcher import Matcher
from voice_guide.vocabulary import build_vocabulary

pytestmark = pytest.mark.e2e

pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")

from voice_guide.engines.pocketsphinx_asr import HESITATIONS, PocketsphinxRecognizer, shipped_model  # noqa: E402

HESITANT = [
    ("um is this the same uh cancer i had before", ("answer", "same-as-earlier")),
    ("uh so what should i um ask my doctor", ("answer", "doctor-questions")),
    ("um where does breast cancer uh spread", ("answer", "common-sites")),
    ("so um is it normal to uh feel scared", ("answer", "emotions")),
    ("uh stop", ("command", "stop")),
    ("am i allowed to get a second opinion", ("answer", "second-opinion")),
]
"""Hesitant questions, and one that starts with a word ("am") that sounds like a hesitation."""


@pytest.fixture(scope="module")
def recognizer(library: Library) -> PocketsphinxRecognizer:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library))
    hear(recognizer, "what is metastatic breast cancer")  # past the first utterance
    return recognizer


def hear(recognizer: PocketsphinxRecognizer, text: str) -> str:
    pad = bytes(2 * int(0.3 * RATE))
    pcm = pad + espeak(text).audio + pad
    recognizer.set_phrases(None)
    for i in range(0, len(pcm), 3200):
        recognizer.accept(AudioChunk(pcm[i:i + 3200], RATE))
    return recognizer.finish().text


@pytest.mark.parametrize("said,want", HESITANT)
def test_hesitant_questions_are_routed(recognizer: PocketsphinxRecognizer, matcher: Matcher, said: str,
                                       want: tuple[str, str]) -> None:
    heard = hear(recognizer, said)
    match = matcher.match(heard)
    assert (match.kind.value, match.section or match.command) == want, heard
    assert not any(word.startswith("+") for word in heard.split()), heard


def test_filler_dictionary_adds_hesitations_and_is_deleted(recognizer: PocketsphinxRecognizer) -> None:
    assert not Path(recognizer._decoder.config["fdict"]).exists()  # read at start-up, then deleted
    for word, _ in HESITATIONS:
        assert recognizer._decoder.lookup_word(word) is not None
    hmm, _ = shipped_model()
    for line in (hmm / "noisedict").read_text().splitlines():  # the model's own noise words are kept
        assert recognizer._decoder.lookup_word(line.split()[0]) is not None
