"""The main job on the embedded default: one party cell's handbooks through the whole cycle.

Loads the sample cell in this folder (units, members, the year's pledges and results) into a
fresh SQLite store under ``out/``, walks every member's handbook through registration,
report, self-assessment, the cell's collective assessment and closing, prints a summary in
Vietnamese, nominates and commends exemplars, and — when the docx exporter plugin is
installed — writes the Word handbooks under ``out/handbooks/``, the yearbook of exemplars
(``out/ky-yeu-2025.docx``) and the commune committee's summary report
(``out/bao-cao-tong-hop-2025.docx``, issued by the Đảng ủy and signed by the roster's
signer), plus a term handbook for 2025–2027 with a yearly supplement and a review
(``out/so-tay-nhiem-ky/``).

Run it with ``make demo`` (or ``python examples/demo.py --out out``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from lamtheoguongbac import (
    CollectiveAssessment,
    Commendation,
    Handbooks,
    HandbookStatus,
    Member,
    Period,
    Pledge,
    PluginError,
    RatingLevel,
    ResultReport,
    Role,
    RulesViolated,
    SelfAssessment,
)
from lamtheoguongbac.serde import from_dict
from lamtheoguongbac.text import name_sort_key

HERE = Path(__file__).resolve().parent


def _load(cls: type, data: dict[str, Any], version: int) -> Any:
    return from_dict(cls, {"schema_version": version, **data})


def _recorder(members: list[Member], subject: Member, day: Any) -> tuple[Member, Role]:
    """The Bí thư records the assessment; for the Bí thư's own handbook, the Phó Bí thư."""
    for role in (Role.SECRETARY, Role.DEPUTY_SECRETARY):
        for m in members:
            if m.id != subject.id and role in m.roles_on(day, subject.cell_id):
                return m, role
    raise SystemExit(f"chi bộ {subject.cell_id} không có Bí thư/Phó Bí thư")


class Calendar:
    """The demo's clock: each step is dated on the day it takes place in the year, so the
    documents carry the dates a real cell's would (registration in January, …)."""

    def __init__(self) -> None:
        self.day = dt.date(2025, 1, 15)

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(8), tzinfo=ICT)


ICT = dt.timezone(dt.timedelta(hours=7))


def run(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    for stale in (db, db.with_name("demo.db-wal"), db.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)
    sample = json.loads((HERE / "so-tay-2025.json").read_text(encoding="utf-8"))
    version, year = sample["schema_version"], sample["year"]

    calendar = Calendar()
    with Handbooks.open(f"sqlite:///{db}", clock=calendar) as service:
        roster = service.roster.import_files([HERE / "to-chuc.csv", HERE / "dang-vien.csv"])
        members = sorted(roster.members, key=lambda m: name_sort_key(m.full_name, m.sort_key))
        cell = service.roster.tree().unit(members[0].cell_id)
        print(f"== {cell.name} — Sổ tay Làm theo gương Bác năm {year} ==")
        print(
            f"Đã nhập {len(roster.units)} tổ chức, {len(roster.members)} đảng viên "
            f"vào kho {service.store.url}"
        )
        secretary = next(
            m
            for m in members
            if any(r.role is Role.SECRETARY and r.unit_id == cell.id for r in m.roles)
        )
        books = service.create_for_cell(cell.id, year=year, actor=secretary)
        theme = books[0].theme.title if books and books[0].theme else "(chưa có)"
        print(f"Mở {len(books)} sổ; chuyên đề: {theme}\n")

        attempt = sample["generic_attempt"]
        generic = Pledge(id="p1", deed=attempt["deed"], bases=[])
        try:
            service.register_pledges(
                f"{attempt['member']}-{year}",
                [generic],
                actor=service.roster.actor(attempt["member"]),
            )
        except RulesViolated as refused:
            print("Thử đăng ký chung chung bị từ chối:")
            for v in refused.violations:
                print(f"  [{v.code}] {v.message_vi}")
            print()

        for member in members:
            entry = sample["handbooks"][member.id]
            book_id = f"{member.id}-{year}"
            pledges = [_load(Pledge, p, version) for p in entry["pledges"]]
            calendar.day = dt.date(year, 1, 20)
            step = service.register_pledges(book_id, pledges, actor=member)
            for w in step.warnings:
                print(f"  Lưu ý {member.full_name} [{w.code}]: {w.message_vi}")
            result_report = _load(ResultReport, entry["report"], version)
            calendar.day = result_report.submitted_on
            service.report_results(
                book_id,
                result_report,
                actor=member,
                self_assessment=_load(SelfAssessment, entry["self_assessment"], version),
            )
            a = entry["assessment"]
            meeting = dt.date.fromisoformat(a["meeting_date"])
            recorder, role = _recorder(members, member, meeting)
            calendar.day = meeting
            service.record_assessment(
                book_id,
                CollectiveAssessment(
                    text=a["text"],
                    meeting_date=meeting,
                    recorded_by=recorder.id,
                    recorder_name=recorder.full_name,
                    recorder_role=role,
                    rating=RatingLevel(a["rating"]) if a["rating"] else None,
                ),
                actor=recorder,
            )
            calendar.day = dt.date(year, 12, 28)
            service.close_handbook(book_id, actor=recorder)

        calendar.day = dt.date(year, 12, 30)
        _summary(service, cell.id, year)
        exemplars = _exemplars(service, cell.id, year, secretary)
        _export(service, cell.id, year, out / "handbooks")
        _committee_documents(service, year, exemplars, out)
        _term_book(service, sample, version, out / "so-tay-nhiem-ky", calendar)
    return 0


# The day the committee issues its documents, and the commune's committee (grassroots).
ISSUED_ON = dt.date(2026, 1, 5)
COMMUNE = "xa-anphu"


def _exemplars(service: Handbooks, cell_id: str, year: int, secretary: Member) -> list[Any]:
    """Nominate two members and the cell as exemplars; the committee commends them."""
    picked = [hb for hb in service.find(cell_id=cell_id, year=year) if hb.member.id in WORTHY]
    found = [
        service.exemplars.nominate_from_handbook(hb.id, actor=secretary, on=dt.date(year, 12, 22))
        for hb in picked
    ]
    found.append(
        service.exemplars.nominate_collective(
            cell_id,
            year=year,
            achievements="1. 100% đảng viên đăng ký việc làm cụ thể, lượng hóa được, gắn với "
            "nhiệm vụ được giao\n2. Bộ phận một cửa giải quyết 1.240 hồ sơ, không hồ sơ nào "
            "trễ hạn\n3. Số hóa 3.500 hồ sơ hộ tịch lưu trữ",
            actor=secretary,
            on=dt.date(year, 12, 22),
        )
    )
    commended = []
    for n, e in enumerate(found, start=1):
        decision = Commendation(
            authority="Ban Thường vụ Đảng ủy xã An Phú",
            decision_number=f"{120 + n}-QĐ/ĐU",
            decided_on=dt.date(year, 12, 30),
        )
        commended.append(service.exemplars.commend(e.id, decision, actor=secretary))
    print(f"\nĐã đề cử và khen thưởng {len(commended)} gương điển hình")
    return commended


WORTHY = ("dv02", "dv06")


def _committee_documents(service: Handbooks, year: int, exemplars: list[Any], out: Path) -> None:
    """The yearbook and the Đảng ủy's summary report, signed by the committee's Bí thư (else
    Phó Bí thư) as the roster has them."""
    try:
        service.registry.exporter("docx-report")
    except PluginError as missing:
        print(f"Bỏ qua kỷ yếu và báo cáo: {missing.message_vi}")
        return
    from lamtheoguongbac.export import CommitteeHeading, export_rollup_report, export_yearbook

    chain = service.roster.tree().chain(COMMUNE)
    place = next((u.place for u in reversed(chain) if u.place), "")
    heading = CommitteeHeading.of_unit(chain, service.roster.members(), on=ISSUED_ON, number="12")
    book = export_yearbook(
        out / f"ky-yeu-{year}.docx",
        exemplars,
        title_year=year,
        organisation_name=chain[-1].name,
        superior_name=chain[-2].name,
        place=place,
        today=ISSUED_ON,
        registry=service.registry,
        committee_name=heading.committee,
        signer_name=heading.signer_name,
        signer_title=heading.signer_role.label_vi.upper(),
    )
    figures = service.supervision.rollup(organisation_id=COMMUNE, year=year, today=ISSUED_ON)
    report = export_rollup_report(
        out / f"bao-cao-tong-hop-{year}.docx", figures, heading=heading, registry=service.registry
    )
    print(f"Đã ghi kỷ yếu vào {book.path}")
    print(
        f"Đã ghi báo cáo {heading.number_line()} của {heading.committee} vào {report.path} "
        f"(ký: T/M {heading.kind.upper()} — {heading.signer_role.label_vi} "
        f"{heading.signer_name})"
    )


def _term_book(
    service: Handbooks, sample: dict[str, Any], version: int, dest: Path, calendar: Calendar
) -> None:
    """A term handbook (2025–2027): registered once, the 2025 year-end review with the
    cell's interim assessment, a yearly supplement for 2026 without reopening."""
    member, secretary = service.roster.member("dv04"), service.roster.member("dv01")
    calendar.day = dt.date(2025, 1, 20)
    book = service.create("dv04", period=Period.term(2025, 2027), actor=secretary)
    entry = sample["handbooks"]["dv04"]
    pledges = [_load(Pledge, p, version) for p in entry["pledges"]]
    service.register_pledges(book.id, pledges, actor=member)
    added = Pledge(
        id="bs-2026",
        deed="Chứng thực 100% bản sao giấy tờ trong ngày tiếp nhận, không để người dân phải "
        "đi lại lần hai trong năm 2026",
        target=pledges[0].target,
        deadline=dt.date(2026, 12, 31),
        task="Chứng thực bản sao",
        bases=pledges[0].bases,
        shortcoming="Có lúc còn hẹn người dân quay lại vào ngày hôm sau",
    )
    report = _load(ResultReport, entry["report"], version)
    calendar.day = report.submitted_on
    service.report_interim(
        book.id, report, checkpoint=dt.date(2025, 12, 31), title="Kiểm điểm năm 2025",
        actor=member,
    )  # fmt: skip
    a = entry["assessment"]
    calendar.day = dt.date.fromisoformat(a["meeting_date"])
    service.record_interim_assessment(
        book.id,
        CollectiveAssessment(
            text=a["text"],
            meeting_date=calendar.day,
            recorded_by=secretary.id,
            recorder_name=secretary.full_name,
            recorder_role=Role.SECRETARY,
        ),
        checkpoint=dt.date(2025, 12, 31),
        actor=secretary,
    )
    calendar.day = dt.date(2026, 1, 20)
    service.supplement_pledges(book.id, [added], year=2026, actor=member)
    try:
        service.registry.exporter("docx")
    except PluginError:
        return
    from lamtheoguongbac.export import export_handbooks

    done = export_handbooks(dest, [service.get(book.id)], registry=service.registry)
    print(f"Đã ghi sổ tay nhiệm kỳ 2025–2027 của {member.full_name} vào {dest}/ "
          f"({len(done.written)} tệp)")  # fmt: skip


def _summary(service: Handbooks, cell_id: str, year: int) -> None:
    books = service.find(cell_id=cell_id, year=year)
    print(f"{'STT':>3}  {'Họ và tên':<22} {'Việc':>4}  {'Đã làm':>6}  {'Xếp loại':<8}  Trạng thái")
    for i, hb in enumerate(books, start=1):
        done = sum(
            1
            for p in hb.pledges
            if (r := hb.result_for(p.id)) is not None and r.outcome.value == "hoan_thanh"
        )
        ca = hb.collective_assessment
        rating = ca.rating.abbreviation if ca and ca.rating else "—"
        print(
            f"{i:>3}  {hb.member.full_name:<22} {len(hb.pledges):>4}  "
            f"{done:>3}/{len(hb.pledges):<2}  {rating:<8}  {hb.status.label_vi}"
        )
    counts = service.count_by_status(cell_id=cell_id, year=year)
    print(
        "\nTheo trạng thái: "
        + ", ".join(f"{s.label_vi}: {counts.get(s, 0)}" for s in HandbookStatus if counts.get(s))
    )
    cap = service.supervision.check_cap(year=year)
    print(
        "Tỷ lệ xuất sắc: "
        + ("; ".join(v.message_vi for v in cap) if cap else "trong giới hạn 20% số đảng viên HTTNV")
    )
    last = books[0]
    print(f"\nNhật ký sổ của {last.member.full_name}:")
    for e in service.history(last.id):
        print(f"  v{e.version} {e.kind.label_vi} — {e.actor_name}")


def _export(service: Handbooks, cell_id: str, year: int, dest: Path) -> None:
    try:
        service.registry.exporter("docx")
    except PluginError as missing:
        print(f"\nBỏ qua xuất Word: {missing.message_vi}")
        return
    from lamtheoguongbac.export import export_handbooks

    result = export_handbooks(
        dest, service.find(cell_id=cell_id, year=year), exporter="docx", registry=service.registry
    )
    print(f"\nĐã ghi {len(result.written)} sổ tay Word vào {dest}/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    return run(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
