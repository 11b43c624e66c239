"""Output files: checked before any work, written whole or not at all, never over the input."""

from __future__ import annotations

import errno
import io
import os
import wave
from pathlib import Path
from typing import Any

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
    (lambda tmp: (tmp / "notes").write_text("x") and tmp / "notes" / "reply.wav", "notes is not a folder"),
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


def test_a_link_is_followed_and_stays_a_link(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    real = tmp_path / "real" / "replies.wav"
    real.write_bytes(b"old replies")
    link = tmp_path / "replies.wav"
    link.symlink_to(real)
    sink = WavFileSink(link)
    sink.play([SPEECH])
    sink.close()
    assert link.is_symlink() and frames(real) == 2205
    assert leftovers(tmp_path) == [] and leftovers(tmp_path / "real") == []


def test_devices_and_standard_output_are_written_in_place(tmp_path: Path) -> None:
    from voice_guide.output_file import in_place

    assert in_place(Path("/dev/stdout")) and in_place(Path("/dev/null")) and in_place(Path("/proc/self/fd/1"))
    assert not in_place(tmp_path / "reply.wav")
    assert writable_path("/dev/null") == Path("/dev/null")  # no probe file in /dev (non-root cannot make one)


def test_a_read_only_file_is_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.output_file as output_file

    path = tmp_path / "reply.wav"
    path.write_bytes(b"keep me")
    path.chmod(0o444)
    with pytest.raises(OutputError, match="read-only"):  # root included: access() lets root write anything
        WavFileSink(path)
    path.chmod(0o644)
    monkeypatch.setattr(output_file.os, "access", lambda p, mode: False)  # writable bits, but not for this user
    with pytest.raises(OutputError, match="read-only"):
        WavFileSink(path)
    assert path.read_bytes() == b"keep me"


def test_a_failed_move_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.output_file as output_file

    def full(temp: Path, target: Path) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(output_file, "_replace", full)
    sink = WavFileSink(tmp_path / "reply.wav")
    sink.play([SPEECH])
    with pytest.raises(OSError):
        sink.close()
    assert list(tmp_path.iterdir()) == []


def test_a_rebuilt_folder_keeps_other_files_and_its_link(tmp_path: Path) -> None:
    from voice_guide.output_file import replaced_folder

    (tmp_path / "store" / "ep" / "notes").mkdir(parents=True)
    (tmp_path / "store" / "ep" / "script.json").write_text("old")
    (tmp_path / "store" / "ep" / "episode.wav").write_text("old audio")
    (tmp_path / "store" / "ep" / "notes" / "producer.txt").write_text("mine")
    link = tmp_path / "ep"
    link.symlink_to(tmp_path / "store" / "ep")
    with replaced_folder(link, drop=("episode.wav",)) as work:
        (work / "script.json").write_text("new")
    assert link.is_symlink()
    assert (link / "script.json").read_text() == "new" and (link / "notes" / "producer.txt").read_text() == "mine"
    assert not (link / "episode.wav").exists()  # stale: dropped
    assert [p.name for p in (tmp_path / "store").iterdir()] == ["ep"]


def test_a_new_folder_is_as_readable_as_any_other(tmp_path: Path) -> None:
    from voice_guide.output_file import _UMASK, replaced_folder

    with replaced_folder(tmp_path / "ep") as work:
        (work / "script.json").write_text("new")
    assert (tmp_path / "ep").stat().st_mode & 0o777 == 0o777 & ~_UMASK  # not the private 0700 of a temp folder


def test_an_interrupted_swap_puts_the_old_folder_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.output_file as output_file

    folder = tmp_path / "ep"
    folder.mkdir()
    (folder / "episode.mp3").write_bytes(b"old")
    real_replace, calls = os.replace, []

    def interrupted_second(src: str | Path, dst: str | Path) -> None:
        calls.append(src)
        if len(calls) == 2:
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(output_file.os, "replace", interrupted_second)
    with pytest.raises(KeyboardInterrupt):
        with output_file.replaced_folder(folder) as work:
            (work / "episode.mp3").write_bytes(b"new")
    monkeypatch.undo()
    assert (folder / "episode.mp3").read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["ep"]


class FullDisk(io.FileIO):
    """A file on a disk with room for ``room`` bytes: then every write fails as a full disk's does."""

    room = 0

    def write(self, data: Any) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> type[FullDisk]:
    import voice_guide.output_file as output_file

    monkeypatch.setattr(output_file.os, "fdopen", lambda fd, mode: io.BufferedWriter(FullDisk(fd, "wb")))
    return FullDisk


@pytest.mark.parametrize("when", ["playing", "closing"])
def test_a_full_disk_leaves_the_old_file_and_no_temporary_file(tmp_path: Path, full_disk: type[FullDisk],
                                                                when: str) -> None:
    path = tmp_path / "reply.wav"
    path.write_bytes(b"old replies")
    sink = WavFileSink(path)
    with pytest.raises(OSError, match="No space left on device") as info:
        if when == "playing":
            full_disk.room = 20_000
            sink.play([SPEECH] * 10)
        else:  # one reply fits in the write buffer: the disk is found full when the file is finished
            full_disk.room = 100
            assert sink.play([SPEECH]) is True
            sink.close()
    assert list(tmp_path.iterdir()) == [path] and path.read_bytes() == b"old replies"
    assert info.value.filename == str(path), "the error names the file, not the temporary one"
    sink.close()  # the session's own close afterwards: nothing more to do, no second error
    assert list(tmp_path.iterdir()) == [path] and path.read_bytes() == b"old replies"


def test_a_discarded_file_that_cannot_be_flushed_still_leaves_nothing(tmp_path: Path, full_disk: type[FullDisk]) -> None:
    full_disk.room = 0
    out = ReplacingFile(tmp_path / "script.json")
    out.stream.write(b"{}")  # buffered: the disk is full when it is flushed
    out.discard()
    assert list(tmp_path.iterdir()) == []


def stop_as_made(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> None:
    """``module.tempfile.<name>`` makes its file or folder, then Ctrl-C comes at once: the signal is
    acted on between two steps of Python just after, before the caller has the name back (so it
    cannot know what to remove). CI once left a build folder behind this way."""
    import signal
    import tempfile

    real = getattr(tempfile, name)

    def made_then_stopped(*args: Any, **kwargs: Any) -> Any:
        made = real(*args, **kwargs)
        os.kill(os.getpid(), signal.SIGINT)
        return made

    monkeypatch.setattr(module.tempfile, name, made_then_stopped)


def test_a_stop_as_the_build_folder_is_made_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.output_file as output_file

    stop_as_made(monkeypatch, output_file, "mkdtemp")
    with pytest.raises(KeyboardInterrupt):
        with output_file.replaced_folder(tmp_path / "ep") as work:
            (work / "episode.mp3").write_bytes(b"new")
    assert list(tmp_path.iterdir()) == []


def test_a_stop_as_the_output_file_is_made_leaves_the_old_one_and_nothing_else(tmp_path: Path,
                                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import voice_guide.output_file as output_file

    (tmp_path / "reply.wav").write_bytes(b"old")
    stop_as_made(monkeypatch, output_file, "mkstemp")
    with pytest.raises(KeyboardInterrupt):
        ReplacingFile(tmp_path / "reply.wav")
    assert [p.name for p in tmp_path.iterdir()] == ["reply.wav"]
    assert (tmp_path / "reply.wav").read_bytes() == b"old"
