"""File primitives of the store: one exclusive file lock and atomic replacement.

Both work on POSIX and on Windows. The lock is advisory and taken on a separate
``<data file>.lock`` file (never on the data file itself, which is replaced on every write).
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from lamtheoguongbac import StoreError
from lamtheoguongbac.plugin import atomic_write

__all__ = ["TEMP_PREFIX", "exclusive_lock", "replace_atomically"]

#: Temporary files are named ``.<data file name>.<random>.tmp`` beside the data file.
TEMP_PREFIX = "."
_POLL = 0.005  # seconds between attempts to take a busy lock

if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


@contextlib.contextmanager
def exclusive_lock(lock_path: Path, timeout: float) -> Iterator[None]:
    """Hold the exclusive lock on ``lock_path`` inside the block (khóa ghi độc quyền).

    Each call opens the lock file anew, so two store objects in one process exclude each
    other exactly as two processes do.

    Raises:
        StoreError: the lock file cannot be opened, or another writer held the lock for
            longer than ``timeout`` seconds.
    """
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(
            f"Không mở được tệp khóa {lock_path}: {exc}",
            f"cannot open the lock file {lock_path}: {exc}",
        ) from exc
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"Kho đang được ghi bởi tiến trình khác quá {timeout:g} giây "
                    f"(tệp khóa {lock_path}); hãy thử lại",
                    f"another process has been writing to the store for more than "
                    f"{timeout:g} s (lock file {lock_path}); try again",
                )
            time.sleep(_POLL)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


def replace_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (ghi nguyên vẹn hoặc không ghi gì).

    The bytes go to a temporary file in the same folder, which is flushed to disk and then
    renamed over ``path`` with :func:`os.replace`; a crash at any point leaves either the
    old file or the new one, never a mix. The library's one writer does it
    (:func:`lamtheoguongbac._fsutil.atomic_write`): the folder is flushed too, and the file
    gets a new file's permissions (``0o666`` less the umask).
    """
    atomic_write(path, data, temp_prefix=f"{TEMP_PREFIX}{path.name}.", temp_suffix=".tmp")
