"""Captions show every spoken line and the state; every voice command has a key."""

from __future__ import annotations

import io

from rich.console import Console

from voice_guide.captions import RichCaptions
from voice_guide.keys import key_for_input, key_map, keys_help
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
