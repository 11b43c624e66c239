"""Render a script to one mix: a voice per role, gaps by rule, the sting ducked under speech.

Timing truth: every cue and chapter time is the sample position where its audio was placed,
after trimming each clip's own silence, so times are measured from the audio, not estimated.
The synthesizer is passed in (any ``Synthesizer``); this module never chooses an engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from voice_guide.episode.dsp import clip_at_rate, trim
from voice_guide.episode.lexicon import Lexicon
from voice_guide.episode.model import EpisodeScript, Line, Pause, Role
from voice_guide.episode.settings import Production
from voice_guide.episode.sting import duck_gain, sting
from voice_guide.protocols import Synthesizer
from voice_guide.sentences import split_sentences

Progress = Callable[[int, int], None]
"""Called with (lines done, lines total)."""


@dataclass(frozen=True)
class Cue:
    """One spoken sentence as placed in the mix (seconds from the start)."""

    start: float
    end: float
    role: Role
    text: str
    segment: int
    """Index of the segment in the script."""
    line: int
    """Index of the line in the whole episode (``script.lines``)."""


@dataclass(frozen=True)
class ChapterMark:
    start: float
    end: float
    title: str
    segment_id: str


@dataclass(frozen=True)
class RenderedEpisode:
    audio: np.ndarray
    """float32, shape (samples, channels)."""
    rate: int
    cues: tuple[Cue, ...]
    chapters: tuple[ChapterMark, ...]
    engine: str
    beds: tuple[tuple[float, float], ...] = ()
    """(start, end) seconds where the sting plays."""

    @property
    def channels(self) -> int:
        return int(self.audio.shape[1])

    @property
    def seconds(self) -> float:
        return self.audio.shape[0] / self.rate


@dataclass
class _Placed:
    start: int
    samples: np.ndarray
    role: Role


def _pan_gains(pan: float) -> tuple[float, float]:
    """Constant-power pan, normalised so the centre keeps unit gain per channel."""
    angle = (pan + 1) * np.pi / 4
    return float(np.cos(angle) * np.sqrt(2)), float(np.sin(angle) * np.sqrt(2))


def render(
    script: EpisodeScript,
    synthesizer: Synthesizer,
    production: Production,
    lexicon: Lexicon,
    engine: str,
    channels: int = 2,
    sting_enabled: bool = True,
    progress: Progress | None = None,
) -> RenderedEpisode:
    """Synthesize every line (sentence by sentence) and lay the episode out on one timeline."""
    rate = production.mastering.sample_rate
    pacing = production.pacing
    sting_cfg = production.sting
    use_sting = sting_enabled and sting_cfg.enabled
    voices = {role: production.voice(engine, role) for role in Role}
    total_lines = len(script.lines)
    done = 0
    placed: list[_Placed] = []
    cues: list[Cue] = []
    starts: list[int] = []
    stings: list[int] = []
    cursor = int(round(pacing.lead_in * rate))
    previous: Role | None = None
    for seg_index, segment in enumerate(script.segments):
        if seg_index:
            cursor += int(round(pacing.segment_gap * rate))
        starts.append(cursor)
        previous = None
        if segment.sting and use_sting:
            stings.append(cursor)
            cursor += int(round(sting_cfg.lead * rate))
        extra = 0
        for item in segment.items:
            if isinstance(item, Pause):
                extra += int(round(item.seconds * rate))
                continue
            assert isinstance(item, Line)
            if previous is not None:
                gap = pacing.turn_gap if item.role is not previous else pacing.same_speaker_gap
                cursor += int(round(gap * rate))
            cursor += extra
            extra = 0
            for n, sentence in enumerate(split_sentences(item.text)):
                if n:
                    cursor += int(round(pacing.sentence_gap * rate))
                clip = synthesizer.synthesize(lexicon.spoken(sentence), voices[item.role])
                samples = trim(clip_at_rate(clip, rate), rate)
                placed.append(_Placed(cursor, samples, item.role))
                cues.append(Cue(cursor / rate, (cursor + samples.size) / rate, item.role, sentence, seg_index, done))
                cursor += samples.size
            previous = item.role
            done += 1
            if progress is not None:
                progress(done, total_lines)
        cursor += extra
    speech_end = cursor
    outro_at = None
    if use_sting and script.outro_sting:
        outro_at = max(0, speech_end - int(round(sting_cfg.outro_lead * rate)))
    length = speech_end + int(round(pacing.tail * rate))
    sting_len = int(round(sting_cfg.length * rate))
    if outro_at is not None:
        length = max(length, outro_at + sting_len + int(round(0.2 * rate)))
    audio = _mix(placed, length, channels, production)
    if use_sting and (stings or outro_at is not None):
        bed = np.zeros((length, channels), dtype=np.float32)
        tone = sting(rate, sting_cfg.length, sting_cfg.level_db, channels)
        for at in stings + ([outro_at] if outro_at is not None else []):
            end = min(length, at + tone.shape[0])
            bed[at:end] += tone[: end - at]
        speech = [(p.start, p.start + p.samples.size) for p in placed]
        audio += bed * duck_gain(length, rate, speech, sting_cfg.duck_db)[:, None]
    chapters = tuple(
        ChapterMark(starts[i] / rate if i else 0.0, (starts[i + 1] if i + 1 < len(starts) else length) / rate, s.title, s.id)
        for i, s in enumerate(script.segments)
    )
    beds = tuple((at / rate, min(length, at + sting_len) / rate) for at in stings + ([outro_at] if outro_at is not None else []))
    return RenderedEpisode(audio, rate, tuple(cues), chapters, engine, beds if use_sting else ())


def _mix(placed: list[_Placed], length: int, channels: int, production: Production) -> np.ndarray:
    audio = np.zeros((length, channels), dtype=np.float32)
    gains = {role: _pan_gains(production.pan.get(role, 0.0)) if channels == 2 else (1.0,) for role in Role}
    for p in placed:
        end = p.start + p.samples.size
        for ch, g in enumerate(gains[p.role]):
            audio[p.start : end, ch] += p.samples * g
    return audio
