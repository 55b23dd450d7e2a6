"""Command-line supervision and the Excel workflow: ``stats``, ``remind`` and ``workbook``.

The commands are added to the main ``lamtheoguongbac`` group in :mod:`lamtheoguongbac.cli`;
they use its ``--store`` and ``--lang`` options and its exit statuses (2 on an error).
Because that module imports this one, its helpers (``say``, ``reports_errors``,
``open_service``) are looked up when a command runs, never at import time, so either module
may be imported first.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._model import EventKind, Handbook, Member, OrgUnit
from lamtheoguongbac._reminders import Reminder
from lamtheoguongbac._service.core import Handbooks
from lamtheoguongbac.cli._common import (
    EXISTING_FILE,
    OUT_FILE,
    actor_option,
    open_service,
    reports_errors,
    say,
    show_notes,
    today_argument,
    writing,
)
from lamtheoguongbac.cli._usage import UsageError
from lamtheoguongbac.spreadsheet import (
    ApplyResult,
    export_workbook,
    read_workbook,
    write_rollup,
    write_template,
)
from lamtheoguongbac.supervision import Rollup
from lamtheoguongbac.text import collation_key

__all__ = ["remind", "stats", "workbook"]

P = ParamSpec("P")
R = TypeVar("R")


def _cell(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.0%}"
    return str(value)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    """A plain-text table: the first column left-aligned, the figures right-aligned."""
    cells = [headers, *([_cell(v) for v in row] for row in rows)]
    widths = [max(len(line[i]) for line in cells) for i in range(len(headers))]

    def line(values: list[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = (v.rjust(w) for v, w in zip(values[1:], widths[1:], strict=True))
        return "  ".join((first, *rest)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *map(line, cells[1:-1]), rule, line(cells[-1])])


def _print_rollup(r: Rollup) -> None:
    say(
        f"Tổng hợp năm {r.year} — {r.organisation_name} (tính đến {r.today:%d/%m/%Y})",
        f"Roll-up for {r.year} — {r.organisation_name} (as of {r.today.isoformat()})",
    )
    say(_table(*r.table("vi")), _table(*r.table("en")))
    for c in r.caps:
        say(
            f"Tỷ lệ xuất sắc — {c.organisation_name}: {c.top_count} xếp loại xuất sắc, tối đa "
            f"{c.allowed} (căn cứ tính: {c.base_count} đảng viên)"
            + (" — VƯỢT GIỚI HẠN" if c.exceeded else ""),
            f"Top-rating cap — {c.organisation_name}: {c.top_count} top-rated, at most "
            f"{c.allowed} (base: {c.base_count} members)"
            + (" — OVER THE CAP" if c.exceeded else ""),
        )


def _writes(path: Path) -> Path:
    """``path``, checked to be in an existing folder (written atomically afterwards)."""
    if not path.parent.is_dir():
        raise ValidationFailed(
            f"không có thư mục '{path.parent}'",
            f"the folder '{path.parent}' does not exist",
            field=str(path),
        )
    return path


@click.command()
@click.option("--org", "organisation_id", required=True, help="Mã đơn vị / unit id (subtree).")
@click.option("--year", type=int, required=True)
@click.option("--today", help="Ngày tính hạn / day deadlines are judged on (dd/mm/yyyy).")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON.")
@click.option("--xlsx", "xlsx", type=OUT_FILE, help="Ghi ra tệp Excel / write an .xlsx file.")
@reports_errors
def stats(
    organisation_id: str, year: int, today: str | None, as_json: bool, xlsx: Path | None
) -> None:
    """Tổng hợp theo chi bộ / roll-up per cell: progress, ratings, specific pledges, cap."""
    if as_json and xlsx is not None:
        raise UsageError("--json hoặc --xlsx, không cả hai", "--json or --xlsx, not both")
    day = today_argument(today)
    with open_service() as service:
        result = service.supervision.rollup(organisation_id=organisation_id, year=year, today=day)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif xlsx is not None:
        write_rollup(_writes(xlsx), result)
        say(f"Đã ghi {xlsx}", f"Wrote {xlsx}")
    else:
        _print_rollup(result)


def _reminder_dict(r: Reminder) -> dict[str, Any]:
    return {
        "cell_id": r.cell_id,
        "cell_name": r.cell_name,
        "stage": r.stage.value,
        "due": r.due.isoformat(),
        "secretary_id": r.secretary_id,
        "secretary_name": r.secretary_name,
        "members": [
            {"member_id": m.member_id, "full_name": m.full_name, "handbook_id": m.handbook_id}
            for m in r.members
        ],
        "text_vi": r.text_vi(),
        "text_en": r.text_en(),
    }


@click.command()
@click.option("--year", type=int, required=True)
@click.option("--org", "organisation_id", help="Chỉ trong đơn vị / only within a unit.")
@click.option("--today", help="Ngày tính hạn / day deadlines are judged on (dd/mm/yyyy).")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON.")
@click.option("--send", is_flag=True, help="Gửi qua plugin (hook reminders_due) / send.")
@reports_errors
def remind(
    year: int, organisation_id: str | None, today: str | None, as_json: bool, send: bool
) -> None:
    """Nhắc việc cho bí thư chi bộ / reminders for the cell secretaries, grouped by cell."""
    day = today_argument(today)
    with open_service() as service:
        if send:
            found = service.supervision.send_reminders(
                year=year, today=day, organisation_id=organisation_id
            )
        else:
            found = service.supervision.reminders(
                year=year, today=day, organisation_id=organisation_id
            )
    if as_json:
        click.echo(json.dumps([_reminder_dict(r) for r in found], ensure_ascii=False, indent=2))
    else:
        cell = None
        for r in found:
            if r.cell_id != cell:
                cell = r.cell_id
                to = r.secretary_name or "Chi ủy"
                say(
                    f"== {r.cell_name} → {to}" + (f" ({r.secretary_id})" if r.secretary_id else ""),
                    f"== {r.cell_name} → {r.secretary_name or 'cell committee'}"
                    + (f" ({r.secretary_id})" if r.secretary_id else ""),
                )
            say(f"  {r.text_vi()}", f"  {r.text_en()}")
        if not found:
            say("Không có việc trễ hạn", "Nothing is overdue")
    if send and found:
        say(
            f"Đã chuyển {len(found)} lời nhắc tới các plugin (reminders_due)",
            f"Handed {len(found)} reminders to the plugins (reminders_due)",
            err=as_json,
        )


@click.group()
def workbook() -> None:
    """Bảng tính Excel của sổ tay / the handbook's Excel workbook."""


@workbook.command("template")
@click.argument("path", type=OUT_FILE)
@reports_errors
def template(path: Path) -> None:
    """Ghi mẫu bảng tính trống / write the empty template."""
    write_template(_writes(path))
    say(f"Đã ghi mẫu {path}", f"Wrote the template {path}")


def _apply(service: Handbooks, path: Path, year: int, actor_id: str) -> ApplyResult:
    data = read_workbook(path)
    actor = data.member(actor_id) or service.roster.member(actor_id)
    result = service.import_workbook(data, year=year, actor=actor)
    for note in data.notes:
        say(f"  Ghi chú: {note}", f"  Note: {note}")
    say(
        f"Đã nhập {result.units} tổ chức, {result.members} đảng viên; mở "
        f"{len(result.created)} sổ; đăng ký {result.count(EventKind.REGISTERED)}, báo cáo "
        f"{result.count(EventKind.REPORTED)}, tự đánh giá "
        f"{result.self_assessments}, chi bộ đánh giá "
        f"{result.count(EventKind.ASSESSED)}",
        f"Imported {result.units} units, {result.members} members; opened "
        f"{len(result.created)} handbooks; registered {result.count(EventKind.REGISTERED)}, "
        f"reported {result.count(EventKind.REPORTED)}, self-assessed "
        f"{result.self_assessments}, assessed {result.count(EventKind.ASSESSED)}",
    )
    for warning in result.warnings:
        say(f"  Lưu ý: {warning}", f"  Warning: {warning}")
    for v in result.cap_warnings:
        say(f"  Lưu ý [{v.code}] {v.message_vi}", f"  Warning [{v.code}] {v.message_en}")
    return result


@workbook.command("import")
@click.argument("path", type=EXISTING_FILE)
@click.option("--year", type=int, required=True)
@actor_option("Mã người nhập / the actor's id.")
@reports_errors
def import_(path: Path, year: int, actor_id: str) -> None:
    """Nhập bảng tính đã điền / import a filled workbook (all or nothing)."""
    with open_service(create=True) as service:
        _apply(service, path, year, actor_id)


def _selection(
    service: Handbooks, cell_id: str | None, organisation_id: str | None, year: int
) -> tuple[list[Handbook], list[Member], list[OrgUnit]]:
    """The handbooks chosen, with the units above and below them and their members, so the
    workbook can be imported into an empty store."""
    books = service.find(cell_id=cell_id, organisation_id=organisation_id, year=year)
    top = cell_id or organisation_id
    tree = service.roster.tree()
    units = service.store.units() if top is None else [*tree.chain(top)[:-1], *tree.subtree(top)]
    units.sort(key=lambda u: (len(tree.chain(u.id)), collation_key(u.name)))
    ids = {u.id for u in units}
    members = [m for m in service.roster.members() if m.cell_id in ids]
    listed = {m.id for m in members}
    members += [hb.member for hb in books if hb.member.id not in listed]
    return books, members, units


@workbook.command("export")
@click.argument("path", type=OUT_FILE)
@click.option("--year", type=int, required=True)
@click.option("--cell", "cell_id", help="Một chi bộ / one cell.")
@click.option("--org", "organisation_id", help="Cả đơn vị / a unit's subtree.")
@reports_errors
def export(path: Path, year: int, cell_id: str | None, organisation_id: str | None) -> None:
    """Xuất sổ tay ra bảng tính / export handbooks to a workbook."""
    if cell_id is not None and organisation_id is not None:
        raise UsageError("--cell hoặc --org, không cả hai", "--cell or --org, not both")
    with open_service() as service:
        books, members, units = _selection(service, cell_id, organisation_id, year)
    export_workbook(_writes(path), books, members=members, units=units)
    say(
        f"Đã xuất {len(books)} sổ, {len(members)} đảng viên ra {path}",
        f"Exported {len(books)} handbooks, {len(members)} members to {path}",
    )


@workbook.command("to-word")
@click.argument("path", type=EXISTING_FILE)
@click.option("--year", type=int, required=True)
@actor_option("Mã người nhập / the actor's id.")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Thư mục ghi tệp Word / folder for the Word files.",
)
@reports_errors
def to_word(path: Path, year: int, actor_id: str, out: Path) -> None:
    """Nhập bảng tính rồi xuất mỗi đảng viên một sổ Word / import, then one .docx each."""
    from lamtheoguongbac.export import export_handbooks

    with open_service(create=True) as service:
        # Before importing: PluginError if no handbook exporter is installed.
        chosen = service.registry.exporter_for("handbook")
        result = _apply(service, path, year, actor_id)
        with writing(out):
            written = export_handbooks(
                out,
                result.handbooks,
                exporter=chosen.name,
                registry=service.registry,
                policy=service.policy,
            )
    show_notes(written.notes)
    say(
        f"Đã ghi {len(written.written)} sổ Word vào {out}",
        f"Wrote {len(written.written)} Word handbooks to {out}",
    )
