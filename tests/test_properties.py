"""Property tests: the content loader and the dialogue take anything without crashing or misbehaving."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.test_content import VALID
from voice_guide.content import Library, build_library, load_pack
from voice_guide.dialogue import Dialogue, Heard, Idle, KeyPressed, NoInput, Say, SpeechFinished, Start
from voice_guide.errors import ContentError
from voice_guide.matcher import Matcher

LINES = VALID.splitlines(keepends=True)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["drop", "dup", "swap", "junk"]), st.integers(0, len(LINES) - 1),
                          st.text(max_size=12)), max_size=4))
def test_a_mangled_pack_loads_or_fails_with_file_and_line(tmp_path: Path, edits: list[tuple[str, int, str]]) -> None:
    lines = list(LINES)
    for op, i, junk in edits:
        i %= max(1, len(lines))
        if not lines:
            break
        if op == "drop":
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
        elif op == "junk":
            lines[i] = lines[i].rstrip("\n") + junk + "\n"
    path = tmp_path / "pack.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    try:
        library = build_library([load_pack(path)])
    except ContentError as err:
        assert str(err).startswith(str(path))
        return
    assert library.sections


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_a_pack(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pack.yaml"
        path.write_bytes(data)
        try:
            load_pack(path)
        except ContentError:
            pass


UTTERANCES = st.one_of(
    st.sampled_from(["what is stage four", "more", "repeat", "yes", "no", "the second one", "slower", "faster",
                     "louder", "softer", "topics", "help", "stop", "goodbye", "next topic", "previous",
                     "where does it spread", "what are the usual sites of breast cancer metastasis",
                     "how long will i live", "i can't breathe", "i want to end it all", "", "um"]),
    st.text(max_size=60),
)
EVENTS = st.one_of(
    UTTERANCES.map(Heard),
    st.sampled_from(["stop", "repeat", "more", "slower", "faster", "louder", "softer", "topics", "help", "next",
                     "previous", "yes", "no", "first", "second", "goodbye"]).map(KeyPressed),
    st.just(NoInput()),
    st.floats(0, 120).map(Idle),
    st.booleans().map(SpeechFinished),
    st.just(Start()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(EVENTS, max_size=25))
def test_any_sequence_of_events_keeps_the_dialogue_sound(library: Library, matcher: Matcher, events: list) -> None:
    dialogue = Dialogue(library, matcher)
    speech = dialogue.speech
    answers = {chunk for s in library.sections for chunk in s.answer}
    for event in events:
        turn = dialogue.handle(event)
        for action in turn.actions:
            if isinstance(action, Say):
                assert action.text
                if action.text in answers:
                    assert action.section is not None, "medical text always names its section"
                if action.section is not None:
                    assert action.text in library.section(action.section).answer
        if turn.kind == "safety":
            says = [a for a in turn.actions if isinstance(a, Say)]
            assert len(says) == 1 and ("911" in says[0].text or "988" in says[0].text)
        assert speech.rate_wpm * speech.rate_min_factor - 1 <= dialogue.rate_wpm <= speech.rate_wpm * speech.rate_max_factor + 1
        assert speech.volume_min - 1e-9 <= dialogue.volume <= dialogue.volume_cap + 1e-9
