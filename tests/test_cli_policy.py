"""Choosing the policy, the theme and a catalog override file, from the service and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import Handbooks, NotFound, RulesViolated
from lamtheoguongbac.catalog import Catalog
from lamtheoguongbac.cli import cli
from lamtheoguongbac.rules import DEFAULT_POLICY
from strategies import good_pledges

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ROSTER = [EXAMPLES / "to-chuc.csv", EXAMPLES / "dang-vien.csv"]
SAMPLE = json.loads((EXAMPLES / "so-tay-2025.json").read_text(encoding="utf-8"))


def _catalog_file(tmp_path: Path) -> Path:
    path = tmp_path / "xa.json"
    path.write_text(
        json.dumps(
            {
                "schema_version": 1,
                "themes": [
                    {
                        "code": "AP-2026",
                        "first_year": 2026,
                        "last_year": 2026,
                        "title": "Chuyên đề riêng của Đảng bộ xã An Phú năm 2026",
                    }
                ],
                "policies": [{"name": "an-phu-hai-viec", "min_pledges": 2}],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


# --- the service -------------------------------------------------------------------------------


def test_each_handbook_runs_under_the_policy_of_its_year_by_default() -> None:
    with Handbooks.open("memory:") as service:
        service.roster.import_files(ROSTER)
        boss = service.roster.member("dv01")
        books = {y: service.create("dv04", year=y, actor=boss) for y in (2017, 2020, 2023, 2025)}
        names = {y: service.policy_for(b).name for y, b in books.items()}
        assert names == {
            2017: DEFAULT_POLICY.name,
            2020: "qd-132-2018",
            2023: "qd-124-2023",
            2025: "qd-366-2025",
        }
        assert all(b.policy is None for b in books.values())
        assert service.policy_for_year(2020) is service.policy_for(books[2020])  # kept
        # the chosen policy checks references against the service's catalog, with plugins' rules
        chosen = service.policy_for(books[2025])
        assert chosen.catalog is service.catalog
        assert {r.code for r in chosen.rules} >= {"LTGB-B001", "LTGB-L000"}


def test_a_policy_named_at_opening_is_kept_for_every_later_step(tmp_path: Path) -> None:
    catalog = Catalog.load(_catalog_file(tmp_path))
    with Handbooks.open("memory:", catalog=catalog) as service:
        service.roster.import_files(ROSTER)
        boss = service.roster.member("dv01")
        book = service.create("dv04", year=2025, policy="an-phu-hai-viec", actor=boss)
        assert book.policy == "an-phu-hai-viec"
        assert service.get(book.id).policy == "an-phu-hai-viec"
        with pytest.raises(RulesViolated) as refused:
            service.register_pledges(book.id, good_pledges(1), actor=service.roster.member("dv04"))
        assert [v.code for v in refused.value.violations] == ["LTGB-P001"]
        member = service.roster.member("dv04")
        step = service.register_pledges(book.id, good_pledges(2), actor=member)
        assert step.handbook.policy == "an-phu-hai-viec"
        with pytest.raises(NotFound, match="an-phu-hai-viec"):
            service.create("dv05", year=2025, policy="khong-co", actor=boss)


def test_a_policy_given_to_the_service_wins() -> None:
    with Handbooks.open("memory:", policy=DEFAULT_POLICY.without("LTGB-P005")) as service:
        service.roster.import_files(ROSTER)
        boss = service.roster.member("dv01")
        book = service.create("dv04", year=2025, policy="qd-124-2023", actor=boss)
        assert service.policy_for(book) is service.policy
        assert service.policy_for_year(2019) is service.policy
        assert "LTGB-P005" not in {r.code for r in service.policy.rules}


# --- the command line ------------------------------------------------------------------------


@pytest.fixture
def run(tmp_path: Path):  # type: ignore[no-untyped-def]
    store = f"sqlite:///{tmp_path / 'so-tay.db'}"
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(cli, ["--store", store, *args], catch_exceptions=False)

    assert invoke("init", *map(str, ROSTER)).exit_code == 0
    return invoke


def _show(run, hid: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    shown = run("show", hid, "--json")
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.output)  # type: ignore[no-any-return]


def test_create_with_policy_and_theme_by_code_or_title(run) -> None:  # type: ignore[no-untyped-def]
    made = run(
        "create", "--member", "dv04", "--year", "2025", "--as", "dv01",
        "--policy", "qd-124-2023", "--theme", "2022",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    book = _show(run, "dv04-2025")
    assert book["policy"] == "qd-124-2023"
    assert book["theme"]["code"] == "2022"
    title = "học tập và làm theo tư tưởng, đạo đức, phong cách HỒ CHÍ MINH về ý chí tự lực, tự "
    title += "cường và khát vọng phát triển đất nước phồn vinh hạnh phúc"
    made = run("create", "--member", "dv05", "--year", "2024", "--as", "dv01", "--theme", title)
    assert made.exit_code == 0, made.output
    assert _show(run, "dv05-2024")["theme"]["code"] == "2021-2025"


def test_create_with_a_theme_of_ones_own(run) -> None:  # type: ignore[no-untyped-def]
    text = "Học tập và làm theo Bác về xây dựng ấp văn hóa kiểu mẫu"
    made = run("create", "--cell", "cb-vanphong", "--year", "2026", "--as", "dv01", "--theme", text)
    assert made.exit_code == 0, made.output
    theme = _show(run, "dv04-2026")["theme"]
    assert (theme["code"], theme["title"], theme["first_year"]) == ("rieng-2026", text, 2026)


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        ("--policy", "khong-co", "qd-366-2025"),
        ("--theme", "2031", "2021-2025"),
    ],
)
def test_create_refuses_unknown_names_listing_the_known(run, option, value, expected) -> None:  # type: ignore[no-untyped-def]
    made = run("create", "--member", "dv04", "--year", "2025", "--as", "dv01", option, value)
    assert made.exit_code == 2
    assert value in made.output
    assert expected in made.output
    assert run("show", "dv04-2025").exit_code == 2  # nothing was opened


def test_catalog_override_file_from_the_command_line(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    extra = str(_catalog_file(tmp_path))
    made = run(
        "--catalog", extra, "create", "--member", "dv04", "--year", "2026", "--as", "dv01",
        "--policy", "an-phu-hai-viec",
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    book = _show(run, "dv04-2026")
    assert book["theme"]["code"] == "AP-2026"
    assert book["policy"] == "an-phu-hai-viec"
    pledges = tmp_path / "p.json"
    pledges.write_text(
        json.dumps(
            {"schema_version": 1, "pledges": SAMPLE["handbooks"]["dv04"]["pledges"][:1]},
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    # the policy named at opening (two pledges at least) still holds for a later command
    args = ("register", "dv04-2026", "--file", str(pledges), "--as", "dv04")
    refused = run("--catalog", extra, *args)
    assert refused.exit_code == 2
    assert "LTGB-P001" in refused.output
    # without the file, the policy's name is unknown: said plainly, not a traceback
    lost = run(*args)
    assert lost.exit_code == 2
    assert "an-phu-hai-viec" in lost.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"themes": [{"code": "x"}]}', encoding="utf-8")
    broken = run("--catalog", str(bad), "list")
    assert broken.exit_code == 2
    assert "bad.json" in broken.output
