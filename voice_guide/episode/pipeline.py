"""One episode from plan to publishing bundle: script -> render -> master -> encode -> files.

The caller (the CLI) picks the synthesizer and rebuilds the feed after all episodes are built.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np

from voice_guide.content import Pack
from voice_guide.episode import encode, notes
from voice_guide.episode.chapters import chapters_json, tag_mp3
from voice_guide.episode.cover import cover_png
from voice_guide.episode.dsp import db_to_gain
from voice_guide.episode.feed import COVER_FILE, FeedEntry, episode_guid, first_published, write_entry
from voice_guide.episode.lexicon import Lexicon, load_lexicon
from voice_guide.episode.master import Loudness, limit, master, measure
from voice_guide.episode.model import EpisodeScript, script_to_dict
from voice_guide.episode.plans import Plan
from voice_guide.episode.qa import Timing, onset_errors, report, timing
from voice_guide.episode.readability import readability
from voice_guide.episode.render import render
from voice_guide.episode.script import build_script, provenance
from voice_guide.episode.settings import Production, Show, load_production, load_show
from voice_guide.episode.templates import Templates, load_templates
from voice_guide.episode.transcript import lines_from_cues, script_markdown, srt, vtt
from voice_guide.output_file import replaced_folder
from voice_guide.protocols import Synthesizer

_LOGGER = logging.getLogger(__name__)

MP3_RETRIES = 2
"""Times to lower the limiter ceiling when the decoded MP3 still peaks above the limit."""

Step = Callable[[str, int, int], None]
"""Progress: (stage, done, total)."""


@dataclass(frozen=True)
class Resources:
    """Everything data-driven an episode build reads, loaded once."""

    templates: Templates
    lexicon: Lexicon
    show: Show
    production: Production

    @classmethod
    def load(cls, show_path: str | Path | None = None, templates_path: str | Path | None = None, production_path: str | Path | None = None) -> "Resources":
        return cls(load_templates(templates_path), load_lexicon(), load_show(show_path), load_production(production_path))


@dataclass(frozen=True)
class BuildOptions:
    seed: int = 0
    channels: int = 2
    sting: bool = True
    script_only: bool = False
    write_wav: bool = True
    verify_mp3: bool = True
    """Decode the MP3 with ffmpeg and measure it again (skipped with a note if ffmpeg is absent)."""


@dataclass(frozen=True)
class BuildResult:
    folder: Path
    script: EpisodeScript
    qa: dict[str, Any]


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_script(folder: Path, script: EpisodeScript, res: Resources) -> None:
    _write(folder / "script.json", json.dumps(script_to_dict(script), indent=2, ensure_ascii=False) + "\n")
    read = readability(script, res.production.pacing.words_per_minute)
    _write(folder / "script.md", script_markdown(script, res.lexicon, read))


def _encode_checked(mastered: np.ndarray, pcm: np.ndarray, rate: int, res: Resources, options: BuildOptions) -> tuple[bytes, Loudness | None, str, np.ndarray | None]:
    """MP3 bytes and, when ffmpeg can decode them, their measured loudness and decoded audio.

    The encoder's small level change is measured on an excerpt and made up before encoding; if
    the decoded MP3 still misses the loudness target or the peak limit, the MP3 is made again.
    """
    m = res.production.mastering
    kbps = m.kbps(options.channels)
    if not options.verify_mp3:
        return encode.mp3_bytes(pcm, rate, kbps, m.mp3_quality), None, "not re-measured", None
    if not encode.ffmpeg_available():
        note = "skipped: ffmpeg is not installed, so the MP3 could not be decoded independently"
        return encode.mp3_bytes(pcm, rate, kbps, m.mp3_quality), None, note, None
    target = m.target_lufs(options.channels)
    gain = -encode.mp3_gain_db(pcm, rate, kbps, m.mp3_quality)
    mix = mastered
    for attempt in range(MP3_RETRIES + 1):
        data = encode.mp3_bytes(encode.to_pcm16(mix * db_to_gain(gain)) if gain or mix is not mastered else pcm, rate, kbps, m.mp3_quality)
        decoded = encode.decode_mp3(data, rate, options.channels)
        loud = measure(decoded, rate)
        peak_ok = loud.true_peak_dbtp <= m.max_true_peak_dbtp
        level_ok = abs(loud.integrated_lufs - target) <= min(0.3, m.tolerance_lu / 2)
        if (peak_ok and level_ok) or attempt == MP3_RETRIES:
            return data, loud, f"decoded with ffmpeg; encoder level change {-gain:+.2f} dB made up before encoding", decoded
        gain += target - loud.integrated_lufs
        if not peak_ok:
            ceiling = m.ceiling_dbtp - (loud.true_peak_dbtp - m.max_true_peak_dbtp) - 0.3
            _LOGGER.info("MP3 peaks at %.2f dBTP; limiting again at %.2f dBTP", loud.true_peak_dbtp, ceiling)
            mix, _ = limit(mix, rate, ceiling)
    raise AssertionError("unreachable")


def build_episode(
    pack: Pack,
    plan: Plan,
    res: Resources,
    out_dir: Path,
    options: BuildOptions,
    synthesizer: Synthesizer | None,
    engine: str,
    now: datetime,
    step: Step | None = None,
) -> BuildResult:
    """Build one episode into ``out_dir/<slug>/``. ``synthesizer`` may be None with ``script_only``.
    The episode is built in a hidden folder beside it and swapped in when complete, so a failed or
    interrupted rebuild leaves the last complete episode as it was, never a mix of old and new files."""
    folder = out_dir / plan.slug(pack)
    stale = ("episode.wav",) if not options.script_only and not options.write_wav else ()  # no longer this episode's audio
    with replaced_folder(folder, drop=stale) as work:
        return _build(pack, plan, res, out_dir, folder, work, options, synthesizer, engine, now, step)


def _build(pack: Pack, plan: Plan, res: Resources, out_dir: Path, folder: Path, work: Path, options: BuildOptions,
           synthesizer: Synthesizer | None, engine: str, now: datetime, step: Step | None) -> BuildResult:
    """The build itself: every file is written in ``work``; ``folder`` is where it will be."""
    started = time.perf_counter()
    script = build_script(pack, plan, res.templates, res.show, options.seed)
    prov = provenance(script, pack, plan, res.templates, res.show)
    read = readability(script, res.production.pacing.words_per_minute)
    write_script(work, script, res)
    common = dict(script=script, provenance=prov, readability=read, mastering=res.production.mastering, channels=options.channels, engine=engine)
    if options.script_only or synthesizer is None:
        qa = report(**common)  # type: ignore[arg-type]
        qa["episode"]["folder"] = str(folder)
        _write(work / "qa.json", json.dumps(qa, indent=2) + "\n")
        return BuildResult(folder, script, qa)

    total = len(script.lines)
    rendered = render(
        script, synthesizer, res.production, res.lexicon, engine, options.channels, options.sting,
        progress=(lambda done, n: step("render", done, n)) if step else None,
    )
    rendered_at = time.perf_counter()
    if step:
        step("master", total, total)
    m = res.production.mastering
    mastered, mrep = master(rendered.audio, rendered.rate, m.target_lufs(options.channels), m.ceiling_dbtp, m.tolerance_lu)
    if step:
        step("encode", total, total)
    pcm = encode.to_pcm16(mastered)
    data, mp3_loud, mp3_note, decoded = _encode_checked(mastered, pcm, rendered.rate, res, options)
    if options.write_wav:
        (work / "episode.wav").write_bytes(encode.wav_bytes(pcm, rendered.rate))
    mp3_path = work / "episode.mp3"
    mp3_path.write_bytes(data)
    cover = out_dir / COVER_FILE
    if not cover.exists():
        cover.write_bytes(cover_png())
    tag_mp3(mp3_path, script.title, res.show.title, res.show.author, script.description or script.title, now.strftime("%Y"), rendered.chapters, cover.read_bytes(), "eng")

    if step:
        step("bundle", total, total)
    _write(work / "chapters.json", json.dumps(chapters_json(rendered.chapters, script.title, res.show.title), indent=2) + "\n")
    _write(work / "transcript.vtt", vtt(rendered.cues, script.title))
    _write(work / "transcript.srt", srt(rendered.cues))
    blocks = notes.notes_blocks(script, pack, res.show, rendered.chapters, engine)
    _write(work / "show-notes.md", notes.markdown(blocks))
    _write(work / "show-notes.html", notes.html_page(blocks, script.title, res.show.language))
    guid = episode_guid(res.show, pack.id, plan.id)
    entry = FeedEntry(
        guid=guid,
        slug=folder.name,
        title=script.title,
        description=script.description or script.title,
        notes_html=notes.html_fragment(blocks),
        published=first_published(folder, guid, now),
        duration_s=round(encode.mp3_duration(mp3_path.read_bytes()), 3),
        mp3_bytes=mp3_path.stat().st_size,
        plan=plan.id,
        pack=pack.id,
    )
    write_entry(work, entry)

    chapter_timing: Timing | None = timing(onset_errors(decoded if decoded is not None else mastered, rendered))
    finished = time.perf_counter()
    speed = {
        "audio_s": round(rendered.seconds, 2),
        "render_s": round(rendered_at - started, 2),
        "render_x_realtime": round(rendered.seconds / max(1e-6, rendered_at - started), 1),
        "build_s": round(finished - started, 2),
        "build_x_realtime": round(rendered.seconds / max(1e-6, finished - started), 1),
    }
    qa = report(
        **common,  # type: ignore[arg-type]
        transcript_matches=lines_from_cues(rendered.cues) == [line.text for line in script.lines],
        duration_s=rendered.seconds,
        before=mrep.before,
        wav=mrep.after,
        mp3=mp3_loud,
        mp3_note=mp3_note,
        chapter_timing=chapter_timing,
        speed=speed,
    )
    qa["episode"].update({"guid": guid, "folder": str(folder)})
    qa["loudness"]["limited_samples"] = mrep.limited_samples
    _write(work / "qa.json", json.dumps(qa, indent=2) + "\n")
    return BuildResult(folder, script, qa)
