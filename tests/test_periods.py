"""A handbook's year is a whole number in range, told as such on every path (API, CLI)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hostile import cli_runner, open_cell
from lamtheoguongbac import Period, ValidationFailed
from strategies import MEMBER, SECRETARY


@pytest.mark.parametrize("year", [0, -5, 1929, 2201, 10_000, True, "2025", 2025.0, None])
def test_a_year_out_of_range_or_not_a_whole_number_is_refused(year: object) -> None:
    with pytest.raises(ValidationFailed) as refused:
        Period.year(year)  # type: ignore[arg-type]
    assert refused.value.field == "year"
    assert "year" in refused.value.message("en")
    assert "năm" in refused.value.message("vi")


def test_the_service_refuses_it_before_anything_is_written() -> None:
    service = open_cell()
    with pytest.raises(ValidationFailed) as refused:
        service.create(MEMBER.id, year=0, actor=SECRETARY)
    assert "outside 1930–2200" in refused.value.message("en")
    assert list(service.find(member_id=MEMBER.id)) == []


def test_a_term_checks_both_years() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Period.term(2021, 12025)
    assert refused.value.field == "last_year"


def test_the_cli_tells_it_in_the_chosen_language(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    open_cell(url).close()
    run = cli_runner(url)
    for year in ("0", "10000"):
        refused = run(
            "--lang", "en", "create", "--member", MEMBER.id, "--year", year, "--as", SECRETARY.id
        )
        assert refused.exit_code == 2, refused.output
        assert "outside 1930–2200" in refused.output
        assert "internal error" not in refused.output
