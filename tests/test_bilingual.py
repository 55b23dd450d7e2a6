"""Every message in the language asked for: ``--lang en`` (``error.message("en")``) holds no
Vietnamese the library wrote, ``--lang vi`` no English, and each problem names its file, row
and column (or JSON path) in both languages, and as ``Problem.path``."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import shutil
from pathlib import Path

import attrs
import pytest

from lamtheoguongbac import (
    DeliverableTarget,
    HandbookStatus,
    ImportFailed,
    Pledge,
    Problem,
    ValidationFailed,
)
from lamtheoguongbac._present import describe_handbook
from lamtheoguongbac._roster import read_roster
from lamtheoguongbac.cli import main
from lamtheoguongbac.serde import from_dict
from lamtheoguongbac.testing import make_handbook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: Words of the library's Vietnamese messages; none may reach an English message.
VIETNAMESE = ("dòng", "cột", "tệp", "thiếu", "trống", "giá trị", "đã dùng", "Lỗi", "trước", "cần")
#: Words of the library's English messages; none may reach a Vietnamese one.
ENGLISH = ("row", "column", "file", "expected", "required", "blank", "Error", " got ", "give")


def _no_vietnamese(text: str) -> None:
    found = [w for w in VIETNAMESE if w in text]
    assert not found, (found, text)


def _no_english(text: str) -> None:
    found = [w for w in ENGLISH if w in text]
    assert not found, (found, text)


@pytest.fixture
def bad_files(tmp_path: Path) -> list[Path]:
    units = tmp_path / "to-chuc.csv"
    shutil.copy(EXAMPLES / "to-chuc.csv", units)
    dup = tmp_path / "dup.csv"
    lines = (EXAMPLES / "dang-vien.csv").read_text(encoding="utf-8").splitlines()
    dup.write_text("\n".join([*lines, lines[1]]) + "\n", encoding="utf-8")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "units": [{"id": "x", "name": "  ", "level": "Chi bộ"}],
                "members": [{"id": "dv9", "full_name": 3}],
            }
        ),
        encoding="utf-8",
    )
    return [units, dup, empty, bad]


def test_roster_problems_name_the_file_row_and_column_in_both_languages(
    bad_files: list[Path],
) -> None:
    with pytest.raises(ImportFailed) as caught:
        read_roster(bad_files)
    error = caught.value
    dup_row = len((EXAMPLES / "dang-vien.csv").read_text(encoding="utf-8").splitlines()) + 1
    by_path = {p.path: p for p in error.problems}
    dup, empty, bad = (str(p) for p in bad_files[1:])
    assert set(by_path) == {
        f"{dup}:{dup_row}:Mã",
        empty,
        f"{bad}: $.units[0].name",
        f"{bad}: $.members[0].full_name",
        f"{bad}: $.members[0].cell_id",
    }
    repeated = by_path[f"{dup}:{dup_row}:Mã"]
    assert repeated.message("vi") == (
        f"{dup}, dòng {dup_row}, cột 'Mã': mã 'dv01' đã dùng ở dòng 2"
    )
    assert repeated.message("en") == (
        f"{dup}, row {dup_row}, column 'Mã': id 'dv01' is already used on row 2"
    )
    assert by_path[empty].message("en") == f"{empty}: empty file, no header"
    assert by_path[f"{bad}: $.members[0].full_name"].message("vi") == (
        f"{bad}: $.members[0].full_name: giá trị không hợp lệ (cần văn bản, nhận được số nguyên)"
    )
    for problem in error.problems:  # every problem names its file in both languages
        for lang in ("vi", "en"):
            assert any(problem.message(lang).startswith(str(f)) for f in bad_files), problem
    english, vietnamese = error.message("en"), error.message("vi")
    for path in (str(p) for p in bad_files):
        english, vietnamese = english.replace(path, "<F>"), vietnamese.replace(path, "<F>")
    _no_vietnamese(english.replace("'Mã'", "").replace("Chi bộ", ""))
    _no_english(vietnamese)
    assert pickle.loads(pickle.dumps(error)).problems == error.problems


def test_a_member_in_two_files_and_an_unknown_cell_are_named_in_both_languages(
    tmp_path: Path,
) -> None:
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    first.write_text("Mã,Họ và tên,Chi bộ\ndv01,Nguyễn Văn A,cb-x\n", encoding="utf-8")
    second.write_text("Mã,Họ và tên,Chi bộ\n\ndv01,Nguyễn Văn A,cb-x\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_roster([first, second], stored_units=[])
    twice, *unknown = caught.value.problems
    assert twice.path == f"{second}:3"
    assert twice.message("en").startswith(f"{second}, row 3: member id 'dv01' appears in 2 files")
    assert twice.message("vi").startswith(f"{second}, dòng 3: mã đảng viên 'dv01' có trong 2 tệp")
    assert unknown
    assert all("row" in (p.where("en") or "") for p in unknown)
    assert all("dòng" in (p.where("vi") or "") for p in unknown)


def test_one_problem_is_singular_in_english() -> None:
    error = ImportFailed("a.csv", [Problem("sai", "wrong", path="a.csv")])
    assert "(1 problem, nothing was written)" in error.message("en")
    assert "(1 lỗi," in error.message("vi")


def test_a_json_type_error_is_vietnamese_in_vietnamese() -> None:
    with pytest.raises(ValidationFailed) as caught:
        from_dict(Pledge, {"schema_version": 2, "id": "v1", "deed": 5, "deadline": "31/12/2025"})
    error = caught.value
    assert {p.path for p in error.problems} == {"$.deed", "$.deadline"}
    _no_english(error.message("vi"))
    assert "expected a date as YYYY-MM-DD" in error.message("en")
    assert "cần ngày dạng YYYY-MM-DD" in error.message("vi")


def test_a_deliverable_deadline_in_english() -> None:
    book = make_handbook(HandbookStatus.REGISTERED)
    due = dt.date(2025, 10, 31)
    target = DeliverableTarget(description="Hoàn thành số hóa hồ sơ", due=due)
    assert target.describe("en") == "Hoàn thành số hóa hồ sơ (by 31/10/2025)"
    assert target.describe() == "Hoàn thành số hóa hồ sơ (trước 31/10/2025)"
    pledge = attrs.evolve(book.pledges[0], target=target, deadline=due)
    shown = describe_handbook(attrs.evolve(book, pledges=(pledge,)), lang="en")
    assert "(by 31/10/2025)" in shown
    assert "trước" not in shown


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as exited:
        main(args)
    code = exited.value.code
    captured = capsys.readouterr()
    return int(code) if isinstance(code, int) else 1, captured.out + captured.err


@pytest.mark.parametrize(
    ("args", "vi", "en"),
    [
        (["lint"], "Lỗi: cần ít nhất một việc làm", "Error: give at least one pledge"),
        (
            ["lint", "--file", "{binary}"],
            "Không nhận ra bảng mã",
            "Could not detect the encoding",
        ),
        (
            ["stats", "--org", "x", "--year", "2025", "--today", "31/02/2025"],
            "ngày không hợp lệ '31/02/2025', cần dạng dd/mm/yyyy",
            "invalid date '31/02/2025', expected dd/mm/yyyy",
        ),
        (
            ["template", "check", "{not_docx}"],
            "không phải tệp .docx hợp lệ",
            "not a valid .docx file",
        ),
    ],
)
def test_cli_messages_are_in_one_language(
    args: list[str], vi: str, en: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    binary = tmp_path / "ls"
    binary.write_bytes(bytes(range(256)) * 8)
    not_docx = tmp_path / "mau.docx"
    not_docx.write_text("{{ x", encoding="utf-8")
    args = [a.format(binary=binary, not_docx=not_docx) for a in args]
    store = ["--store", f"sqlite:///{tmp_path / 'kho.db'}"]
    for lang, want, other in (("vi", vi, en), ("en", en, vi)):
        code, out = _run([*store, "--lang", lang, *args], capsys)
        assert code in (1, 2)
        assert want in out
        assert other not in out
        text = out.replace(str(tmp_path), "<tmp>")
        if lang == "en":
            _no_vietnamese(text)
        else:
            _no_english(text.replace("OPTIONS", ""))


def test_a_plugin_failure_reason_in_one_language(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LAMTHEOGUONGBAC_PLUGINS", "khong-co-plugin")
    monkeypatch.delenv("LAMTHEOGUONGBAC_DISABLE_PLUGINS", raising=False)
    for lang, want, other in (
        ("en", "but not installed", "chưa cài"),
        ("vi", "nhưng chưa cài", "not installed"),
    ):
        with pytest.raises(SystemExit):
            main(["--lang", lang, "plugins"])
        out = capsys.readouterr().out
        assert want in out
        assert other not in out


def test_a_reminder_for_one_member_is_singular_in_english() -> None:
    from lamtheoguongbac._reminders import Reminder, ReminderStage
    from lamtheoguongbac.testing import make_member

    member = make_member(1)
    reminder = Reminder(
        cell_id=member.cell_id,
        cell_name="Chi bộ 1",
        stage=next(iter(ReminderStage)),
        due=dt.date(2025, 3, 2),
        secretary_id=None,
        secretary_name=None,
        members=(member,),
    )
    assert "): 1 member has yet to " in reminder.text_en()


def test_broken_json_is_named_without_json_s_english_in_vietnamese(tmp_path: Path) -> None:
    broken = tmp_path / "danh-sach.json"
    broken.write_text('{"units": [\n', encoding="utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_roster([broken])
    (problem,) = caught.value.problems
    assert problem.path == str(broken)
    assert problem.message("vi") == f"{broken}: JSON lỗi ở dòng 2, cột 1"
    assert problem.message("en").startswith(f"{broken}: bad JSON at line 2, column 1: ")
