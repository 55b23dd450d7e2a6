"""The committee's year from the command line, on a real SQLite store: an officer inspects a
cell, its secretary follows up (by hand and through the workbook), the summary report shows
both; a household outside the party is nominated, commended and printed in the yearbook under
its field. The documents are read back as PDF text through LibreOffice when it is installed,
else from the .docx text."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import (
    Handbooks,
    HandbookStatus,
    Role,
    RoleAssignment,
)
from lamtheoguongbac.cli import cli
from lamtheoguongbac.export import convert_to_pdf, soffice_available
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import creation_event, make_handbook, make_member, make_roster

YEAR = 2025
_BASE = make_roster(cells=2, members_per_cell=4, grassroots=1)
GRASSROOTS = _BASE.units[1].id
CELL = _BASE.cell_ids[0]
OFFICER = attrs.evolve(
    make_member(90, cell=_BASE.cell_ids[1], id="ubkt-01", full_name="Trần Văn Bình"),
    roles=(
        RoleAssignment(role=Role.SUPPORT_OFFICER, unit_id=GRASSROOTS, start=dt.date(2020, 1, 1)),
    ),
)
HEAD = attrs.evolve(
    make_member(91, cell=_BASE.cell_ids[1], id="bt-xa", full_name="Nguyễn Văn Hải"),
    roles=(RoleAssignment(role=Role.SECRETARY, unit_id=GRASSROOTS, start=dt.date(2020, 1, 1)),),
)
ROSTER = attrs.evolve(_BASE, members=(*_BASE.members, OFFICER, HEAD))
MEMBERS = [m for m in ROSTER.members if m.cell_id == CELL]
SECRETARY = MEMBERS[0]


@pytest.fixture
def run(tmp_path: Path) -> Any:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        service.roster.save(ROSTER.units, ROSTER.members)
        book = make_handbook(
            HandbookStatus.REGISTERED,
            member=MEMBERS[1],
            organisation=ROSTER.organisation(CELL),
            year=YEAR,
        )
        generic = attrs.evolve(
            book.pledges[0], deed="Thực hiện tốt nhiệm vụ được giao", target=None, deadline=None
        )
        book = attrs.evolve(book, pledges=(generic, *book.pledges[1:]))
        service.store.add(book, creation_event(book))
    registry = create_registry()
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli, ["--store", url, *args], obj={"registry": registry}, catch_exceptions=False
        )

    return invoke


def _text(docx: Path, tmp_path: Path) -> str:
    """The document's text: through a PDF (LibreOffice, pdftotext) when they are installed,
    else the paragraphs and table cells of the .docx."""
    if soffice_available() and shutil.which("pdftotext"):
        import subprocess

        [pdf] = convert_to_pdf(tmp_path / "pdf", [docx]).written
        done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
        return " ".join(done.stdout.decode("utf-8").split())
    import docx as python_docx

    document = python_docx.Document(str(docx))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def test_an_officer_inspects_a_cell_and_the_secretary_follows_up(run: Any, tmp_path: Path) -> None:
    suggested = run("inspect", "suggest", "--cell", CELL, "--year", "2025", "--on", "01/07/2025")
    assert suggested.exit_code == 0, suggested.output
    assert "dang_ky_chung_chung" in suggested.output
    assert "Thực hiện tốt nhiệm vụ được giao" in suggested.output

    refused = run(
        "inspect", "record", "--cell", CELL, "--year", "2025", "--suggested",
        "--as", MEMBERS[2].id,
    )  # fmt: skip
    assert refused.exit_code == 2
    assert "không phải cán bộ của cấp ủy nào" in refused.stderr

    recorded = run(
        "inspect", "record", "--cell", CELL, "--year", "2025", "--on", "01/07/2025",
        "--suggested", "--as", OFFICER.id, "--body-name", "Ban Thường vụ Đảng ủy xã",
        "--conclusion", "Chi bộ cần chấn chỉnh việc đăng ký",
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    inspection = f"kt-20250701-{CELL}"
    assert f"Đã ghi cuộc kiểm tra {inspection} của Ban Thường vụ Đảng ủy xã" in recorded.output
    assert "2 phát hiện, 2 yêu cầu khắc phục" in recorded.output

    not_theirs = run(
        "inspect", "follow-up", inspection, "y1", "--as", MEMBERS[2].id, "--text", "x",
        "--on", "10/07/2025",
    )  # fmt: skip
    assert not_theirs.exit_code == 2
    assert "không được báo cáo kết quả khắc phục" in not_theirs.stderr

    followed = run(
        "inspect", "follow-up", inspection, "y1", "--as", SECRETARY.id,
        "--text", "Đồng chí Sơn đã đăng ký lại việc làm cụ thể", "--on", "10/07/2025",
    )  # fmt: skip
    assert followed.exit_code == 0, followed.output
    assert "đã khắc phục" in followed.output

    # The second request is followed up through the workbook the cell fills in.
    book = tmp_path / "kiem-tra.xlsx"
    assert run("inspect", "workbook", inspection, "--out", str(book)).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(book)
    ws = wb["Kiểm tra"]
    headers = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        if row[headers.index("Mã yêu cầu")].value == "y2":
            row[headers.index("Kết quả")].value = "Đã họp chi bộ, 3 đồng chí hoàn thành đăng ký"
            row[headers.index("Ngày")].value = dt.date(2025, 7, 20)
            row[headers.index("Đã xong")].value = "x"
    wb.save(book)
    applied = run("inspect", "follow-up", inspection, "--workbook", str(book), "--as", SECRETARY.id)
    assert applied.exit_code == 0, applied.output
    assert "Đã ghi 1 kết quả khắc phục" in applied.output
    again = run("inspect", "follow-up", inspection, "--workbook", str(book), "--as", SECRETARY.id)
    assert "Đã ghi 0 kết quả khắc phục" in again.output  # applying twice changes nothing

    shown = run("inspect", "show", inspection)
    assert shown.exit_code == 0, shown.output
    assert "Ghi kết quả kiểm tra — Trần Văn Bình" in shown.output
    assert shown.output.count("Báo cáo khắc phục —") == 2
    listed = run("inspect", "list", "--year", "2025")
    assert "2/2 yêu cầu đã khắc phục" in listed.output

    # In English: the kinds, the audit notes and the statuses in English; the findings'
    # own text is the inspection's record, quoted as recorded.
    english = run("--lang", "en", "inspect", "show", inspection)
    assert english.exit_code == 0, english.output
    assert "generic pledges that cannot be measured" in english.output
    assert "(1 cell, 2 findings)" in english.output
    assert "(request y1: done)" in english.output
    assert "recorded: «" in english.output
    assert "cb-00-0000): 1 handbook\n" in english.output
    # the lines the library words (not a record's text, a request's or a follow-up's)
    library_lines = [
        line
        for line in english.output.splitlines()
        if "«" not in line and not line.startswith(("    y", "        "))
    ]
    for said in ("chi bộ,", "phát hiện", "đã khắc phục", "ngày", "năm", " sổ", "hạn "):
        assert not any(said in line for line in library_lines), said

    report = tmp_path / "bao-cao.docx"
    done = run(
        "summary-report", "--org", GRASSROOTS, "--year", "2025", "--today", "25/07/2025",
        "--out", str(report),
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    text = _text(report, tmp_path)
    assert "V. KẾT QUẢ KIỂM TRA, GIÁM SÁT VIỆC THỰC HIỆN SỔ TAY" in text
    assert "đã kiểm tra, giám sát 1 chi bộ" in text
    assert "Đã yêu cầu khắc phục 2 nội dung: 2 đã khắc phục" in text
    assert "Thực hiện tốt nhiệm vụ được giao" in text
    assert "Đồng chí Sơn đã đăng ký lại việc làm cụ thể" in text
    assert "Đã họp chi bộ, 3 đồng chí hoàn thành đăng ký" in text


def test_inspection_findings_can_come_from_a_filled_workbook(run: Any, tmp_path: Path) -> None:
    drafts = tmp_path / "goi-y.xlsx"
    wrote = run(
        "inspect", "suggest", "--cell", CELL, "--year", "2025", "--on", "01/07/2025",
        "--out", str(drafts),
    )  # fmt: skip
    assert wrote.exit_code == 0, wrote.output
    from openpyxl import load_workbook

    wb = load_workbook(drafts)
    ws = wb["Kiểm tra"]
    ws.append(
        ["f9", CELL, None, None, "Cách làm hay, điển hình", "Chi bộ nhắc việc qua Zalo hằng tháng"]
    )
    wb.save(drafts)
    recorded = run(
        "inspect", "record", "--cell", CELL, "--year", "2025", "--on", "01/07/2025",
        "--findings", str(drafts), "--as", OFFICER.id,
    )  # fmt: skip
    assert recorded.exit_code == 0, recorded.output
    assert "3 phát hiện, 2 yêu cầu khắc phục" in recorded.output

    ws.append(["f10", CELL, None, None, "không có loại này", "x"])
    wb.save(drafts)
    bad = run(
        "inspect", "record", "--cell", CELL, "--year", "2025", "--on", "02/07/2025",
        "--findings", str(drafts), "--as", OFFICER.id,
    )  # fmt: skip
    assert bad.exit_code == 2
    assert "Kiểm tra, dòng" in bad.stderr
    assert "(Loại): không có loại 'không có loại này'" in bad.stderr


def test_a_household_outside_the_party_is_commended_and_printed_under_its_field(
    run: Any, tmp_path: Path
) -> None:
    nominated = run(
        "exemplar", "nominate", "--name", "Hộ ông Trần Văn Ba", "--collective", "--org", CELL,
        "--year", "2025", "--field", "nong_thon_moi", "--hamlet", "Ấp 3",
        "--commune", "xã Tịnh Biên", "--figure", "50000000|đồng|tiền mặt",
        "--figure", "120|ngày công", "--figure", "350|m|đường bê tông",
        "--proposed-by", "Ban Công tác Mặt trận ấp 3",
        "--evidence", "Biên bản họp dân ấp 3 ngày 12/10/2025",
        "--achievements", "Hiến 200 m² đất và góp tiền, ngày công làm đường giao thông ấp 3",
        "--as", SECRETARY.id,
    )  # fmt: skip
    assert nominated.exit_code == 0, nominated.output
    exemplar = f"tap_the-2025-{CELL}-ho-ong-tran-van-ba"
    assert exemplar in nominated.output

    commend = [
        "exemplar", "commend", exemplar, "--authority", "Ban Thường vụ Đảng ủy xã Tịnh Biên",
        "--decision", "125-QĐ/ĐU", "--date", "05/01/2026", "--body", GRASSROOTS,
    ]  # fmt: skip
    refused = run(*commend, "--as", SECRETARY.id)  # a cell's secretary, not the body's officer
    assert refused.exit_code == 2
    assert "không được ghi nhận khen thưởng" in refused.stderr
    commended = run(*commend, "--as", HEAD.id)
    assert commended.exit_code == 0, commended.output

    listed = run("exemplar", "list", "--year", "2025")
    assert "Tập thể ngoài Đảng\tHộ ông Trần Văn Ba\tẤp 3, xã Tịnh Biên" in listed.output
    shown = run("exemplar", "show", exemplar)
    assert "Đề cử gương điển hình" in shown.output
    assert "Ghi nhận khen thưởng — Nguyễn Văn Hải (Quyết định số 125-QĐ/ĐU" in shown.output

    out = tmp_path / "ky-yeu.docx"
    done = run("yearbook", "--year", "2025", "--org", GRASSROOTS, "--out", str(out))
    assert done.exit_code == 0, done.output
    text = _text(out, tmp_path)
    part = text.index("PHẦN I. XÂY DỰNG NÔNG THÔN MỚI, ĐÔ THỊ VĂN MINH")
    assert text.index("1. Hộ ông Trần Văn Ba", part) > part
    assert "Địa bàn: Ấp 3, xã Tịnh Biên" in text
    assert "Kết quả nổi bật: 50.000.000 đồng tiền mặt; 120 ngày công; 350 m đường bê tông." in text
    assert (
        "Được Ban Thường vụ Đảng ủy xã Tịnh Biên tặng Giấy khen theo Quyết định số 125-QĐ/ĐU "
        "ngày 05 tháng 01 năm 2026"
    ) in text
    assert "ĐẢNG ỦY XÃ SỐ 1" in text  # the committee issues it
    assert "T/M ĐẢNG ỦY BÍ THƯ" in text
    assert "Nguyễn Văn Hải" in text  # the grassroots Bí thư, from the roster
    assert "BẢNG TRA CỨU TÊN" in text


def test_a_findings_file_refuses_an_unknown_top_level_key(run: Any, tmp_path: Path) -> None:
    """As every command's JSON document does (finding F18): the inspector is the --as."""
    path = tmp_path / "f.json"
    path.write_text('{"schema_version": 2, "findings": [], "inspector": "dv01"}', encoding="utf-8")
    refused = run(
        "inspect", "record", "--cell", CELL, "--year", "2025", "--on", "01/07/2025",
        "--findings", str(path), "--as", OFFICER.id,
    )  # fmt: skip
    assert refused.exit_code == 2, refused.output
    assert f"{path}: $.inspector" in refused.stderr
