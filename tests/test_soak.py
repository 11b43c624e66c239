"""A shortened soak: simulated waiting-room audio through the real recognizer and synthesizer.

The full day is ``python scripts/soak.py`` (8 hours); this runs a few minutes of audio.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from voice_guide.soak import _temporary_files_in, run_soak


def test_a_short_waiting_room_session_answers_every_question_and_leaves_nothing() -> None:
    report = run_soak(hours=0.1, every_s=60.0, snr_db=10.0, seed=3)
    assert report.questions_asked == 5
    assert report.questions_answered == report.questions_asked
    assert report.files_left == 0
    assert report.speed_x_real_time > 1.0
    assert report.utterances >= report.questions_asked


def test_the_session_s_temporary_files_go_to_its_own_folder(tmp_path: Path) -> None:
    """So "files left" counts the soak's leftovers only, whatever else runs on the machine."""

    before = tempfile.gettempdir(), os.environ.get("TMPDIR")
    with _temporary_files_in(tmp_path):
        made = tempfile.mkdtemp(prefix="voice-guide-x-")
        assert os.environ["TMPDIR"] == str(tmp_path)
    assert os.path.dirname(made) == str(tmp_path)
    assert (tempfile.gettempdir(), os.environ.get("TMPDIR")) == before
