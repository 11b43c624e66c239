"""Clarification replies on the real pocketsphinx: the reply model is built once at start-up and
serves every set of choices, and spoken replies ("the first one", a title, "no thanks") resolve."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import json_lines, run_cli
from voice_guide.content import Library
from voice_guide.vocabulary import build_vocabulary

pytestmark = pytest.mark.e2e

pytest.importorskip("pocketsphinx", reason="pocketsphinx is not installed")

from voice_guide.engines.pocketsphinx_asr import PocketsphinxRecognizer  # noqa: E402

ASK = "am i allowed to"
"""Clarified between 'Is it okay to get another opinion?' and 'Feelings after a diagnosis'."""


class DecoderSpy:
    """Forwards to the real decoder and records every call that adds, removes or sets a search."""

    def __init__(self, decoder: Any) -> None:
        self._decoder = decoder
        self.built: list[str] = []

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._decoder, name)
        if name.startswith(("add_", "remove_", "set_")):
            self.built.append(name)
        return attr


def test_no_language_model_is_built_after_start_up(library: Library) -> None:
    recognizer = PocketsphinxRecognizer(build_vocabulary(library))
    spy = DecoderSpy(recognizer._decoder)
    recognizer._decoder = spy
    titles = [s.title for s in library.sections]
    for i in range(len(titles)):
        for j in range(len(titles)):
            recognizer.set_phrases((titles[i], titles[j], "yes", "no", "first", "second"))
            recognizer.set_phrases(("stop", "quiet"))
            recognizer.set_phrases(None)
    assert spy.built == []


def test_spoken_replies_to_a_clarification_resolve(wav: Any) -> None:
    said = ["what is metastatic breast cancer",
            ASK, "the first one",
            ASK, "feelings after a diagnosis",
            ASK, "no thanks"]
    results = json_lines(run_cli("listen", "--input", str(wav(said)), "--json", "--no-speak", "--engine", "pocketsphinx"))
    got = [(r["kind"], r["section"], r["command"]) for r in results]
    assert got == [("answer", "what-is-mbc", None),
                   ("clarify", None, None), ("answer", "second-opinion", None),
                   ("clarify", None, None), ("answer", "emotions", None),
                   ("clarify", None, None), ("command", None, "no")], [r["transcript"] for r in results]


def test_an_emergency_said_instead_of_a_reply_is_heard_and_answered_first(wav: Any) -> None:
    # While a clarification waits, the recognizer listens with the reply model: it must still hear
    # the safety statements (before, "I want to kill myself" there was heard as "i what's took you ...").
    said = [ASK, "I want to kill myself", ASK, "I don't know", "I can't breathe"]
    results = json_lines(run_cli("listen", "--input", str(wav(said)), "--json", "--no-speak", "--engine", "pocketsphinx"))
    kinds = [r["kind"] for r in results]
    assert kinds == ["clarify", "safety", "clarify", "clarify", "safety"], [r["transcript"] for r in results]
    assert "988" in results[1]["text"] and "911" in results[4]["text"]
