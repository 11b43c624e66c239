"""Soak harness: hours of simulated waiting-room audio through the real speech loop, faster than real time.

Push-to-talk, as a kiosk runs: the button is pressed just before each visitor's question. Replies go
to a WAV file in a temporary folder that is removed at the end. Memory is sampled as the audio runs.
Every temporary file of the session (and of its engine processes) goes to a private folder, so
"files left" counts this session's leftovers only, even while other programs use the same /tmp.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from voice_guide.audio import AudioChunk
from voice_guide.content import load_library
from voice_guide.dialogue import Dialogue
from voice_guide.earcons import Earcons
from voice_guide.engines.registry import RecognizerRequest, create_recognizer
from voice_guide.loop import Loop, LoopSettings, Mode, Utterance
from voice_guide.matcher import Matcher
from voice_guide.sinks import WavFileSink
from voice_guide.vocabulary import build_vocabulary
from voice_guide.waiting_room import WaitingRoom

QUESTIONS = (
    ("where does breast cancer usually spread", "common-sites"),
    ("can i get a second opinion", "second-opinion"),
    ("what is metastatic breast cancer", "what-is-mbc"),
    ("how do they know if it spread", "diagnosis"),
    ("is it the same as my earlier breast cancer", "same-as-earlier"),
    ("where can i find free materials", "resources"),
)
PRESS_BEFORE_S = 0.4
WARMUP_S = 1800.0
WARMUP_FRACTION = 0.1
"""Memory growth is counted after this much audio (or this share of it): by then caches and the
allocator's pools have filled (the recognizer builds its models only at start-up)."""


def rss_mb() -> float:
    """Resident memory of this process now (Linux /proc), in MB."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 1e6


@dataclass(frozen=True)
class SoakReport:
    hours: float
    questions_asked: int
    questions_answered: int
    """Questions that got a reply of any kind (answer, clarification, fallback)."""
    questions_routed_right: int
    utterances: int
    rss_after_warmup_mb: float
    rss_end_mb: float
    rss_peak_mb: float
    rss_growth_mb: float
    wall_s: float
    speed_x_real_time: float
    files_left: int

    def to_json(self) -> dict[str, float]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def _press(source: Iterable[AudioChunk], keys: "queue.Queue[str]", every_s: float) -> Iterator[AudioChunk]:
    heard = 0.0
    next_press = every_s - PRESS_BEFORE_S
    for chunk in source:
        if heard >= next_press:
            keys.put("space")
            next_press += every_s
        heard += chunk.seconds
        yield chunk


def run_soak(hours: float, every_s: float = 180.0, snr_db: float = 10.0, seed: int = 0, engine: str = "pocketsphinx",
             progress: Callable[[float], None] | None = None) -> SoakReport:
    from voice_guide.engines.pyttsx3_tts import Pyttsx3Synthesizer
    from voice_guide.memory import limit_malloc_arenas

    limit_malloc_arenas()  # as 'voice-guide listen' and 'radio' do
    library = load_library()
    matcher = Matcher(library)
    tmp = Path(tempfile.mkdtemp(prefix="voice-guide-soak-"))
    scratch = tmp / "tmp"
    scratch.mkdir()
    total_s = hours * 3600
    samples: list[tuple[float, float]] = []
    results: list[Utterance] = []
    start = time.perf_counter()
    with _temporary_files_in(scratch), Pyttsx3Synthesizer() as synth:
        room = WaitingRoom(synth, [q for q, _ in QUESTIONS], every_s=every_s, snr_db=snr_db, seed=seed)
        recognizer = create_recognizer(engine, RecognizerRequest(build_vocabulary(library)))
        sink = WavFileSink(tmp / "replies.wav")
        keys: queue.Queue[str] = queue.Queue()
        loop = Loop(Dialogue(library, matcher), recognizer, synth, sink,
                    LoopSettings(mode=Mode.PUSH_TO_TALK, greet=False), earcons=Earcons(), keys=keys,
                    on_utterance=results.append)

        def measured(source: Iterable[AudioChunk]) -> Iterator[AudioChunk]:
            heard, next_sample = 0.0, 0.0
            for chunk in source:
                if heard >= next_sample:
                    samples.append((heard, rss_mb()))
                    next_sample += 60.0
                    if progress is not None:
                        progress(heard / total_s)
                heard += chunk.seconds
                yield chunk
            samples.append((heard, rss_mb()))

        loop.run(measured(_press(room.stream(total_s), keys, every_s)))
        sink.close()
        placed = list(room.placed)
    wall = time.perf_counter() - start
    left = len(list(scratch.rglob("*")))
    (tmp / "replies.wav").unlink(missing_ok=True)
    shutil.rmtree(tmp, ignore_errors=True)
    answered, right = _score(placed, results, every_s)
    warm = [mb for t, mb in samples if t >= max(WARMUP_FRACTION * total_s, WARMUP_S)] or [samples[-1][1]]
    return SoakReport(
        hours=hours, questions_asked=len(placed), questions_answered=answered, questions_routed_right=right,
        utterances=len(results), rss_after_warmup_mb=warm[0], rss_end_mb=samples[-1][1],
        rss_peak_mb=max(mb for _, mb in samples), rss_growth_mb=samples[-1][1] - warm[0], wall_s=wall,
        speed_x_real_time=total_s / wall if wall else 0.0, files_left=left)


@contextlib.contextmanager
def _temporary_files_in(folder: Path) -> Iterator[None]:
    """Every temporary file of this process and its children goes to ``folder`` meanwhile."""
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    tempfile.tempdir = os.environ["TMPDIR"] = str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]


def _score(placed: list, results: list[Utterance], every_s: float) -> tuple[int, int]:
    """Which placed questions got a reply (an utterance ending within the question's window)."""
    expected = dict(QUESTIONS)
    answered = right = 0
    for p in placed:
        window = [r for r in results if p.start_s <= r.audio_ms / 1000 < p.start_s + min(every_s, p.seconds + 20)]
        if any(r.turn.text for r in window):
            answered += 1
        if any(r.turn.section == expected.get(p.text) for r in window):
            right += 1
    return answered, right
