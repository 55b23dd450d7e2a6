"""Importing a roster into a store: every problem at once, each named by file and row."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

from lamtheoguongbac import Handbooks, ImportFailed

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HEADER = "Mã,Họ và tên,Chi bộ\n"


def test_an_unknown_cell_is_an_import_failure_naming_file_and_row(tmp_path: Path) -> None:
    members = tmp_path / "dang-vien.csv"
    members.write_text(HEADER + "dv-1,Lê An,cb-vanphong\ndv-2,Võ Minh An,cb-khong-co\n")
    with Handbooks.open("memory:") as service:
        service.roster.import_files([EXAMPLES / "to-chuc.csv"])
        with pytest.raises(ImportFailed) as caught:
            service.roster.import_files([members])
        assert service.roster.members() == []  # nothing was written
    (problem,) = caught.value.problems
    assert problem.path == f"{members}:3"
    assert problem.where("vi") == f"{members}, dòng 3"
    assert problem.where("en") == f"{members}, row 3"
    assert "cb-khong-co" in problem.text_vi
    assert "unknown cell 'cb-khong-co'" in problem.text_en


def test_bad_rows_and_unknown_cells_are_reported_together(tmp_path: Path) -> None:
    members = tmp_path / "dang-vien.csv"
    members.write_text(HEADER + "dv-1,Lê An,cb-khong-co\n")
    broken = tmp_path / "dang-vien-2.csv"
    broken.write_text(HEADER + "dv-2,,cb-vanphong\n")
    with Handbooks.open("memory:") as service, pytest.raises(ImportFailed) as caught:
        service.roster.import_files([EXAMPLES / "to-chuc.csv", members, broken])
    text = caught.value.message("en")
    assert "unknown cell 'cb-khong-co'" in text
    assert "row 2" in text
    assert len(caught.value.problems) == 2


def test_english_import_messages_are_english(tmp_path: Path) -> None:
    members = tmp_path / "dang-vien.csv"
    members.write_text(HEADER + "dv-1,Lê An,cb-khong-co\n")
    with Handbooks.open("memory:") as service, pytest.raises(ImportFailed) as caught:
        service.roster.import_files([EXAMPLES / "to-chuc.csv", members])
    english = caught.value.message("en")
    assert "không" not in english
    assert "chi bộ" not in english.lower()


def test_only_a_cell_officer_gets_a_signed_assessment() -> None:
    import datetime as dt

    from lamtheoguongbac import NotAuthorised, Role

    with Handbooks.open("memory:") as service:
        service.roster.import_files([EXAMPLES / "to-chuc.csv", EXAMPLES / "dang-vien.csv"])
        book = service.create("dv04", year=2025, actor=service.roster.member("dv01"))
        day = dt.date(2025, 12, 20)
        signed = service.assessment_by("dv02", book.id, text="Tốt", meeting_date=day, rating=None)
        assert (signed.recorder_role, signed.recorder_name) == (
            Role.DEPUTY_SECRETARY,
            "Trần Thị Mai",
        )
        with pytest.raises(NotAuthorised) as caught:
            service.assessment_by("dv05", book.id, text="Tốt", meeting_date=day, rating=None)
        assert caught.value.code == "LTGB-A001"


def test_the_model_trims_names_as_the_importers_do(tmp_path: Path) -> None:
    """A name typed with surrounding spaces is stored the same whether it came through
    ``Member(...)``, a CSV roster or a JSON roster (issue 16: the model kept the spaces)."""
    import datetime as dt
    import json

    from lamtheoguongbac import Member, OrgUnit, Role, RoleAssignment

    DAY = dt.date(2024, 1, 1)
    spaced = "  Lê Văn\u00a0An \t"
    csv = tmp_path / "dang-vien.csv"
    csv.write_text(
        "Mã,Họ và tên,Chi bộ,Chức vụ,Nơi công tác\n"
        f"dv-1,{spaced}, cb-vanphong ,  Công chức tư pháp , UBND xã \n",
        encoding="utf-8",
    )
    roster_json = tmp_path / "dang-vien.json"
    roster_json.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "members": [
                    {
                        "id": " dv-2 ",
                        "full_name": spaced,
                        "cell_id": "cb-vanphong ",
                        "position": "  Công chức tư pháp ",
                        "workplace": " UBND xã ",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    built = Member(
        id=" dv-3",
        full_name=spaced,
        cell_id=" cb-vanphong",
        position="Công chức tư pháp  ",
        workplace="\tUBND xã",
        duties=(" Hộ tịch ",),
        roles=(RoleAssignment(role=Role.GROUP_LEADER, unit_id=" cb-vanphong ", start=DAY),),
    )
    assert built.roles[0].unit_id == "cb-vanphong"
    assert (built.id, built.full_name, built.cell_id) == ("dv-3", "Lê Văn\u00a0An", "cb-vanphong")
    assert (built.position, built.workplace, built.duties) == (
        "Công chức tư pháp",
        "UBND xã",
        ("Hộ tịch",),
    )
    assert OrgUnit(id=" u ", name=" Chi bộ A ", level="Chi bộ ").name == "Chi bộ A"
    with Handbooks.open("memory:") as service:
        service.roster.import_files([EXAMPLES / "to-chuc.csv", csv, roster_json])
        stored = {m.id: m for m in service.roster.members("cb-vanphong")}
    for member_id in ("dv-1", "dv-2"):
        member = stored[member_id]
        assert member.full_name == built.full_name
        assert (member.position, member.workplace) == (built.position, built.workplace)


def test_an_office_in_an_unknown_unit_is_an_import_failure_naming_file_and_row(
    tmp_path: Path,
) -> None:
    """It was stored: an office no check could ever find (a typo leaves the cell without
    its Bí thư)."""
    members = tmp_path / "dang-vien.csv"
    members.write_text(
        "Mã,Họ và tên,Chi bộ,Vai trò,Vai trò từ ngày,Vai trò tại đơn vị\n"
        "dv-1,Lê An,cb-vanphong,Bí thư,01/01/2020,\n"
        "dv-2,Võ Minh An,cb-vanphong,Bí thư,01/01/2020,cb-van-phong\n"
    )
    with Handbooks.open("memory:") as service:
        service.roster.import_files([EXAMPLES / "to-chuc.csv"])
        with pytest.raises(ImportFailed) as caught:
            service.roster.import_files([members])
        assert service.roster.members() == []
    (problem,) = caught.value.problems
    assert problem.where("en") == f"{members}, row 3"
    assert "holds the office Secretary in an unknown unit 'cb-van-phong'" in problem.text_en
    assert "giữ chức Bí thư tại đơn vị 'cb-van-phong'" in problem.text_vi


def test_saving_an_office_in_an_unknown_unit_names_the_field() -> None:
    from lamtheoguongbac import ValidationFailed
    from lamtheoguongbac.testing import make_roster

    roster = make_roster(cells=1, members_per_cell=2)
    secretary, member = roster.members
    astray = attrs.evolve(
        secretary, roles=tuple(attrs.evolve(r, unit_id="khong-co") for r in secretary.roles)
    )
    with Handbooks.open("memory:") as service:
        with pytest.raises(ValidationFailed) as caught:
            service.roster.save(roster.units, [member, astray])
        assert service.roster.members() == []
    assert caught.value.problems[0].path == "members[1].roles[0]"
    assert "unknown unit 'khong-co'" in caught.value.message("en")


@pytest.mark.parametrize(
    ("rows", "row", "en"),
    [
        ("a,A,Đảng bộ xã,zz\n", 2, "the unit 'a' has an unknown parent 'zz'"),
        ("a,A,Đảng bộ xã,b\nb,B,Chi bộ,a\n", 2, "has a cycle: a → b → a"),
    ],
)
def test_a_broken_tree_is_named_at_the_file_and_row(
    tmp_path: Path, rows: str, row: int, en: str
) -> None:
    """The tree's own error named neither (and the Vietnamese named the unit by its name,
    the English by its id)."""
    units = tmp_path / "to-chuc.csv"
    units.write_text("Mã,Tên,Cấp,Mã cấp trên\n" + rows, encoding="utf-8")
    with Handbooks.open("memory:") as service:
        with pytest.raises(ImportFailed) as caught:
            service.roster.import_files([units])
        assert service.store.units() == []
    (problem,) = caught.value.problems
    assert problem.where("en") == f"{units}, row {row}"
    assert en in problem.text_en


def test_an_ended_office_or_one_stored_before_in_an_unknown_unit_is_kept() -> None:
    """An office ended elsewhere (a member transferred from another province) is history,
    and a record stored before the check came in is saved again unchanged."""
    import datetime as dt

    from lamtheoguongbac.testing import make_roster

    roster = make_roster(cells=1, members_per_cell=2)
    secretary, member = roster.members
    ended = attrs.evolve(secretary.roles[0], unit_id="tinh-khac", end=dt.date(2020, 12, 31))
    moved = attrs.evolve(member, roles=(ended,))
    with Handbooks.open("memory:") as service:
        service.roster.save(roster.units, [secretary, moved])
        assert service.roster.member(member.id).roles == (ended,)
        current = attrs.evolve(ended, end=None)
        stored = attrs.evolve(member, roles=(current,))
        service.store.save_roster([], [stored])  # as an older release could store it
        service.roster.save([], [attrs.evolve(stored, position="Kế toán")])
        assert service.roster.member(member.id).position == "Kế toán"
