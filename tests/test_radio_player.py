"""Radio player: chunked playback over a looping playlist, chapters, pause and resume a little earlier."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from voice_guide.audio import Clip, float_to_pcm, write_wav
from voice_guide.errors import ConfigError
from voice_guide.radio import RADIO_RATE, Chapter, Episode, RadioPlayer, load_episodes


def episode(slug: str, seconds: float, chapters: list[tuple[float, str]]) -> Episode:
    samples = np.full(int(seconds * RADIO_RATE), 0.1, dtype=np.float32)
    return Episode(slug, slug.title(), f"About {slug}.", Clip(float_to_pcm(samples), RADIO_RATE),
                   tuple(Chapter(s, t) for s, t in chapters))


def test_chunks_cover_the_episode_then_the_next_one() -> None:
    player = RadioPlayer([episode("a", 1.0, [(0, "A")]), episode("b", 0.5, [(0, "B")])], chunk_ms=100)
    seconds = 0.0
    while player.index == 0:
        chunk = player.next_chunk()
        assert chunk is not None
        seconds += chunk.seconds
    assert abs(seconds - 1.0) < 1e-6 and player.episode.slug == "b" and player.position_s == 0


def test_chapters_next_and_previous() -> None:
    player = RadioPlayer([episode("a", 30.0, [(0, "Intro"), (10, "Middle"), (20, "End")])])
    assert player.chapter.title == "Intro"
    assert player.next_chapter().title == "Middle" and abs(player.position_s - 10) < 1e-3
    player.seek(15)
    assert player.previous_chapter().title == "Middle" and abs(player.position_s - 10) < 1e-3
    assert player.previous_chapter().title == "Intro"
    player.seek(25)
    player.next_chapter()
    assert player.position_s == 0, "next chapter past the end goes on to the next episode"


def test_previous_chapter_at_an_episodes_start_goes_back_to_the_episode_before() -> None:
    """"Previous chapter" at the start of an episode restarted it: "next chapter" crossed into the
    next episode, but there was no way back to the one before. One episode alone restarts."""
    player = RadioPlayer([episode("a", 30.0, [(0, "Intro A"), (20, "End A")]), episode("b", 30.0, [(0, "Intro B")])])
    player.next_chapter()
    player.next_chapter()
    assert player.episode.slug == "b"
    assert player.previous_chapter().title == "End A" and player.episode.slug == "a" and abs(player.position_s - 20) < 1e-3
    player.seek(0)
    assert player.previous_chapter().title == "Intro B" and player.episode.slug == "b"  # the playlist loops
    alone = RadioPlayer([episode("a", 30.0, [(0, "Intro"), (20, "End")])])
    assert alone.previous_chapter().title == "Intro" and alone.position_s == 0


def test_a_chapter_starting_between_samples_is_reached_and_named() -> None:
    """22.627 s is no whole sample at 22.05 kHz: the seek landed a fraction of a sample short, so the player
    named the chapter before, and while paused "next chapter" stayed where it was."""
    player = RadioPlayer([episode("a", 40.0, [(0, "Before we begin"), (22.627, "Welcome"), (31.0411, "End")])])
    assert player.next_chapter().title == "Welcome" and player.chapter.title == "Welcome"
    player.pause()
    assert player.next_chapter().title == "End" and player.previous_chapter().title == "Welcome"
    assert player.previous_chapter().title == "Before we begin"


def test_pause_stops_audio_and_resume_goes_back_a_little() -> None:
    player = RadioPlayer([episode("a", 30.0, [(0, "Intro"), (10, "Middle")])], chunk_ms=80)
    player.seek(14.0)
    player.pause()
    assert player.next_chunk() is None
    player.resume(back_s=3.0)
    assert abs(player.position_s - 11.0) < 1e-3 and not player.paused
    player.seek(11.0)
    player.resume(back_s=3.0)
    assert abs(player.position_s - 10.0) < 1e-3, "never before the chapter's start"


def test_load_rendered_episodes(tmp_path: Path) -> None:
    for slug in ("b-second", "a-first"):
        folder = tmp_path / slug
        folder.mkdir()
        write_wav(folder / "episode.wav", Clip(float_to_pcm(np.zeros(44100, dtype=np.float32)), 44100))
        (folder / "chapters.json").write_text(json.dumps({"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Start"}]}))
        (folder / "episode.json").write_text(json.dumps({"title": slug.upper(), "description": "d"}))
    episodes = load_episodes(tmp_path)
    assert [e.slug for e in episodes] == ["a-first", "b-second"]
    assert episodes[0].audio.rate == RADIO_RATE and abs(episodes[0].seconds - 1.0) < 1e-3
    assert [e.slug for e in load_episodes(tmp_path, ["b-second"])] == ["b-second"]
    with pytest.raises(ConfigError, match="missing"):
        load_episodes(tmp_path, ["nope"])
    (tmp_path / ".c-half-built.partial").mkdir()  # a rebuild under way: not an episode yet
    write_wav(tmp_path / ".c-half-built.partial" / "episode.wav", Clip(b"\0\0", 44100))
    assert [e.slug for e in load_episodes(tmp_path)] == ["a-first", "b-second"]
    for broken in ("[]", "{not json"):
        (tmp_path / "a-first" / "episode.json").write_text(broken)
        with pytest.raises(ConfigError, match="episode.json: unreadable episode details"):
            load_episodes(tmp_path)


def test_missing_folder_says_how_to_build(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="episode build"):
        load_episodes(tmp_path / "none")
    with pytest.raises(ConfigError, match="episode build"):
        load_episodes(tmp_path)


@pytest.mark.parametrize("start", ['"nan"', "NaN", '"inf"', "-Infinity", "-5", "1e308", "3600"])
def test_a_chapter_that_starts_at_no_time_in_the_episode_is_refused_on_loading(tmp_path: Path, start: str) -> None:
    folder = tmp_path / "ep"
    folder.mkdir()
    write_wav(folder / "episode.wav", Clip(float_to_pcm(np.zeros(44100, dtype=np.float32)), 44100))
    (folder / "chapters.json").write_text('{"chapters": [{"startTime": 0, "title": "Start"}, '
                                          f'{{"startTime": {start}, "title": "Broken"}}]}}')
    with pytest.raises(ConfigError, match=r"ep/chapters.json: .*; rebuild the episode"):
        load_episodes(tmp_path)
    (folder / "chapters.json").write_text('{"chapters": [{"startTime": 0}, {"startTime": 1.0, "title": "Last"}]}')
    assert load_episodes(tmp_path)[0].chapters[1].start_s == 1.0  # a chapter at the very end is fine


def test_an_empty_episodes_folder_name_is_refused() -> None:
    """'--episodes ""' (an unset variable) used the settings' folder without a word."""
    with pytest.raises(ConfigError, match="episodes folder is empty"):
        load_episodes("")


def test_episode_paths_that_are_wrong_say_what_to_give(tmp_path: Path) -> None:
    """'--episodes episodes/feed.xml' suggested building into feed.xml; a damaged episode.wav suggested
    converting an MP3."""
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"is a file; give the episodes folder that holds it \\({tmp_path}\\)"):
        load_episodes(tmp_path / "feed.xml")
    folder = tmp_path / "show"
    folder.mkdir()
    (folder / "episode.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    (folder / "chapters.json").write_text('{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "A"}]}', encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read; rebuild it with 'voice-guide episode build"):
        load_episodes(tmp_path)


def test_a_faster_show_covers_more_of_the_episode_and_a_seek_plays_it_as_mastered() -> None:
    """'Faster' and 'slower' play the show at another pace (at its own pitch: tests/test_time_stretch.py);
    chapters and positions stay in the episode's own time."""
    t = np.arange(int(30.0 * RADIO_RATE)) / RADIO_RATE
    samples = (0.2 * np.sin(2 * np.pi * 140 * t)).astype(np.float32)
    ep = Episode("a", "A", "About a.", Clip(float_to_pcm(samples), RADIO_RATE), (Chapter(0, "Intro"), Chapter(10, "Middle")))
    player = RadioPlayer([ep], chunk_ms=80)
    player.speed = 2.0
    played = sum(chunk.seconds for chunk in (player.next_chunk() for _ in range(75)) if chunk is not None)
    assert abs(played - 6.0) < 1e-6 and abs(player.position_s - 12.0) < 0.05 and player.chapter.title == "Middle"
    player.speed = 1.0  # "normal": once in step, the recording itself plays on, without a seek
    chunks = [player.next_chunk() for _ in range(3)]
    at = player.sample
    chunk = player.next_chunk()
    assert all(chunks) and chunk is not None and chunk.audio == ep.audio.audio[at * 2 : (at + 1764) * 2]
    player.seek(20.0)
    chunk = player.next_chunk()
    assert chunk is not None and chunk.audio == ep.audio.audio[20 * RADIO_RATE * 2 : (20 * RADIO_RATE + 1764) * 2]
    player.speed = 0.5
    player.seek(29.0)
    while player.index == 0 and player.position_s > 1.0:
        assert player.next_chunk() is not None
    assert player.position_s == 0  # the end of the episode is still reached, and the show goes on
