"""Key bindings: every voice command has a key, so nobody has to speak."""

from __future__ import annotations

import os
import select
from typing import Mapping

Bindings = Mapping[str, tuple[str, ...]]
"""command -> its keys (``Dialogue.key_bindings``: radio mode adds its own)."""

TALK_KEYS = ("space",)
"""Push-to-talk."""

_NAMES = {"escape": "Esc", "enter": "Enter", "space": "Space", "up": "Up", "down": "Down", "left": "Left", "right": "Right", "home": "Home"}


def key_map(bindings: Bindings) -> dict[str, str]:
    """key -> command name (from data/commands.yaml, and in radio mode data/radio.yaml)."""
    mapping: dict[str, str] = {}
    for command, keys in bindings.items():
        for key in keys:
            mapping.setdefault(key, command)
    return mapping


def keys_help(bindings: Bindings) -> str:
    """One line naming the keys, e.g. "Keys: Space talk · S stop · R repeat ..."."""
    parts = ["Space talk"]
    for command, keys in bindings.items():
        if keys:
            parts.append(f"{'/'.join(_NAMES.get(k, k.upper()) for k in keys)} {command}")
    return "Keys: " + " \u00b7 ".join(parts)


ESCAPE_WAIT_S = 0.05
"""The rest of an escape sequence (an arrow, Home) arrives at once; after Esc alone nothing does."""


def read_key(fd: int) -> str | None:
    """One key press from a terminal in cbreak mode: its name, or None for a key with no name. Raises
    EOFError when the input has ended. Esc alone is "escape" at once: it does not wait for more keys."""
    raw = os.read(fd, 1)
    if not raw:
        raise EOFError
    if raw == b"\x1b":
        while len(raw) < 6 and select.select([fd], [], [], ESCAPE_WAIT_S)[0]:
            more = os.read(fd, 1)
            if not more:
                break
            raw += more
            if len(raw) >= 3 and (more.isalpha() or more == b"~"):
                break
    return key_for_input(raw.decode("utf-8", "replace"))


def key_for_input(raw: str) -> str | None:
    """Name of a key from raw terminal input (escape sequences for arrows), or None."""
    sequences = {"\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left", "\x1b": "escape",
                 "\x1b[H": "home", "\x1bOH": "home", "\x1b[1~": "home", "\x1b[7~": "home",
                 "\r": "enter", "\n": "enter", " ": "space"}
    if raw in sequences:
        return sequences[raw]
    if len(raw) == 1 and raw.isprintable():
        return raw.lower()
    return None
