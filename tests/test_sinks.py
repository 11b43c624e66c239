from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import pytest

from voice_guide.audio import AudioChunk
from voice_guide.errors import ConfigError
from voice_guide.sinks import DiscardSink, WavFileSink


def chunks(count: int, taken: list[int]) -> Iterator[AudioChunk]:
    for i in range(count):
        taken.append(i)
        yield AudioChunk(b"\x00\x00" * 800, 16000)


def test_discard_sink_consumes_everything_and_reports_it_finished() -> None:
    taken: list[int] = []
    assert DiscardSink().play(chunks(5, taken)) is True
    assert taken == [0, 1, 2, 3, 4]


def test_discard_sink_stops_at_once_when_asked() -> None:
    taken: list[int] = []
    stop = threading.Event()
    stop.set()
    assert DiscardSink().play(chunks(5, taken), stop) is False
    assert taken == [0]


@pytest.mark.parametrize("name", ["replies.mp3", "replies.OGG", "replies.flac"])
def test_replies_are_not_written_under_another_format_s_name(tmp_path: Path, name: str) -> None:
    """'--output reply.mp3' wrote WAV data a player would take for a broken MP3."""
    with pytest.raises(ConfigError, match="name the file .wav"):
        WavFileSink(tmp_path / name)
    assert not (tmp_path / name).exists()
    WavFileSink(tmp_path / "replies.wave").close()  # other names are the caller's choice
