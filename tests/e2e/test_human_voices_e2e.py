"""``voice-guide listen`` on recordings of people: Debian's ``pocketsphinx-testdata`` (installed by
scripts/setup.sh), 14 short recordings, none about cancer. Every other end-to-end test hears
synthetic speech; this checks the loop on human voices, at the levels and pace people speak: each
recording is heard as one utterance (none lost, none split), and nobody's everyday speech raises a
safety message. (How many reach a section is a benchmark: scripts/bench_human_oos.py.)"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.e2e.conftest import json_lines, run_cli
from voice_guide.audio import RATE, Clip, read_wav, write_wav

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not Path("/usr/share/pocketsphinx/test/data/librivox").is_dir(),
                                                  reason="no recordings of people: sudo apt-get install pocketsphinx-testdata")]

DATA = Path("/usr/share/pocketsphinx/test/data")
RAWS = ("goforward.raw", "numbers.raw", "something.raw")
"""16 kHz mono 16-bit PCM without a header."""


def recordings() -> list[bytes]:
    """Every recording as 16 kHz mono PCM: the audiobook's sentences, the cards read aloud, the raw ones."""
    wavs = sorted([*DATA.glob("librivox/*.wav"), *DATA.glob("cards/*.wav")])
    return [read_wav(p).audio for p in wavs] + [(DATA / name).read_bytes() for name in RAWS if (DATA / name).exists()]


def test_people_speaking_one_after_another_are_heard_one_utterance_each_and_raise_no_alarm(tmp_path: Path) -> None:
    pause = np.zeros(int(2.0 * RATE), np.int16).tobytes()  # between speakers, the endpoint's 1 s and more
    spoken = recordings()
    path = tmp_path / "people.wav"
    write_wav(path, Clip(pause + b"".join(audio + pause for audio in spoken), RATE))
    results = json_lines(run_cli("listen", "--input", str(path), "--json", "--no-speak", "--engine", "pocketsphinx"))
    heard = [r["transcript"] for r in results]
    assert len(spoken) >= 10 and len(results) == len(spoken), heard  # none lost, none split
    assert all(len(text.split()) >= 2 for text in heard), heard
    assert [r["transcript"] for r in results if r["kind"] == "safety"] == []
