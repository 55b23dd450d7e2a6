"""``exemplar nominate|commend|list`` on the command line, on a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import Exemplar, Handbook, HandbookStatus, RatingLevel
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac.cli import cli
from lamtheoguongbac.cli._exemplars import exemplar
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.serde import from_dict
from lamtheoguongbac.testing import creation_event, make_handbook, make_roster

ROSTER = make_roster(cells=2, members_per_cell=3, grassroots=1)
CELL = ROSTER.cell_ids[0]
MEMBERS = [m for m in ROSTER.members if m.cell_id == CELL]
SECRETARY = MEMBERS[0].id
COMMEND = [
    "--authority",
    "Ban Thường vụ Đảng ủy xã An Phú",
    "--decision",
    "125-QĐ/ĐU",
    "--date",
    "05/01/2026",
    "--as",
    SECRETARY,
]


def _handbook(index: int, status: HandbookStatus, rating: RatingLevel) -> Handbook:
    return make_handbook(
        status,
        member=MEMBERS[index],
        organisation=ROSTER.organisation(CELL),
        secretary=MEMBERS[0],
        rating=rating,
    )


GOOD = _handbook(1, HandbookStatus.ASSESSED, RatingLevel.GOOD)
WEAK = _handbook(2, HandbookStatus.CLOSED, RatingLevel.COMPLETED)


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    # What the lead adds to cli.py, for the length of each test.
    monkeypatch.setitem(cli.commands, "exemplar", exemplar)
    path = tmp_path / "so-tay.db"
    with SqliteStore(path) as store:
        store.save_roster(ROSTER.units, ROSTER.members)
        for handbook in (GOOD, WEAK):
            store.add(handbook, creation_event(handbook))
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        obj = {"registry": create_registry(load_entrypoints=False)}
        return runner.invoke(
            cli, ["--store", f"sqlite:///{path}", *args], obj=obj, catch_exceptions=False
        )

    return invoke


def test_nominate_commend_and_list(run: Any) -> None:
    nominated = run(
        "exemplar", "nominate", "--handbook", GOOD.id, "--year", "2025", "--as", SECRETARY
    )
    assert nominated.exit_code == 0, nominated.output
    exemplar_id = f"ca_nhan-2025-{GOOD.member.id}"
    assert f"Đã đề cử gương điển hình {exemplar_id}: {GOOD.member.full_name}" in nominated.output

    listed = run("exemplar", "list", "--year", "2025")
    assert exemplar_id in listed.output
    assert "Cá nhân" in listed.output
    assert "(chưa khen thưởng)" in listed.output

    commended = run("exemplar", "commend", exemplar_id, *COMMEND)
    assert commended.exit_code == 0, commended.output
    text = (
        "Được Ban Thường vụ Đảng ủy xã An Phú tặng Giấy khen theo Quyết định số 125-QĐ/ĐU "
        "ngày 05 tháng 01 năm 2026"
    )
    assert text in commended.output

    listed = run("exemplar", "list", "--org", CELL)
    assert text in listed.output
    assert ROSTER.organisation(CELL)[-1].name in listed.output

    again = run("exemplar", "commend", exemplar_id, *COMMEND)
    assert again.exit_code == 2
    assert "đã được khen thưởng" in again.stderr

    data = json.loads(run("exemplar", "list", "--json").stdout)
    [stored] = [from_dict(Exemplar, item) for item in data]
    assert stored.id == exemplar_id
    assert stored.commendation is not None
    assert stored.commendation.recorded_by == SECRETARY


def test_nominate_by_hand_and_in_english(run: Any) -> None:
    member = run(
        "exemplar",
        "nominate",
        "--member",
        MEMBERS[2].id,
        "--achievements",
        "Hiến 200 m² đất làm đường giao thông nông thôn",
        "--year",
        "2025",
        "--as",
        SECRETARY,
    )
    assert member.exit_code == 0, member.output
    cell = run(
        "--lang",
        "en",
        "exemplar",
        "nominate",
        "--cell",
        CELL,
        "--achievements",
        "Chi bộ trong sạch, vững mạnh tiêu biểu",
        "--year",
        "2025",
        "--as",
        SECRETARY,
    )
    assert cell.exit_code == 0, cell.output
    assert f"Nominated exemplar tap_the-2025-{CELL}" in cell.output
    assert "(collective, 2025)" in cell.output

    listed = run("--lang", "en", "exemplar", "list")
    lines = [line for line in listed.output.splitlines() if not line.startswith(" ")]
    assert [line.split("\t")[2] for line in lines] == ["collective", "individual"]
    assert "(not commended yet)" in listed.output
    commended = run("--lang", "en", "exemplar", "commend", f"tap_the-2025-{CELL}", *COMMEND)
    assert "Giấy khen from Ban Thường vụ Đảng ủy xã An Phú, decision 125-QĐ/ĐU" in (
        commended.output
    )


def test_a_handbook_that_does_not_qualify_is_refused(run: Any) -> None:
    refused = run("exemplar", "nominate", "--handbook", WEAK.id, "--as", SECRETARY)
    assert refused.exit_code == 2
    assert "Hoàn thành tốt nhiệm vụ" in refused.stderr
    english = run("--lang", "en", "exemplar", "nominate", "--handbook", WEAK.id, "--as", SECRETARY)
    assert "only members rated HTTNV" in english.stderr
    wrong_year = run(
        "exemplar", "nominate", "--handbook", GOOD.id, "--year", "2024", "--as", SECRETARY
    )
    assert wrong_year.exit_code == 2
    assert "--year" in wrong_year.stderr
    assert "Chưa có gương điển hình nào" in run("exemplar", "list").output


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nominate", "--year", "2025", "--as", SECRETARY], "--handbook, --member"),
        (["nominate", "--handbook", GOOD.id, "--member", "x", "--as", SECRETARY], "--cell"),
        (["nominate", "--member", MEMBERS[1].id, "--as", SECRETARY], "--achievements, --year"),
        (
            ["nominate", "--handbook", GOOD.id, "--achievements", "x", "--as", SECRETARY],
            "only with --member",
        ),
        (["commend", "gương", *COMMEND[:4], "--date", "5 tháng 1", "--as", SECRETARY], "--date"),
    ],
)
def test_bad_usage_is_explained(run: Any, args: list[str], expected: str) -> None:
    result = run("exemplar", *args)
    assert result.exit_code == 2
    assert expected in result.stderr


def test_bad_input_names_the_field(run: Any) -> None:
    blank = run(
        "exemplar",
        "nominate",
        "--cell",
        CELL,
        "--achievements",
        " ",
        "--year",
        "2025",
        "--as",
        SECRETARY,
    )
    assert blank.exit_code == 2
    assert "Exemplar.achievements" in blank.stderr
    unknown = run("exemplar", "commend", "không-có", *COMMEND)
    assert unknown.exit_code == 2
    assert "Không tìm thấy gương điển hình 'không-có'" in unknown.stderr
