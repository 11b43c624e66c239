"""Readability per segment (Flesch-Kincaid grade) and spoken-duration estimates. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from voice_guide.episode.model import EpisodeScript, Pause, Segment, SourceKind
from voice_guide.sentences import split_sentences

GRADE_LIMIT = 8.0
"""Patient material should read at or below 8th grade (NIH, CDC); higher is flagged."""

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d+")
_VOWELS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Heuristic English syllable count: vowel groups, minus silent e and -ed, plus split vowels."""
    w = word.lower().strip("'")
    if w.isdigit():
        return max(1, len(w))
    if len(w) <= 3:
        return 1
    w = re.sub(r"'s$", "", w)
    count = len(_VOWELS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if w.endswith("ed") and not w.endswith(("ted", "ded")) and count > 1:
        count -= 1
    count += len(re.findall(r"ia|eo|ua|uo", w))
    return max(1, count)


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade level: 0.39 words/sentence + 11.8 syllables/word - 15.59."""
    sentences = [s for s in split_sentences(text) if _WORD.search(s)]
    words = _WORD.findall(text)
    if not words or not sentences:
        return 0.0
    syl = sum(syllables(w) for w in words)
    return 0.39 * len(words) / len(sentences) + 11.8 * syl / len(words) - 15.59


@dataclass(frozen=True)
class SegmentReadability:
    segment_id: str
    title: str
    words: int
    grade: float
    """Grade of everything spoken in the segment."""
    content_grade: float | None
    """Grade of the content pack's answers alone (None if the segment has none)."""
    estimated_seconds: float

    @property
    def flagged(self) -> bool:
        return self.grade > GRADE_LIMIT


def estimate_seconds(segment: Segment, words_per_minute: int) -> float:
    spoken = sum(line.words for line in segment.lines) * 60.0 / words_per_minute
    return spoken + sum(i.seconds for i in segment.items if isinstance(i, Pause))


def segment_readability(segment: Segment, words_per_minute: int = 150) -> SegmentReadability:
    text = " ".join(line.text for line in segment.lines)
    content = " ".join(line.text for line in segment.lines if line.source.kind is SourceKind.CONTENT)
    return SegmentReadability(
        segment_id=segment.id,
        title=segment.title,
        words=len(text.split()),
        grade=round(fk_grade(text), 1),
        content_grade=round(fk_grade(content), 1) if content else None,
        estimated_seconds=round(estimate_seconds(segment, words_per_minute), 1),
    )


def readability(script: EpisodeScript, words_per_minute: int = 150) -> tuple[SegmentReadability, ...]:
    return tuple(segment_readability(s, words_per_minute) for s in script.segments)


def episode_grade(script: EpisodeScript) -> float:
    return round(fk_grade(" ".join(line.text for line in script.lines)), 1)
