"""Files written whole, a chunk at a time, with one disk sync (ghi tệp bền vững theo lô).

:func:`write_chunk` writes every file of a chunk to a temporary name
(``.lamtheoguongbac-*.part``), flushes the file system holding them once (``syncfs`` on
Linux; elsewhere each file is ``fsync``-ed), renames each over its target and flushes the
folder once. A process killed at any moment leaves whole files or temporary ones, which the
next export into the folder removes.

**The standard library only, and nothing of the package**: besides being imported, this file
runs by itself as the *writer process* of a single-process export
(:mod:`lamtheoguongbac.export._writer` starts ``python -I -S <this file> <parent pid>``).
:func:`main` is that process. It first writes :data:`HELLO`, then reads chunks from its
input and answers each once its files are on disk. Paths travel as the bytes the caller's
file system encoding made of them, so the process never encodes a name itself. One chunk:

* request: a line of JSON, ``{"folder": 23, "files": [[17, 13012], …]}`` — the length in
  bytes of the folder's path, and of each file's name and content — then those bytes: the
  folder, then each file's name and content, in order;
* reply: a line of JSON, ``{"ok": true}``, or ``{"error": "OSError: …"}`` when the chunk
  could not be written (the files renamed before the error stay, each whole; no temporary
  file is left). The caller then writes the chunk itself, to raise the error as its own.

The process ends at the end of its input, after the chunk it is writing; with its input cut
inside a chunk (the caller stopped), without writing that chunk. It never renames a chunk's
files into place once its caller has died (it checks, after the sync), and on Linux it is
killed with its caller: a folder a resumed run is writing gets no files from it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence

TYPE_CHECKING = False  # not typing's: the writer process does without importing it
if TYPE_CHECKING:
    from typing import BinaryIO

__all__ = [
    "HELLO",
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "CallerGone",
    "FolderInTheWay",
    "discard",
    "flush",
    "flush_paths",
    "fsync_folder",
    "main",
    "serve",
    "syncfs",
    "write_chunk",
]

#: The writer process's first line: who it is and the protocol it speaks.
HELLO = b'{"writer": "lamtheoguongbac", "protocol": 1}\n'

#: Temporary files start with this and end with ".part"; leftovers are removed on the next run.
TEMP_PREFIX = ".lamtheoguongbac-"
TEMP_SUFFIX = ".part"
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_NEW_FILE |= getattr(os, "O_BINARY", 0)


class FolderInTheWay(IsADirectoryError):
    """A file of the chunk cannot replace its target: a folder has that name (nothing is
    replaced by it). ``path`` is the target."""

    def __init__(self, path: str | bytes) -> None:
        self.path = os.fsdecode(path)
        super().__init__(f"a folder is in the way of {self.path!r}")


@functools.cache
def syncfs() -> Callable[[int], int] | None:
    """libc's ``syncfs`` (Linux), looked up on first use (ctypes is not loaded before), or
    None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # pragma: no cover - every glibc/musl has it
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


def flush(fds: Sequence[int]) -> None:
    """Make the data behind ``fds`` durable: one ``syncfs`` of their file system (Linux) or
    an ``fsync`` each."""
    if not fds:
        return
    sync = syncfs()
    if sync is not None:
        if sync(fds[0]) != 0:
            import ctypes  # loaded by syncfs()

            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return
    for fd in fds:
        os.fsync(fd)


def flush_paths(paths: Sequence[str | bytes | os.PathLike[str]]) -> None:
    """:func:`flush` for files already closed."""
    fds = [os.open(p, os.O_RDONLY) for p in (paths[:1] if syncfs() is not None else paths)]
    try:
        flush(fds)
    finally:
        for fd in fds:
            os.close(fd)


def fsync_folder(folder: str | bytes | os.PathLike[str]) -> None:
    """Flush ``folder``'s entries (the names of renamed files) to disk.

    A no-op on Windows, where folders cannot be opened (and renames need no such flush).
    """
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _create_temp(folder: bytes) -> tuple[int, bytes]:
    # Byte paths, not Path objects: pathlib interns every name it parses, and the table of
    # interned strings grows with each of a run's hundreds of thousands of unique names.
    for _ in range(100):
        # os.urandom, not secrets: that imports hashlib, and OpenSSL with it.
        name = f"{TEMP_PREFIX}{os.urandom(8).hex()}{TEMP_SUFFIX}"
        tmp = os.path.join(folder, name.encode("ascii"))
        try:
            # 0o666 less the umask: the file gets a new file's permissions, not 0o600.
            return os.open(tmp, _NEW_FILE, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(
        f"no free temporary file name in {os.fsdecode(folder)}"
    )  # pragma: no cover


def write_chunk(
    folder: str | bytes | os.PathLike[str],
    items: Sequence[tuple[str | bytes, bytes]],
    *,
    before_renames: Callable[[], None] | None = None,
) -> None:
    """Write the files ``items`` (name in ``folder``, bytes) whole or not at all, with one
    data flush and one folder flush for the lot. Names and folder are text or the bytes of
    the file system's encoding. ``before_renames`` is called once the data is on disk, before
    the first file gets its name: what it raises stops the chunk with no file renamed.

    On an error the files renamed so far stay (each whole) and no temporary file is left.

    Raises:
        FolderInTheWay: a folder has the name of one of the files.
        OSError: the disk is full, the folder is not writable …
    """
    opened: list[tuple[int, bytes, bytes]] = []
    renamed = 0
    where = os.fsencode(folder)
    try:
        for name, data in items:
            fd, tmp = _create_temp(where)
            opened.append((fd, tmp, os.path.join(where, os.fsencode(name))))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        flush([fd for fd, _, _ in opened])
        if before_renames is not None:
            before_renames()
        for i, (fd, tmp, path) in enumerate(opened):
            os.close(fd)
            opened[i] = (-1, tmp, path)
            try:
                os.replace(tmp, path)
            except IsADirectoryError:
                raise FolderInTheWay(path) from None
            renamed += 1
        if opened:
            fsync_folder(where)
    finally:
        discard(opened[renamed:])


def discard(unrenamed: Sequence[tuple[int, str | bytes | os.PathLike[str], object]]) -> None:
    """Close (where ``fd`` is not -1) and remove each temporary file of ``unrenamed``, as
    (fd, temporary path, target): what a chunk stopped by an error leaves behind."""
    for fd, tmp, _ in unrenamed:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def _read_exactly(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise EOFError(f"the chunk ended after {len(data)} of {size} bytes")
    return data


class CallerGone(Exception):
    """The writer process's caller has died: the chunk it was writing gets no names."""


def serve(source: BinaryIO, sink: BinaryIO, caller: int | None = None) -> None:
    """Write the chunks read from ``source``, answering each on ``sink`` once its files are
    on disk (the protocol is in the module docstring), until ``source`` ends. With
    ``caller`` (a pid), a chunk is renamed into place only while the caller is this
    process's parent: a caller killed mid-chunk (where it cannot have this process killed
    with it) leaves temporary files, never names a resumed run might be writing.

    Raises:
        EOFError: ``source`` ended inside a chunk (which is not written).
        ValueError: a request is not the protocol's.
        CallerGone: the caller died.
    """

    def caller_alive() -> None:
        if caller is not None and os.getppid() != caller:
            raise CallerGone

    while header := source.readline():
        request = json.loads(header)
        folder = _read_exactly(source, request["folder"])
        items = [
            (_read_exactly(source, name), _read_exactly(source, size))
            for name, size in request["files"]
        ]
        answer: dict[str, object] = {"ok": True}
        try:
            write_chunk(folder, items, before_renames=caller_alive)
        except CallerGone:
            raise
        except Exception as exc:  # the caller writes the chunk again, and meets it itself
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sink.write(json.dumps(answer).encode() + b"\n")
        sink.flush()


def _die_with(caller: int) -> None:
    """Be killed when ``caller`` dies (Linux), and end now if it already has."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            # PR_SET_PDEATHSIG; refused (a seccomp filter), serve's check still holds
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)
    if os.getppid() != caller:
        sys.exit(0)


def main(argv: Sequence[str]) -> int:
    """The writer process: ``argv`` is ``[this file, the caller's pid]``."""
    caller = int(argv[1])
    _die_with(caller)
    sink = sys.stdout.buffer
    sink.write(HELLO)
    sink.flush()
    try:
        serve(sys.stdin.buffer, sink, caller)
    except (EOFError, ValueError, KeyError, TypeError, BrokenPipeError, CallerGone):
        return 1  # the caller stopped mid-chunk, died, or is no caller of this protocol
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
