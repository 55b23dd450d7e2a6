"""A minimal ZIP writer that copies unchanged entries' compressed bytes as they are.

``zipfile`` cannot copy an entry without inflating and deflating it again, and re-compressing
the dozen unchanged parts of a .docx was most of the time of a render. Here a template's
entries are read once (:func:`read_entries`), kept compressed, and each document is one
``b"".join`` of fixed local headers, the kept bytes, the few re-rendered parts (deflated
once) and a central directory. Entries keep the template's order, and timestamps are fixed,
so the same context always gives the same bytes.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Sequence

import attrs
from isal import isal_zlib

from lamtheoguongbac import TemplateError

__all__ = ["Entry", "build_zip", "deflate", "read_entries"]

# Local header and central record, each split before the name so all but the offset can be
# packed once per entry.
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHI")
_OFFSET = struct.Struct("<I")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG = 0x04034B50, 0x02014B50, 0x06054B50
_LOCAL_SIG_BYTES = struct.pack("<I", _LOCAL_SIG)
_VERSION = 20  # 2.0: deflate, no zip64
_UTF8_FLAG = 0x800
# 1980-01-01 00:00, the first DOS date: a fixed stamp keeps the output deterministic.
_DOS_TIME, _DOS_DATE = 0, (0 << 9) | (1 << 5) | 1
_LIMIT = 0xFFFFFFFF
# The re-rendered parts are deflated with ISA-L (Intel's storage acceleration library), which
# at its level 1 makes output as small as zlib's level 1 about three times as fast (the body
# of a handbook, 32 KB: 21 µs instead of 58 µs); zlib's level 6 costs twice zlib's level 1 for
# ~15 % less. The output is plain deflate, read by every ZIP reader.
_LEVEL = 1


@attrs.frozen
class Entry:
    """One ZIP entry ready to be written: its name, method (0 stored, 8 deflated),
    uncompressed size, (compressed) ``data``, the local header before the data and the
    central-directory record up to its final field, the offset."""

    name: str
    method: int
    size: int
    data: bytes
    local: bytes
    central: bytes

    @classmethod
    def make(cls, name: str, method: int, crc: int, size: int, data: bytes) -> Entry:
        """An entry of ``data`` compressed by ``method`` (0 stored, 8 deflated) from ``size``
        bytes with CRC-32 ``crc``.

        Raises:
            TemplateError: the entry would need zip64 (4 GiB or more).
        """
        if size >= _LIMIT or len(data) >= _LIMIT:
            raise TemplateError("Văn bản quá lớn (trên 4 GiB)", "document too large (over 4 GiB)")
        raw = name.encode("utf-8")
        flags = 0 if raw.isascii() else _UTF8_FLAG
        fields = (method, _DOS_TIME, _DOS_DATE, crc, len(data), size, len(raw), 0)
        local = _LOCAL.pack(_LOCAL_SIG, _VERSION, flags, *fields) + raw
        central = _CENTRAL.pack(_CENTRAL_SIG, _VERSION, _VERSION, flags, *fields, 0, 0, 0, 0)
        return cls(name, method, size, data, local, central)


def read_entries(raw: bytes, name: str) -> list[Entry]:
    """The entries of the ZIP archive ``raw`` (the file ``name``), compressed bytes untouched,
    in file order.

    Raises:
        TemplateError: not a ZIP archive, an encrypted entry, an unsupported method, or an
            entry that is not where the directory says (truncated or damaged file).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as exc:
        raise TemplateError(
            f"Không đọc được tệp mẫu {name}: không phải tệp .docx hợp lệ (tệp ZIP hỏng)",
            f"cannot read template {name}: not a valid .docx file ({exc})",
        ) from exc
    entries = []
    for info in sorted(infos, key=lambda i: i.header_offset):
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise TemplateError(
                f"Tệp mẫu {name}: phần '{info.filename}' bị mã hóa hoặc nén kiểu lạ",
                f"template {name}: part '{info.filename}' is encrypted or uses an "
                "unsupported compression",
            )
        start = info.header_offset
        if raw[start : start + 4] != _LOCAL_SIG_BYTES or start + _LOCAL.size > len(raw):
            raise _damaged(name, info.filename)
        name_len, extra_len = struct.unpack_from("<HH", raw, start + 26)
        data_start = start + _LOCAL.size + name_len + extra_len
        data = raw[data_start : data_start + info.compress_size]
        if len(data) != info.compress_size:
            raise _damaged(name, info.filename)
        entries.append(
            Entry.make(info.filename, info.compress_type, info.CRC, info.file_size, data)
        )
    return entries


def _damaged(name: str, entry: str) -> TemplateError:
    return TemplateError(
        f"Tệp mẫu {name} bị hỏng: phần '{entry}' bị cắt cụt hoặc sai vị trí",
        f"template {name} is damaged: its part '{entry}' is truncated or misplaced",
    )


def deflate(name: str, content: bytes) -> Entry:
    """A deflated entry for ``content``."""
    data = isal_zlib.compress(content, _LEVEL, -15)
    return Entry.make(name, zipfile.ZIP_DEFLATED, isal_zlib.crc32(content), len(content), data)


def build_zip(entries: Sequence[Entry]) -> bytes:
    """The bytes of a ZIP archive holding ``entries`` in order (no zip64: < 4 GiB).

    Raises:
        TemplateError: the archive would need zip64.
    """
    parts: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for e in entries:
        parts += (e.local, e.data)
        central += (e.central, _OFFSET.pack(offset), e.local[_LOCAL.size :])
        offset += len(e.local) + len(e.data)
    if offset >= _LIMIT:
        raise TemplateError("Văn bản quá lớn (trên 4 GiB)", "document too large (over 4 GiB)")
    directory = b"".join(central)
    end = _END.pack(_END_SIG, 0, 0, len(entries), len(entries), len(directory), offset, 0)
    return b"".join((*parts, directory, end))
