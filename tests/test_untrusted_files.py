"""Workbooks are data from users: a zip bomb, a huge or damaged file is an ImportFailed naming
the file (and the sheet at fault), never a parser's traceback or gigabytes of memory.

Every file here is crafted in ``tmp_path`` from a workbook openpyxl writes. (The Word
templates' twins of these tests are in the docx plugin's ``test_docx_untrusted.py``.)
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from lamtheoguongbac import ImportFailed
from lamtheoguongbac import _fsutil as fsutil
from lamtheoguongbac.spreadsheet import read_workbook

MEMBERS = "Đảng viên"
_SHEET = "xl/worksheets/sheet1.xml"  # the one sheet of the workbooks made below


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    """A valid workbook of one layout sheet ("Đảng viên") with a header and two members."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = MEMBERS
    ws.append(["Mã", "Họ và tên", "Chi bộ", "Trạng thái"])
    ws.append(["dv01", "Nguyễn Văn An", "cb01", "Chính thức"])
    ws.append(["dv02", "Trần Thị Bình", "cb01", "Chính thức"])
    path = tmp_path / "chi-bo.xlsx"
    wb.save(path)
    return path


def _rewrite(
    path: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> Path:
    """``path`` with each entry's content passed through ``change`` (None drops the entry),
    and the ``extra`` entries added."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    crafted = path.with_name(f"crafted-{path.name}")
    crafted.write_bytes(out.getvalue())
    return crafted


def _only_problem(path: Path) -> str:
    with pytest.raises(ImportFailed) as caught:
        read_workbook(path)
    error = caught.value
    assert error.source == str(path)
    assert str(path) in error.message_vi
    assert str(path) in error.message_en
    (problem,) = error.errors
    vi, en = problem.split(" / ", 1)
    assert vi
    assert en
    return problem


def test_the_crafting_keeps_a_valid_workbook_valid(workbook: Path) -> None:
    same = _rewrite(workbook, lambda name, data: data)

    assert [m.full_name for m in read_workbook(same).members] == ["Nguyễn Văn An", "Trần Thị Bình"]


def test_a_zip_bomb_is_refused_before_anything_is_inflated(workbook: Path) -> None:
    bomb = _rewrite(workbook, lambda name, data: data, {"xl/media/image1.png": b"\0" * 5_000_000})

    problem = _only_problem(bomb)

    assert problem.startswith("tệp Excel bị từ chối: phần 'xl/media/image1.png' giải nén ra")
    assert "the workbook was refused: entry 'xl/media/image1.png' inflates to 4.8 MB" in problem


def test_a_bomb_in_a_sheet_is_refused_too(workbook: Path) -> None:
    def pad(name: str, data: bytes) -> bytes:
        # 3 MB of blank space inside the sheet's XML: well-formed, and 1 000 times smaller.
        return (
            data.replace(b"<sheetData>", b"<sheetData>" + b" " * 3_000_000)
            if name == _SHEET
            else data
        )

    problem = _only_problem(_rewrite(workbook, pad))

    assert f"phần '{_SHEET}'" in problem
    assert "a likely zip bomb" in problem


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    huge = tmp_path / "lon.xlsx"
    with huge.open("wb") as file:
        file.truncate(fsutil.MAX_ZIP_FILE_SIZE + 1)

    problem = _only_problem(huge)

    assert "tệp quá lớn" in problem
    assert "the file is too large" in problem


def test_too_many_entries_are_refused(workbook: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = _rewrite(workbook, lambda name, data: data, {f"x{i}": b"" for i in range(50)})
    assert read_workbook(many).members  # 60 entries: far under the limit
    monkeypatch.setattr(fsutil, "MAX_ZIP_ENTRIES", 40)  # the limit is read when called

    problem = _only_problem(many)

    assert problem == (
        "tệp Excel bị từ chối: tệp nén có hơn 40 phần / "
        "the workbook was refused: the archive has more than 40 entries"
    )


def test_a_truncated_sheet_names_the_sheet(workbook: Path) -> None:
    def cut(name: str, data: bytes) -> bytes:
        return data[: len(data) // 2] if name == _SHEET else data

    problem = _only_problem(_rewrite(workbook, cut))

    assert problem.startswith(f"Trang '{MEMBERS}': không đọc được, tệp hỏng hoặc bị cắt cụt (")
    assert f"sheet '{MEMBERS}': cannot be read, the file is damaged or truncated (" in problem
    assert "ParseError" in problem


def test_a_missing_sheet_part_is_a_missing_sheet(workbook: Path) -> None:
    # openpyxl leaves out a sheet whose part is missing: the workbook has no layout sheet.
    problem = _only_problem(_rewrite(workbook, lambda n, d: None if n == _SHEET else d))

    assert problem.startswith("không có trang nào theo mẫu sổ tay")


@pytest.mark.parametrize(
    "part", ["xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml"]
)
def test_a_missing_or_malformed_workbook_part_is_told_for_the_file(
    workbook: Path, part: str
) -> None:
    missing = _rewrite(workbook, lambda n, d: None if n == part else d)
    malformed = _rewrite(workbook, lambda n, d: d[:-20] if n == part else d)

    for crafted in (missing, malformed):
        problem = _only_problem(crafted)
        assert problem.startswith("không đọc được tệp Excel (.xlsx; tệp .xls cũ cần lưu lại")
        assert "cannot read the Excel workbook" in problem


def test_a_damaged_entry_is_told_not_raised(workbook: Path) -> None:
    data = bytearray(workbook.read_bytes())
    with zipfile.ZipFile(workbook) as archive:
        info = archive.getinfo(_SHEET)
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26 : info.header_offset + 28],
                                         "little"), int.from_bytes(
        data[info.header_offset + 28 : info.header_offset + 30], "little")  # fmt: skip
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 10, start + info.compress_size - 10):
        data[i] ^= 0x5A  # the compressed bytes scrambled: bad deflate data or a bad CRC
    damaged = workbook.with_name("hong.xlsx")
    damaged.write_bytes(bytes(data))

    problem = _only_problem(damaged)

    # openpyxl inflates the sheet as it opens the workbook: the file is named, not the sheet.
    assert problem.startswith("không đọc được tệp Excel (.xlsx; tệp .xls cũ cần lưu lại")
    assert "zlib.error: Error -3 while decompressing data" in problem


def test_entities_in_a_sheet_are_not_expanded(workbook: Path) -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )

    def bomb(name: str, data: bytes) -> bytes:
        if name != _SHEET:
            return data
        body = data.split(b"?>", 1)[1] if data.startswith(b"<?xml") else data
        return laughs + body.replace(b"Nguy", b"&lol9;Nguy", 1)

    problem = _only_problem(_rewrite(workbook, bomb))

    assert problem.startswith(f"Trang '{MEMBERS}': không đọc được")
    assert "amplification" in problem  # expat's guard against billion laughs


def test_a_file_that_is_not_a_zip_keeps_its_hint_about_old_xls_files(tmp_path: Path) -> None:
    old = tmp_path / "cu.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)  # an OLE2 (.xls) header

    problem = _only_problem(old)

    assert "tệp .xls cũ cần lưu lại dạng .xlsx" in problem
    assert "save an old .xls as .xlsx" in problem
