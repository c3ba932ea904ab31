"""Writing an export to disk so that no partial or stray file is ever left, whatever stops the run.

The bytes are made in memory first, then written to an unnamed file in the target's folder
(``O_TMPFILE``: a run killed even with ``SIGKILL`` mid-write leaves no name behind) that is given
its name only when complete; where the file system has no unnamed files, a hidden ``.NAME.….part``
beside the target is removed on every exit path Python sees (errors, ``SIGINT``, and ``SIGTERM`` or
``SIGHUP`` through :func:`stopping_on_signals`). Targets that are not regular files (a folder, a
FIFO, a device, a symbolic link) are refused rather than replaced or written through.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from geo.snapshot.options import UsageError


class TargetError(UsageError):
    """The file cannot be written there; the message names the path and why (for ``--out``)."""


class Stopped(BaseException):
    """The run was asked to stop by a signal; like KeyboardInterrupt, not an error to handle."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


def folder_of(path: Path) -> Path:
    """Return the folder a file at ``path`` would be written in."""
    return path.parent if str(path.parent) else Path(".")


def check_target(path: Path) -> None:
    """Refuse ``path`` unless its folder exists and can be written, and it is absent or a regular file.

    Raises
    ------
    TargetError
        Naming the path and the reason.
    """
    folder = folder_of(path)
    if not folder.is_dir():
        raise TargetError(f"{str(path)!r}: the folder {str(folder)!r} does not exist")
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise TargetError(f"{str(path)!r}: cannot be checked ({exc.strerror})") from exc
    if mode is not None and not stat.S_ISREG(mode):
        raise TargetError(f"{str(path)!r} is {_kind(mode)}, not a regular file; give the path of a file to write")
    try:  # a real probe, not os.access: root passes that check where the file system still refuses
        tempfile.TemporaryFile(dir=folder).close()
    except OSError as exc:
        raise TargetError(f"{str(path)!r}: cannot write in {str(folder)!r} ({exc.strerror})") from exc


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a folder"), (stat.S_ISLNK, "a symbolic link"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"),
    ):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` complete or not at all: through an unnamed file, named only when whole.

    Raises
    ------
    TargetError
        If the target is refused (:func:`check_target`) or the write fails (the message gives the reason).
    """
    check_target(path)
    folder = folder_of(path)
    handle = _open_unnamed(folder)
    if handle is None:
        _write_via_part_file(path, folder, data)
        return
    temporary = None
    try:
        _write_all(handle, data)
        os.fchmod(handle, 0o644)
        # The file gets a hidden name only now that it is complete, and keeps it for the microseconds
        # until the rename: os.link cannot replace an existing target, os.replace can.
        try:  # an absent target takes the complete file's name directly
            _link(handle, path)
        except FileExistsError:
            temporary = _link_hidden(handle, folder, path.name)
            os.replace(temporary, path)
            temporary = None
    except OSError as exc:
        raise TargetError(f"{str(path)!r}: cannot write ({exc.strerror})") from exc
    finally:
        os.close(handle)
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _open_unnamed(folder: Path) -> int | None:
    """Return a descriptor of a new unnamed file in ``folder``, or None where the system has none (not Linux)."""
    try:
        return os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600)
    except (AttributeError, OSError):
        return None


def _link(handle: int, target: Path) -> None:
    """Give the unnamed file ``handle`` the name ``target`` (linkat through /proc, following its link).

    os.link calls link(2), which would link /proc's symbolic link itself, unless given a directory
    descriptor: then it calls linkat(2) with AT_SYMLINK_FOLLOW.
    """
    fds = os.open("/proc/self/fd", os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.link(str(handle), target, src_dir_fd=fds, follow_symlinks=True)
    finally:
        os.close(fds)


def _link_hidden(handle: int, folder: Path, name: str) -> Path:
    """Give the unnamed file ``handle`` a fresh hidden name in ``folder``; os.link refuses a name in use."""
    for _ in range(100):
        candidate = Path(tempfile.mktemp(dir=folder, prefix=f".{name}.", suffix=".part"))
        try:
            _link(handle, candidate)
        except FileExistsError:
            continue
        return candidate
    raise FileExistsError(17, "no free temporary name")


def _write_via_part_file(path: Path, folder: Path, data: bytes) -> None:
    try:
        handle, name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        raise TargetError(f"{str(path)!r}: cannot write in {str(folder)!r} ({exc.strerror})") from exc
    temporary: Path | None = Path(name)
    try:
        _write_all(handle, data)
        os.fchmod(handle, 0o644)
        os.close(handle)
        handle = -1
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        raise TargetError(f"{str(path)!r}: cannot write ({exc.strerror})") from exc
    finally:  # every way out, Stopped and KeyboardInterrupt included
        if handle >= 0:
            os.close(handle)
        if temporary is not None:
            temporary.unlink(missing_ok=True)


def _write_all(handle: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(handle, view) :]


@contextlib.contextmanager
def stopping_on_signals() -> Iterator[None]:
    """Turn ``SIGTERM`` and ``SIGHUP`` into :class:`Stopped` while the block runs, so its cleanup runs.

    Outside the main thread (where Python cannot set handlers) the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, _frame):
        raise Stopped(signum)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
