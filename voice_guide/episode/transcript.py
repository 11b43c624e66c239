"""Text outputs from the script and the measured cues: transcript.vtt, transcript.srt, script.md."""

from __future__ import annotations

import textwrap
from typing import Iterable, Sequence

from voice_guide.episode.lexicon import Lexicon
from voice_guide.episode.model import EpisodeScript, Pause
from voice_guide.episode.readability import GRADE_LIMIT, SegmentReadability
from voice_guide.episode.render import Cue

SRT_WIDTH = 42
"""Characters per subtitle row."""


def timestamp(seconds: float, separator: str = ".") -> str:
    ms = int(round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{separator}{ms:03d}"


def _vtt_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt(cues: Sequence[Cue], title: str = "") -> str:
    """WebVTT with a ``<v Speaker>`` voice span on every cue (one cue per spoken sentence)."""
    head = "WEBVTT" + (f" - {title}" if title and "-->" not in title else "")
    blocks = [head]
    for n, cue in enumerate(cues, 1):
        blocks.append(f"{n}\n{timestamp(cue.start)} --> {timestamp(cue.end)}\n<v {cue.role.label}>{_vtt_escape(cue.text)}")
    return "\n\n".join(blocks) + "\n"


def srt(cues: Sequence[Cue]) -> str:
    """SubRip: speaker name first, text wrapped to rows of ``SRT_WIDTH`` characters."""
    blocks = []
    for n, cue in enumerate(cues, 1):
        rows = textwrap.wrap(f"{cue.role.label}: {cue.text}", SRT_WIDTH)
        blocks.append(f"{n}\n{timestamp(cue.start, ',')} --> {timestamp(cue.end, ',')}\n" + "\n".join(rows))
    return "\n\n".join(blocks) + "\n"


def lines_from_cues(cues: Iterable[Cue]) -> list[str]:
    """Rebuild each script line from its sentence cues (for the transcript == script check)."""
    lines: dict[int, list[str]] = {}
    for cue in cues:
        lines.setdefault(cue.line, []).append(cue.text)
    return [" ".join(lines[k]) for k in sorted(lines)]


def script_markdown(script: EpisodeScript, lexicon: Lexicon, readability: Sequence[SegmentReadability]) -> str:
    """A script a human host could read live: speakers in bold, sources in small print."""
    out = [f"# {script.title}", "", f"*{script.show_title}* · plan `{script.plan_id}` · seed {script.seed} · pack `{script.pack_id}`", ""]
    if script.description:
        out += [script.description, ""]
    out += ["Roles: **Host**, **Guest expert** (reads the content pack's answers word for word), **Listener** (composite questions).", ""]
    grades = {r.segment_id: r for r in readability}
    for n, segment in enumerate(script.segments, 1):
        r = grades.get(segment.id)
        out.append(f"## {n}. {segment.title}")
        if r is not None:
            flag = f" ⚠ above grade {GRADE_LIMIT:g}" if r.flagged else ""
            out.append(f"*~{r.estimated_seconds:.0f} s · {r.words} words · reading grade {r.grade:.1f}{flag}*")
        out.append("")
        for item in segment.items:
            if isinstance(item, Pause):
                out += [f"*(pause {item.seconds:g} s{': ' + item.reason if item.reason else ''})*", ""]
                continue
            out += [f"**{item.role.label}:** {item.text}  ", f"<sub>{item.source.describe()}</sub>", ""]
    used = lexicon.used_in(" ".join(line.text for line in script.lines))
    if used:
        out += ["## Pronunciation notes", ""]
        out += [f"- {t.term}: *{t.respelling}*" for t in used]
        out.append("")
    out += ["## Source", "", script.attribution, ""]
    return "\n".join(out)
