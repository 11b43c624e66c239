"""Captions show every spoken line and the state; every voice command has a key."""

from __future__ import annotations

import io
import os

import pytest
from rich.console import Console

from voice_guide.captions import RichCaptions
from voice_guide.keys import key_for_input, key_map, keys_help, read_key
from voice_guide.matcher import GLOBAL_COMMANDS, Matcher


def test_every_voice_command_has_a_key(matcher: Matcher) -> None:
    bound = set(key_map(matcher.key_bindings()).values())
    assert set(GLOBAL_COMMANDS) <= bound
    assert {"yes", "no", "first", "second"} <= bound
    text = keys_help(matcher.key_bindings())
    for command in GLOBAL_COMMANDS:
        assert command in text
    assert "Space talk" in text


def test_keys_are_unique(matcher: Matcher) -> None:
    seen: dict[str, str] = {}
    for command, keys in matcher.key_bindings().items():
        for key in keys:
            assert key not in seen, f"{key} bound to {seen.get(key)} and {command}"
            seen[key] = command


def test_raw_input_to_key_names() -> None:
    assert key_for_input("\x1b[A") == "up" and key_for_input(" ") == "space" and key_for_input("S") == "s"
    assert key_for_input("\x07") is None


def test_rich_captions_show_text_state_and_topic() -> None:
    out = io.StringIO()
    captions = RichCaptions(Console(file=out, width=100, force_terminal=False, color_system=None), keep=2)
    captions.status("listening", topic="Where breast cancer most often spreads")
    captions.caption("Guide", "The most common sites for breast cancer metastases are the bones, lungs, liver and brain.")
    captions.caption("You", "slower")
    captions.caption("Guide", "Slower.")
    frame = out.getvalue().split("LISTENING")[-1]
    assert "Topic: Where breast cancer most often spreads" in frame
    assert "Guide: Slower." in frame and "You: slower" in frame
    assert "bones, lungs" not in frame, "only the last lines stay on screen"


@pytest.mark.parametrize("typed, keys", [
    (b"\x1b", ["escape"]),  # Esc alone is a stop at once: it waited for two more keys
    (b"\x1b[1~", ["home"]), (b"\x1b[7~", ["home"]), (b"\x1b[H", ["home"]), (b"\x1bOH", ["home"]),
    (b"\x1b[As", ["up", "s"]), (b"r\x1b", ["r", "escape"]),
])
def test_keys_are_read_whole_from_the_terminal(typed: bytes, keys: list[str]) -> None:
    read, write = os.pipe()
    try:
        os.write(write, typed)
        os.close(write)
        got = []
        with pytest.raises(EOFError):
            while True:
                got.append(read_key(read))
        assert got == keys
    finally:
        os.close(read)
