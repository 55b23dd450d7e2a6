"""Importing a roster into a store: every problem at once, each named by file and row."""

from __future__ import annotations

from pathlib import Path

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
    assert problem.path == f"{members}, dòng 3"
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
