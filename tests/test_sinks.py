from __future__ import annotations

import threading
from typing import Iterator

from voice_guide.audio import AudioChunk
from voice_guide.sinks import DiscardSink


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
