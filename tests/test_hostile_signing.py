"""Hostile input: nobody signs for someone else (issue 15, class 1).

An ordinary member must not get a handbook rated and signed "T/M CHI BỘ — BÍ THƯ" in the
Bí thư's name through a workbook, a JSON file or a low-level store write; nor make
themselves (or anyone) Bí thư through a workbook that also records steps.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from hostile import (
    MEMBERS,
    append_row,
    cli_runner,
    edit_workbook,
    exported_workbook,
    open_cell,
    reported_handbook,
    set_cells,
)
from lamtheoguongbac import (
    Actor,
    EventKind,
    Handbook,
    Handbooks,
    HandbookStatus,
    ImportFailed,
    NotAuthorised,
    Role,
    RoleAssignment,
    RulesViolated,
    serde,
)
from lamtheoguongbac.plugin import trusted_restore
from lamtheoguongbac.spreadsheet import read_workbook
from lamtheoguongbac.testing import creation_event
from strategies import CELL, MEMBER, OTHER_CELL, SECRETARY, SUPERIOR, XA, YEAR, assessment

ASSESSMENTS, MEMBERS_SHEET = "Đánh giá chi bộ", "Đảng viên"
MEETING = dt.date(YEAR, 12, 20)


def _assessment_row(recorder_id: str) -> dict[str, object]:
    return {
        "ma_dang_vien": MEMBER.id,
        "nhan_xet": "Đồng chí hoàn thành xuất sắc mọi việc đã đăng ký.",
        "xep_loai": "HTXSNV",
        "ngay_hop": MEETING,
        "ma_nguoi_ghi": recorder_id,
    }


@pytest.fixture
def service() -> Handbooks:
    return open_cell()


@pytest.fixture
def forged(service: Handbooks, tmp_path: Path) -> Path:
    """The cell's workbook with an assessment row a member added, naming the Bí thư."""
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    return edit_workbook(path, {ASSESSMENTS: append_row(_assessment_row(SECRETARY.id))})


def test_a_member_cannot_sign_the_cells_assessment_in_the_secretarys_name(
    service: Handbooks, forged: Path
) -> None:
    hid = f"{MEMBER.id}-{YEAR}"
    before = service.history(hid)
    with pytest.raises(ImportFailed) as refused:
        service.import_workbook(read_workbook(forged), year=YEAR, actor=MEMBER)
    text = str(refused.value)
    assert "LTGB-G001" in text
    assert f"Trang '{ASSESSMENTS}'" in text
    assert "Mã người ghi" in text
    assert service.get(hid).status is HandbookStatus.REPORTED
    assert service.get(hid).collective_assessment is None
    assert service.history(hid) == before


def test_the_secretary_importing_it_signs_as_themselves(service: Handbooks, forged: Path) -> None:
    result = service.import_workbook(read_workbook(forged), year=YEAR, actor=SECRETARY)
    [event] = [e for e in result.events if e.kind is EventKind.ASSESSED]
    assert (event.actor_id, event.actor_name) == (SECRETARY.id, SECRETARY.full_name)
    ca = service.get(f"{MEMBER.id}-{YEAR}").collective_assessment
    assert ca is not None
    assert (ca.recorded_by, ca.recorder_name, ca.recorder_role) == (
        SECRETARY.id,
        SECRETARY.full_name,
        Role.SECRETARY,
    )


def test_the_secretary_cannot_sign_in_the_deputys_name(service: Handbooks, tmp_path: Path) -> None:
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(path, {ASSESSMENTS: append_row(_assessment_row("dv-cuong"))})
    with pytest.raises(ImportFailed, match="LTGB-G001"):
        service.import_workbook(read_workbook(path), year=YEAR, actor=SECRETARY)


def test_an_actor_claiming_an_office_is_taken_as_the_roster_knows_them(
    service: Handbooks, forged: Path
) -> None:
    # The caller says they are the Bí thư: the roster says they are an ordinary member.
    claimed = attrs.evolve(MEMBER.as_actor(), roles=SECRETARY.roles)
    data = read_workbook(forged)
    with pytest.raises(ImportFailed, match="LTGB-G001"):
        service.import_workbook(data, year=YEAR, actor=claimed)
    edit_workbook(forged, {ASSESSMENTS: set_cells(MEMBER.id, {"ma_nguoi_ghi": MEMBER.id})})
    with pytest.raises(ImportFailed, match="LTGB-A001"):
        service.import_workbook(read_workbook(forged), year=YEAR, actor=claimed)


def test_a_member_cannot_make_themselves_secretary_and_assess_their_own_book(
    service: Handbooks, tmp_path: Path
) -> None:
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(
        path,
        {
            MEMBERS_SHEET: set_cells(
                MEMBER.id, {"vai_tro": "Bí thư", "vai_tro_tu_ngay": dt.date(YEAR, 1, 1)}
            ),
            ASSESSMENTS: append_row(_assessment_row(MEMBER.id)),
        },
    )
    with pytest.raises(NotAuthorised) as refused:
        service.import_workbook(read_workbook(path), year=YEAR, actor=MEMBER)
    assert refused.value.code == "LTGB-G003"
    assert service.roster.member(MEMBER.id).roles == ()
    assert service.get(f"{MEMBER.id}-{YEAR}").status is HandbookStatus.REPORTED


def test_roles_are_never_taken_from_a_workbook_that_records_steps(
    service: Handbooks, tmp_path: Path
) -> None:
    reported_handbook(service)
    path = exported_workbook(service, tmp_path / "chi-bo.xlsx")
    edit_workbook(
        path,
        {MEMBERS_SHEET: set_cells("dv-anh", {"vai_tro": "Phó Bí thư"})},
    )
    with pytest.raises(NotAuthorised) as refused:
        service.import_workbook(read_workbook(path), year=YEAR, actor=SUPERIOR)
    assert refused.value.code == "LTGB-G002"


def test_only_the_superior_committee_changes_roles_and_only_without_steps(
    service: Handbooks, tmp_path: Path
) -> None:
    path = exported_workbook(service, tmp_path / "danh-sach.xlsx")
    edit_workbook(path, {MEMBERS_SHEET: set_cells("dv-anh", {"vai_tro": "Phó Bí thư"})})
    with pytest.raises(NotAuthorised) as refused:
        service.import_workbook(read_workbook(path), year=YEAR, actor=MEMBER)
    assert refused.value.code == "LTGB-G007"
    with pytest.raises(NotAuthorised) as refused:
        service.import_workbook(read_workbook(path), year=YEAR, actor=SECRETARY)
    assert refused.value.code == "LTGB-G007"
    service.import_workbook(read_workbook(path), year=YEAR, actor=SUPERIOR)
    assert service.roster.member("dv-anh").roles_on(MEETING, CELL.id) == {Role.DEPUTY_SECRETARY}


def test_the_api_refuses_an_assessment_naming_someone_else(service: Handbooks) -> None:
    hid = reported_handbook(service)
    by_deputy = assessment(MEMBERS[2], role=Role.DEPUTY_SECRETARY)
    with pytest.raises(RulesViolated, match="LTGB-A001"):
        service.record_assessment(hid, by_deputy, actor=SECRETARY)


def _forged_json_handbook(service: Handbooks) -> Handbook:
    """An assessed handbook as JSON, its assessment "recorded" by an ordinary member."""
    hid = reported_handbook(service)
    book = service.get(hid)
    doc = serde.to_dict(book)
    doc["status"] = "assessed"
    doc["id"] = "forged"
    doc["collective_assessment"] = serde.to_dict(assessment(MEMBER))
    del doc["collective_assessment"]["schema_version"]
    return serde.loads(Handbook, serde.dumps(serde.from_dict(Handbook, doc)))


@pytest.mark.parametrize("url", ["memory:", "sqlite"])
def test_a_store_refuses_a_json_handbook_assessed_by_an_ordinary_member(
    url: str, tmp_path: Path
) -> None:
    service = open_cell(url if url == "memory:" else f"sqlite:///{tmp_path / 's.db'}")
    forged = _forged_json_handbook(service)
    with pytest.raises(NotAuthorised) as refused:
        service.store.add(forged, creation_event(forged))
    assert refused.value.code == "LTGB-G004"
    assert [h.id for h in service.find(year=YEAR)] == [f"{MEMBER.id}-{YEAR}"]
    with trusted_restore():  # the one, named, way around it: restoring a backup
        service.store.add(forged, creation_event(forged))
    assert service.get("forged").status is HandbookStatus.ASSESSED
    service.close()


def test_the_cli_workbook_import_signs_only_as_the_caller(forged: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    reported_handbook(service)
    service.close()
    run = cli_runner(url)
    refused = run("workbook", "import", str(forged), "--year", str(YEAR), "--as", MEMBER.id)
    assert refused.exit_code == 2
    assert "LTGB-G001" in refused.output
    shown = run("show", f"{MEMBER.id}-{YEAR}", "--json")
    assert '"collective_assessment": null' in shown.output
    signed = run("workbook", "import", str(forged), "--year", str(YEAR), "--as", SECRETARY.id)
    assert signed.exit_code == 0, signed.output
    history = run("history", f"{MEMBER.id}-{YEAR}", "--json")
    assert SECRETARY.id in history.output


@pytest.mark.parametrize("office", [Role.SECRETARY, Role.DEPUTY_SECRETARY])
def test_an_official_outside_the_roster_keeps_a_committees_office_never_a_cells(
    service: Handbooks, office: Role
) -> None:
    # The embedding system vouches for a commune Bí thư / Phó Bí thư who is not a member of
    # the roster: they act for the committee above the cell (reopen a handbook) ...
    since = dt.date(2020, 1, 1)
    official = Actor(
        id="dv-xa-bithu",
        name="Đặng Văn Khoa",
        roles=(RoleAssignment(role=office, unit_id=XA.id, start=since),),
    )
    book = reported_handbook(service)
    reopened = service.reopen_handbook(book, to=HandbookStatus.REGISTERED, reason="Bổ sung",
                                       actor=official)  # fmt: skip
    assert reopened.handbook.status is HandbookStatus.REGISTERED
    assert service.history(book)[-1].actor_id == official.id
    # ... but a cell's office claimed by an outsider, or one in a unit the store does not
    # know, counts for nothing: only the roster grants a cell's offices.
    for unit_id in (CELL.id, "chibo-khong-co"):
        claimed = attrs.evolve(
            official, roles=(RoleAssignment(role=office, unit_id=unit_id, start=since),)
        )
        with pytest.raises(NotAuthorised):
            service.reopen_handbook(book, to=HandbookStatus.DRAFT, reason="Làm lại",
                                    actor=claimed)  # fmt: skip


def test_an_outsider_gets_no_office_in_a_cell_whose_members_all_moved(
    service: Handbooks,
) -> None:
    # A cell keeps its handbooks when its members move (a merger): having no members does
    # not make it a committee above the cells.
    book = reported_handbook(service, MEMBER)
    others = [m for m in service.roster.members(CELL.id) if m.id != MEMBER.id]
    moved = [attrs.evolve(m, cell_id=OTHER_CELL.id, roles=()) for m in [MEMBER, *others]]
    service.roster.save([], moved)
    assert service.roster.members(CELL.id) == []
    claimed = Actor(
        id="ke-la",
        name="Kẻ Lạ",
        roles=(RoleAssignment(role=Role.SECRETARY, unit_id=CELL.id, start=dt.date(2020, 1, 1)),),
    )
    with pytest.raises(NotAuthorised):
        service.reopen_handbook(book, to=HandbookStatus.REGISTERED, reason="Sửa", actor=claimed)
