"""Output files that never clobber an input and never half-exist.

An output to a regular file (new or existing) is written into a hidden temporary file
``.NAME.XXXXXXXX.tmp`` in the target's directory and renamed over the target only when
everything succeeded; on any failure (an exception, Ctrl-C, a failed sibling output) the
temporary file is removed and an existing target keeps its content. A symlink is followed:
the file it points to is replaced, the link stays. An existing target that is not a
regular file (``/dev/null``, a FIFO, a terminal), or a path through ``/proc``
(``/dev/stdout``, ``/dev/fd/N``), is written in place: a rename would replace the device
node, or a file the shell has open. Every write error is an ``OSError`` whose
``filename`` is the path the user gave.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import secrets
import signal
import stat
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

_TEMP_TRIES = 100
_MAX_LINKS = 40
_MAX_TEMP_STEM = 200  # .STEM.xxxxxxxx.tmp stays within NAME_MAX (255)


class OutputError(Exception):
    """An output that must not be written (it is an input or another output); one line."""


class _NamedFileIO(io.FileIO):
    """A raw file whose write errors carry the user's name for the file.

    Buffered and text layers call ``write`` only when their buffer fills or on flush,
    so the extra Python call costs nothing per event."""

    def __init__(self, fd: int, shown: str) -> None:
        super().__init__(fd, "w", closefd=True)
        self.shown = shown

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except OSError as err:
            raise OSError(err.errno, err.strerror, self.shown) from None


def _named(err: OSError, shown: str) -> OSError:
    return OSError(err.errno, err.strerror, shown)


def _identity(path: str) -> tuple[str, tuple[int, int] | None]:
    """(resolved path, (st_dev, st_ino) or None when the file does not exist)."""
    real = os.path.realpath(path)
    try:
        st = os.stat(path)
    except OSError:
        return real, None
    return real, (st.st_dev, st.st_ino)


def in_place(shown: str) -> bool:
    """True for a path through ``/proc`` (``/dev/stdout``, ``/dev/fd/3``, ``/proc/self/fd/1``,
    or a symlink to one): it may lead to a regular file another process has open (the
    shell's ``> out``), which must be written, not replaced. ``/dev/shm/x`` is not."""
    path = os.path.abspath(shown)
    for _ in range(_MAX_LINKS):
        directory = os.path.realpath(os.path.dirname(path))
        path = os.path.join(directory, os.path.basename(path))
        if path.startswith("/proc/"):
            return True
        try:
            link = os.readlink(path)
        except OSError:
            return False
        path = os.path.join(directory, link)  # an absolute link replaces the directory
    return False


def _is_devnull(path: str) -> bool:
    try:
        return os.path.samefile(path, os.devnull)
    except OSError:
        return False


def refuse_overlaps(outputs: Sequence[tuple[str, str]], inputs: Mapping[str, Path | str]) -> None:
    """Raise :class:`OutputError` if an output is one of ``inputs`` or another output.

    ``outputs`` are (option, path) pairs, ``inputs`` map a description ("the scenario
    file") to a path. Paths are compared resolved (symlinks, ``..``) and, for files that
    exist, by device and inode (hard links). ``/dev/null`` may take several outputs."""
    seen: list[tuple[str, str, tuple[int, int] | None]] = []
    for what, path in inputs.items():
        real, ident = _identity(str(path))
        seen.append((what, real, ident))
    n_inputs = len(seen)
    for option, path in outputs:
        real, ident = _identity(path)
        if not _is_devnull(path):
            for i, (what, other_real, other_ident) in enumerate(seen):
                if real == other_real or (ident is not None and ident == other_ident):
                    if i < n_inputs:
                        raise OutputError(f"{path}: {option} is {what}; refusing to "
                                          "overwrite it")
                    raise OutputError(f"{path}: {option} is the same file as {what}")
        seen.append((option, real, ident))


class AtomicOutput:
    """One output file: a temporary file renamed over the target on :meth:`commit`,
    removed on :meth:`discard`; a special target (device, FIFO) is written in place.

    ``stream`` is a UTF-8 text stream over the buffered binary stream ``buffer``, or
    ``buffer`` itself when ``binary``. Errors name ``path``."""

    def __init__(self, path: str | os.PathLike[str], *, binary: bool = False) -> None:
        self.shown = os.fspath(path)
        self.target = self.shown
        self.temp: str | None = None
        self._done = False
        try:
            st: os.stat_result | None = os.stat(self.shown)
        except FileNotFoundError:
            st = None
        except OSError as err:
            raise _named(err, self.shown) from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), self.shown)
        if (st is not None and not stat.S_ISREG(st.st_mode)) or in_place(self.shown):
            fd = self._open_in_place()
        else:
            self.target = os.path.realpath(self.shown)  # a symlink is written through
            fd = self._create_temp(None if st is None else stat.S_IMODE(st.st_mode))
        self.buffer = io.BufferedWriter(_NamedFileIO(fd, self.shown))
        self.stream: IO[str] | BinaryIO = (
            self.buffer if binary else io.TextIOWrapper(self.buffer, encoding="utf-8"))

    def _open_in_place(self) -> int:
        try:
            same = os.stat(self.target)
            for fd in (1, 2):  # /dev/stdout of `> out`: share the shell's file offset
                with contextlib.suppress(OSError):
                    st = os.fstat(fd)
                    if (st.st_dev, st.st_ino) == (same.st_dev, same.st_ino):
                        return os.dup(fd)
        except FileNotFoundError:
            pass
        except OSError as err:
            raise _named(err, self.shown) from None
        try:
            return os.open(self.target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC,
                           0o666)
        except OSError as err:
            raise _named(err, self.shown) from None

    def _create_temp(self, mode: int | None) -> int:
        directory, name = os.path.split(self.target)
        for _ in range(_TEMP_TRIES):
            temp = os.path.join(directory,
                                f".{name[:_MAX_TEMP_STEM]}.{secrets.token_hex(4)}.tmp")
            try:
                # 0o666 through the umask: the mode open() would give a new file
                fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
            except FileExistsError:
                continue
            except OSError as err:
                raise _named(err, self.shown) from None
            self.temp = temp
            if mode is not None:  # replacing a file: keep its permissions
                try:
                    os.fchmod(fd, mode)
                except OSError as err:
                    os.close(fd)
                    self.discard()
                    raise _named(err, self.shown) from None
            return fd
        raise FileExistsError(errno.EEXIST, "no free temporary file name", self.shown)

    def close(self) -> None:
        """Flush and close the stream (errors name the file); nothing is renamed yet."""
        self.stream.close()

    def rename(self) -> None:
        """Put the closed temporary file in place of the target."""
        if self.temp is not None:
            try:
                os.replace(self.temp, self.target)
            except OSError as err:
                self.discard()
                raise _named(err, self.shown) from None
            self.temp = None
        self._done = True

    def commit(self) -> None:
        """Close and rename: the target now has the complete output."""
        try:
            self.close()
        except BaseException:
            self.discard()
            raise
        self.rename()

    def discard(self) -> None:
        """Close without keeping anything: remove the temporary file (idempotent)."""
        if self._done:
            return
        self._done = True
        with contextlib.suppress(OSError, ValueError):
            self.stream.close()
        if self.temp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.temp)
            self.temp = None


@contextlib.contextmanager
def sigterm_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM raises ``SystemExit(143)`` (128 + 15), so ``finally``
    and ``with`` blocks (an :class:`OutputSet` discarding its temporary files) run
    before the process exits. Only in the main thread; the old handler comes back after."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    old = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


class OutputSet:
    """Several outputs that succeed or fail together.

    Use as a context manager: on a normal exit every output is closed and then renamed
    into place; on any exception (``KeyboardInterrupt`` included) or a failed close every
    temporary file is removed and no target changes."""

    def __init__(self) -> None:
        self._outputs: list[AtomicOutput] = []

    def open_text(self, path: str) -> IO[str]:
        """A UTF-8 text stream whose content lands in ``path`` on success."""
        output = self._add(path, binary=False)
        assert isinstance(output.stream, io.TextIOWrapper)
        return output.stream

    def open_binary(self, path: str) -> BinaryIO:
        """A binary stream whose content lands in ``path`` on success."""
        return self._add(path, binary=True).buffer

    def _add(self, path: str, *, binary: bool) -> AtomicOutput:
        output = AtomicOutput(path, binary=binary)
        self._outputs.append(output)
        return output

    def commit(self) -> None:
        """Close every output, then rename them all; on a failure discard them all."""
        try:
            for output in self._outputs:
                output.close()
            for output in self._outputs:
                output.rename()
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        """Remove every temporary file; targets keep their old content."""
        for output in self._outputs:
            output.discard()

    def __enter__(self) -> OutputSet:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()
