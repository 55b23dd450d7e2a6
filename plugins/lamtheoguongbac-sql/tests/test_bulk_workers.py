"""Bulk steps with worker processes on PostgreSQL: several processes write at once and the
result is the one of a single process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from lamtheoguongbac import Handbook, Handbooks, HandbookStatus, RatingLevel
from lamtheoguongbac.bulk import (
    BulkResult,
    CellBatch,
    MemberAssessment,
    MemberClosing,
    MemberRegistration,
    MemberReport,
)
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import ICT, SampleRoster, advance, make_roster


def _clock() -> dt.datetime:
    return dt.datetime(2026, 12, 21, 9, tzinfo=ICT)


def _report(b: Handbook) -> MemberReport:
    after = advance(b).handbook
    assert after.report is not None
    return MemberReport(
        member_id=b.member.id, report=after.report, self_assessment=after.self_assessment
    )


def _cycle(hb: Handbooks, roster: SampleRoster, year: int, jobs: int) -> list[BulkResult]:
    secretaries = {m.cell_id: m for m in roster.members if m.roles}

    def batches(make: Callable[[Handbook], object]) -> list[CellBatch]:  # type: ignore[type-arg]
        return [
            CellBatch(
                cell_id=cell,
                year=year,
                submitter=secretaries[cell],
                entries=[make(b) for b in hb.find(cell_id=cell, year=year)],
            )
            for cell in roster.cell_ids
        ]

    def registration(b: Handbook) -> MemberRegistration:
        return MemberRegistration(member_id=b.member.id, pledges=advance(b).handbook.pledges)

    def assessment(b: Handbook) -> MemberAssessment:
        return MemberAssessment(
            member_id=b.member.id,
            text="Hoàn thành tốt nhiệm vụ đã đăng ký.",
            meeting_date=dt.date(year, 12, 20),
            rating=RatingLevel.GOOD,
        )

    assert hb.bulk.open_year(roster.units[0].id, year=year, actor=roster.members[0]).ok
    return [
        hb.bulk.register(batches(registration), jobs=jobs),
        hb.bulk.report(batches(_report), jobs=jobs),
        hb.bulk.assess(batches(assessment), jobs=jobs),
        hb.bulk.close(batches(lambda b: MemberClosing(member_id=b.member.id)), jobs=jobs),
    ]


def test_the_whole_cycle_with_worker_processes_as_with_one(pg_url: str) -> None:
    roster = make_roster(cells=6, members_per_cell=4, grassroots=2)
    found = {}
    with Handbooks.open(pg_url, registry=create_registry(), clock=_clock) as hb:
        hb.roster.save(roster.units, roster.members)
        for year, jobs in ((2024, 1), (2025, 2)):  # two years of one store, one way each
            for result in _cycle(hb, roster, year, jobs):
                assert result.ok, [o.problem("en") for o in result.failed]
                assert len(result.done) == len(roster.members)
            assert hb.count_by_status(year=year) == {HandbookStatus.CLOSED: len(roster.members)}
            found[jobs] = [
                (
                    b.member.id,
                    b.version,
                    b.collective_assessment and b.collective_assessment.recorded_by,
                    [(e.kind, e.actor_id, e.version) for e in hb.history(b.id)],
                )
                for b in hb.find(year=year)
            ]
    assert found[2] == found[1]
