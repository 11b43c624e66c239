"""Output files: checked before any work, written whole or not at all, never over the input."""

from __future__ import annotations

import os
import wave
from pathlib import Path

import pytest

from voice_guide.audio import AudioChunk
from voice_guide.errors import OutputError
from voice_guide.output_file import ReplacingFile, writable_path
from voice_guide.sinks import WavFileSink

SPEECH = AudioChunk(b"\x10\x00" * 2205, 22050)


def frames(path: Path) -> int:
    with wave.open(str(path)) as wav:
        return wav.getnframes()


def leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".partial")]


@pytest.mark.parametrize("make,words", [
    (lambda tmp: (tmp / "replies").mkdir() or tmp / "replies", "it is a folder"),
    (lambda tmp: (tmp / "notes").write_text("x") and tmp / "notes" / "reply.wav", "is a file, not a folder"),
])
def test_a_path_that_cannot_be_a_file_is_refused_at_once(tmp_path: Path, make: object, words: str) -> None:
    path = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(OutputError, match=words):
        WavFileSink(path)


def test_the_input_is_never_the_output(tmp_path: Path) -> None:
    recording = tmp_path / "visitor.wav"
    recording.write_bytes(b"RIFF")
    with pytest.raises(OutputError, match="also the input"):
        WavFileSink(tmp_path / "." / "visitor.wav", inputs=(recording,))
    assert recording.read_bytes() == b"RIFF"
    assert writable_path(tmp_path / "reply.wav", inputs=("-", None, recording)) == tmp_path / "reply.wav"


def test_a_missing_folder_is_made(tmp_path: Path) -> None:
    sink = WavFileSink(tmp_path / "a" / "b" / "reply.wav")
    sink.play([SPEECH])
    sink.close()
    assert frames(tmp_path / "a" / "b" / "reply.wav") == 2205


def test_the_old_file_is_replaced_only_when_the_new_one_is_complete(tmp_path: Path) -> None:
    path = tmp_path / "reply.wav"
    path.write_bytes(b"old replies")
    path.chmod(0o640)
    sink = WavFileSink(path)
    sink.play([SPEECH])
    assert path.read_bytes() == b"old replies"  # still the old file while writing
    sink.close()
    sink.close()  # a second close changes nothing
    assert frames(path) == 2205
    assert path.stat().st_mode & 0o777 == 0o640
    assert leftovers(tmp_path) == []


def test_stopping_before_any_audio_leaves_the_old_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "reply.wav"
    path.write_bytes(b"old replies")
    sink = WavFileSink(path)
    sink.play([])  # e.g. Ctrl-C while the first reply was being rendered
    sink.close()
    assert path.read_bytes() == b"old replies"
    assert leftovers(tmp_path) == []


def test_a_run_with_nothing_to_say_still_leaves_a_valid_empty_file(tmp_path: Path) -> None:
    sink = WavFileSink(tmp_path / "reply.wav")
    sink.close()
    assert frames(tmp_path / "reply.wav") == 0


def test_a_device_is_written_in_place(tmp_path: Path) -> None:
    out = ReplacingFile(Path(os.devnull))
    out.stream.write(b"anything")
    out.commit()
    assert Path(os.devnull).exists() and not Path(os.devnull).is_file()


def test_a_discarded_file_leaves_nothing(tmp_path: Path) -> None:
    out = ReplacingFile(tmp_path / "script.json")
    out.stream.write(b"{}")
    out.discard()
    assert list(tmp_path.iterdir()) == []
