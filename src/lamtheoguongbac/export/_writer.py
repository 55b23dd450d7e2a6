"""Where a single-process folder export writes its files (nơi ghi tệp khi xuất tại chỗ).

The export renders in the caller's interpreter; writing a chunk — creating, syncing and
renaming its 64 files — is the operating system's work, and runs beside the rendering of the
next chunk. :class:`ChunkWriter` does it in one of two places:

* a **thread**, for a run's first :data:`PROCESS_AFTER` chunks, for PDF exports, and wherever
  no writer process runs. Each system call of the thread (about five a file) gives the
  interpreter's lock back, and taking it again holds the rendering up: on this project's
  2-core machine the exporter made 2,000 documents a second writing from a thread, 2,570
  with the writing in another process (``bench_docx``);
* from then on, a **writer process**: ``python -I -S`` running
  :mod:`lamtheoguongbac._durable` by itself — no ``site``, nothing of the library imported,
  started while the next chunk renders, with the caller's environment, umask and user. It
  says who it is (:data:`~lamtheoguongbac._durable.HELLO`) before it is used: an executable
  that is not a Python (an application server embedding one) never gets a chunk. Each
  chunk's names and bytes go to it through a pipe; it answers once they are on disk (the
  protocol is in :mod:`lamtheoguongbac._durable`). It runs in its own process group, so
  Ctrl-C in a terminal stops the rendering, not the chunk on its way to disk, and with its
  output to nowhere: it never writes to the terminal. It renames nothing once the caller
  has died, and on Linux dies with it. Every wait for it is bounded (:data:`_HELLO_WAIT`,
  :data:`_READ_WAIT`, :data:`_ANSWER_WAIT`, :data:`_END_WAIT`). A program that restored
  ``SIGPIPE`` (a dead writer would kill it) keeps the thread.
  Nothing of the caller's program runs in it (unlike a :mod:`multiprocessing` child, which
  imports the caller's main module again).

Either way, chunks are written one at a time and in order, a chunk's files are recorded in
the manifest only once they are on disk, and an error stops the run as if written in line:
a chunk the writer process could not write, or did not answer for (it died), is written
again in the caller's process, which meets the error itself; the rest of the run uses the
thread.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import json
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Protocol, cast

import attrs

from lamtheoguongbac import _durable
from lamtheoguongbac.export._shards import write_files

__all__ = ["PROCESS_AFTER", "ChunkWriter", "Files", "Written"]

#: The chunks of a run written by the thread before the writer process may take over. The
#: process is started as the first chunk is sent when there are more documents than these
#: chunks hold (or their number is unknown: a run of up to 128 documents known starts none),
#: and used once it has said who it is.
PROCESS_AFTER = 2

#: How long a writer process may take to say who it is before the run gives up on it (the
#: chunks meanwhile go to the thread).
_HELLO_WAIT = 10.0

#: How long the writer process may take to read a chunk sent to it, and to answer for one
#: (a slow disk), before it is given up on: killed, and the chunk written by the caller.
_READ_WAIT = 60.0
_ANSWER_WAIT = 600.0

#: How long ending a writer process may take (the chunk it is writing) before it is killed.
_END_WAIT = 60.0

#: How large the pipe to the writer process is made (Linux): a whole chunk of handbooks
#: (~850 KB) fits, so sending one seldom waits for the process to read it.
_PIPE_SIZE = 1 << 20

Files = list[tuple[str, int, int]]  # (name, size, handbook version) of each file on disk


class Written(Protocol):
    """A chunk on its way to disk."""

    def result(self) -> Files:
        """Once the chunk's files are on disk: (name, size, version) of each. Called again
        after a ``KeyboardInterrupt`` (it waits again, never for ever), or after an error
        (raised again).

        Raises:
            ValidationFailed: a folder has the name of one of the files.
            OSError: the disk is full, the folder is not writable …
        """


def writer_command() -> list[str] | None:
    """The command that runs the writer process, without the caller's pid, or None where
    there is none: not POSIX, a frozen application, an interpreter whose name is not a
    Python's, or the writer's source not a file."""
    source = _durable.__file__
    if os.name != "posix" or getattr(sys, "frozen", False) or not source:
        return None
    executable = sys.executable
    if not executable or not os.path.basename(executable).lower().startswith(("python", "pypy")):
        return None
    if not source.endswith(".py") or not os.path.isfile(source):
        return None
    return [executable, "-I", "-S", source]


def _pipes_are_safe() -> bool:
    """Whether writing to a pipe whose reader died raises an error here (Python's default:
    ``SIGPIPE`` ignored), rather than killing the caller (a program that restored it)."""
    return signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN


class _Process:
    """The writer process and its two pipes, used through their descriptors, each wait
    bounded."""

    def __init__(self, command: list[str]) -> None:
        self.popen = subprocess.Popen(
            [*command, str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            process_group=0,
        )
        self.stdin = cast(IO[bytes], self.popen.stdin)  # both PIPE: never None
        self.stdout = cast(IO[bytes], self.popen.stdout)
        self.started = time.monotonic()
        self._greeted: bool | None = None
        self._answers = b""
        os.set_blocking(self.stdin.fileno(), False)
        import fcntl  # POSIX, as the writer process (writer_command)

        if hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux
            with contextlib.suppress(OSError):  # at most /proc/sys/fs/pipe-max-size
                fcntl.fcntl(self.stdin.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_SIZE)

    def greeted(self) -> bool | None:
        """Whether the process said who it is: True, False (it said something else, or
        ended), None (not yet). Never waits."""
        if self._greeted is None and select.select([self.stdout], [], [], 0)[0]:
            # Never more than what is there: a program that is not the writer may write a
            # partial line and stop.
            self._greeted = os.read(self.stdout.fileno(), 256) == _durable.HELLO
        return self._greeted

    def send(self, folder: Path, chunk: Sequence[tuple[str, bytes]]) -> None:
        """Send ``chunk``.

        Raises:
            OSError: the process is gone (``BrokenPipeError``) or stopped reading
                (``TimeoutError``).
        """
        where = os.fsencode(folder)
        names = [os.fsencode(name) for name, _ in chunk]
        files = [[len(name), len(data)] for name, (_, data) in zip(names, chunk, strict=True)]
        header = json.dumps({"folder": len(where), "files": files}).encode() + b"\n"
        pieces = [header, where]
        for name, (_, data) in zip(names, chunk, strict=True):
            pieces += (name, data)
        # One buffer: a chunk usually goes in one system call (the pipe holds it).
        view = memoryview(b"".join(pieces))
        deadline = time.monotonic() + _READ_WAIT
        while view:
            if not select.select([], [self.stdin], [], _left(deadline))[1]:
                raise TimeoutError("the writer process stopped reading")
            with contextlib.suppress(BlockingIOError):
                view = view[os.write(self.stdin.fileno(), view) :]

    def answer(self) -> dict[str, Any]:
        """The process's answer for the chunk sent last.

        Raises:
            EOFError: the process ended.
            TimeoutError: it did not answer in time.
            ValueError: it answered something else than the protocol's.
        """
        deadline = time.monotonic() + _ANSWER_WAIT
        while b"\n" not in self._answers:
            if not select.select([self.stdout], [], [], _left(deadline))[0]:
                raise TimeoutError("the writer process did not answer")
            data = os.read(self.stdout.fileno(), 4096)
            if not data:
                raise EOFError("the writer process ended")
            self._answers += data
        line, _, self._answers = self._answers.partition(b"\n")
        reply: dict[str, Any] = json.loads(line)
        return reply

    def close(self) -> None:
        """End the process after the chunk it is writing (killed if that takes too long,
        or the wait is interrupted), and wait for it."""
        with contextlib.suppress(OSError):
            self.stdin.close()
        try:
            self.popen.wait(_END_WAIT)
        except BaseException as exc:  # too long, or Ctrl-C: it is killed, and reaped
            self.popen.kill()
            self.popen.wait()
            if not isinstance(exc, subprocess.TimeoutExpired):
                raise
        finally:
            self.stdout.close()

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self.popen.kill()
        self.close()


def _left(deadline: float) -> float:
    return max(deadline - time.monotonic(), 0.0)


@attrs.define
class _InProcess:
    writer: ChunkWriter
    process: _Process
    chunk: Sequence[tuple[str, bytes]]
    versions: Sequence[int]
    _outcome: Files | BaseException | None = None
    _waited: bool = False

    def result(self) -> Files:
        if self._outcome is None:
            try:
                self._outcome = self._wait()
            except Exception as exc:  # raised again if asked again
                self._outcome = exc
        if isinstance(self._outcome, BaseException):
            raise self._outcome
        return self._outcome

    def _wait(self) -> Files:
        reply: dict[str, Any] = {}
        # Asked again after a Ctrl-C stopped the first wait: its answer may have been read
        # already, and waiting again could be for ever. The chunk is written here instead.
        if not self._waited:
            self._waited = True
            with contextlib.suppress(EOFError, OSError, ValueError):  # it died, hung …
                reply = self.process.answer()
        if reply.get("ok") is True:
            return [(n, len(b), v) for (n, b), v in zip(self.chunk, self.versions, strict=True)]
        # Not written, or not answered for: the chunk again, here, whole; an error the
        # writer met (a full disk, a folder in the way) is met again and raised as ours.
        self.writer.lose_process(self.process)
        return _write(self.writer.folder, self.chunk, self.versions, False)


def _write(
    folder: Path, chunk: Sequence[tuple[str, bytes]], versions: Sequence[int], pdf: bool
) -> Files:
    done: Files = []
    write_files(folder, chunk, versions, pdf=pdf, done=done)
    return done


class ChunkWriter:
    """Writes a folder export's chunks, one at a time, beside the rendering (see the module
    docstring): :meth:`submit` a chunk, then take its :meth:`Written.result` before
    submitting the next one. ``total`` is the run's number of documents (0: unknown) and
    ``chunk_size`` the documents of a full chunk."""

    def __init__(self, folder: Path, *, pdf: bool, total: int, chunk_size: int) -> None:
        self.folder = folder
        self.pdf = pdf
        self._thread = cf.ThreadPoolExecutor(max_workers=1, thread_name_prefix="ltgb-write")
        self._process: _Process | None = None
        self._command = None if pdf or not _pipes_are_safe() else writer_command()
        self._total = total
        self._chunk_size = chunk_size
        self._sent = 0

    def submit(self, chunk: Sequence[tuple[str, bytes]], versions: Sequence[int]) -> Written:
        """Start writing ``chunk`` (file name, bytes) of handbooks of ``versions``."""
        self._sent += 1
        # Started a chunk ahead (before this chunk is handed to anyone: a Ctrl-C while it
        # starts leaves nothing half-done), so that it has said who it is when its first
        # chunk comes.
        more = not self._total or self._total > PROCESS_AFTER * self._chunk_size
        if self._sent == 1 and self._command is not None and more:
            self._start_process(self._command)
        process = self._ready_process() if self._sent > PROCESS_AFTER else None
        if process is not None:
            try:
                process.send(self.folder, chunk)
            except OSError:  # gone, or stopped reading: the thread writes the chunk
                self.lose_process(process)
            else:
                return _InProcess(self, process, chunk, versions)
        return self._thread.submit(_write, self.folder, chunk, versions, self.pdf)

    def _ready_process(self) -> _Process | None:
        """The writer process once it has said who it is; None before (or never)."""
        process = self._process
        if process is None:
            return None
        greeted = process.greeted()
        if greeted is False or (
            greeted is None and time.monotonic() - process.started > _HELLO_WAIT
        ):
            self.lose_process(process)
            return None
        return process if greeted else None

    def _start_process(self, command: list[str]) -> None:
        try:
            self._process = _Process(command)
        except OSError:  # no executable, no more processes …: the thread it is
            self._command = None

    def lose_process(self, process: _Process) -> None:
        """``process`` failed: stop it; the rest of the run is written by the thread."""
        if process is self._process:
            self._process, self._command = None, None
        process.kill()

    def close(self) -> None:
        """Wait for the thread and end the writer process (after the chunk it is writing)."""
        self._thread.shutdown(wait=True)
        if self._process is not None:
            process, self._process = self._process, None
            process.close()

    def __enter__(self) -> ChunkWriter:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
