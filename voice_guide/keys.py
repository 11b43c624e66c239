"""Key bindings: every voice command has a key, so nobody has to speak."""

from __future__ import annotations

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


def key_for_input(raw: str) -> str | None:
    """Name of a key from raw terminal input (escape sequences for arrows), or None."""
    sequences = {"\x1b[A": "up", "\x1b[B": "down", "\x1b[C": "right", "\x1b[D": "left", "\x1b": "escape",
                 "\x1b[H": "home", "\x1bOH": "home", "\x1b[1~": "home",
                 "\r": "enter", "\n": "enter", " ": "space"}
    if raw in sequences:
        return sequences[raw]
    if len(raw) == 1 and raw.isprintable():
        return raw.lower()
    return None
