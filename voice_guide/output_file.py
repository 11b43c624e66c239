"""Output files written whole or not at all.

The path is checked before any work starts (a folder, the input itself, a read-only file, a folder
that cannot be made or written to: one line that says so). The file is then written beside the
target under a temporary name and moved over it at the end, so an error or Ctrl-C never leaves a
half-written file where the old one was. A symbolic link is followed: the file it points to is
replaced, the link stays. Devices, pipes and ``/dev/stdout`` are written in place.
"""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from voice_guide.errors import OutputError
from voice_guide.stop_signals import stops_held

_IN_PLACE_ROOTS = (Path("/dev"), Path("/proc"))
"""Paths under these are devices or stand for them (``/dev/stdout``): never replaced."""


def _read_umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


_UMASK = _read_umask()
"""Read once at import: setting it to read it would race with other threads creating files."""


def writable_path(path: str | Path, inputs: Iterable[str | Path | None] = ()) -> Path:
    """``path``, once it is known that a file can be written there and is not one of ``inputs``;
    its folder is made if missing."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder; give a file name, e.g. {target / 'reply.wav'}")
    for source in inputs:
        if source is not None and str(source) != "-" and _same_file(target, Path(source)):
            raise OutputError(f"{target} is also the input; write the output to another file")
    if in_place(target):
        return target
    real = Path(os.path.realpath(target))
    if real.exists() and (not os.access(real, os.W_OK) or not real.stat().st_mode & 0o222):  # root, too
        raise OutputError(f"cannot write {target}: it is read-only; make it writable or choose another name")
    writable_folder(real.parent)
    return target


def writable_folder(path: str | Path) -> Path:
    """``path``, made if missing, once it is known that files can be written in it."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputError(f"cannot write in {folder}: {_existing_part(folder)} is not a folder; choose another path") from exc
    except OSError as exc:
        raise _cannot_write_in(folder, exc) from exc
    return folder


def hidden(path: Path) -> bool:
    """A hidden entry, such as a folder being rebuilt (see :func:`replaced_folder`): never listed as
    an episode or anything else a folder holds for the user."""
    return path.name.startswith(".")


def in_place(target: Path) -> bool:
    """A device, a pipe or a path under /dev or /proc: written as it is, never replaced."""
    absolute = Path(os.path.abspath(target))
    if any(absolute.is_relative_to(root) for root in _IN_PLACE_ROOTS):
        return True
    return target.exists() and not Path(os.path.realpath(target)).is_file()


class ReplacingFile:
    """A binary file written under a temporary name beside ``target`` (beside the file a link points
    to): :meth:`commit` moves it over the target, :meth:`discard` drops it and leaves the target as
    it was. A target written in place (see :func:`in_place`) is opened as it is."""

    def __init__(self, target: Path) -> None:
        self.target = Path(os.path.realpath(target))
        self._temp: Path | None = None
        if in_place(target):
            self.stream: BinaryIO = open(target, "wb")
            return
        try:
            with stops_held():  # a stop the instant the file is made is acted on once it is known to remove
                try:
                    handle, name = tempfile.mkstemp(dir=self.target.parent, prefix=f".{self.target.name}.", suffix=".partial")
                except OSError as exc:
                    raise _cannot_write_in(self.target.parent, exc) from exc
                try:
                    os.chmod(handle, _mode_for(self.target, 0o666))
                except OSError:
                    pass  # a file system without permissions (vfat): the file is written all the same
                self.stream = os.fdopen(handle, "wb")
                self._temp = Path(name)
        except BaseException:
            if self._temp is not None:
                self.discard()
            raise

    def commit(self) -> None:
        """Move the finished file over the target; on failure the temporary file is removed."""
        try:
            self.stream.close()
            if self._temp is not None:
                _replace(self._temp, self.target)
                self._temp = None
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop what was written; the target stays as it was. A stream whose last bytes cannot be
        written (a full disk) cannot be closed cleanly: it is dropped all the same."""
        try:
            self.stream.close()
        except OSError:
            pass  # what could not be written is being thrown away
        finally:
            if self._temp is not None:
                self._temp.unlink(missing_ok=True)
                self._temp = None


def write_error(exc: OSError, target: Path) -> OSError:
    """``exc`` (a full disk, an I/O error) naming ``target``, not a temporary file or none: the one
    line the CLI prints says which file could not be written."""
    if exc.errno is None:
        return OSError(f"{exc}: {target}")
    return OSError(exc.errno, exc.strerror, str(target))


@contextmanager
def replaced_folder(folder: Path, drop: Iterable[str] = ()) -> Iterator[Path]:
    """A hidden folder beside ``folder`` (beside the folder a link points to) to fill; when the block
    ends without error it takes ``folder``'s place, else it is removed and ``folder`` stays as it
    was. Whatever the old folder holds that the new one lacks (a producer's notes, the audio of a
    script-only rebuild) is moved over, except the names in ``drop`` (files the build has made stale)."""
    real = Path(os.path.realpath(folder))
    parent = writable_folder(real.parent)
    work: Path | None = None
    try:
        with stops_held():  # a stop the instant the folder is made is acted on once it is known to remove
            work = Path(tempfile.mkdtemp(prefix=f".{real.name}.", suffix=".partial", dir=parent))
        yield work
        os.chmod(work, _mode_for(real, 0o777))
        with stops_held():  # the swap of two folders must not be cut in half
            _swap(real, work, parent / f"{work.name}.old", set(drop))
    finally:
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)


def _swap(real: Path, work: Path, old: Path, drop: set[str]) -> None:
    if not real.exists():
        os.replace(work, real)
        return
    os.replace(real, old)
    try:
        os.replace(work, real)
    except BaseException:
        os.replace(old, real)
        raise
    for entry in old.iterdir():
        if entry.name not in drop and not os.path.lexists(real / entry.name):
            os.replace(entry, real / entry.name)
    shutil.rmtree(old, ignore_errors=True)


def _replace(temp: Path, target: Path) -> None:
    """``os.replace``, or a copy into the target where it cannot be replaced (a file mounted on its
    own into a container is busy)."""
    try:
        os.replace(temp, target)
    except OSError as exc:
        if exc.errno not in (errno.EBUSY, errno.EXDEV):
            raise
        shutil.copyfile(temp, target)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _existing_part(folder: Path) -> Path:
    """The nearest part of ``folder`` that exists (what stops the folder being made)."""
    for part in [folder, *folder.parents]:
        if part.exists() or part.is_symlink():
            return part
    return folder


def _mode_for(target: Path, fresh: int) -> int:
    """The old file's or folder's permissions, or ``fresh`` as the umask allows for a new one."""
    if target.exists():
        return target.stat().st_mode & 0o777
    return fresh & ~_UMASK


def _cannot_write_in(folder: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write in {folder} ({exc.strerror or exc}); choose a folder you can write to")
