"""Every change to the roster is in its audit trail: the roster decides who may sign, so
who granted an office — through the API, the command line or a workbook — is kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from hostile import cli_runner, edit_workbook, exported_workbook, open_cell, set_cells
from lamtheoguongbac import Actor, Handbooks, Member, Role, RoleAssignment
from lamtheoguongbac.plugin import RecordType
from lamtheoguongbac.spreadsheet import read_workbook
from strategies import CELL, MEMBER, SECRETARY, SUPERIOR, XA, YEAR

A = "added"
C = "changed"


def _trail(
    service: Handbooks, record_id: str, kind: RecordType = RecordType.MEMBER
) -> list[tuple[str, str, int]]:
    events = service.roster.history(record_id, kind=kind)
    return [(e.action.value, e.actor_id, e.version) for e in events]


def test_the_api_records_who_added_and_who_changed_a_member() -> None:
    service = open_cell()
    newcomer = Member(id="dv-moi", full_name="Lý Thị Mới", cell_id=CELL.id)
    service.roster.save([], [newcomer], actor=SUPERIOR)
    assert _trail(service, newcomer.id) == [(A, SUPERIOR.id, 1)]

    # saved again as it is: nothing happened, nothing is recorded
    service.roster.save([], [newcomer], actor=SUPERIOR)
    assert _trail(service, newcomer.id) == [(A, SUPERIOR.id, 1)]

    office = RoleAssignment(role=Role.DEPUTY_SECRETARY, unit_id=CELL.id, start=dt.date(2025, 7, 1))
    service.roster.save([], [attrs.evolve(newcomer, roles=(office,))], actor=SECRETARY)
    history = service.roster.history(newcomer.id)
    assert [(e.action.value, e.actor_id, e.version) for e in history] == [
        (A, SUPERIOR.id, 1),
        (C, SECRETARY.id, 2),
    ]
    granted = history[-1]
    assert granted.actor_name == SECRETARY.full_name  # the roster's name, not the caller's
    assert granted.note is not None
    assert "roles: Phó Bí thư chibo-tanloi từ 01/07/2025" in granted.note
    assert "full_name" not in granted.note  # only what changed


def test_units_have_their_own_trail() -> None:
    service = open_cell()
    renamed = attrs.evolve(XA, name="Đảng bộ xã Tịnh Biên mới")
    service.roster.save([renamed], [], actor=SUPERIOR)
    events = service.roster.history(XA.id, kind=RecordType.UNIT)
    # open_cell saved the first roster naming nobody
    assert [(e.action.value, e.actor_id) for e in events] == [(A, "khong-ro"), (C, SUPERIOR.id)]
    assert events[-1].note == "name: Đảng bộ xã Tịnh Biên mới"
    assert service.roster.history(XA.id) == []  # not a member's trail


def test_a_save_naming_nobody_is_recorded_as_by_an_unknown_actor() -> None:
    service = open_cell()
    moved = attrs.evolve(MEMBER, full_name="Nguyễn Văn An Mới")
    service.roster.save([], [moved])
    assert _trail(service, MEMBER.id)[-1] == (C, "khong-ro", 2)


def test_a_workbook_granting_an_office_is_recorded_as_its_importer(tmp_path: Path) -> None:
    service = open_cell()
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"vai_tro": "Phó Bí thư"})})
    edit_workbook(path, {"Đảng viên": set_cells(MEMBER.id, {"vai_tro_tu_ngay": "01/07/2025"})})
    service.import_workbook(read_workbook(path), year=YEAR, actor=SUPERIOR)
    assert _trail(service, MEMBER.id)[-1] == (C, SUPERIOR.id, 2)
    assert Role.DEPUTY_SECRETARY in service.roster.member(MEMBER.id).roles_on(
        dt.date(2025, 12, 1), CELL.id
    )


@pytest.mark.parametrize("as_", [["--as", "qtv-tinh"], []], ids=["as", "nobody"])
def test_the_command_line_import_records_who_ran_it(tmp_path: Path, as_: list[str]) -> None:
    units, members = tmp_path / "to-chuc.csv", tmp_path / "dang-vien.csv"
    units.write_text(
        "ma,ten,cap,ma_cap_tren\ntinh,Đảng bộ tỉnh,Đảng bộ tỉnh,\ncb-1,Chi bộ 1,Chi bộ,tinh\n",
        encoding="utf-8",
    )
    members.write_text("ma,ho_va_ten,chi_bo\ndv1,Lê Văn An,cb-1\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    result = cli_runner(url)("import", str(units), str(members), *as_)
    assert result.exit_code == 0, result.output
    with Handbooks.open(url) as service:
        who = as_[1] if as_ else "khong-ro"
        assert _trail(service, "dv1") == [(A, who, 1)]
        assert _trail(service, "cb-1", RecordType.UNIT) == [(A, who, 1)]


def test_a_member_given_twice_in_one_save_is_recorded_as_saved_one_after_the_other() -> None:
    service = open_cell()
    first = Member(id="dv-hai-lan", full_name="Đinh Văn Hai", cell_id=CELL.id)
    second = attrs.evolve(first, position="Phó trưởng ấp")
    service.roster.save([], [first, second, second], actor=SUPERIOR)
    assert _trail(service, first.id) == [(A, SUPERIOR.id, 1), (C, SUPERIOR.id, 2)]
    assert service.roster.member(first.id).position == "Phó trưởng ấp"


def test_a_member_saving_under_another_name_is_recorded_by_the_stored_name() -> None:
    """The trail took the name on the caller's Actor; the lifecycle steps already signed
    with the roster's."""
    service = open_cell()
    forged = Actor(id=SECRETARY.id, name="Kẻ Mạo Danh")
    newcomer = Member(id="dv-moi", full_name="Lý Thị Mới", cell_id=CELL.id)
    service.roster.save([], [newcomer], actor=forged)
    (event,) = service.roster.history(newcomer.id)
    assert (event.actor_id, event.actor_name) == (SECRETARY.id, SECRETARY.full_name)


@pytest.mark.parametrize("count", [3, 1200], ids=["small save", "province-sized save"])
def test_a_large_save_tells_new_changed_and_unchanged_members_apart_as_a_small_one(
    count: int,
) -> None:
    # A save of 1,000 members or more reads the stored roster once instead of a member at a
    # time: the trail must be the same either way.
    service = open_cell()
    people = [
        Member(id=f"dv-{i:05d}", full_name=f"Người số {i}", cell_id=CELL.id) for i in range(count)
    ]
    service.roster.save([], people[:-1], actor=SUPERIOR)
    renamed = attrs.evolve(people[0], full_name="Người đổi tên")
    service.roster.save([], [renamed, *people[1:]], actor=SECRETARY)
    assert _trail(service, people[0].id) == [(A, SUPERIOR.id, 1), (C, SECRETARY.id, 2)]
    assert _trail(service, people[1].id) == [(A, SUPERIOR.id, 1)]  # saved as it was
    assert _trail(service, people[-1].id) == [(A, SECRETARY.id, 1)]  # new in the second save


def test_a_damaged_member_the_save_does_not_hold_does_not_stop_a_large_save(
    tmp_path: Path,
) -> None:
    # A large save reads the stored roster whole; a damaged row of a member the save does
    # not hold stopped it, where a small save never read that row.
    import sqlite3

    path = tmp_path / "so-tay.db"
    service = open_cell(f"sqlite:///{path}")
    people = [
        Member(id=f"dv-{i:05d}", full_name=f"Người số {i}", cell_id=CELL.id) for i in range(1200)
    ]
    service.roster.save([], people[:10], actor=SUPERIOR)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE members SET document = '{' WHERE id = ?", (people[0].id,))
    service.roster.save([], people[1:], actor=SECRETARY)
    assert _trail(service, people[1].id) == [(A, SUPERIOR.id, 1)]
    assert _trail(service, people[-1].id) == [(A, SECRETARY.id, 1)]
    service.close()
