"""The publishing bundle, built with a fake synthesizer and read back file by file."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import numpy as np
import pytest
from test_episode_fakes import ToneSynthesizer
from test_episode_master import ebur128

from voice_guide.audio import Clip
from voice_guide.content import Library
from voice_guide.episode import encode
from voice_guide.episode.chapters import read_chapters
from voice_guide.episode.feed import ATOM, ITUNES, PODCAST, write_feed
from voice_guide.episode.model import script_from_dict
from voice_guide.episode.pipeline import BuildOptions, BuildResult, Resources, build_episode
from voice_guide.episode.plans import load_plans
from voice_guide.protocols import Voice

NOW = datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)
SHORT_PLAN = """\
id: short
title: Where it spreads
pack: metastatic-breast-cancer
segments:
  - {kind: disclaimer, title: Before we begin}
  - {kind: ident, title: Welcome, sting: true}
  - {kind: interview, title: Where it spreads, sections: [common-sites]}
  - {kind: listener_questions, title: A listener asks, sections: [emotions]}
  - {kind: close, title: Wrapping up}
"""
VTT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d{3}) --> (\d\d):(\d\d):(\d\d)\.(\d{3})$")
SRT_TIME = re.compile(r"^(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})$")


@pytest.fixture(scope="module")
def resources() -> Resources:
    res = Resources.load()
    voices = dict(res.production.voices)
    voices["fake"] = voices["pyttsx3"]
    return dataclasses.replace(res, production=dataclasses.replace(res.production, voices=voices))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, library: Library, resources: Resources) -> tuple[BuildResult, Path]:
    plans_dir = tmp_path_factory.mktemp("plans")
    (plans_dir / "short.yaml").write_text(SHORT_PLAN, encoding="utf-8")
    plan = load_plans([plans_dir], builtin=False)[0]
    out = tmp_path_factory.mktemp("episodes")
    result = build_episode(library.primary, plan, resources, out, BuildOptions(seed=4), ToneSynthesizer(), "fake", NOW)
    write_feed(out, resources.show)
    return result, out


def _seconds(groups: tuple[str, ...]) -> tuple[float, float]:
    h, m, s, ms, h2, m2, s2, ms2 = map(int, groups)
    return h * 3600 + m * 60 + s + ms / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000


def parse_vtt(text: str) -> list[tuple[float, float, str, str]]:
    blocks = text.strip().split("\n\n")
    assert blocks[0].startswith("WEBVTT")
    cues = []
    for block in blocks[1:]:
        ident, timing, payload = block.split("\n")
        assert ident.isdigit()
        match = VTT_TIME.match(timing)
        assert match, timing
        voice = re.fullmatch(r"<v ([^>]+)>(.*)", payload)
        assert voice, payload
        text_ = voice.group(2).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
        cues.append((*_seconds(match.groups()), voice.group(1), text_))
    return cues


def test_every_file_of_the_bundle_is_written(built: tuple[BuildResult, Path]) -> None:
    result, out = built
    names = {p.name for p in result.folder.iterdir()}
    assert names == {"episode.mp3", "episode.wav", "chapters.json", "transcript.vtt", "transcript.srt", "show-notes.md",
                     "show-notes.html", "script.md", "script.json", "qa.json", "episode.json"}
    assert (out / "feed.xml").exists() and (out / "cover.png").read_bytes().startswith(b"\x89PNG")


def test_script_json_round_trips_and_script_md_carries_sources_not_respellings(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    assert script_from_dict(json.loads((result.folder / "script.json").read_text())) == result.script
    md = (result.folder / "script.md").read_text()
    assert "**Guest expert:** The most common sites for breast cancer metastases" in md
    assert "<sub>section common-sites content 1</sub>" in md and "metastaseez" not in md
    assert "- metastases: *muh-TAS-tuh-seez*" in md


def test_id3_chapters_match_chapters_json(built: tuple[BuildResult, Path]) -> None:
    from mutagen.id3 import ID3

    result, _ = built
    doc = json.loads((result.folder / "chapters.json").read_text())
    assert doc["version"] == "1.2.0" and doc["title"] == "Where it spreads"
    chapters = doc["chapters"]
    assert [c["title"] for c in chapters] == [s.title for s in result.script.segments]
    assert chapters[0]["startTime"] == 0 and all(a["startTime"] < b["startTime"] for a, b in zip(chapters, chapters[1:]))
    id3 = read_chapters(result.folder / "episode.mp3")
    assert [t for t, _, _ in id3] == [c["title"] for c in chapters]
    for (_, start_ms, end_ms), c in zip(id3, chapters):
        assert abs(start_ms - 1000 * c["startTime"]) <= 1 and abs(end_ms - 1000 * c["endTime"]) <= 1
    tags = ID3(str(result.folder / "episode.mp3"))
    assert tags.version[:2] == (2, 3)
    assert str(tags["TIT2"]) == "Where it spreads" and str(tags["TALB"]) == "Voice Guide Radio"
    assert tags.getall("APIC")[0].mime == "image/png"
    toc = tags.getall("CTOC")[0]
    assert toc.flags & 0x01 and toc.flags & 0x02  # ordered, top level


def test_transcripts_are_the_scripts_lines_with_speakers(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    cues = parse_vtt((result.folder / "transcript.vtt").read_text())
    script_lines = result.script.lines
    assert " ".join(c[3] for c in cues) == " ".join(line.text for line in script_lines)
    assert {c[2] for c in cues} == {"Host", "Guest expert", "Listener"}
    assert all(a[1] <= b[0] for a, b in zip(cues, cues[1:])) and all(c[0] < c[1] for c in cues)
    srt_blocks = (result.folder / "transcript.srt").read_text().strip().split("\n\n")
    assert len(srt_blocks) == len(cues)
    for block, cue in zip(srt_blocks, cues):
        ident, timing, *rows = block.split("\n")
        start, end = _seconds(SRT_TIME.match(timing).groups())  # type: ignore[union-attr]
        assert (start, end) == (cue[0], cue[1])
        assert " ".join(rows) == f"{cue[2]}: {cue[3]}" and all(len(r) <= 42 for r in rows)


def test_show_notes_name_the_sections_used_and_the_source(built: tuple[BuildResult, Path], library: Library) -> None:
    result, _ = built
    pack = library.primary
    md = (result.folder / "show-notes.md").read_text()
    html = (result.folder / "show-notes.html").read_text()
    for section in ("common-sites", "emotions"):
        title = next(s.title for s in pack.sections if s.id == section)
        assert f"{title} ({section})" in md and f"{title} ({section})" in html
    assert pack.attribution in md and "in the style of Frankly Speaking About Cancer" in md
    assert "not produced or endorsed by Cancer Support Community" in md and pack.disclaimer in md
    assert html.startswith("<!DOCTYPE html>") and "&quot;What is Metastatic Breast Cancer?&quot;" in html
    ET.fromstring(html.split("\n", 1)[1].replace('<meta charset="utf-8">', '<meta charset="utf-8"/>'))  # well-formed


def test_the_feed_parses_and_has_the_required_tags(built: tuple[BuildResult, Path]) -> None:
    result, out = built
    channel = ET.parse(out / "feed.xml").getroot().find("channel")
    assert channel is not None
    for tag in ("title", "link", "description", "language", f"{{{ITUNES}}}author", f"{{{ITUNES}}}explicit", f"{{{PODCAST}}}guid"):
        assert (channel.findtext(tag) or "").strip(), tag
    assert channel.find(f"{{{ITUNES}}}image").get("href").endswith("/cover.png")  # type: ignore[union-attr]
    assert channel.find(f"{{{ITUNES}}}category").get("text") == "Health & Fitness"  # type: ignore[union-attr]
    assert channel.findtext(f"{{{ITUNES}}}owner/{{{ITUNES}}}email") == "producer@example.org"
    assert channel.find(f"{{{ATOM}}}link").get("rel") == "self"  # type: ignore[union-attr]
    items = channel.findall("item")
    assert len(items) == 1
    item = items[0]
    enclosure = item.find("enclosure")
    assert enclosure is not None and enclosure.get("type") == "audio/mpeg"
    assert int(enclosure.get("length", "0")) == (result.folder / "episode.mp3").stat().st_size
    assert enclosure.get("url", "").endswith("/short/episode.mp3")
    assert item.find("guid").get("isPermaLink") == "false"  # type: ignore[union-attr]
    assert parsedate_to_datetime(item.findtext("pubDate", "")) == NOW
    assert abs(int(item.findtext(f"{{{ITUNES}}}duration", "0")) - result.qa["duration_s"]) <= 1
    transcripts = {t.get("type"): t.get("url") for t in item.findall(f"{{{PODCAST}}}transcript")}
    assert transcripts["text/vtt"].endswith("/short/transcript.vtt") and "application/x-subrip" in transcripts  # type: ignore[union-attr]
    assert item.find(f"{{{PODCAST}}}chapters").get("type") == "application/json+chapters"  # type: ignore[union-attr]


def test_episodes_accumulate_with_stable_guids(tmp_path: Path, library: Library, resources: Resources) -> None:
    plans = {p.id: p for p in load_plans()}
    options = BuildOptions(script_only=False, write_wav=False, verify_mp3=False, sting=False)
    first = build_episode(library.primary, plans["second-opinion"], resources, tmp_path, options, ToneSynthesizer(), "fake", NOW)
    build_episode(library.primary, plans["feelings"], resources, tmp_path, options, ToneSynthesizer(), "fake", NOW + timedelta(days=1))
    again = build_episode(library.primary, plans["second-opinion"], resources, tmp_path, dataclasses.replace(options, seed=9), ToneSynthesizer(), "fake", NOW + timedelta(days=7))
    assert again.qa["episode"]["guid"] == first.qa["episode"]["guid"]
    write_feed(tmp_path, resources.show)
    items = ET.parse(tmp_path / "feed.xml").getroot().findall("channel/item")
    assert [i.findtext("title") for i in items] == ["Feelings after a diagnosis", "Getting a second opinion"]
    dates = {i.findtext("title"): parsedate_to_datetime(i.findtext("pubDate", "")) for i in items}
    assert dates["Getting a second opinion"] == NOW  # a rebuild keeps its first date
    assert len({i.findtext("guid") for i in items}) == 2


class BrokenSynthesizer(ToneSynthesizer):
    """Fails part way through, as a Ctrl-C or a crashed engine would."""

    def __init__(self, after: int) -> None:
        super().__init__()
        self.left = after

    def synthesize(self, text: str, voice: Voice) -> Clip:
        self.left -= 1
        if self.left < 0:
            raise KeyboardInterrupt
        return super().synthesize(text, voice)


def test_an_interrupted_rebuild_leaves_the_last_complete_episode(tmp_path: Path, library: Library,
                                                                 resources: Resources) -> None:
    plan = {p.id: p for p in load_plans()}["second-opinion"]
    options = BuildOptions(write_wav=False, verify_mp3=False, sting=False)
    first = build_episode(library.primary, plan, resources, tmp_path, options, ToneSynthesizer(), "fake", NOW)
    before = {p.name: p.read_bytes() for p in first.folder.iterdir()}
    with pytest.raises(KeyboardInterrupt):
        build_episode(library.primary, plan, resources, tmp_path, dataclasses.replace(options, seed=9),
                      BrokenSynthesizer(after=5), "fake", NOW)
    assert {p.name: p.read_bytes() for p in first.folder.iterdir()} == before  # script and audio alike
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    again = build_episode(library.primary, plan, resources, tmp_path, dataclasses.replace(options, seed=9),
                          ToneSynthesizer(), "fake", NOW)
    assert again.folder == first.folder and (again.folder / "script.json").read_bytes() != before["script.json"]


def test_qa_reports_every_check(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    qa = json.loads((result.folder / "qa.json").read_text())
    assert qa["ok"] is True, [c for c in qa["checks"] if c["ok"] is False]
    names = {c["name"] for c in qa["checks"]}
    assert {"provenance", "disclaimer", "readability", "loudness_wav", "true_peak_wav", "timing", "transcript"} <= names
    assert qa["provenance"]["share"] == 1.0 and qa["disclaimer"] == {"opening": True, "closing": True}
    assert qa["loudness"]["wav"]["integrated_lufs"] == pytest.approx(-16.0, abs=0.3)
    assert qa["timing"]["max_error_ms"] <= 50
    assert len(qa["readability"]["segments"]) == len(result.script.segments)
    assert qa["words"]["total"] == result.script.words


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg is not installed, so the MP3 cannot be decoded independently")
def test_the_mp3_itself_meets_loudness_peak_and_chapter_timing(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    mp3 = result.folder / "episode.mp3"
    lufs, peak = ebur128(mp3)
    assert lufs == pytest.approx(-16.0, abs=1.0) and peak <= -1.0
    decoded = encode.decode_mp3(mp3.read_bytes(), 44100, 2)
    level = np.abs(decoded).max(axis=1)
    chapters = json.loads((result.folder / "chapters.json").read_text())["chapters"]
    for chapter in chapters[1:]:
        at = int(chapter["startTime"] * 44100)
        before = level[at - int(0.3 * 44100) : at - int(0.05 * 44100)]
        onset = at - 2205 + int(np.argmax(level[at - 2205 : at + 2205] > 0.003))
        assert before.max() < 0.003, chapter["title"]
        assert abs(onset - at) / 44.1 <= 50, chapter["title"]
