"""Files in and out, done safely (đọc và ghi tệp an toàn).

**Writing** — :func:`atomic_write` writes a file whole or not at all: the content goes to a
temporary file in the same folder, is flushed and ``fsync``-ed, renamed over the target with
:func:`os.replace`, and the folder is ``fsync``-ed so the rename survives a power cut. The
file gets the permissions of any new file, ``0o666`` less the process's umask (the temporary
file is created with them, never with :func:`tempfile.mkstemp`'s ``0o600``), and the
temporary file is removed on any error. :func:`atomic_write_many` does the same for many
files with one disk flush for the lot (the batch export's writer).

**Reading** — .docx templates and .xlsx workbooks come from users: they are ZIP archives, and
a few hundred kilobytes can inflate to gigabytes (a *zip bomb*). :func:`check_zip` reads an
archive's directory, without inflating anything, and refuses it when it breaks one of the
limits below; the callers turn its :class:`UnsafeArchive` into their own error
(``TemplateError``, ``ImportFailed``) naming the file.

The limits are far above any real template or workbook (the shipped templates are under
40 KB, with no part shrinking more than 33 times; an exported workbook of 5 000 members is
350 KB, its sheets shrinking at most 13 times):

==========================  =========  ==================================================
:data:`MAX_ZIP_FILE_SIZE`   20 MiB     the archive file itself
:data:`MAX_ZIP_ENTRIES`     10 000     entries in the archive (its parts)
:data:`MAX_ZIP_TOTAL_SIZE`  100 MiB    all entries inflated, together
:data:`MAX_ZIP_RATIO`       100 : 1    inflated : compressed size of an entry larger than
                                       :data:`ZIP_RATIO_MIN_SIZE` (1 MiB); XML shrinks 5
                                       to 35 times, a bomb's filler 1 000 times
==========================  =========  ==================================================

Entries are read by :mod:`zipfile` (python-docx, openpyxl) or by code that stops at the size
the directory declares, so an entry cannot inflate past what :func:`check_zip` counted.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import struct
import zipfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import BinaryIO

from lamtheoguongbac._durable import discard, fsync_folder
from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._public import publish

__all__ = [
    "MAX_ZIP_ENTRIES",
    "MAX_ZIP_FILE_SIZE",
    "MAX_ZIP_RATIO",
    "MAX_ZIP_TOTAL_SIZE",
    "ZIP_RATIO_MIN_SIZE",
    "UnsafeArchive",
    "atomic_write",
    "atomic_write_many",
    "check_zip",
    "entry_name_problem",
    "fsync_folder",
]

#: The largest ZIP archive (.docx template, .xlsx workbook) read: 20 MiB.
MAX_ZIP_FILE_SIZE = 20 * 1024 * 1024
#: The most entries (parts) one archive may hold.
MAX_ZIP_ENTRIES = 10_000
#: The largest total size of an archive's entries once inflated: 100 MiB.
MAX_ZIP_TOTAL_SIZE = 100 * 1024 * 1024
#: The highest ratio inflated : compressed allowed for an entry over ZIP_RATIO_MIN_SIZE.
MAX_ZIP_RATIO = 100
#: Entries up to this size (1 MiB) may have any ratio: small, and often mostly repeats.
ZIP_RATIO_MIN_SIZE = 1024 * 1024

_TEMP_SUFFIX = ".tmp"
# Created as any new file is (the umask applies), only if absent, never through a symlink.
_TEMP_FLAGS = (
    os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
)
_NEW_FILE_MODE = 0o666

# ZIP records: end of central directory, its zip64 locator and record, a central record.
_EOCD = struct.Struct("<4s4H2LH")
_EOCD64_LOCATOR = struct.Struct("<4sLQL")
_EOCD64 = struct.Struct("<4sQ2H2L4Q")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_EOCD_SIG, _LOCATOR_SIG, _EOCD64_SIG, _CENTRAL_SIG = (
    b"PK\x05\x06",
    b"PK\x06\x07",
    b"PK\x06\x06",
    b"PK\x01\x02",
)
_MAX_COMMENT = 0xFFFF


# --- writing -------------------------------------------------------------------------------


def _create_temp(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """A new, empty temporary file in ``folder``, open for writing, with a new file's mode."""
    for _ in range(100):
        tmp = folder / f"{prefix}{secrets.token_hex(6)}{suffix}"
        try:
            return os.open(tmp, _TEMP_FLAGS, _NEW_FILE_MODE), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {folder}")  # pragma: no cover


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def atomic_write(
    path: str | os.PathLike[str],
    data: bytes | Callable[[BinaryIO], None],
    *,
    temp_prefix: str | None = None,
    temp_suffix: str = _TEMP_SUFFIX,
) -> None:
    """Write ``path`` whole or not at all (ghi nguyên vẹn hoặc không ghi gì).

    ``data`` is the content, or a function that writes it to the binary file it is given
    (which it must leave open). The content goes to a temporary file in ``path``'s folder
    (named ``temp_prefix`` + random + ``temp_suffix``; by default ``.<name>.<random>.tmp``),
    which is flushed and fsync-ed, renamed over ``path`` with :func:`os.replace`, and the
    folder is fsync-ed. ``path`` ends up with a new file's permissions (``0o666`` less the
    umask). On any error, including one raised by ``data``, the temporary file is removed,
    ``path`` is left as it was, and the error propagates.

    Raises:
        OSError: the folder cannot be written.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.plugin import atomic_write
        >>> folder = tempfile.TemporaryDirectory()
        >>> target = Path(folder.name, "so-tay.txt")
        >>> atomic_write(target, "Sổ tay".encode("utf-8"))
        >>> def write(stream):
        ...     stream.write(b"phien ban 2")
        ...
        >>> atomic_write(target, write)
        >>> target.read_bytes(), sorted(p.name for p in Path(folder.name).iterdir())
        (b'phien ban 2', ['so-tay.txt'])
        >>> folder.cleanup()
    """
    path = Path(path)
    prefix = f".{path.name}." if temp_prefix is None else temp_prefix
    fd, tmp = _create_temp(path.parent, prefix, temp_suffix)
    try:
        with open(fd, "wb", closefd=True) as file:
            if callable(data):
                data(file)
            else:
                file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_folder(path.parent)


def atomic_write_many(
    items: Iterable[tuple[Path, bytes]],
    *,
    temp_prefix: str,
    temp_suffix: str = _TEMP_SUFFIX,
    sync_folders: bool = True,
) -> None:
    """Atomic writes of many files with one disk flush: every temporary file is created and
    written, then each is fsync-ed, then each renamed over its target, in order.

    The first fsync commits the file system's journal for the whole batch, so the others find
    little left to do, while every file is still durable before it gets its name. With
    ``sync_folders`` the folders are fsync-ed at the end; a caller writing many batches into
    one folder can pass False and fsync each folder once when done.

    On an error the files renamed so far stay (each whole); no temporary file is left.

    Raises:
        OSError: a folder cannot be written.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.plugin import atomic_write_many
        >>> folder = tempfile.TemporaryDirectory()
        >>> files = [(Path(folder.name, f"so-tay-{i}.txt"), f"sổ {i}".encode()) for i in (1, 2)]
        >>> atomic_write_many(files, temp_prefix=".ltgb-")
        >>> sorted(p.name for p in Path(folder.name).iterdir())
        ['so-tay-1.txt', 'so-tay-2.txt']
        >>> folder.cleanup()
    """
    opened: list[tuple[int, Path, Path]] = []
    renamed = 0
    try:
        for path, data in items:
            fd, tmp = _create_temp(path.parent, temp_prefix, temp_suffix)
            opened.append((fd, tmp, path))
            _write_all(fd, data)
        for fd, _, _ in opened:
            os.fsync(fd)
        for fd, tmp, path in opened:
            os.close(fd)
            opened[renamed] = (-1, tmp, path)
            os.replace(tmp, path)
            renamed += 1
    finally:
        discard(opened[renamed:])
    if sync_folders:
        for folder in dict.fromkeys(path.parent for _, _, path in opened):
            fsync_folder(folder)


# --- reading untrusted archives ------------------------------------------------------------


class UnsafeArchive(ValidationFailed):
    """A ZIP archive refused by :func:`check_zip` (tệp nén bị từ chối).

    ``reason_vi`` and ``reason_en`` say which limit it breaks; ``entry`` names the entry at
    fault (None when it is the whole archive). Callers wrap
    it in their own error, naming the file.

    Example:
        >>> import io, zipfile
        >>> from lamtheoguongbac.plugin import UnsafeArchive, check_zip
        >>> buffer = io.BytesIO()
        >>> with zipfile.ZipFile(buffer, "w") as archive:
        ...     archive.writestr("../../ngoai.txt", "x")
        ...
        >>> try:
        ...     check_zip(buffer.getvalue())
        ... except UnsafeArchive as error:
        ...     print(error.entry)
        ...
        ../../ngoai.txt
    """

    def __init__(self, reason_vi: str, reason_en: str, *, entry: str | None = None) -> None:
        self.entry = entry
        super().__init__(reason_vi, reason_en)


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB"):
        if n < 1024:
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GB"


def _read_limited(path: str | os.PathLike[str], limit: int) -> bytes:
    with open(path, "rb") as file:
        size = os.fstat(file.fileno()).st_size
        data = file.read(limit + 1) if size <= limit else b""
    if size > limit:
        shown, most = _size(size), _size(limit)
        if shown == most:  # rounded alike: "20.0 MB; at most 20.0 MB" says nothing
            shown, most = f"{size:,} B", f"{limit:,} B"
        raise UnsafeArchive(
            f"tệp quá lớn ({shown}; tối đa {most})",
            f"the file is too large ({shown}; at most {most})",
        )
    if len(data) > limit:  # a device or a pipe, which states no size: read up to the limit
        raise UnsafeArchive(
            f"tệp quá lớn (hơn {_size(limit)}; tối đa {_size(limit)})",
            f"the file is too large (more than {_size(limit)}; at most {_size(limit)})",
        )
    return data


def _central_directory(data: bytes) -> tuple[int, int]:
    """Where the central directory starts and ends, found as :mod:`zipfile` finds it."""
    end = data.rfind(_EOCD_SIG, max(0, len(data) - _EOCD.size - _MAX_COMMENT))
    if end < 0 or end + _EOCD.size > len(data):
        raise zipfile.BadZipFile("File is not a zip file")
    *_, cd_size, _, _ = _EOCD.unpack_from(data, end)
    locator = end - _EOCD64_LOCATOR.size
    if locator >= _EOCD64.size and data[locator : locator + 4] == _LOCATOR_SIG:
        record = locator - _EOCD64.size  # zipfile expects it right before the locator
        if data[record : record + 4] == _EOCD64_SIG:
            end = record
            cd_size = _EOCD64.unpack_from(data, record)[8]
    start = end - cd_size
    if start < 0:
        raise zipfile.BadZipFile("Bad offset for central directory")
    return start, end


def _too_many(limit: int) -> UnsafeArchive:
    return UnsafeArchive(
        f"tệp nén có hơn {limit} phần", f"the archive has more than {limit} entries"
    )


def _count_entries(data: bytes, limit: int) -> None:
    """Refuse an archive of more than ``limit`` entries before :mod:`zipfile` builds an
    object for each: its directory is walked as zipfile walks it (the count the archive
    states could lie)."""
    pos, end = _central_directory(data)
    count = 0
    while pos + _CENTRAL.size <= end and data[pos : pos + 4] == _CENTRAL_SIG:
        count += 1
        if count > limit:
            raise _too_many(limit)
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, pos + 28)
        pos += _CENTRAL.size + name_len + extra_len + comment_len


_DRIVE = re.compile(r"^[A-Za-z]:")


def entry_name_problem(name: str) -> tuple[str, str] | None:
    """Why an archive entry's name marks a damaged or hostile archive, as (vi, en); None
    when it is an ordinary relative name.

    Office files and templates name their parts ``word/document.xml``; a name that climbs out
    (``../x``), is absolute (``/etc/x``, ``C:x``), uses backslashes, or holds a NUL or another
    control character is never written by Word or Excel.
    """
    parts = name.split("/")
    if "\\" in name:
        return "tên dùng dấu gạch ngược '\\'", "the name uses backslashes"
    if name.startswith("/") or _DRIVE.match(name):
        return "tên là đường dẫn tuyệt đối", "the name is an absolute path"
    if ".." in parts:
        return "tên trỏ ra ngoài tệp nén ('..')", "the name climbs out of the archive ('..')"
    if any(ord(c) < 32 for c in name):
        return "tên chứa ký tự điều khiển", "the name holds a control character"
    return None


def _check_names(infos: Sequence[zipfile.ZipInfo]) -> None:
    for info in infos:
        problem = entry_name_problem(info.filename)
        if problem is not None:
            vi, en = problem
            shown = info.filename.encode("unicode_escape").decode("ascii")[:200]
            raise UnsafeArchive(
                f"phần '{shown}' có tên không hợp lệ: {vi} — tệp hỏng hoặc bị sửa có chủ ý",
                f"entry '{shown}' has an invalid name: {en} — a damaged or tampered file",
                entry=info.filename,
            )


def _check_entries(
    infos: Sequence[zipfile.ZipInfo], max_total_size: int, max_ratio: float, ratio_min_size: int
) -> None:
    _check_names(infos)
    for info in infos:
        if info.file_size > ratio_min_size and info.file_size > max_ratio * info.compress_size:
            ratio = info.file_size / max(info.compress_size, 1)
            size, packed = _size(info.file_size), _size(info.compress_size)
            raise UnsafeArchive(
                f"phần '{info.filename}' giải nén ra {size} từ {packed} (tỷ lệ {ratio:.0f}:1, "
                f"tối đa {max_ratio:g}:1) — nghi là bom nén",
                f"entry '{info.filename}' inflates to {size} from {packed} (ratio "
                f"{ratio:.0f}:1, at most {max_ratio:g}:1) — a likely zip bomb",
                entry=info.filename,
            )
    total = sum(info.file_size for info in infos)
    if total > max_total_size:
        largest = max(infos, key=lambda i: i.file_size)
        raise UnsafeArchive(
            f"các phần giải nén ra tổng cộng {_size(total)} (tối đa {_size(max_total_size)}); "
            f"lớn nhất là phần '{largest.filename}' ({_size(largest.file_size)})",
            f"the entries inflate to {_size(total)} in all (at most {_size(max_total_size)}); "
            f"the largest is '{largest.filename}' ({_size(largest.file_size)})",
            entry=largest.filename,
        )


def check_zip(
    source: bytes | str | os.PathLike[str],
    *,
    max_file_size: int | None = None,
    max_entries: int | None = None,
    max_total_size: int | None = None,
    max_ratio: float | None = None,
    ratio_min_size: int | None = None,
) -> bytes:
    """Check a ZIP archive from a user against the limits, inflating nothing; returns its
    bytes.

    ``source`` is the archive's bytes or its path; a file is read once, and no further than
    ``max_file_size``, so the bytes returned are the ones checked: parse those, not the file
    again. A limit left None is the library's default as it is when called: 20 MiB for the
    file, 10 000 entries, 100 MiB inflated in all, and 100 : 1 for an entry over 1 MiB.

    Raises:
        UnsafeArchive: the archive is larger than ``max_file_size``, has more than
            ``max_entries`` entries, inflates to more than ``max_total_size`` in all, has
            an entry larger than ``ratio_min_size`` that inflates more than ``max_ratio``
            times, or has an entry whose name is not an ordinary relative path (``../``,
            absolute, backslashes, control characters);
            ``entry`` names the entry at fault.
        zipfile.BadZipFile: ``source`` is not a ZIP archive.
        OSError: the file cannot be read.

    Example:
        >>> import io, zipfile
        >>> from lamtheoguongbac.plugin import UnsafeArchive, check_zip
        >>> buffer = io.BytesIO()
        >>> with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ...     archive.writestr("word/document.xml", "<w:document/>")
        ...
        >>> len(check_zip(buffer.getvalue())) == len(buffer.getvalue())
        True
        >>> try:
        ...     check_zip(buffer.getvalue(), max_entries=0)
        ... except UnsafeArchive as error:
        ...     print(error.message("en")[:40])
        ...
        the archive has more than 0 entries
    """
    max_file_size = MAX_ZIP_FILE_SIZE if max_file_size is None else max_file_size
    max_entries = MAX_ZIP_ENTRIES if max_entries is None else max_entries
    max_total_size = MAX_ZIP_TOTAL_SIZE if max_total_size is None else max_total_size
    max_ratio = MAX_ZIP_RATIO if max_ratio is None else max_ratio
    ratio_min_size = ZIP_RATIO_MIN_SIZE if ratio_min_size is None else ratio_min_size
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_file_size:
            raise UnsafeArchive(
                f"tệp quá lớn ({_size(len(data))}; tối đa {_size(max_file_size)})",
                f"the file is too large ({_size(len(data))}; at most {_size(max_file_size)})",
            )
    else:
        data = _read_limited(source, max_file_size)
    _count_entries(data, max_entries)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (ValueError, EOFError, struct.error) as exc:  # a directory zipfile trips over
        raise zipfile.BadZipFile(str(exc)) from exc
    if len(infos) > max_entries:  # the walk above agrees with zipfile; kept in case not
        raise _too_many(max_entries)
    _check_entries(infos, max_total_size, max_ratio, ratio_min_size)
    return data


publish("lamtheoguongbac.plugin", UnsafeArchive)  # its public home, however it is reached
