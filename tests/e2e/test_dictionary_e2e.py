"""What the real pocketsphinx can hear of the content and the safety triggers: words the safety
patterns leave open ("suicid\\w*") are completed from its dictionary, and words its dictionary lacks
("meds", "mbc") are spelled from words it has. Either gap made such words impossible to hear."""

from __future__ import annotations

import pytest

from tests.e2e.test_first_utterance_e2e import hear
from voice_guide.content import Library
from voice_guide.matcher import Matcher
from voice_guide.text import clean
from voice_guide.vocabulary import STEM, build_vocabulary, restrict

pytestmark = pytest.mark.e2e

pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")

from voice_guide.engines.pocketsphinx_asr import PocketsphinxRecognizer  # noqa: E402

OPEN_ENDED = [
    "i have been feeling suicidal",
    "i think she overdosed on her pills",
    "she is suicidal",
]
"""Safety statements whose key word a pattern leaves open ("suicid\\w*", "overdos\\w*")."""


@pytest.fixture(scope="module")
def recognizer(library: Library) -> PocketsphinxRecognizer:
    return PocketsphinxRecognizer(build_vocabulary(library))


def test_open_ended_safety_words_are_in_the_language_model(recognizer: PocketsphinxRecognizer) -> None:
    corpus = restrict(recognizer.vocabulary.safety, recognizer.known)
    words = {w for sentence in corpus for w in sentence.split()}
    assert {"suicide", "suicidal", "overdosed", "overdosing", "hemorrhaging", "convulsions", "tingling"} <= words
    assert not any(w.endswith(STEM) for w in words)


def test_words_the_dictionary_lacks_are_spelled_from_words_it_has(recognizer: PocketsphinxRecognizer) -> None:
    lookup = recognizer._decoder.lookup_word
    assert lookup("meds") == "M EH D Z"
    assert lookup("mbc") == "EH M B IY S IY"
    assert lookup("vomited") == lookup("vomit") + " IH D"


@pytest.mark.parametrize("said", OPEN_ENDED)
def test_safety_words_left_open_by_a_pattern_are_heard(recognizer: PocketsphinxRecognizer, matcher: Matcher,
                                                       said: str) -> None:
    heard = hear(recognizer, said)
    assert matcher.safety_kind(clean(heard)) is not None, heard
