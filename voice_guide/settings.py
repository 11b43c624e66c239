"""The guide's settings file (kiosk configuration): one YAML file, validated with file:line errors.

Every key is optional; defaults live in :class:`GuideSettings`. Command-line flags override the
file through :meth:`GuideSettings.override`.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from voice_guide.config import VOLUME_FLOOR
from voice_guide.errors import ConfigError, ContentError
from voice_guide.yaml_lines import LineDict, line_of, load_yaml

MODES = ("push_to_talk", "wake", "continuous")
ENGINES = ("auto", "vosk", "pocketsphinx")
ENV_CONFIG = "VOICE_GUIDE_CONFIG"


@dataclass(frozen=True)
class GuideSettings:
    mode: str = "push_to_talk"
    """How listening starts: push_to_talk (Space, or a button that types it; kiosk default), wake (the wake phrase), continuous."""
    engine: str = "auto"
    """Recognizer: auto (vosk if an English model is installed, else pocketsphinx), vosk, pocketsphinx."""
    model: str | None = None
    """Folder of a vosk model (else VOICE_GUIDE_VOSK_MODEL, else models/<name>/)."""
    input_device: str | None = None
    output_device: str | None = None
    rate_wpm: int = 150
    volume: float = 0.8
    volume_cap: float = 2.26
    """Louder never goes past this (a quieter room is a more private one); 1.0 is the voice as rendered."""
    idle_timeout_s: float = 60.0
    """After this long without use: warn, then forget the conversation and restore rate and volume."""
    idle_warning_s: float = 20.0
    earcons: bool = True
    brief: bool = False
    """Brief prompts ("More?") for listeners who know the guide; "full prompts" by voice brings the
    guidance back. An idle reset restores this for the next person."""
    remember_voice: bool = False
    """A personal device: keep the rate, volume and prompts the listener chose, across resets and runs
    (``$XDG_STATE_HOME/voice-guide/voice.yaml``). Leave off on a kiosk: each visitor starts fresh."""
    captions: bool = True
    barge_in: bool = True
    """Whether "stop" is heard while the guide speaks (turn off in noisy rooms)."""
    wake_phrase: str = "hey guide"
    trailing_silence_s: float = 1.0
    initial_silence_s: float = 8.0
    max_utterance_s: float = 15.0
    episodes: str = "episodes"
    """Folder of rendered episodes for radio mode."""
    playlist: tuple[str, ...] = ()
    """Episode names to play in radio mode, in order (empty: every episode found)."""
    resume_back_s: float = 3.0
    """Radio mode resumes this far before the point where a question interrupted it."""
    content: tuple[str, ...] = ()
    """Extra content pack folders."""
    builtin_content: bool = True
    """Load the built-in pack before ``content``. False: the clinic's packs alone (the first of them
    gives the greeting, disclaimer, fallback and safety messages)."""
    source: str = field(default="defaults", compare=False)

    def override(self, flag_names: Mapping[str, str] | None = None, **flags: Any) -> "GuideSettings":
        """Flags win over the file; None means "not given". A value out of range is named by its flag
        (``flag_names``: setting -> flag) when a flag gave it."""
        given = {k: v for k, v in flags.items() if v is not None}
        unknown = set(given) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        merged = replace(self, **given)
        names = {key: (flag_names or {}).get(key, key) for key in given}
        _check_values(merged, "command line", None, names)
        return merged

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["playlist"] = list(self.playlist)
        data["content"] = list(self.content)
        return data


_RANGES: dict[str, tuple[float, float]] = {
    "rate_wpm": (60, 500),
    "volume": (VOLUME_FLOOR, 2.26),
    "volume_cap": (VOLUME_FLOOR, 2.26),
    "idle_timeout_s": (5, 86_400),
    "idle_warning_s": (0, 3_600),
    "trailing_silence_s": (0.2, 5.0),
    "initial_silence_s": (1.0, 120.0),
    "max_utterance_s": (2.0, 120.0),
    "resume_back_s": (0.0, 60.0),
}


def _check_values(s: GuideSettings, path: str, lines: LineDict | None, names: Mapping[str, str] | None = None) -> None:
    def fail(key: str, message: str) -> None:
        line = line_of(lines, key) if lines is not None else None
        flag = (names or {}).get(key, key)
        if flag.startswith("--"):
            raise ConfigError(f"{flag} {message}")  # "--rate 5 is outside 60-500"
        if lines is None:
            raise ConfigError(f"{path}: {key}: {message}")
        raise ContentError(path, line, f"{key}: {message}")

    if s.mode not in MODES:
        fail("mode", f"'{s.mode}' is not one of {', '.join(MODES)}")
    if s.engine not in ENGINES:
        fail("engine", f"'{s.engine}' is not one of {', '.join(ENGINES)}")
    for key, (low, high) in _RANGES.items():
        value = getattr(s, key)
        if not low <= value <= high:
            fail(key, f"{value} is outside {low}-{high}")
    if s.idle_warning_s >= s.idle_timeout_s:
        given = lines.key_lines if isinstance(lines, LineDict) else {}
        if "idle_warning_s" in given or "idle_timeout_s" not in given:
            fail("idle_warning_s", f"{s.idle_warning_s} must be shorter than idle_timeout_s ({s.idle_timeout_s})")
        fail("idle_timeout_s", f"{s.idle_timeout_s} must be longer than the idle warning ({s.idle_warning_s} s); "
                               "set idle_warning_s lower too")
    if s.volume > s.volume_cap:
        fail("volume", f"{s.volume} is above volume_cap {s.volume_cap} (the loudest allowed; raise volume_cap in the settings file)")
    if not any(ch.isalpha() for ch in s.wake_phrase):
        fail("wake_phrase", "must have words in it, e.g. 'hey guide'")
    if lines is not None:  # paths a file names are checked now (flags' paths are checked where they are used)
        _check_paths(s, fail)


def _check_paths(s: GuideSettings, fail: Callable[[str, str], None]) -> None:
    if s.model is not None and not Path(s.model).is_dir():
        fail("model", f"{s.model} is not a folder; run 'voice-guide model download', fix the path, or remove the line")
    for folder in s.content:
        if not folder.strip() or not Path(folder).exists():
            fail("content", f"'{folder}' does not exist (relative paths start from the folder the guide runs in); "
                            "give content pack files or folders")


def _coerce(key: str, value: Any, default: Any, path: str, line: int | None) -> Any:
    expected = type(default)
    if key in ("model", "input_device", "output_device"):
        if value is None or isinstance(value, (str, int)):
            return None if value is None else str(value)
    elif isinstance(default, bool):
        if isinstance(value, bool):
            return value
    elif isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return tuple(value)
    elif isinstance(default, float):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif isinstance(value, expected):
        return value
    kind = {bool: "true or false", tuple: "a list of text", float: "a number", int: "a whole number", str: "text"}
    wanted = "a path" if key == "model" else "a device name or number" if key.endswith("_device") else \
        kind.get(expected, expected.__name__)
    raise ContentError(path, line, f"{key}: expected {wanted}, got {value!r}")


def load_settings(path: str | Path | None = None) -> GuideSettings:
    """Settings from ``path`` (or $VOICE_GUIDE_CONFIG), else the defaults."""
    chosen = path or os.environ.get(ENV_CONFIG)
    if not chosen:
        return GuideSettings()
    p = Path(chosen)
    data = load_yaml(p)
    if data is None:
        return GuideSettings(source=str(p))
    if not isinstance(data, LineDict):
        raise ContentError(str(p), 1, "a settings file maps setting names to values")
    defaults = GuideSettings()
    known = {f.name: getattr(defaults, f.name) for f in fields(defaults) if f.name != "source"}
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in known:
            raise ContentError(str(p), line_of(data, key), f"unknown setting '{key}' (known: {', '.join(sorted(known))})")
        values[key] = _coerce(key, value, known[key], str(p), line_of(data, key))
    settings = replace(defaults, source=str(p), **values)
    if "volume" not in values and settings.volume > settings.volume_cap:
        settings = replace(settings, volume=settings.volume_cap)  # a low cap alone: start at the cap
    _check_values(settings, str(p), data)
    return settings
