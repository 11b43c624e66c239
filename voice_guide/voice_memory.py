"""The listener's own voice kept between runs, on a personal device: rate, volume and brief prompts.

Opt-in (``--remember-voice``, or ``remember_voice: true`` in the settings file): a kiosk forgets each
visitor's voice, but a blind listener at home who said "faster" three times expects the guide to
start at that rate tomorrow, as a screen reader does. Only these three values are written, to one
small YAML file (``$XDG_STATE_HOME/voice-guide/voice.yaml``, else ``~/.local/state/...``); never
audio or what was said. A missing, unreadable or broken file is not fatal: the guide warns in one
line, starts with the configured voice, and writes the file again at the next change.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from voice_guide.stop_signals import stops_held

if TYPE_CHECKING:
    from voice_guide.dialogue import Dialogue

MAX_FILE_BYTES = 4096
"""The file holds three values; anything bigger is not ours."""


@dataclass(frozen=True)
class SavedVoice:
    rate_wpm: int
    volume: float
    brief: bool


def default_path() -> Path | None:
    """``$XDG_STATE_HOME/voice-guide/voice.yaml`` (a relative value is ignored, as the XDG spec says),
    else under ``~/.local/state``; None when there is no home either."""
    state = os.environ.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):
        try:
            state = str(Path.home() / ".local" / "state")
        except RuntimeError:
            return None
    return Path(state) / "voice-guide" / "voice.yaml"


def warn(message: str) -> None:
    print(f"voice-guide: warning: {message}", file=sys.stderr)


def load_voice(path: Path) -> SavedVoice | None:
    """The voice saved at ``path``; None (with a one-line warning if the file is there but unusable)."""
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as e:
        warn(f"cannot read the saved voice in {path} ({e.strerror}); starting with the configured voice")
        return None
    try:
        if len(raw) > MAX_FILE_BYTES:
            raise ValueError("too big")
        data = yaml.safe_load(raw.decode("utf-8"))
        rate, volume, brief = data["rate_wpm"], data["volume"], data["brief"]
        if not (isinstance(rate, int) and isinstance(volume, (int, float)) and isinstance(brief, bool)) or isinstance(rate, bool):
            raise ValueError("wrong types")
        return SavedVoice(rate, float(volume), brief)
    except (ValueError, TypeError, KeyError, UnicodeDecodeError, yaml.YAMLError):
        warn(f"the saved voice in {path} is broken; starting with the configured voice (it is saved again at the next change)")
        return None


class VoiceKeeper:
    """Writes the voice whenever it changes; a failed write is warned about once and never stops the guide.

    ``kept`` holds values a flag set for this run only: the file keeps its own for those."""

    def __init__(self, path: Path, kept: SavedVoice | None = None, given: frozenset[str] = frozenset()) -> None:
        self.path = path
        self.kept = kept or SavedVoice(150, 0.8, False)  # nothing saved yet: the built-in voice
        self.given = given
        self._warned = False

    def save(self, rate_wpm: int, volume: float, brief: bool) -> None:
        values = {"rate_wpm": int(rate_wpm), "volume": round(float(volume), 3), "brief": bool(brief)}
        values.update({name: getattr(self.kept, name) for name in self.given})
        text = yaml.safe_dump(values, sort_keys=False)
        partial: str | None = None
        try:
            with stops_held():  # a few small writes; a stop among them would leave a stray file
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, partial = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".partial", dir=self.path.parent)
                with os.fdopen(fd, "w", encoding="utf-8") as f:  # a name of its own: two guides never share one
                    f.write("# voice-guide: the listener's speaking rate, volume and prompts (--remember-voice)\n" + text)
                os.replace(partial, self.path)
                partial = None
        except OSError as e:
            if partial is not None:
                with contextlib.suppress(OSError):
                    os.unlink(partial)
            if not self._warned:
                self._warned = True
                warn(f"cannot save your voice settings to {self.path} ({e.strerror}); they hold until the guide stops")


def given_on_command_line(rate: object, volume: object, brief: bool) -> frozenset[str]:
    """Which of the voice's values a flag set for this run (they win over the saved ones)."""
    flags = {"rate_wpm": rate is not None, "volume": volume is not None, "brief": brief}
    return frozenset(name for name, given in flags.items() if given)


def remember_voice(dialogue: "Dialogue", given: frozenset[str] = frozenset(), path: Path | None = None) -> Path | None:
    """Start ``dialogue`` from the voice saved at ``path`` (if any), except the values ``given`` by a
    flag for this run (which are not saved either), and save every change to it."""
    path = path or default_path()
    if path is None:
        warn("there is no home folder or $XDG_STATE_HOME to keep your voice settings in; they hold until the guide stops")
        return None
    saved = load_voice(path)
    if saved is not None:
        dialogue.use_voice(dialogue.rate_wpm if "rate_wpm" in given else saved.rate_wpm,
                           dialogue.volume if "volume" in given else saved.volume,
                           dialogue.brief if "brief" in given else saved.brief)
        print(f"voice-guide: your saved voice: {dialogue.rate_wpm} words a minute, volume {dialogue.volume:g}"
              f"{', brief prompts' if dialogue.brief else ''} ({path})", file=sys.stderr)
    dialogue.on_voice = VoiceKeeper(path, saved, given).save
    return path
