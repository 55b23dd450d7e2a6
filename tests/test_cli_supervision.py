"""``stats``, ``remind`` and ``workbook`` on the command line, on a real SQLite store."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import hookimpl
from lamtheoguongbac.cli import cli
from lamtheoguongbac.cli._supervision import remind, stats, workbook
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.spreadsheet import read_workbook
from lamtheoguongbac.supervision import Reminder, ReminderStage

TODAY = "10/02/2026"
DEED = "Giải quyết 100% hồ sơ một cửa đúng hạn, không để trễ hồ sơ nào trong năm 2025."


def _member(member_id: str, name: str, **more: object) -> dict[str, object]:
    return {
        "Mã đảng viên": member_id,
        "Họ và tên": name,
        "Mã chi bộ": "cb-vp",
        "Chức vụ": "Công chức một cửa",
        "Nhiệm vụ được giao": "Tiếp nhận và giải quyết hồ sơ một cửa",
        **more,
    }


def _pledge(member_id: str) -> dict[str, object]:
    return {
        "Mã đảng viên": member_id,
        "Mã việc": "v1",
        "Việc làm đăng ký": DEED,
        "Chỉ tiêu (số lượng)": 100,
        "Đơn vị tính / sản phẩm": "%",
        "Thời hạn": "30/11/2025",
        "Gắn với nhiệm vụ": "Tiếp nhận và giải quyết hồ sơ một cửa",
        "Loại căn cứ": "Chuyên đề học tập",
        "Nội dung căn cứ": "Chuyên đề năm 2025",
    }


def _done(member_id: str) -> dict[str, object]:
    return {
        "Mã đảng viên": member_id,
        "Mã việc": "v1",
        "Kết quả": "Đã thực hiện",
        "Đã đạt được": "Giải quyết 1.204 hồ sơ, không hồ sơ nào trễ hạn",
        "Ngày báo cáo": dt.datetime(2025, 12, 5),
    }


def _assessed(member_id: str, rating: str) -> dict[str, object]:
    return {
        "Mã đảng viên": member_id,
        "Nhận xét của chi bộ": "Hoàn thành các việc đã đăng ký.",
        "Xếp loại": rating,
        "Ngày họp": "20/12/2025",
        "Mã người ghi": "dv01",
    }


# dv01, the Bí thư, registered only (late to report); dv02 and dv03 went through the cycle
# (one rated excellent, one good: over the 20% cap); dv04 did nothing (late to register).
SHEETS: dict[str, list[dict[str, object]]] = {
    "Tổ chức": [
        {"Mã đơn vị": "tinh", "Tên đơn vị": "Đảng bộ tỉnh An Giang", "Cấp": "Đảng bộ tỉnh"},
        {
            "Mã đơn vị": "xa",
            "Tên đơn vị": "Đảng bộ xã An Phú",
            "Cấp": "Đảng bộ cơ sở",
            "Mã cấp trên": "tinh",
            "Cơ sở": "Có",
        },
        {
            "Mã đơn vị": "cb-vp",
            "Tên đơn vị": "Chi bộ Văn phòng",
            "Cấp": "Chi bộ",
            "Mã cấp trên": "xa",
        },
    ],
    "Đảng viên": [
        _member(
            "dv01", "Nguyễn Văn Hùng", **{"Vai trò": "Bí thư", "Vai trò từ ngày": "01/07/2020"}
        ),
        _member("dv02", "Trần Thị Mai"),
        _member("dv03", "Lê Văn An"),
        _member("dv04", "Đỗ Văn Đức"),
    ],
    "Việc đăng ký": [_pledge("dv01"), _pledge("dv02"), _pledge("dv03")],
    "Kết quả": [_done("dv02"), _done("dv03")],
    "Tự đánh giá": [
        {"Mã đảng viên": m, "Tự nhận xét, đánh giá": "Hoàn thành.", "Ngày viết": "05/12/2025"}
        for m in ("dv02", "dv03")
    ],
    "Đánh giá chi bộ": [_assessed("dv02", "HTXSNV"), _assessed("dv03", "HTTNV")],
}


class Catcher:
    """A plugin an embedding system would write to send the reminders."""

    def __init__(self) -> None:
        self.seen: list[Reminder] = []

    @hookimpl
    def reminders_due(self, reminders: list[Reminder]) -> None:
        self.seen.extend(reminders)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # What the lead adds to cli.py, for the length of each test.
    for command in (stats, remind, workbook):
        monkeypatch.setitem(cli.commands, command.name or "", command)
    store = f"sqlite:///{tmp_path / 'so-tay.db'}"
    runner = CliRunner()

    def invoke(*args: str, registry: Any = None) -> Result:
        obj = {"registry": registry or create_registry(load_entrypoints=False)}
        return runner.invoke(cli, ["--store", store, *args], obj=obj, catch_exceptions=False)

    return invoke


def fill(template: Path, out: Path, sheets: dict[str, list[dict[str, object]]]) -> Path:
    wb = openpyxl.load_workbook(template)
    for name, rows in sheets.items():
        ws = wb[name]
        columns = {cell.value: cell.column for cell in ws[1] if cell.value}
        for number, row in enumerate(rows, start=2):
            for header, value in row.items():
                ws.cell(row=number, column=columns[header], value=value)
    wb.save(out)
    return out


@pytest.fixture
def filled(run: Any, tmp_path: Path) -> Path:
    template = tmp_path / "mau.xlsx"
    made = run("workbook", "template", str(template))
    assert made.exit_code == 0, made.output
    assert "Đã ghi mẫu" in made.output
    return fill(template, tmp_path / "chi-bo.xlsx", SHEETS)


@pytest.fixture
def rostered(run: Any, filled: Path, tmp_path: Path) -> Path:
    """The roster imported on its own first, by someone else: roles never come with steps
    (LTGB-G002) nor from their holder (LTGB-G003)."""
    roster_only = {k: v for k, v in SHEETS.items() if k in ("Tổ chức", "Đảng viên")}
    roster = fill(tmp_path / "mau.xlsx", tmp_path / "danh-sach.xlsx", roster_only)
    first = run("workbook", "import", str(roster), "--year", "2025", "--as", "dv02")
    assert first.exit_code == 0, first.output
    assert "Đã tạo kho mới" in first.output
    return filled


@pytest.fixture
def imported(run: Any, rostered: Path) -> Path:
    filled = rostered
    result = run("workbook", "import", str(filled), "--year", "2025", "--as", "dv01")
    assert result.exit_code == 0, result.output
    assert (
        "Đã nhập 3 tổ chức, 4 đảng viên; mở 0 sổ; đăng ký 3, báo cáo 2, tự đánh giá 2, chi bộ "
        "đánh giá 2" in result.output
    )
    return filled


def test_stats_prints_a_table_per_cell(run: Any, imported: Path) -> None:
    result = run("stats", "--org", "xa", "--year", "2025", "--today", TODAY)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Tổng hợp năm 2025 — Đảng bộ xã An Phú (tính đến 10/02/2026)"
    assert lines[1].split()[:3] == ["Chi", "bộ", "Đảng"]
    row = next(line for line in lines if line.startswith("Chi bộ Văn phòng"))
    # members, handbooks, registered, reported, assessed, late ×3, the four ratings,
    # not rated, specific share
    assert row.split()[4:] == [*map(str, (4, 4, 3, 2, 2, 1, 1, 0, 1, 1, 0, 0, 2)), "100%"]
    assert any(line.startswith("Tổng cộng") for line in lines)
    assert (
        "Tỷ lệ xuất sắc — Đảng bộ xã An Phú: 1 xếp loại xuất sắc, tối đa 0 (căn cứ tính: 1 đảng "
        "viên) — VƯỢT GIỚI HẠN"
    ) in result.output

    english = run("--lang", "en", "stats", "--org", "xa", "--year", "2025", "--today", TODAY)
    assert english.output.splitlines()[1].startswith("Cell")
    assert "OVER THE CAP" in english.output


def test_stats_as_json_and_xlsx(run: Any, imported: Path, tmp_path: Path) -> None:
    result = run("stats", "--org", "cb-vp", "--year", "2025", "--today", TODAY, "--json")
    data = json.loads(result.output)
    assert data["total"]["ratings"] == {
        "HTXSNV": 1,
        "HTTNV": 1,
        "HTNV": 0,
        "KHTNV": 0,
        "not_rated": 2,
        "not_rated_by_rule": 0,
        "not_assessed": 2,
        "assessed_unrated": 0,
    }
    assert data["total"]["overdue"] == {"register": 1, "report": 1, "assess": 0}

    out = tmp_path / "tong-hop.xlsx"
    written = run("stats", "--org", "xa", "--year", "2025", "--today", TODAY, "--xlsx", str(out))
    assert written.exit_code == 0, written.output
    ws = openpyxl.load_workbook(out)["Tổng hợp"]
    assert ws["A5"].value == "Chi bộ Văn phòng"
    assert ws["B5"].value == 4

    both = run("stats", "--org", "xa", "--year", "2025", "--json", "--xlsx", str(out))
    assert both.exit_code == 2
    unknown = run("stats", "--org", "khong-co", "--year", "2025")
    assert unknown.exit_code == 2
    assert "Không có tổ chức 'khong-co'" in unknown.output


def test_remind_lists_by_cell_and_sends_through_the_hook(run: Any, imported: Path) -> None:
    quiet = run("remind", "--year", "2025", "--today", TODAY)
    assert quiet.exit_code == 0, quiet.output
    assert quiet.output.splitlines()[:3] == [
        "== Chi bộ Văn phòng → Nguyễn Văn Hùng (dv01)",
        "  Đồng chí Nguyễn Văn Hùng (Chi bộ Văn phòng): 1 đảng viên chưa đăng ký làm theo "
        "(hạn 02/03/2025): Đỗ Văn Đức.",
        "  Đồng chí Nguyễn Văn Hùng (Chi bộ Văn phòng): 1 đảng viên chưa báo cáo kết quả "
        "(hạn 31/12/2025): Nguyễn Văn Hùng.",
    ]

    catcher = Catcher()
    registry = create_registry(load_entrypoints=False, extra_plugins=[catcher])
    sent = run(
        "remind",
        "--year",
        "2025",
        "--org",
        "xa",
        "--today",
        TODAY,
        "--json",
        "--send",
        registry=registry,
    )
    assert sent.exit_code == 0, sent.output
    payload = json.loads(sent.stdout)
    assert [(r["stage"], r["secretary_id"]) for r in payload] == [
        ("register", "dv01"),
        ("report", "dv01"),
    ]
    assert [r.stage for r in catcher.seen] == [ReminderStage.REGISTER, ReminderStage.REPORT]
    assert "Đã chuyển 2 lời nhắc" in sent.stderr

    early = run("remind", "--year", "2025", "--today", "01/02/2025", "--send", registry=registry)
    assert "Không có việc trễ hạn" in early.output
    assert len(catcher.seen) == 2  # nothing to send, nothing sent


def test_a_bad_workbook_is_refused_whole(run: Any, tmp_path: Path) -> None:
    template = tmp_path / "mau.xlsx"
    run("workbook", "template", str(template))
    bad = dict(SHEETS)
    bad["Đảng viên"] = [SHEETS["Đảng viên"][0], {**SHEETS["Đảng viên"][1], "Họ và tên": None}]
    path = fill(template, tmp_path / "sai.xlsx", bad)
    result = run("workbook", "import", str(path), "--year", "2025", "--as", "dv01")
    assert result.exit_code == 2
    assert "Lỗi: Không nhập được tệp" in result.output
    assert "Trang 'Đảng viên', dòng 3, cột B 'Họ và tên': thiếu giá trị bắt buộc" in result.output
    assert not (tmp_path / "so-tay.db").exists()  # nothing written, not even the new store


def test_export_a_cell_and_import_it_elsewhere(run: Any, imported: Path, tmp_path: Path) -> None:
    out = tmp_path / "xuat.xlsx"
    result = run("workbook", "export", str(out), "--year", "2025", "--cell", "cb-vp")
    assert result.exit_code == 0, result.output
    assert "Đã xuất 4 sổ, 4 đảng viên" in result.output
    data = read_workbook(out)
    assert [u.id for u in data.units] == ["tinh", "xa", "cb-vp"]
    filled = read_workbook(imported)
    # In roster order (by given name: An, Hùng, Mai), with the same content as was imported.
    assert [e.member_id for e in data.handbooks] == ["dv03", "dv01", "dv02"]
    assert set(data.handbooks) == set(filled.handbooks)
    assert set(data.members) == set(filled.members)

    runner = CliRunner()
    other = f"sqlite:///{tmp_path / 'khac.db'}"
    # The roster first, on its own (roles never come with steps: LTGB-G002), then the export.
    roster = ["workbook", "import", str(tmp_path / "danh-sach.xlsx"), "--year", "2025"]
    first = runner.invoke(
        cli,
        ["--store", other, *roster, "--as", "dv02"],
        obj={"registry": create_registry(load_entrypoints=False)},
    )
    assert first.exit_code == 0, first.output
    args = ["--store", other, "workbook", "import", str(out), "--year", "2025", "--as", "dv01"]
    assert (
        runner.invoke(
            cli, args, obj={"registry": create_registry(load_entrypoints=False)}
        ).exit_code
        == 0
    )

    both = run("workbook", "export", str(out), "--year", "2025", "--cell", "a", "--org", "b")
    assert both.exit_code == 2
    nowhere = run("workbook", "template", str(tmp_path / "khong-co" / "mau.xlsx"))
    assert nowhere.exit_code == 2
    assert "không có thư mục" in nowhere.output


def test_to_word_writes_one_handbook_per_member(run: Any, rostered: Path, tmp_path: Path) -> None:
    filled = rostered
    registry = create_registry()
    if "docx" not in registry.exporters():
        pytest.skip("the lamtheoguongbac-docx plugin is not installed")
    out = tmp_path / "word"
    result = run(
        "workbook",
        "to-word",
        str(filled),
        "--year",
        "2025",
        "--as",
        "dv01",
        "--out",
        str(out),
        registry=registry,
    )
    assert result.exit_code == 0, result.output
    assert "Đã ghi 4 sổ Word" in result.output
    assert len(list(out.glob("*.docx"))) == 4


def test_to_word_without_the_docx_plugin_imports_nothing(run: Any, filled: Path) -> None:
    result = run(
        "workbook",
        "to-word",
        str(filled),
        "--year",
        "2025",
        "--as",
        "dv01",
        "--out",
        str(filled.parent / "word"),
    )
    assert result.exit_code == 2
    assert "lamtheoguongbac-docx" in result.output
    assert not (filled.parent / "so-tay.db").exists()  # nothing written, not even the store
