"""Endpointing: where an utterance starts and ends, timed by audio length, never by the clock.

A pure state machine in the style of rhasspy3's segmenter. Chunks go in; each :meth:`Endpointer.push`
returns a :class:`Step` that says what happened (speech started, speech ended, no input, cut at the
maximum length) and which chunks the recognizer should hear now. Speech is detected by energy above
an adaptive noise floor, so it works in a quiet room and in steady waiting-room noise alike.

Tuned for slow and older speakers: about a second of trailing silence ends an utterance, and a
single short word ("stop", "yes") is enough to count as speech.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from voice_guide.audio import RATE, AudioChunk


@dataclass(frozen=True)
class EndpointSettings:
    """Endpointing thresholds; every time is in milliseconds of audio."""

    trailing_silence_ms: int = 1000
    """Silence after speech that ends an utterance (slow speakers pause mid-sentence)."""
    max_utterance_ms: int = 15000
    """An utterance is cut here even if the speaker goes on (or the room never goes quiet)."""
    initial_silence_ms: int = 8000
    """With no speech this long after listening starts, report no input."""
    min_speech_ms: int = 120
    """Speech shorter than this (a cough, a click) is not an utterance; "stop" is about 300 ms."""
    start_ms: int = 60
    """Loud frames needed within ``start_window_ms`` before speech counts as started."""
    start_window_ms: int = 200
    pre_roll_ms: int = 300
    """Audio kept from before the start, so the first sound of the first word is not lost."""
    hold_silence_ms: int = 300
    """Silence after speech the recognizer hears at once; more is held back and given to it only if
    speech resumes (a long tail of silence skews the recognizer's normalisation of short words)."""
    frame_ms: int = 20
    """Analysis frame inside each chunk."""
    threshold_db: float = 12.0
    """A frame is loud when this far above the noise floor ..."""
    release_db: float = 11.0
    """... and counts as silence again (smoothed over ``smooth_ms``) when below floor + this."""
    smooth_ms: int = 160
    min_level_dbfs: float = -55.0
    """Nothing quieter than this is speech, however quiet the room."""
    floor_rise_db_per_s: float = 3.0
    """How fast the noise floor creeps up to a louder room (it drops at once to a quieter one)."""


class EndpointEvent(str, Enum):
    STARTED = "started"
    ENDED = "ended"
    MAX_LENGTH = "max_length"
    """The utterance was cut at ``max_utterance_ms``; treat it as ended."""
    NO_INPUT = "no_input"


@dataclass(frozen=True)
class Step:
    """The outcome of one pushed chunk."""

    event: EndpointEvent | None
    audio: tuple[AudioChunk, ...] = ()
    """Chunks the recognizer should hear now (pre-roll and the current chunk once speech started)."""
    at_ms: float = 0.0
    """Audio time of the end of the pushed chunk since the endpointer was (re)armed."""


class _Phase(str, Enum):
    WAITING = "waiting"
    SPEECH = "speech"


def frame_levels(chunk: AudioChunk, frame_ms: int) -> list[tuple[float, float]]:
    """(level in dBFS, length in ms) for each frame of a chunk."""
    samples = chunk.array().astype(np.float64)
    step = max(1, chunk.rate * frame_ms // 1000)
    levels = []
    for start in range(0, samples.size, step):
        frame = samples[start : start + step]
        power = float(np.mean(frame * frame)) if frame.size else 0.0
        levels.append((10.0 * math.log10(max(power, 1e-12)), 1000.0 * frame.size / chunk.rate))
    return levels


class Endpointer:
    """Finds utterances in a stream of chunks. :meth:`arm` starts a new listening period."""

    def __init__(self, settings: EndpointSettings | None = None, rate: int = RATE) -> None:
        self.settings = settings or EndpointSettings()
        self.rate = rate
        self.floor_db: float | None = None
        """Noise floor in dBFS; starts at the first frame's level."""
        self._recent: deque[tuple[float, float]] = deque()
        self.arm()

    # -- state ------------------------------------------------------------------------------------
    def arm(self, initial_silence: bool = True) -> None:
        """Start listening for a new utterance; the no-input timer runs if ``initial_silence``."""
        self.phase = _Phase.WAITING
        self.elapsed_ms = 0.0
        self.waited_ms = 0.0
        self.timeout_armed = initial_silence
        self.speech_ms = 0.0
        self.utterance_ms = 0.0
        self.silence_ms = 0.0
        self._pre_roll: deque[AudioChunk] = deque()
        self._pre_roll_ms = 0.0
        self._window: deque[tuple[bool, float]] = deque()
        self._held: list[AudioChunk] = []

    @property
    def in_speech(self) -> bool:
        return self.phase is _Phase.SPEECH

    # -- main -------------------------------------------------------------------------------------
    def push(self, chunk: AudioChunk) -> Step:
        st = self.settings
        event: EndpointEvent | None = None
        audio: tuple[AudioChunk, ...] = ()
        for level, ms in frame_levels(chunk, st.frame_ms):
            loud, quiet = self._classify(level, ms)
            if self.phase is _Phase.WAITING:
                self._window.append((loud, ms))
                while sum(m for _, m in self._window) > st.start_window_ms:
                    self._window.popleft()
                if sum(m for l, m in self._window if l) >= st.start_ms:
                    self.phase = _Phase.SPEECH
                    self.speech_ms = sum(m for l, m in self._window if l)
                    self.utterance_ms = sum(m for _, m in self._window)
                    self.silence_ms = 0.0
                    event = EndpointEvent.STARTED
            else:
                self.utterance_ms += ms
                if quiet:
                    self.silence_ms += ms
                else:
                    self.silence_ms = 0.0
                    if loud:
                        self.speech_ms += ms
        self.elapsed_ms += chunk.milliseconds
        if event is EndpointEvent.STARTED:
            audio = tuple(self._pre_roll) + (chunk,)
            self._pre_roll.clear()
            self._pre_roll_ms = 0.0
        elif self.phase is _Phase.SPEECH:
            audio = self._hold_or_release(chunk)
            if self.silence_ms >= st.trailing_silence_ms:
                event = self._end(EndpointEvent.ENDED)
            elif self.utterance_ms >= st.max_utterance_ms:
                event = self._end(EndpointEvent.MAX_LENGTH)
        else:
            self._keep_pre_roll(chunk)
            self.waited_ms += chunk.milliseconds
            if self.timeout_armed and self.waited_ms >= st.initial_silence_ms:
                self.timeout_armed = False
                event = EndpointEvent.NO_INPUT
        return Step(event, audio, self.elapsed_ms)

    def _hold_or_release(self, chunk: AudioChunk) -> tuple[AudioChunk, ...]:
        if self.silence_ms > self.settings.hold_silence_ms:
            self._held.append(chunk)
            return ()
        released = tuple(self._held) + (chunk,)
        self._held = []
        return released

    def _end(self, kind: EndpointEvent) -> EndpointEvent | None:
        """Close the utterance; too little speech (a click, a cough) is dropped silently."""
        enough = self.speech_ms >= self.settings.min_speech_ms
        self.phase = _Phase.WAITING
        self._held = []
        self._window.clear()
        self.waited_ms = 0.0
        return kind if enough else None

    def _keep_pre_roll(self, chunk: AudioChunk) -> None:
        self._pre_roll.append(chunk)
        self._pre_roll_ms += chunk.milliseconds
        while self._pre_roll and self._pre_roll_ms - self._pre_roll[0].milliseconds >= self.settings.pre_roll_ms:
            self._pre_roll_ms -= self._pre_roll.popleft().milliseconds

    def _classify(self, level: float, ms: float) -> tuple[bool, bool]:
        """(loud, quiet) for one frame; also updates the noise floor and the smoothed level."""
        st = self.settings
        floor = level if self.floor_db is None else self.floor_db
        if level < floor:
            floor = level
        elif self.phase is _Phase.WAITING or level < floor + st.threshold_db:
            floor = min(level, floor + st.floor_rise_db_per_s * ms / 1000.0)
        self.floor_db = floor
        self._recent.append((level, ms))
        while sum(m for _, m in self._recent) > st.smooth_ms:
            self._recent.popleft()
        total = sum(m for _, m in self._recent)
        power = sum(10 ** (lv / 10.0) * m for lv, m in self._recent) / total
        smoothed = 10.0 * math.log10(max(power, 1e-12))
        floor = max(floor, st.min_level_dbfs - st.threshold_db)
        loud = level >= floor + st.threshold_db and level >= st.min_level_dbfs
        quiet = smoothed < max(floor + st.release_db, st.min_level_dbfs)
        return loud, quiet
