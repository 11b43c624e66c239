"""Show notes (Markdown and HTML from the same blocks): chapters, sections used, source, disclaimer."""

from __future__ import annotations

import html
from typing import Sequence, Union

from voice_guide.content import Pack
from voice_guide.episode.model import EpisodeScript
from voice_guide.episode.render import ChapterMark
from voice_guide.episode.settings import Show

Block = tuple[str, Union[str, list[str]]]
"""("h1" | "h2" | "p", text) or ("ul", items)."""


def clock(seconds: float) -> str:
    total = int(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def notes_blocks(script: EpisodeScript, pack: Pack, show: Show, chapters: Sequence[ChapterMark], engine: str) -> list[Block]:
    titles = {s.id: s.title for s in pack.sections}
    publisher = pack.publisher or "the publisher of the source material"
    blocks: list[Block] = [("h1", script.title)]
    if script.description:
        blocks.append(("p", script.description))
    if chapters:
        blocks += [("h2", "Chapters"), ("ul", [f"{clock(c.start)} {c.title}" for c in chapters])]
    blocks += [
        ("h2", "Sections used"),
        ("p", f"Every answer in this episode is read word for word from these sections of \"{pack.title}\":"),
        ("ul", [f"{titles[sid]} ({sid})" for sid in script.sections_used]),
        ("h2", "Source"),
        ("p", pack.attribution),
        ("h2", "About this show"),
        (
            "p",
            f"{show.title} is an independent education show made in the style of {show.style_of}. "
            f"It is not produced or endorsed by {publisher}. The host, guest expert and listener are "
            f"computer voices ({engine}); listener questions are composites, not real callers.",
        ),
        ("h2", "Please note"),
        ("p", pack.disclaimer),
        ("h2", "Files"),
        ("ul", ["Transcript: transcript.vtt (WebVTT), transcript.srt (SubRip)", "Chapters: chapters.json", "Script: script.md, script.json"]),
    ]
    return blocks


def markdown(blocks: Sequence[Block]) -> str:
    out: list[str] = []
    for kind, body in blocks:
        if kind == "ul":
            out += [f"- {item}" for item in body] + [""]
        elif kind == "h1":
            out += [f"# {body}", ""]
        elif kind == "h2":
            out += [f"## {body}", ""]
        else:
            out += [str(body), ""]
    return "\n".join(out)


def html_fragment(blocks: Sequence[Block]) -> str:
    """The notes as an HTML fragment (also used for the feed's content:encoded)."""
    out: list[str] = []
    for kind, body in blocks:
        if kind == "ul":
            out.append("<ul>" + "".join(f"<li>{html.escape(item)}</li>" for item in body) + "</ul>")
        elif kind in ("h1", "h2"):
            out.append(f"<{kind}>{html.escape(str(body))}</{kind}>")
        else:
            out.append(f"<p>{html.escape(str(body))}</p>")
    return "\n".join(out)


def html_page(blocks: Sequence[Block], title: str, language: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(language)}">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{html_fragment(blocks)}\n</body>\n</html>\n"
    )
