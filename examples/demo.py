"""The main job on the embedded default: one party cell's handbooks through the whole cycle.

Loads the sample cell in this folder (units, members, the year's pledges and results) into a
fresh SQLite store under ``out/``, walks every member's handbook through registration,
report, self-assessment, the cell's collective assessment and closing, prints a summary in
Vietnamese, and writes the Word handbooks under ``out/handbooks/`` when the docx exporter
plugin is installed.

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
    Handbooks,
    HandbookStatus,
    Member,
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


def run(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    for stale in (db, db.with_name("demo.db-wal"), db.with_name("demo.db-shm")):
        stale.unlink(missing_ok=True)
    sample = json.loads((HERE / "so-tay-2025.json").read_text(encoding="utf-8"))
    version, year = sample["schema_version"], sample["year"]

    with Handbooks.open(f"sqlite:///{db}") as service:
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
            step = service.register_pledges(book_id, pledges, actor=member)
            for w in step.warnings:
                print(f"  Lưu ý {member.full_name} [{w.code}]: {w.message_vi}")
            service.report_results(
                book_id,
                _load(ResultReport, entry["report"], version),
                actor=member,
                self_assessment=_load(SelfAssessment, entry["self_assessment"], version),
            )
            a = entry["assessment"]
            meeting = dt.date.fromisoformat(a["meeting_date"])
            recorder, role = _recorder(members, member, meeting)
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
            service.close_handbook(book_id, actor=recorder)

        _summary(service, cell.id, year)
        _export(service, cell.id, year, out / "handbooks")
    return 0


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
        service.find(cell_id=cell_id, year=year), dest, exporter="docx", registry=service.registry
    )
    print(f"\nĐã ghi {len(result.written)} sổ tay Word vào {dest}/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out"))
    return run(parser.parse_args().out)


if __name__ == "__main__":
    sys.exit(main())
