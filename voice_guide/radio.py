"""Radio mode's player: rendered episodes in a loop, by chapters. Pure: time comes from audio.

The player hands out audio chunk by chunk; the radio session (``radio_session.py``) pauses it
when a visitor asks something and resumes a little before where it stopped.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from voice_guide.audio import CHUNK_MS, AudioChunk, Clip, float_to_pcm, read_wav
from voice_guide.errors import AudioFormatError, ConfigError
from voice_guide.output_file import hidden
from voice_guide.time_stretch import MAX_SPEED, MIN_SPEED, TimeStretcher

RADIO_RATE = 22050
"""Radio audio is played as mono at this rate (speech episodes need no more)."""
PREVIOUS_RESTARTS_S = 3.0
""""Previous chapter" within this many seconds of a chapter start goes to the one before; later, to its start."""
CHAPTER_END_SLACK_S = 0.5
"""A chapter may start this much after the end of the episode's audio (rounding), no more."""


@dataclass(frozen=True)
class Chapter:
    start_s: float
    title: str


@dataclass(frozen=True)
class Episode:
    slug: str
    title: str
    description: str
    audio: Clip
    chapters: tuple[Chapter, ...]

    @property
    def seconds(self) -> float:
        return self.audio.seconds

    def chapter_at(self, seconds: float) -> int:
        """The chapter playing at ``seconds``. A chapter starts on the sample nearest its start time
        (a seek rounds to a sample), so a position one sample short of it is already in it."""
        index = 0
        for i, chapter in enumerate(self.chapters):
            if chapter.start_s <= seconds + 1.0 / self.audio.rate:
                index = i
        return index


def load_episode(folder: Path) -> Episode:
    """One rendered episode folder (episode.wav, chapters.json, episode.json) from ``episode build``."""
    wav, chapters_file, meta_file = folder / "episode.wav", folder / "chapters.json", folder / "episode.json"
    for needed in (wav, chapters_file):
        if not needed.exists():
            raise ConfigError(f"{folder}: no {needed.name}; rebuild it with 'voice-guide episode build --out {folder.parent}'")
    try:
        chapters_data = json.loads(chapters_file.read_text(encoding="utf-8"))
        chapters = tuple(_chapter(c) for c in chapters_data["chapters"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{chapters_file}: unreadable chapters ({exc}); rebuild the episode") from exc
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.exists() else {}
        if not isinstance(meta, dict):
            raise ValueError("not a JSON object")
    except (json.JSONDecodeError, ValueError) as exc:
        raise ConfigError(f"{meta_file}: unreadable episode details ({exc}); rebuild the episode") from exc
    try:
        audio = read_wav(wav, rate=RADIO_RATE)
    except AudioFormatError as exc:  # the build wrote it: rebuilding is the fix, not converting
        raise ConfigError(f"{wav}: the episode's audio cannot be read; rebuild it with "
                          f"'voice-guide episode build --out {folder.parent}'") from exc
    _check_within(chapters, audio.seconds, chapters_file)
    return Episode(
        slug=folder.name,
        title=str(meta.get("title") or chapters_data.get("title") or folder.name),
        description=str(meta.get("description", "")),
        audio=audio,
        chapters=chapters or (Chapter(0.0, folder.name),),
    )


def _chapter(entry: dict[str, Any]) -> Chapter:
    """One entry of chapters.json; a start that is no time (NaN, infinite, negative) is a ValueError."""
    start = float(entry["startTime"])
    if not math.isfinite(start) or start < 0:
        raise ValueError(f"chapter start {entry['startTime']!r} is not a time")
    return Chapter(start, str(entry.get("title", "")))


def _check_within(chapters: Sequence[Chapter], seconds: float, chapters_file: Path) -> None:
    for chapter in chapters:
        if chapter.start_s > seconds + CHAPTER_END_SLACK_S:
            raise ConfigError(f"{chapters_file}: chapter '{chapter.title}' starts at {chapter.start_s:.6g} s, after the "
                              f"end of the {seconds:.0f} s episode; rebuild the episode")


def load_episodes(folder: str | Path, playlist: Sequence[str] = ()) -> list[Episode]:
    """Episodes under ``folder`` (each a sub-folder), in ``playlist`` order or by name."""
    if not str(folder).strip():
        raise ConfigError("the episodes folder is empty (an unset variable?); give the folder 'voice-guide episode build --out' wrote")
    root = Path(folder)
    if root.is_file():
        raise ConfigError(f"{root} is a file; give the episodes folder that holds it ({root.parent})")
    if not root.is_dir():
        raise ConfigError(f"{root}: no episodes folder; build episodes first: 'voice-guide episode build --all --out {root}'")
    if playlist:
        odd = [name for name in playlist if not name.strip() or name != Path(name).name or name in (".", "..")]
        if odd:  # an episode is a folder name: "" or "." named the episodes folder itself, ".." one outside it
            shown = ", ".join(repr(n) for n in odd)
            raise ConfigError(f"playlist: {shown} is no episode name; give folder names under {root} ('voice-guide episode plans' lists them)")
        folders = [root / name for name in playlist]
        missing = [f.name for f in folders if not f.is_dir()]
        if missing:
            raise ConfigError(f"{root}: playlist names missing episodes: {', '.join(missing)}")
    else:
        folders = sorted(p for p in root.iterdir() if not hidden(p) and (p / "episode.wav").exists())
    if not folders:
        raise ConfigError(f"{root}: no rendered episodes; build them: 'voice-guide episode build --all --out {root}'")
    return [load_episode(f) for f in folders]


class RadioPlayer:
    """Position over a looping playlist; chunks are cut from the episodes' audio."""

    def __init__(self, episodes: Sequence[Episode], chunk_ms: int = CHUNK_MS) -> None:
        if not episodes:
            raise ConfigError("radio mode needs at least one episode")
        self.episodes = list(episodes)
        self.chunk_ms = chunk_ms
        self.index = 0
        self.sample = 0
        self.paused = False
        self.played_s = 0.0
        self.speed = 1.0
        """How fast the show plays (1 as mastered), at its own pitch: "slower" and "faster" step it."""
        self._stretch: TimeStretcher | None = None
        self._stretch_at: tuple[int, int] = (-1, -1)  # (episode, sample) the stretcher has reached

    @property
    def episode(self) -> Episode:
        return self.episodes[self.index]

    @property
    def position_s(self) -> float:
        return self.sample / self.episode.audio.rate

    @property
    def chapter(self) -> Chapter:
        return self.episode.chapters[self.episode.chapter_at(self.position_s)]

    def next_chunk(self, ms: int | None = None) -> AudioChunk | None:
        """The next ``ms`` (default ``chunk_ms``) of audio, moving on to the next episode at the end; None while paused."""
        if self.paused:
            return None
        audio = self.episode.audio
        step = max(1, audio.rate * (ms or self.chunk_ms) // 1000)
        if self._stretch is not None and self._stretch_at != (self.index, self.sample):
            self._stretch = None  # moved (a seek, a chapter, another episode): a stretcher starts afresh
        at_pace = abs(self.speed - 1.0) <= 1e-3
        if self._stretch is not None and at_pace and self._stretch.in_step:
            self.sample, self._stretch = self._stretch.next_unread, None  # at its pace again: the recording itself
        if not at_pace or self._stretch is not None:
            return self._stretched(step)
        start, end = self.sample, min(self.sample + step, len(audio.audio) // 2)
        chunk = AudioChunk(audio.audio[start * 2 : end * 2], audio.rate, int(1000 * start / audio.rate))
        self.sample = end
        self.played_s += chunk.seconds
        if self.sample >= len(audio.audio) // 2:
            self._next_episode()
        return chunk

    def _stretched(self, step: int) -> AudioChunk:
        """``step`` samples of the show played at ``speed``, from where it is (a seek, a pause or another
        episode starts the stretcher afresh; one that goes on from where it left off keeps its phase)."""
        audio = self.episode.audio
        if self._stretch is None:
            self._stretch = TimeStretcher(np.frombuffer(audio.audio, "<i2"), audio.rate, self.sample)
        self._stretch.speed = min(MAX_SPEED, max(MIN_SPEED, self.speed))
        start = self.sample
        out = self._stretch.read(step)
        chunk = AudioChunk(float_to_pcm(out), audio.rate, int(1000 * start / audio.rate))
        self.played_s += chunk.seconds
        self.sample = min(len(audio.audio) // 2, int(self._stretch.position))
        self._stretch_at = (self.index, self.sample)
        if self._stretch.ended:
            self._next_episode()  # the stretcher is dropped at the next chunk: it is not where the player is
        return chunk

    def _next_episode(self) -> None:
        self.index = (self.index + 1) % len(self.episodes)
        self.sample = 0

    def seek(self, seconds: float) -> None:
        total = len(self.episode.audio.audio) // 2
        self.sample = max(0, min(total - 1, int(round(seconds * self.episode.audio.rate))))

    def pause(self) -> None:
        self.paused = True

    def resume(self, back_s: float = 0.0) -> None:
        """Play on from ``back_s`` before where it stopped (never before the chapter's start)."""
        chapter_start = self.chapter.start_s
        self.seek(max(chapter_start, self.position_s - back_s))
        self.paused = False

    def next_chapter(self) -> Chapter:
        current = self.episode.chapter_at(self.position_s)
        if current + 1 < len(self.episode.chapters):
            self.seek(self.episode.chapters[current + 1].start_s)
        else:
            self._next_episode()
        return self.chapter

    def previous_chapter(self) -> Chapter:
        """The chapter playing from its start, or, said near its start, the one before: across into the
        previous episode's last chapter, as "next chapter" crosses into the next (one episode alone
        restarts its first)."""
        current = self.episode.chapter_at(self.position_s)
        start = self.episode.chapters[current].start_s
        if self.position_s - start > PREVIOUS_RESTARTS_S or (current == 0 and len(self.episodes) == 1):
            self.seek(start)
        elif current == 0:
            self.index = (self.index - 1) % len(self.episodes)
            self.seek(self.episode.chapters[-1].start_s)
        else:
            self.seek(self.episode.chapters[current - 1].start_s)
        return self.chapter
