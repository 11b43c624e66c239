"""Chapters: Podcasting 2.0 JSON chapters and ID3v2 CHAP/CTOC frames (via mutagen)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from voice_guide.episode.render import ChapterMark

JSON_CHAPTERS_VERSION = "1.2.0"


def chapters_json(chapters: Sequence[ChapterMark], title: str, show_title: str) -> dict[str, Any]:
    """https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/examples/chapters/jsonChapters.md"""
    return {
        "version": JSON_CHAPTERS_VERSION,
        "title": title,
        "podcastName": show_title,
        "chapters": [{"startTime": round(c.start, 3), "endTime": round(c.end, 3), "title": c.title} for c in chapters],
    }


def tag_mp3(
    path: Path,
    title: str,
    show_title: str,
    author: str,
    description: str,
    year: str,
    chapters: Sequence[ChapterMark],
    cover_png: bytes | None = None,
    language: str = "eng",
) -> None:
    """Write ID3v2.3 tags: title, show, author, comment, chapter table of contents and chapters."""
    from mutagen.id3 import APIC, CHAP, COMM, CTOC, ID3, TALB, TCON, TDRC, TIT2, TLAN, TPE1, CTOCFlags

    tags = ID3()
    tags.add(TIT2(encoding=3, text=[title]))
    tags.add(TALB(encoding=3, text=[show_title]))
    tags.add(TPE1(encoding=3, text=[author]))
    tags.add(TCON(encoding=3, text=["Podcast"]))
    tags.add(TDRC(encoding=3, text=[year]))
    tags.add(TLAN(encoding=3, text=[language]))
    tags.add(COMM(encoding=3, lang=language, desc="", text=[description]))
    ids = [f"chp{n}" for n in range(len(chapters))]
    tags.add(
        CTOC(
            element_id="toc",
            flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
            child_element_ids=ids,
            sub_frames=[TIT2(encoding=3, text=["Chapters"])],
        )
    )
    for element_id, chapter in zip(ids, chapters):
        tags.add(
            CHAP(
                element_id=element_id,
                start_time=int(round(chapter.start * 1000)),
                end_time=int(round(chapter.end * 1000)),
                start_offset=0xFFFFFFFF,
                end_offset=0xFFFFFFFF,
                sub_frames=[TIT2(encoding=3, text=[chapter.title])],
            )
        )
    if cover_png:
        tags.add(APIC(encoding=3, mime="image/png", type=3, desc="Cover", data=cover_png))
    tags.save(str(path), v2_version=3)


def read_chapters(path: Path) -> list[tuple[str, int, int]]:
    """(title, start ms, end ms) of each CHAP frame in table-of-contents order."""
    from mutagen.id3 import ID3

    tags = ID3(str(path))
    tocs = tags.getall("CTOC")
    order = list(tocs[0].child_element_ids) if tocs else [c.element_id for c in tags.getall("CHAP")]
    chaps = {c.element_id: c for c in tags.getall("CHAP")}
    return [(str(chaps[i].sub_frames["TIT2"].text[0]), chaps[i].start_time, chaps[i].end_time) for i in order]
