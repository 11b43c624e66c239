"""RSS feed (feed.xml) with Apple's iTunes tags and Podcasting 2.0 transcript/chapters tags.

Each built episode leaves ``episode.json`` in its folder; the feed is rebuilt from all of them,
so episodes accumulate in the output folder. The guid depends only on the show, pack and plan,
so rebuilding an episode replaces it in the feed instead of adding a duplicate.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

from voice_guide.episode.settings import Show
from voice_guide.errors import ConfigError
from voice_guide.output_file import hidden

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST = "https://podcastindex.org/namespace/1.0"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
ATOM = "http://www.w3.org/2005/Atom"
ENTRY_FILE = "episode.json"
FEED_FILE = "feed.xml"
COVER_FILE = "cover.png"


@dataclass(frozen=True)
class FeedEntry:
    guid: str
    slug: str
    title: str
    description: str
    notes_html: str
    published: str
    """ISO 8601 in UTC; kept from the first build of this guid."""
    duration_s: float
    mp3_bytes: int
    plan: str
    pack: str
    mp3_name: str = "episode.mp3"


def episode_guid(show: Show, pack_id: str, plan_id: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"voice-guide:{show.title}:{pack_id}:{plan_id}"))


def read_entry(folder: Path) -> FeedEntry | None:
    path = folder / ENTRY_FILE
    if not path.exists():
        return None
    try:
        return FeedEntry(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{path}: not a valid episode entry ({exc}); delete the folder and rebuild it") from None


def write_entry(folder: Path, entry: FeedEntry) -> None:
    (folder / ENTRY_FILE).write_text(json.dumps(asdict(entry), indent=2) + "\n", encoding="utf-8")


def first_published(folder: Path, guid: str, now: datetime) -> str:
    """Keep the original date when an episode is rebuilt, so feed readers don't see it as new."""
    old = read_entry(folder)
    if old is not None and old.guid == guid:
        return old.published
    return now.astimezone(timezone.utc).replace(microsecond=0).isoformat()


def _url(show: Show, *parts: str) -> str:
    return show.base_url.rstrip("/") + "/" + "/".join(parts)


def _sub(parent: ET.Element, tag: str, value: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrs)
    if value is not None:
        el.text = value
    return el


def feed_xml(show: Show, entries: list[FeedEntry]) -> str:
    ET.register_namespace("itunes", ITUNES)
    ET.register_namespace("podcast", PODCAST)
    ET.register_namespace("content", CONTENT)
    ET.register_namespace("atom", ATOM)
    rss = ET.Element("rss", {"version": "2.0"})
    ch = _sub(rss, "channel")
    _sub(ch, "title", show.title)
    _sub(ch, "link", show.base_url)
    _sub(ch, "description", show.description)
    _sub(ch, "language", show.language)
    if show.copyright:
        _sub(ch, "copyright", show.copyright)
    _sub(ch, f"{{{ATOM}}}link", href=_url(show, FEED_FILE), rel="self", type="application/rss+xml")
    _sub(ch, f"{{{ITUNES}}}author", show.author)
    owner = _sub(ch, f"{{{ITUNES}}}owner")
    _sub(owner, f"{{{ITUNES}}}name", show.owner_name)
    _sub(owner, f"{{{ITUNES}}}email", show.owner_email)
    _sub(ch, f"{{{ITUNES}}}image", href=_url(show, COVER_FILE))
    category = _sub(ch, f"{{{ITUNES}}}category", text=show.category)
    if show.subcategory:
        _sub(category, f"{{{ITUNES}}}category", text=show.subcategory)
    _sub(ch, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
    _sub(ch, f"{{{ITUNES}}}type", "episodic")
    _sub(ch, f"{{{PODCAST}}}guid", str(uuid.uuid5(uuid.NAMESPACE_URL, _url(show, FEED_FILE).split("://", 1)[-1])))
    ordered = sorted(entries, key=lambda e: (e.published, e.slug), reverse=True)
    for e in ordered:
        item = _sub(ch, "item")
        _sub(item, "title", e.title)
        _sub(item, "description", e.description)
        _sub(item, f"{{{CONTENT}}}encoded", e.notes_html)
        _sub(item, "enclosure", url=_url(show, e.slug, e.mp3_name), length=str(e.mp3_bytes), type="audio/mpeg")
        _sub(item, "guid", e.guid, isPermaLink="false")
        _sub(item, "pubDate", format_datetime(datetime.fromisoformat(e.published)))
        _sub(item, f"{{{ITUNES}}}duration", str(int(round(e.duration_s))))
        _sub(item, f"{{{ITUNES}}}episodeType", "full")
        _sub(item, f"{{{ITUNES}}}explicit", "true" if show.explicit else "false")
        _sub(item, f"{{{PODCAST}}}transcript", url=_url(show, e.slug, "transcript.vtt"), type="text/vtt", language=show.language)
        _sub(item, f"{{{PODCAST}}}transcript", url=_url(show, e.slug, "transcript.srt"), type="application/x-subrip", language=show.language)
        _sub(item, f"{{{PODCAST}}}chapters", url=_url(show, e.slug, "chapters.json"), type="application/json+chapters")
    ET.indent(rss)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(rss, encoding="unicode") + "\n"


def write_feed(out_dir: Path, show: Show) -> tuple[Path, int]:
    """Rebuild feed.xml from every episode folder under ``out_dir``; returns (path, episodes)."""
    entries = [e for e in (read_entry(d) for d in sorted(out_dir.iterdir()) if d.is_dir() and not hidden(d)) if e is not None]
    path = out_dir / FEED_FILE
    path.write_text(feed_xml(show, entries), encoding="utf-8")
    return path, len(entries)
