"""Where a single-process folder export writes its files (nơi ghi tệp khi xuất tại chỗ).

The export renders in the caller's interpreter; writing a chunk — creating, syncing and
renaming its 64 files — is the operating system's work, and runs beside the rendering of the
next chunk. :class:`ChunkWriter` does it in one of two places:

* a **thread**, for a run's first :data:`PROCESS_AFTER` chunks, for PDF exports, and wherever
  no writer process can start. Each system call of the thread (about five a file) gives the
  interpreter's lock back, and taking it again holds the rendering up: measured on this
  project's 2-core machine, writing from a thread cost the rendering a fifth of its speed;
* from then on, a **writer process**: ``python -I -S`` running
  :mod:`lamtheoguongbac._durable` by itself — no ``site``, nothing of the library imported,
  started in about 20 ms, while the next chunk renders, with the caller's environment,
  umask and user. Each chunk's names and bytes go to it through a pipe; it answers once they
  are on disk (the protocol is in :mod:`lamtheoguongbac._durable`). It runs in its own
  process group: Ctrl-C in a terminal stops the rendering, not the chunk on its way to disk.
  Nothing of the caller's program runs in it (unlike a :mod:`multiprocessing` child, which
  imports the caller's main module again).

Either way, chunks are written one at a time and in order, a chunk's files are recorded in
the manifest only once they are on disk, and an error stops the run as if written in line.
Should the writer process die, its chunk is written again in this process, and the rest of
the run uses the thread.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol, cast

import attrs

from lamtheoguongbac import _durable
from lamtheoguongbac._errors import LamTheoGuongBacError
from lamtheoguongbac.export._shards import folder_in_the_way, write_files

__all__ = ["PROCESS_AFTER", "ChunkWriter", "Written"]

#: The chunks of a run written by the thread before the writer process takes over: a run of
#: up to 128 documents starts no process. The process starts as the last of them is sent.
PROCESS_AFTER = 2

#: How large the pipe to the writer process is made (Linux): a whole chunk of handbooks
#: (~850 KB) fits, so sending one never waits for the process to read it.
_PIPE_SIZE = 1 << 20

Files = list[tuple[str, int, int]]  # (name, size, handbook version) of each file on disk


class Written(Protocol):
    """A chunk on its way to disk."""

    def result(self) -> Files:
        """Once the chunk's files are on disk: (name, size, version) of each.

        Raises:
            ValidationFailed: a folder has the name of one of the files.
            OSError: the disk is full, the folder is not writable …
        """


def writer_command() -> list[str] | None:
    """The command that runs the writer process, or None where there is none: not POSIX, a
    frozen application (its executable is no Python), or the writer's source not a file."""
    source = _durable.__file__
    if (
        os.name != "posix"
        or getattr(sys, "frozen", False)
        or not sys.executable
        or not source
        or not source.endswith(".py")
        or not os.path.isfile(source)
    ):
        return None
    return [sys.executable, "-I", "-S", source]


class _Process:
    """The writer process and its two pipes."""

    def __init__(self, command: list[str]) -> None:
        self.popen = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, process_group=0
        )
        self.stdin = cast(IO[bytes], self.popen.stdin)  # both PIPE: never None
        self.stdout = cast(IO[bytes], self.popen.stdout)
        import fcntl  # POSIX, as the writer process (writer_command)

        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux
            with contextlib.suppress(OSError):  # at most /proc/sys/fs/pipe-max-size
                fcntl.fcntl(self.stdin.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)

    def send(self, folder: Path, chunk: Sequence[tuple[str, bytes]]) -> None:
        files = [[name, len(data)] for name, data in chunk]
        header = json.dumps({"folder": os.fspath(folder), "files": files})
        self.stdin.write(header.encode() + b"\n")
        for _, data in chunk:
            self.stdin.write(data)
        self.stdin.flush()

    def answer(self) -> dict[str, Any]:
        line = self.stdout.readline()
        if not line:
            raise EOFError("the writer process ended")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        """End the process after the chunk it is writing, and wait for it."""
        with contextlib.suppress(OSError):
            self.stdin.close()
        self.popen.wait()
        self.stdout.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.popen.kill()
        self.close()


def _error(reply: dict[str, Any]) -> Exception:
    """The exception a writer process's answer reports (see :mod:`lamtheoguongbac._durable`)."""
    kind = reply.get("error")
    if kind == "folder":
        return folder_in_the_way(str(reply.get("path")))
    if kind == "os":
        errno, strerror, filename = reply.get("errno"), reply.get("strerror"), reply.get("filename")
        return OSError(errno, strerror) if filename is None else OSError(errno, strerror, filename)
    message = str(reply.get("message", reply))
    return LamTheoGuongBacError(
        f"tiến trình ghi tệp bị lỗi: {message}", f"the export's writer process failed: {message}"
    )


@attrs.define
class _InThread:
    future: cf.Future[Files]

    def result(self) -> Files:
        return self.future.result()


@attrs.define
class _InProcess:
    writer: ChunkWriter
    process: _Process
    chunk: Sequence[tuple[str, bytes]]
    versions: Sequence[int]

    def result(self) -> Files:
        try:
            reply = self.process.answer()
        except (EOFError, OSError, ValueError):
            # The process died (killed, out of memory …): the chunk again, here, whole.
            self.writer.lose_process()
            return _write(self.writer.folder, self.chunk, self.versions, False)
        if reply.get("ok") is True:
            return [(n, len(b), v) for (n, b), v in zip(self.chunk, self.versions, strict=True)]
        raise _error(reply)


def _write(
    folder: Path, chunk: Sequence[tuple[str, bytes]], versions: Sequence[int], pdf: bool
) -> Files:
    done: Files = []
    write_files(folder, chunk, versions, pdf=pdf, done=done)
    return done


class ChunkWriter:
    """Writes a folder export's chunks, one at a time, beside the rendering (see the module
    docstring): :meth:`submit` a chunk, then take its :meth:`Written.result` before
    submitting the next one."""

    def __init__(self, folder: Path, *, pdf: bool) -> None:
        self.folder = folder
        self.pdf = pdf
        self._thread = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ltgb-write")
        self._process: _Process | None = None
        self._command = None if pdf else writer_command()
        self._sent = 0

    def submit(self, chunk: Sequence[tuple[str, bytes]], versions: Sequence[int]) -> Written:
        """Start writing ``chunk`` (file name, bytes) of handbooks of ``versions``."""
        self._sent += 1
        if self._process is not None:
            try:
                self._process.send(self.folder, chunk)
            except OSError:  # the process is gone (its answer would say nothing more)
                self.lose_process()
            else:
                return _InProcess(self, self._process, chunk, versions)
        written = _InThread(self._thread.submit(_write, self.folder, chunk, versions, self.pdf))
        if self._sent == PROCESS_AFTER and self._command is not None:
            self._start_process(self._command)
        return written

    def _start_process(self, command: list[str]) -> None:
        try:
            self._process = _Process(command)
        except OSError:  # no executable, no more processes …: the thread it is
            self._command = None

    def lose_process(self) -> None:
        """The writer process failed: stop it; the rest of the run is written by the thread."""
        process, self._process, self._command = self._process, None, None
        if process is not None:
            process.kill()

    def close(self) -> None:
        """Wait for the thread and end the writer process (after the chunk it is writing)."""
        self._thread.shutdown(wait=True)
        if self._process is not None:
            self._process.close()
            self._process = None

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
