"""The command line, driven the way a cell secretary would, on a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac._legacy import encode_bytes
from lamtheoguongbac.cli import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SAMPLE = json.loads((EXAMPLES / "so-tay-2025.json").read_text(encoding="utf-8"))


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = f"sqlite:///{tmp_path / 'so-tay.db'}"
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--store", store, *args], catch_exceptions=False)

    return invoke


def _write(tmp_path: Path, name: str, data: object) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_whole_cycle_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("init").exit_code == 0
    imported = run("import", str(EXAMPLES / "to-chuc.csv"), str(EXAMPLES / "dang-vien.csv"))
    assert imported.exit_code == 0, imported.output
    assert "3 tổ chức, 10 đảng viên" in imported.output

    created = run("create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01")
    assert created.exit_code == 0, created.output
    assert "Đã mở 10 sổ" in created.output

    entry = SAMPLE["handbooks"]["dv04"]
    pledges = _write(tmp_path, "p.json", {"schema_version": 1, "pledges": entry["pledges"]})
    registered = run("register", "dv04-2025", "--file", pledges, "--as", "dv04")
    assert registered.exit_code == 0, registered.output
    assert "Đã đăng ký" in registered.output

    report = _write(
        tmp_path,
        "r.json",
        {
            "schema_version": 1,
            "report": entry["report"],
            "self_assessment": entry["self_assessment"],
        },
    )
    reported = run("report", "dv04-2025", "--file", report, "--as", "dv04")
    assert reported.exit_code == 0, reported.output

    refused = run(
        "assess",
        "dv04-2025",
        "--text",
        "Tốt",
        "--rating",
        "HTTNV",
        "--meeting-date",
        "20/12/2025",
        "--as",
        "dv05",
    )
    assert refused.exit_code == 2
    assert "không phải Bí thư hoặc Phó Bí thư" in refused.output

    assessed = run(
        "assess",
        "dv04-2025",
        "--text",
        "Hoàn thành tốt các việc đăng ký",
        "--rating",
        "HTTNV",
        "--meeting-date",
        "20/12/2025",
        "--as",
        "dv01",
    )
    assert assessed.exit_code == 0, assessed.output
    assert run("close", "dv04-2025", "--as", "dv01").exit_code == 0

    reopened = run(
        "reopen",
        "dv04-2025",
        "--to",
        "reported",
        "--reason",
        "Chi bộ họp lại theo ý kiến cấp ủy",
        "--as",
        "dv02",
    )
    assert reopened.exit_code == 0, reopened.output

    history = run("history", "dv04-2025", "--json")
    kinds = [e["kind"] for e in json.loads(history.output)]
    assert kinds == ["created", "registered", "reported", "assessed", "closed", "reopened"]

    listing = run("list", "--year", "2025", "--status", "reported", "--json")
    assert [b["id"] for b in json.loads(listing.output)] == ["dv04-2025"]
    shown = run("show", "dv04-2025")
    assert "Phạm Thị Ánh" in shown.output
    assert "6 buổi" in shown.output


def test_english_messages_and_clear_errors(run) -> None:  # type: ignore[no-untyped-def]
    assert run("init").exit_code == 0
    missing = run("--lang", "en", "show", "khong-co")
    assert missing.exit_code == 2
    assert "Error:" in missing.output
    assert "khong-co" in missing.output


def test_lint_exit_status_and_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    generic = run("lint", "Thực hiện tốt nhiệm vụ được giao")
    assert generic.exit_code == 1
    assert "CHUNG CHUNG" in generic.output
    specific = run(
        "lint", "Giải quyết 100% hồ sơ một cửa đúng hạn, không để trễ hồ sơ nào trong năm 2025"
    )
    assert specific.exit_code == 0, specific.output
    listing = tmp_path / "viec.txt"
    listing.write_bytes(
        encode_bytes(
            "Nâng cao ý thức trách nhiệm\nSoạn 02 bài giảng điện tử trước 30/6/2025\n", "cp1258"
        )
    )
    as_json = run("lint", "--file", str(listing), "--json")
    assert as_json.exit_code == 1
    verdicts = [item["generic"] for item in json.loads(as_json.output)]
    assert verdicts == [True, False]


def test_bad_roster_file_names_row_and_column(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "dang-vien.csv"
    bad.write_text(
        "Mã,Họ và tên,Chi bộ,Ngày sinh\ndv1,,cb,01/01/1990\ndv2,Lê An,cb,31/02/1990\n",
        encoding="utf-8",
    )
    result = run("import", str(bad))
    assert result.exit_code == 2
    assert "dòng 2, cột 'Họ và tên'" in result.output
    assert "dòng 3, cột 'Ngày sinh'" in result.output
    # nothing written, not even the store the command created
    assert "Đã xóa kho mới tạo" in result.output
    assert not (tmp_path / "so-tay.db").exists()


def test_export_word_handbooks_and_check_templates(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from docx import Document

    from lamtheoguongbac_docx import DEFAULT_TEMPLATE

    run("import", str(EXAMPLES / "to-chuc.csv"), str(EXAMPLES / "dang-vien.csv"))
    run("create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01")
    out = tmp_path / "so-tay"
    exported = run("export", "--out", str(out), "--cell", "cb-vanphong", "--year", "2025")
    assert exported.exit_code == 0, exported.output
    files = sorted(out.glob("*.docx"))
    assert len(files) == 10
    text = "\n".join(p.text for p in Document(str(files[0])).paragraphs)
    assert "LÀM THEO GƯƠNG BÁC" in text
    assert "Châu Thị Hoà" in text
    again = run("export", "--out", str(out), "--cell", "cb-vanphong", "--resume")
    assert "bỏ qua 10" in again.output

    assert run("template", "check", str(DEFAULT_TEMPLATE)).exit_code == 0
    bad = tmp_path / "mau.docx"
    document = Document()
    document.add_paragraph("Kính gửi {{ member.ho_ten }} và {{ khong_co }}")
    document.save(str(bad))
    checked = run("template", "check", str(bad))
    assert checked.exit_code == 1
    assert "khong_co" in checked.output


def test_show_prints_a_deliverable_due_date_once() -> None:
    import datetime as dt

    import attrs

    from lamtheoguongbac import DeliverableTarget, HandbookStatus
    from lamtheoguongbac._present import describe_handbook
    from lamtheoguongbac.testing import make_handbook

    book = make_handbook(HandbookStatus.REGISTERED)
    due = dt.date(2025, 6, 30)
    pledge = attrs.evolve(
        book.pledges[0],
        target=DeliverableTarget(description="Hoàn thành số hóa hồ sơ", due=due),
        deadline=due,
    )
    text = describe_handbook(attrs.evolve(book, pledges=(pledge, *book.pledges[1:])))
    assert text.count("30/06/2025") == 1


def test_a_term_book_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert (
        run("init", str(EXAMPLES / "to-chuc.csv"), str(EXAMPLES / "dang-vien.csv")).exit_code == 0
    )
    both = run(
        "create", "--member", "dv04", "--year", "2025", "--period", "2025-2027", "--as", "dv01"
    )
    assert both.exit_code == 2
    bad = run("create", "--member", "dv04", "--period", "2025 đến 2027", "--as", "dv01")
    assert bad.exit_code == 2
    assert "--period" in bad.output

    created = run("create", "--member", "dv04", "--period", "2025-2027", "--as", "dv01")
    assert created.exit_code == 0, created.output
    assert "Đã mở 1 sổ nhiệm kỳ 2025–2027" in created.output
    assert "dv04-2025-2027" in created.output

    entry = SAMPLE["handbooks"]["dv04"]
    pledges = _write(tmp_path, "p.json", {"schema_version": 1, "pledges": entry["pledges"]})
    assert run("register", "dv04-2025-2027", "--file", pledges, "--as", "dv04").exit_code == 0

    later = [
        {**entry["pledges"][0], "id": "bs-2026", "deadline": "2026-10-31"},
    ]
    added = _write(tmp_path, "bs.json", {"schema_version": 1, "pledges": later})
    supplemented = run(
        "supplement", "dv04-2025-2027", "--year", "2026", "--file", added, "--as", "dv04"
    )
    assert supplemented.exit_code == 0, supplemented.output
    assert "Đã đăng ký" in supplemented.output  # still registered: no reopening
    again = run("supplement", "dv04-2025-2027", "--year", "2026", "--file", added, "--as", "dv04")
    assert again.exit_code == 2

    interim = _write(
        tmp_path,
        "sk.json",
        {"schema_version": 1, "report": {**entry["report"], "submitted_on": "2025-12-10"}},
    )
    reported = run(
        "interim-report",
        "dv04-2025-2027",
        "--checkpoint",
        "31/12/2025",
        "--file",
        interim,
        "--as",
        "dv04",
    )
    assert reported.exit_code == 0, reported.output
    assessed = run(
        "interim-assess",
        "dv04-2025-2027",
        "--checkpoint",
        "31/12/2025",
        "--text",
        "Hoàn thành các việc đăng ký năm 2025",
        "--meeting-date",
        "20/12/2025",
        "--as",
        "dv01",
    )
    assert assessed.exit_code == 0, assessed.output

    kinds = [e["kind"] for e in json.loads(run("history", "dv04-2025-2027", "--json").output)]
    assert kinds == [
        "created",
        "registered",
        "supplemented",
        "interim_reported",
        "interim_assessed",
    ]
