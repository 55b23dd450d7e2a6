"""Shared set-up of the hostile-input suites (``test_hostile_*.py``): one cell of xã Tịnh
Biên in a real store, a member's handbook taken to *reported*, and workbooks to tamper with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result
from openpyxl import load_workbook

from lamtheoguongbac import Handbooks, Member
from lamtheoguongbac.cli import cli
from lamtheoguongbac.spreadsheet import export_workbook
from strategies import (
    CHAIN,
    COMMITTEE,
    DEPUTY,
    MEMBER,
    OTHER_CELL,
    SECRETARY,
    YEAR,
    at,
    full_report,
    good_pledges,
    self_assessment,
)

__all__ = [
    "MEMBERS",
    "append_row",
    "cli_runner",
    "column",
    "edit_workbook",
    "exported_workbook",
    "open_cell",
    "reported_handbook",
    "rows",
    "set_cells",
]

#: The cell's people in the stored roster: a member, the Bí thư, the Phó Bí thư, a chi ủy
#: viên.
MEMBERS: tuple[Member, ...] = (MEMBER, SECRETARY, DEPUTY, COMMITTEE)


def _clock() -> dt.datetime:
    return at(12, 21)


def open_cell(url: str = "memory:") -> Handbooks:
    """A service on ``url`` holding the cell's units and people (clock: 21/12)."""
    service = Handbooks.open(url, clock=_clock)
    service.roster.save([*CHAIN, OTHER_CELL], list(MEMBERS))
    return service


def reported_handbook(service: Handbooks, member: Member = MEMBER) -> str:
    """``member``'s handbook for the year, registered and reported by the member; its id."""
    book = service.create(member.id, year=YEAR, actor=SECRETARY)
    pledges = good_pledges()
    service.register_pledges(book.id, pledges, actor=member)
    service.report_results(
        book.id, full_report(pledges), actor=member, self_assessment=self_assessment()
    )
    return book.id


def exported_workbook(service: Handbooks, path: Path) -> Path:
    """The cell's handbooks of the year with the roster, as ``workbook export`` writes them."""
    export_workbook(
        path, service.find(year=YEAR), members=service.roster.members(), units=service.store.units()
    )
    return path


def edit_workbook(path: Path, edits: Mapping[str, Callable[[Any], None]]) -> Path:
    """Change sheets of a workbook in place: ``edits`` maps a sheet name to a function of
    the openpyxl worksheet."""
    wb = load_workbook(path)
    for sheet, edit in edits.items():
        edit(wb[sheet])
    wb.save(path)
    return path


def append_row(values: Mapping[str, object]) -> Callable[[Any], None]:
    """An edit that appends a row holding ``values`` by column key (``"ma_nguoi_ghi"``)."""

    def edit(ws: Any) -> None:
        row = ws.max_row + 1
        for key, value in values.items():
            ws.cell(row=row, column=column(ws, key), value=value)

    return edit


def set_cells(member_id: str, values: Mapping[str, object]) -> Callable[[Any], None]:
    """An edit that sets ``values`` (by column key) on the row whose first cell is
    ``member_id``."""

    def edit(ws: Any) -> None:
        for row in ws.iter_rows(min_row=2):
            if row[0].value == member_id:
                for key, value in values.items():
                    ws.cell(row=row[0].row, column=column(ws, key), value=value)

    return edit


def cli_runner(store: str) -> Callable[..., Result]:
    """Run the command line on ``store``; exceptions are not caught (exit 70 would show)."""
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--store", store, *args], catch_exceptions=False)

    return invoke


def column(ws: Any, key: str) -> int:
    """The 1-based column of ``key``'s header in a data sheet of the layout."""
    from lamtheoguongbac.spreadsheet import SHEETS

    sheet = next(s for s in SHEETS if s.name == ws.title)
    headers = [c.value for c in ws[1]]
    header = next(c.header for c in sheet.columns if c.key == key)
    return headers.index(header) + 1


def rows(ws: Any) -> Iterator[list[Any]]:
    """The data rows of a sheet, as values."""
    for row in ws.iter_rows(min_row=2, values_only=True):
        if any(v is not None for v in row):
            yield list(row)
