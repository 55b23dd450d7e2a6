"""Hostile input: the roster rows of a workbook (LTGB-G008).

The roster decides who holds a cell's offices, who is suspended and who belongs to which
cell — so who may sign a cell's assessment. A member handing in the cell's workbook must
not add a Bí thư to it, move the one it has, suspend a colleague or rename anyone; the
superior committee may, and a store with no roster yet takes a first one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import attrs
import pytest

from hostile import append_row, cli_runner, edit_workbook, exported_workbook, open_cell, set_cells
from lamtheoguongbac import Handbooks, MemberStatus, NotAuthorised, Role
from lamtheoguongbac.spreadsheet import read_workbook
from strategies import CELL, MEMBER, OTHER_CELL, SECRETARY, SUPERIOR, YEAR

UNITS_SHEET, MEMBERS_SHEET = "Tổ chức", "Đảng viên"

FAKE_SECRETARY = {
    "ma": "dv-gia",
    "ho_va_ten": "Bí Thư Giả",
    "chi_bo": CELL.id,
    "trang_thai": "Chính thức",
    "vai_tro": "Bí thư",
    "vai_tro_tu_ngay": dt.date(YEAR, 1, 1),
}

#: name → the edit a member makes to the exported workbook's roster sheets
EDITS: dict[str, dict[str, Callable[[Any], None]]] = {
    "adds a Bí thư": {MEMBERS_SHEET: append_row(FAKE_SECRETARY)},
    "adds a member without a role": {
        MEMBERS_SHEET: append_row({k: v for k, v in FAKE_SECRETARY.items() if "vai_tro" not in k})
    },
    "moves the Bí thư to another cell": {
        MEMBERS_SHEET: set_cells(SECRETARY.id, {"chi_bo": OTHER_CELL.id})
    },
    "suspends a colleague": {
        MEMBERS_SHEET: set_cells(SECRETARY.id, {"trang_thai": "Đình chỉ sinh hoạt đảng"})
    },
    "renames someone": {MEMBERS_SHEET: set_cells(SECRETARY.id, {"ho_va_ten": "Tên Khác"})},
    "renames the cell": {UNITS_SHEET: set_cells(CELL.id, {"ten": "Chi bộ Giả"})},
    "adds a cell": {
        UNITS_SHEET: append_row(
            {"ma": "chibo-gia", "ten": "Chi bộ Giả", "cap": "Chi bộ", "ma_cap_tren": "xa-tb"}
        )
    },
}


@pytest.fixture
def service() -> Handbooks:
    return open_cell()


def _edited(service: Handbooks, tmp_path: Path, edit: str) -> Path:
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    return edit_workbook(path, EDITS[edit])


def _roster(service: Handbooks) -> tuple[object, object]:
    return sorted(service.store.units(), key=lambda u: u.id), service.roster.members()


@pytest.mark.parametrize("edit", list(EDITS))
@pytest.mark.parametrize("actor", [MEMBER, SECRETARY], ids=["member", "secretary"])
def test_only_the_superior_committee_changes_the_roster_through_a_workbook(
    service: Handbooks, tmp_path: Path, edit: str, actor: Any
) -> None:
    path = _edited(service, tmp_path, edit)
    before = _roster(service)
    with pytest.raises(NotAuthorised) as refused:
        service.import_workbook(read_workbook(path), year=YEAR, actor=actor)
    if "moves" in edit:  # the office moves with the Bí thư: a change of roles, told as such
        assert refused.value.code in {"LTGB-G003", "LTGB-G007"}
    else:
        assert refused.value.code == "LTGB-G008"
        assert "only the superior committee may" in refused.value.message("en")
        assert "chỉ cấp ủy cấp trên mới được" in refused.value.message("vi")
    assert _roster(service) == before  # nothing written
    assert list(service.find(year=YEAR)) == []


def test_the_superior_committee_may(service: Handbooks, tmp_path: Path) -> None:
    path = _edited(service, tmp_path, "adds a Bí thư")
    service.import_workbook(read_workbook(path), year=YEAR, actor=SUPERIOR)
    assert service.roster.member("dv-gia").roles_on(dt.date(YEAR, 6, 1), CELL.id) == {
        Role.SECRETARY
    }


def test_rows_as_exported_are_no_change(service: Handbooks, tmp_path: Path) -> None:
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    result = service.import_workbook(read_workbook(path), year=YEAR, actor=MEMBER)
    assert result.members == len(service.roster.members())


def test_a_store_without_a_roster_takes_a_first_one(service: Handbooks, tmp_path: Path) -> None:
    path = _edited(service, tmp_path, "suspends a colleague")
    with Handbooks.open("memory:") as empty:
        empty.import_workbook(read_workbook(path), year=YEAR, actor=MEMBER)
        assert empty.roster.member(SECRETARY.id).status is MemberStatus.SUSPENDED


def test_the_cli_refuses_it_with_the_code(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    path = _edited(service, tmp_path, "adds a Bí thư")
    service.close()
    run = cli_runner(url)
    refused = run(
        "--lang", "en", "workbook", "import", str(path), "--year", str(YEAR), "--as", MEMBER.id
    )
    assert refused.exit_code == 2, refused.output
    assert "only the superior committee may" in refused.output
    assert "dv-gia" not in run("list", "--year", str(YEAR)).output
    with Handbooks.open(url) as again:
        assert "dv-gia" not in {m.id for m in again.roster.members()}


def test_moving_a_cell_under_another_committee_needs_offices_above_both(
    service: Handbooks, tmp_path: Path
) -> None:
    """An office above the cell's old place was enough to move it anywhere: a commune's
    committee member put the cell under another commune, where he holds nothing."""
    from lamtheoguongbac import Actor, RoleAssignment
    from strategies import ROOT, XA

    other = attrs.evolve(XA, id="xa-khac", name="Đảng bộ xã Khác", place="Khác")
    service.roster.save([other], [])
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {UNITS_SHEET: set_cells(CELL.id, {"ma_cap_tren": other.id})})
    before = _roster(service)
    with pytest.raises(NotAuthorised) as refused:
        service.import_workbook(read_workbook(path), year=YEAR, actor=SUPERIOR)
    assert refused.value.code == "LTGB-G008"
    assert CELL.id in refused.value.message("en")
    assert _roster(service) == before

    province = Actor(
        id="dv-tinh",
        name="Lê Văn Tỉnh",
        roles=(
            RoleAssignment(role=Role.COMMITTEE_MEMBER, unit_id=ROOT.id, start=dt.date(2020, 1, 1)),
        ),
    )
    service.import_workbook(read_workbook(path), year=YEAR, actor=province)
    assert service.roster.tree().unit(CELL.id).parent_id == other.id
