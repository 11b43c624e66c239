"""Quality report: loudness, true peak, timing against decoded audio, provenance, readability."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from voice_guide.episode.dsp import db_to_gain
from voice_guide.episode.master import Loudness
from voice_guide.episode.model import EpisodeScript, Role, SourceKind
from voice_guide.episode.readability import GRADE_LIMIT, SegmentReadability, episode_grade
from voice_guide.episode.render import RenderedEpisode
from voice_guide.episode.script import Provenance
from voice_guide.episode.settings import Mastering

TIMING_TOLERANCE_MS = 50.0
ONSET_DBFS = -50.0
"""A cue's audio has started when the decoded signal first exceeds this level."""
MIN_GAP_S = 0.2
"""Only cues with at least this much silence before them can be located by onset."""


@dataclass(frozen=True)
class Timing:
    checked: int
    max_error_ms: float
    mean_error_ms: float


def onset_errors(audio: np.ndarray, rendered: RenderedEpisode) -> list[float]:
    """For each chapter start and each cue after a clear gap: measured onset minus stated time (ms).

    Regions under the sting bed are skipped (music, not silence, comes before the voice there).
    """
    rate = rendered.rate
    level = np.abs(audio).max(axis=1) if audio.ndim == 2 else np.abs(audio)
    threshold = db_to_gain(ONSET_DBFS)
    ends = [0.0] + [c.end for c in rendered.cues]
    times = [c.start for c in rendered.chapters if c.start > 0]
    for previous_end, cue in zip(ends, rendered.cues):
        under_bed = any(a - MIN_GAP_S <= cue.start <= b + MIN_GAP_S for a, b in rendered.beds)
        if cue.start - previous_end >= MIN_GAP_S and not under_bed:
            times.append(cue.start)
    errors = []
    search = int(MIN_GAP_S * rate) // 2
    for t in sorted(set(times)):
        at = int(round(t * rate))
        window = level[max(0, at - search) : at + search]
        loud = np.flatnonzero(window > threshold)
        if loud.size == 0:
            errors.append(float("inf"))
            continue
        errors.append(1000.0 * (max(0, at - search) + loud[0] - at) / rate)
    return errors


def timing(errors: Sequence[float]) -> Timing:
    if not errors:
        return Timing(0, 0.0, 0.0)
    absolute = [abs(e) for e in errors]
    return Timing(len(errors), round(max(absolute), 1), round(sum(absolute) / len(absolute), 1))


def _check(name: str, ok: bool | None, detail: str) -> dict[str, Any]:
    return {"name": name, "ok": None if ok is None else bool(ok), "detail": detail}


def report(
    script: EpisodeScript,
    provenance: Provenance,
    readability: Sequence[SegmentReadability],
    mastering: Mastering,
    channels: int,
    engine: str,
    transcript_matches: bool | None = None,
    duration_s: float | None = None,
    before: Loudness | None = None,
    wav: Loudness | None = None,
    mp3: Loudness | None = None,
    mp3_note: str = "",
    chapter_timing: Timing | None = None,
    speed: dict[str, float] | None = None,
) -> dict[str, Any]:
    """The qa.json document; ``ok`` is False when any check failed (skipped checks are None)."""
    words = {role.value: sum(line.words for line in script.lines if line.role is role) for role in Role}
    first, last = script.segments[0], script.segments[-1]
    disclaimer = {
        "opening": any(line.source.kind is SourceKind.PACK and line.source.ref == "disclaimer" for line in first.lines),
        "closing": any(line.source.kind is SourceKind.PACK and line.source.ref == "disclaimer" for line in last.lines),
    }
    target = mastering.target_lufs(channels)
    tol = mastering.tolerance_lu
    limit = mastering.max_true_peak_dbtp
    checks = [
        _check("provenance", provenance.share == 1.0, f"{provenance.share:.0%} of {provenance.total} lines from templates or the pack"),
        _check("disclaimer", disclaimer["opening"] and disclaimer["closing"], "pack disclaimer at the start and the end"),
        _check("readability", True, f"reported; segments above grade {GRADE_LIMIT:g}: " + (", ".join(r.segment_id for r in readability if r.flagged) or "none")),
    ]
    loudness: dict[str, Any] = {"target_lufs": target, "tolerance_lu": tol, "max_true_peak_dbtp": limit, "limiter_ceiling_dbtp": mastering.ceiling_dbtp}
    for name, value in (("before_mastering", before), ("wav", wav), ("mp3", mp3)):
        loudness[name] = value.as_dict() if value is not None else None
        if value is not None and name != "before_mastering":
            checks.append(_check(f"loudness_{name}", abs(value.integrated_lufs - target) <= tol, f"{value.integrated_lufs:.2f} LUFS (target {target:g} ± {tol:g})"))
            checks.append(_check(f"true_peak_{name}", value.true_peak_dbtp <= limit, f"{value.true_peak_dbtp:.2f} dBTP (limit {limit:g})"))
    if mp3 is None and wav is not None:
        checks.append(_check("loudness_mp3", None, mp3_note or "not measured"))
    if mp3_note:
        loudness["mp3_note"] = mp3_note
    if chapter_timing is not None:
        ok = chapter_timing.checked > 0 and chapter_timing.max_error_ms <= TIMING_TOLERANCE_MS
        checks.append(_check("timing", ok, f"{chapter_timing.checked} chapter/cue starts, max error {chapter_timing.max_error_ms:.1f} ms (limit {TIMING_TOLERANCE_MS:g})"))
    if transcript_matches is not None:
        checks.append(_check("transcript", transcript_matches, "transcript cues rebuild the script's lines exactly"))
    estimated = round(sum(r.estimated_seconds for r in readability), 1)
    return {
        "episode": {"title": script.title, "plan": script.plan_id, "pack": script.pack_id, "seed": script.seed, "engine": engine, "channels": channels},
        "duration_s": round(duration_s, 2) if duration_s is not None else None,
        "estimated_s": estimated,
        "segments": len(script.segments),
        "lines": len(script.lines),
        "words": {"total": script.words, **words},
        "provenance": {"lines": provenance.total, "share": provenance.share, "by_kind": dict(provenance.by_kind), "problems": list(provenance.problems)},
        "disclaimer": disclaimer,
        "readability": {
            "limit": GRADE_LIMIT,
            "episode_grade": episode_grade(script),
            "segments": [
                {"id": r.segment_id, "title": r.title, "words": r.words, "grade": r.grade, "content_grade": r.content_grade, "estimated_s": r.estimated_seconds, "flagged": r.flagged}
                for r in readability
            ],
        },
        "loudness": loudness,
        "timing": vars(chapter_timing) if chapter_timing is not None else None,
        "speed": speed or {},
        "checks": checks,
        "ok": all(c["ok"] is not False for c in checks),
    }
