"""A shortened soak: simulated waiting-room audio through the real recognizer and synthesizer.

The full day is ``python scripts/soak.py`` (8 hours); this runs a few minutes of audio.
"""

from __future__ import annotations

from voice_guide.soak import run_soak


def test_a_short_waiting_room_session_answers_every_question_and_leaves_nothing() -> None:
    report = run_soak(hours=0.1, every_s=60.0, snr_db=10.0, seed=3)
    assert report.questions_asked == 5
    assert report.questions_answered == report.questions_asked
    assert report.files_left == 0
    assert report.speed_x_real_time > 1.0
    assert report.utterances >= report.questions_asked
