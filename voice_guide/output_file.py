"""Output files written whole or not at all.

The path is checked before any work starts (a folder, the input itself, a folder that cannot be
made or written to: one line that says so). The file is then written beside the target under a
temporary name and moved over it at the end, so an error or Ctrl-C never leaves a half-written file
where the old one was. Devices and pipes (``/dev/null``) are written in place.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from voice_guide.errors import OutputError


def writable_path(path: str | Path, inputs: Iterable[str | Path | None] = ()) -> Path:
    """``path``, once it is known that a file can be written there and is not one of ``inputs``;
    its folder is made if missing."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder; give a file name, e.g. {target / 'reply.wav'}")
    for source in inputs:
        if source is not None and str(source) != "-" and _same_file(target, Path(source)):
            raise OutputError(f"{target} is also the input; write the output to another file")
    writable_folder(target.parent)
    return target


def writable_folder(path: str | Path) -> Path:
    """``path``, made if missing, once it is known that files can be written in it."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except (FileExistsError, NotADirectoryError) as exc:
        raise OutputError(f"cannot write in {folder}: {_file_in(folder)} is a file, not a folder; choose another path") from exc
    except OSError as exc:
        raise OutputError(f"cannot write in {folder} ({exc.strerror or exc}); choose a folder you can write to") from exc
    return folder


class ReplacingFile:
    """A binary file written under a temporary name beside ``target``: :meth:`commit` moves it over
    the target, :meth:`discard` drops it and leaves the target as it was."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._temp: Path | None = None
        if target.exists() and not target.is_file():  # a device or a pipe: nothing to replace
            self.stream: BinaryIO = open(target, "wb")
            return
        try:
            handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
        except OSError as exc:
            raise OutputError(f"cannot write in {target.parent} ({exc.strerror or exc}); choose a folder you can write to") from exc
        self._temp = Path(name)
        os.chmod(handle, _mode_for(target))
        self.stream = os.fdopen(handle, "wb")

    def commit(self) -> None:
        self.stream.close()
        if self._temp is not None:
            os.replace(self._temp, self.target)
            self._temp = None

    def discard(self) -> None:
        self.stream.close()
        if self._temp is not None:
            self._temp.unlink(missing_ok=True)
            self._temp = None


@contextmanager
def replaced_folder(folder: Path) -> Iterator[Path]:
    """A hidden folder beside ``folder`` to fill; when the block ends without error it takes
    ``folder``'s place (the old one is removed only then), else it is removed and ``folder`` stays."""
    parent = writable_folder(folder.parent)
    work = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".partial", dir=parent))
    try:
        yield work
        os.chmod(work, folder.stat().st_mode & 0o777 if folder.exists() else 0o777 & ~_umask())
        if not folder.exists():
            os.replace(work, folder)
            return
        old = parent / f"{work.name}.old"
        os.replace(folder, old)
        try:
            os.replace(work, folder)
        except OSError:
            os.replace(old, folder)
            raise
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def _file_in(folder: Path) -> Path:
    """The part of ``folder`` that exists and is a file (what stops the folder being made)."""
    for part in [folder, *folder.parents]:
        if part.exists():
            return part
    return folder


def _mode_for(target: Path) -> int:
    """The old file's permissions, or a new file's (as the umask allows)."""
    if target.exists():
        return target.stat().st_mode & 0o777
    return 0o666 & ~_umask()


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask
