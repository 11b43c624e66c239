"""Show identity and production settings: frozen dataclasses loaded from show.yaml / production.yaml."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Mapping, TypeVar

from voice_guide.episode.model import Role
from voice_guide.errors import ConfigError
from voice_guide.protocols import Voice
from voice_guide.yaml_lines import line_of, load_yaml

T = TypeVar("T")


@dataclass(frozen=True)
class Show:
    title: str = "Voice Guide Radio"
    style_of: str = "Frankly Speaking About Cancer"
    description: str = "An independent cancer education show."
    author: str = "Voice Guide producers"
    owner_name: str = "Voice Guide producers"
    owner_email: str = "producer@example.org"
    language: str = "en"
    category: str = "Health & Fitness"
    subcategory: str = "Medicine"
    explicit: bool = False
    base_url: str = "https://example.org/voice-guide/"
    copyright: str = ""


@dataclass(frozen=True)
class Pacing:
    lead_in: float = 0.3
    sentence_gap: float = 0.3
    same_speaker_gap: float = 0.3
    turn_gap: float = 0.4
    segment_gap: float = 1.0
    tail: float = 1.0
    words_per_minute: int = 150


@dataclass(frozen=True)
class StingSettings:
    enabled: bool = True
    lead: float = 2.0
    length: float = 6.0
    duck_db: float = -20.0
    level_db: float = -14.0
    outro_lead: float = 1.5


@dataclass(frozen=True)
class Mastering:
    stereo_lufs: float = -16.0
    mono_lufs: float = -19.0
    tolerance_lu: float = 1.0
    ceiling_dbtp: float = -2.0
    max_true_peak_dbtp: float = -1.0
    sample_rate: int = 44100
    mp3_kbps_stereo: int = 128
    mp3_kbps_mono: int = 96
    mp3_quality: int = 5

    def target_lufs(self, channels: int) -> float:
        return self.stereo_lufs if channels == 2 else self.mono_lufs

    def kbps(self, channels: int) -> int:
        return self.mp3_kbps_stereo if channels == 2 else self.mp3_kbps_mono


@dataclass(frozen=True)
class Production:
    voices: Mapping[str, Mapping[Role, Voice]] = field(default_factory=dict)
    """engine name -> role -> voice."""
    pan: Mapping[Role, float] = field(default_factory=dict)
    pacing: Pacing = Pacing()
    sting: StingSettings = StingSettings()
    mastering: Mastering = Mastering()

    def voice(self, engine: str, role: Role) -> Voice:
        try:
            return self.voices[engine][role]
        except KeyError:
            raise ConfigError(f"production settings have no {role.value} voice for engine '{engine}'; add voices.{engine}.{role.value}") from None


def _from_mapping(cls: type[T], raw: Any, path: str, what: str) -> T:
    if raw is None:
        return cls()
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}:{getattr(raw, 'line', '?')}: {what} must be a mapping")
    names = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in names:
            raise ConfigError(f"{path}:{line_of(raw, key)}: unknown {what} key '{key}' (known: {', '.join(names)})")
        default = getattr(cls(), key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, (int, float)):
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            value = type(default)(value) if ok else value
        else:
            ok = isinstance(value, str)
            value = " ".join(str(value).split()) if ok else value
        if not ok:
            raise ConfigError(f"{path}:{line_of(raw, key)}: {what} '{key}' must be like {default!r}")
        values[key] = value
    return cls(**values)


def _packaged(name: str) -> Path:
    return Path(str(resources.files("voice_guide") / "episode" / name))


def load_show(path: str | Path | None = None) -> Show:
    p = Path(path) if path is not None else _packaged("show.yaml")
    return _from_mapping(Show, _load(p), str(p), "show")


def _load(p: Path) -> Any:
    if not p.exists():
        raise ConfigError(f"{p}: no such settings file; check the path")
    return load_yaml(p)


def load_production(path: str | Path | None = None) -> Production:
    p = Path(path) if path is not None else _packaged("production.yaml")
    raw = _load(p)
    where = str(p)
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: production settings must be a mapping")
    voices: dict[str, dict[Role, Voice]] = {}
    for engine, roles in (raw.get("voices") or {}).items():
        voices[engine] = {}
        for role in Role:
            if role.value not in roles:
                raise ConfigError(f"{where}:{line_of(roles, role.value)}: voices.{engine} needs a '{role.value}' voice")
            voices[engine][role] = _from_mapping(Voice, roles[role.value], where, f"voices.{engine}.{role.value}")
    pan_raw = raw.get("pan") or {}
    pan = {role: float(pan_raw.get(role.value, 0.0)) for role in Role}
    if any(not -1.0 <= v <= 1.0 for v in pan.values()):
        raise ConfigError(f"{where}:{line_of(raw, 'pan')}: pan values must be between -1 and 1")
    return Production(
        voices=voices,
        pan=pan,
        pacing=_from_mapping(Pacing, raw.get("pacing"), where, "pacing"),
        sting=_from_mapping(StingSettings, raw.get("sting"), where, "sting"),
        mastering=_from_mapping(Mastering, raw.get("mastering"), where, "mastering"),
    )
