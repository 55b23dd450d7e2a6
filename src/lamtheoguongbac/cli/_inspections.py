"""Inspections on the command line (kiểm tra, giám sát): ``inspect suggest|record|follow-up|
list|show|workbook``.

The ``inspect`` group is added to the main ``lamtheoguongbac`` group in
:mod:`lamtheoguongbac.cli`; it uses that group's ``--store`` and ``--lang`` options and its
exit statuses (2 on an error), through the helpers of :mod:`lamtheoguongbac.cli._common`.
A scope is ``--cell``, ``--org`` (a subtree) or ``--handbook`` (repeatable). Findings come
from the rules (``--suggested``), a JSON file (``--findings f.json``: ``{"schema_version": 2,
"findings": [...]}``) or an inspection workbook (``--findings f.xlsx``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import click

from lamtheoguongbac import serde
from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._inspections import (
    Finding,
    FindingKind,
    Inspection,
    InspectionScope,
    ScopeKind,
)
from lamtheoguongbac._service.core import Handbooks
from lamtheoguongbac.cli._common import (
    EXISTING_FILE,
    OUT_FILE,
    actor_option,
    date_argument,
    listing_options,
    open_service,
    reports_errors,
    say,
)
from lamtheoguongbac.cli._json import read_document
from lamtheoguongbac.cli._usage import UsageError
from lamtheoguongbac.text import nfc

__all__ = ["inspect"]


def _scope(cell: str | None, org: str | None, handbooks: tuple[str, ...]) -> InspectionScope:
    given = [x for x in (cell, org, handbooks or None) if x]
    if len(given) != 1:
        raise UsageError(
            "cần đúng một trong --cell, --org, --handbook",
            "give exactly one of --cell, --org, --handbook",
        )
    if cell:
        return InspectionScope(kind=ScopeKind.CELL, unit_id=nfc(cell))
    if org:
        return InspectionScope(kind=ScopeKind.SUBTREE, unit_id=nfc(org))
    return InspectionScope(kind=ScopeKind.HANDBOOKS, handbook_ids=tuple(map(nfc, handbooks)))


def _scope_options(fn: Any) -> Any:
    fn = click.option(
        "--handbook", "handbooks", multiple=True, help="Sổ được kiểm tra / a handbook (repeat)."
    )(fn)
    fn = click.option("--org", help="Một tổ chức và cấp dưới / an organisation subtree.")(fn)
    fn = click.option("--cell", help="Một chi bộ / one cell.")(fn)
    return fn


def _day(value: str | None, option: str) -> dt.date | None:
    return None if value is None else date_argument(value, option)


def _findings_from(path: Path, service: Handbooks) -> list[Finding]:
    if path.suffix.lower() == ".xlsx":
        from lamtheoguongbac.spreadsheet import read_inspection_workbook

        return list(read_inspection_workbook(path, kinds=service.inspections.kinds()).findings)
    doc = read_document(path, ["findings"], shape='{"schema_version": 2, "findings": [...]}')
    findings = doc.data.get("findings")
    if not isinstance(findings, list):
        raise ValidationFailed(
            'cần {"schema_version": 2, "findings": [...]}',
            'expected {"schema_version": 2, "findings": [...]}',
            field=str(path),
        )
    return [doc.part(f"findings[{i}]", Finding) for i in range(len(findings))]


def _print_findings(
    findings: list[Finding] | tuple[Finding, ...],
    today: dt.date,
    kinds: Sequence[FindingKind] = (),
) -> None:
    """The findings, each under its kind (in English with the kind's label). The finding's own
    text is the inspection's record (the minutes, in Vietnamese), so in English it is shown
    as quoted record text after the English label of its kind."""
    labels = {k.code: k.label_en for k in kinds}
    for f in findings:
        where = f.cell_id + (f" / {f.handbook_id}" if f.handbook_id else "")
        label_en = labels.get(f.kind, f.kind)
        # the code alone in Vietnamese (it is Vietnamese words), its English label in English
        say(f"{f.id}\t{f.kind}\t{where}", f"{f.id}\t{f.kind} ({label_en})\t{where}")
        say(f"    {f.text}", f"    recorded: «{f.text}»")
        for r in f.requests:
            status = r.status(today)
            say(
                f"    {r.id}: {r.text} (hạn {r.due:%d/%m/%Y}) — {status.label_vi}",
                f"    {r.id}: {r.text} (due {r.due.isoformat()}) — {status.label_en}",
            )
            for fu in r.follow_ups:
                say(
                    f"        {fu.on:%d/%m/%Y} {fu.recorder_role.label_vi} {fu.recorder_name}: "
                    f"{fu.text}{' (đã xong)' if fu.done else ''}",
                    f"        {fu.on.isoformat()} {fu.recorder_name}: {fu.text}"
                    f"{' (done)' if fu.done else ''}",
                )


@click.group()
def inspect() -> None:
    """Kiểm tra, giám sát việc thực hiện sổ tay / inspections of how handbooks are kept."""


@inspect.command()
@_scope_options
@click.option("--year", type=int, required=True, help="Năm của sổ / the handbooks' year.")
@click.option("--on", "on_", help="Ngày kiểm tra / inspection date (dd/mm/yyyy).")
@click.option("--out", type=OUT_FILE, help="Ghi ra .json hoặc .xlsx / write to .json or .xlsx.")
@reports_errors
def suggest(
    cell: str | None,
    org: str | None,
    handbooks: tuple[str, ...],
    year: int,
    on_: str | None,
    out: Path | None,
) -> None:
    """Gợi ý nội dung kiểm tra từ quy tắc / draft findings from the rules (generic pledges,
    late steps, missing assessments)."""
    scope = _scope(cell, org, handbooks)
    with open_service() as service:
        day = _day(on_, "--on") or service._today()
        drafts = service.inspections.suggest(scope, year=year, on=day)
        cells = service.inspections.cells(scope, year=year)
        kinds = service.inspections.kinds()
    if out is not None and out.suffix.lower() == ".xlsx":
        from lamtheoguongbac.spreadsheet import write_inspection_workbook

        write_inspection_workbook(out, findings=drafts, cells=cells, kinds=kinds)
    elif out is not None:
        doc = {
            "schema_version": serde.SCHEMA_VERSION,
            "findings": [
                {k: v for k, v in serde.to_dict(f).items() if k != "schema_version"} for f in drafts
            ],
        }
        from lamtheoguongbac._fsutil import atomic_write

        atomic_write(out, json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8"))
    else:
        _print_findings(drafts, day, kinds)
    where_vi, where_en = (f", ghi vào {out}", f", written to {out}") if out else ("", "")
    say(
        f"{len(drafts)} nội dung gợi ý cho {len(cells)} chi bộ{where_vi}",
        f"{_count(len(drafts), 'suggested finding')} for {_count(len(cells), 'cell')}{where_en}",
    )


@inspect.command()
@_scope_options
@click.option("--year", type=int, required=True, help="Năm của sổ / the handbooks' year.")
@actor_option("Mã người ghi / the recorder's id.")
@click.option("--on", "on_", help="Ngày kiểm tra / inspection date (dd/mm/yyyy).")
@click.option("--body", "body_id", help="Mã cấp ủy kiểm tra / the inspecting unit's id.")
@click.option("--body-name", help="Tên cơ quan kiểm tra / the inspecting body as it signs.")
@click.option("--conclusion", help="Kết luận / the conclusion.")
@click.option("--findings", "findings_file", type=EXISTING_FILE, help="Tệp .json/.xlsx phát hiện.")
@click.option("--suggested", is_flag=True, help="Dùng nội dung gợi ý / use the suggestions.")
@click.option("--id", "inspection_id", help="Mã cuộc kiểm tra / the inspection's id.")
@reports_errors
def record(
    cell: str | None,
    org: str | None,
    handbooks: tuple[str, ...],
    year: int,
    actor_id: str,
    on_: str | None,
    body_id: str | None,
    body_name: str | None,
    conclusion: str | None,
    findings_file: Path | None,
    suggested: bool,
    inspection_id: str | None,
) -> None:
    """Ghi kết quả kiểm tra / record an inspection with its findings and requests."""
    scope = _scope(cell, org, handbooks)
    if findings_file is None and not suggested:
        raise UsageError(
            "cần --findings TỆP hoặc --suggested", "give --findings FILE or --suggested"
        )
    if findings_file is not None and suggested:
        raise UsageError(
            "--findings hoặc --suggested, không cả hai", "--findings or --suggested, not both"
        )
    with open_service() as service:
        day = _day(on_, "--on") or service._today()
        findings = (
            _findings_from(findings_file, service)
            if findings_file is not None
            else service.inspections.suggest(scope, year=year, on=day)
        )
        done = service.inspections.record(
            scope=scope,
            year=year,
            findings=findings,
            actor=service.roster.actor(actor_id),
            on=day,
            body_id=body_id,
            body_name=nfc(body_name) if body_name else None,
            conclusion=nfc(conclusion) if conclusion else None,
            inspection_id=inspection_id,
        )
    requests = sum(len(f.requests) for f in done.findings)
    say(
        f"Đã ghi cuộc kiểm tra {done.id} của {done.inspector} ngày {done.on:%d/%m/%Y}: "
        f"{len(done.cells)} chi bộ, {done.handbook_count} sổ, {len(done.findings)} phát hiện, "
        f"{requests} yêu cầu khắc phục",
        f"Recorded inspection {done.id} by {done.inspector} on {done.on.isoformat()}: "
        f"{_count(len(done.cells), 'cell')}, {_count(done.handbook_count, 'handbook')}, "
        f"{_count(len(done.findings), 'finding')}, {_count(requests, 'request')}",
    )


@inspect.command(name="follow-up")
@click.argument("inspection_id")
@click.argument("request_id", required=False)
@actor_option("Mã Bí thư/Phó Bí thư chi bộ.")
@click.option("--text", help="Kết quả khắc phục / what was done.")
@click.option("--done/--in-progress", default=True, help="Đã xong hay chưa / met or not yet.")
@click.option("--on", "on_", help="Ngày / date (dd/mm/yyyy).")
@click.option(
    "--workbook", type=EXISTING_FILE, help="Đọc kết quả từ bảng tính / from the workbook."
)
@reports_errors
def follow_up(
    inspection_id: str,
    request_id: str | None,
    actor_id: str,
    text: str | None,
    done: bool,
    on_: str | None,
    workbook: Path | None,
) -> None:
    """Báo cáo kết quả khắc phục / record the cell's follow-up to a request (or every
    follow-up filled in an inspection workbook)."""
    if (workbook is None) == (request_id is None):
        raise UsageError(
            "cần MÃ_YÊU_CẦU --text … hoặc --workbook TỆP",
            "give REQUEST_ID --text … or --workbook FILE",
        )
    if request_id is not None and not text:
        raise UsageError("cần --text", "--text is required")
    with open_service() as service:
        actor = service.roster.actor(actor_id)
        day = _day(on_, "--on")
        if workbook is not None:
            from lamtheoguongbac.spreadsheet import read_inspection_workbook

            sheet = read_inspection_workbook(workbook, kinds=service.inspections.kinds())
            current = service.inspections.get(inspection_id)
            pending = [
                fu
                for fu in sheet.follow_ups
                if not current.request(fu.request_id)[1].done
                and not _recorded(current, fu.request_id, fu.text)
            ]
            with service.transaction():
                for fu in pending:
                    service.inspections.follow_up(
                        inspection_id,
                        fu.request_id,
                        text=fu.text,
                        done=fu.done,
                        actor=actor,
                        on=fu.on or day,
                    )
            say(
                f"Đã ghi {len(pending)} kết quả khắc phục từ {workbook}",
                f"Recorded {len(pending)} follow-ups from {workbook}",
            )
            return
        assert request_id is not None
        assert text is not None
        updated = service.inspections.follow_up(
            inspection_id, request_id, text=nfc(text), done=done, actor=actor, on=day
        )
    _, request = updated.request(nfc(request_id))
    state_vi, state_en = ("đã khắc phục", "done") if request.done else ("đang khắc phục", "open")
    say(
        f"Đã ghi kết quả khắc phục yêu cầu {request.id} của cuộc kiểm tra {updated.id}: {state_vi}",
        f"Recorded the follow-up of request {request.id} of inspection {updated.id}: {state_en}",
    )


def _recorded(inspection: Inspection, request_id: str, text: str) -> bool:
    """Whether the same follow-up text is already recorded (a workbook applied twice)."""
    return any(fu.text == text for fu in inspection.request(request_id)[1].follow_ups)


@inspect.command(name="list")
@listing_options()
@reports_errors
def list_(year: int | None, organisation_id: str | None, as_json: bool) -> None:
    """Danh sách cuộc kiểm tra / list inspections (by date)."""
    with open_service() as service:
        found = service.inspections.list(year=year, organisation_id=organisation_id)
        today = service._today()
    if as_json:
        click.echo(json.dumps([serde.to_dict(i) for i in found], ensure_ascii=False, indent=2))
        return
    if not found:
        say("Chưa có cuộc kiểm tra nào", "No inspections")
    for i in found:
        requests = [r for _, r in i.requests()]
        done = sum(1 for r in requests if r.done)
        late = sum(1 for r in requests if r.status(today).value == "overdue")
        cells = ", ".join(c.cell.name for c in i.cells)
        say(
            f"{i.id}\t{i.on:%d/%m/%Y}\t{i.inspector}\t{cells}\t{len(i.findings)} phát hiện, "
            f"{done}/{len(requests)} yêu cầu đã khắc phục, {late} quá hạn",
            f"{i.id}\t{i.on.isoformat()}\t{i.inspector}\t{cells}\t"
            f"{_count(len(i.findings), 'finding')}, "
            f"{done}/{len(requests)} requests done, {late} overdue",
        )


@inspect.command()
@click.argument("inspection_id")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON.")
@reports_errors
def show(inspection_id: str, as_json: bool) -> None:
    """Xem một cuộc kiểm tra và nhật ký / show an inspection and its audit trail."""
    with open_service() as service:
        found = service.inspections.get(inspection_id)
        history = service.inspections.history(inspection_id)
        today = service._today()
        kinds = service.inspections.kinds()
    if as_json:
        doc = {
            "inspection": serde.to_dict(found),
            "history": [serde.to_dict(e) for e in history],
        }
        click.echo(json.dumps(doc, ensure_ascii=False, indent=2))
        return
    say(
        f"{found.id}: {found.inspector}, ngày {found.on:%d/%m/%Y}, năm {found.year}",
        f"{found.id}: {found.inspector}, {found.on.isoformat()}, year {found.year}",
    )
    for c in found.cells:
        say(
            f"  {c.cell.name}: {len(c.handbook_ids)} sổ",
            f"  {c.cell.name}: {_count(len(c.handbook_ids), 'handbook')}",
        )
    if found.conclusion:
        say(f"Kết luận: {found.conclusion}", f"Conclusion: {found.conclusion}")
    _print_findings(found.findings, today, kinds)
    for e in history:
        note_en = _note_en(e.note) if e.note else None
        say(
            f"  [{e.at:%d/%m/%Y %H:%M}] {e.action.label_vi} — {e.actor_name}"
            + (f" ({e.note})" if e.note else ""),
            f"  [{e.at.isoformat()}] {e.action.label_en} — {e.actor_name}"
            + (f" ({note_en})" if note_en else ""),
        )


#: The audit notes the inspections facet writes (in Vietnamese, as stored), in English.
_NOTES_EN: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (
        re.compile(r"(\d+) chi bộ, (\d+) phát hiện"),
        lambda m: f"{_count(int(m[1]), 'cell')}, {_count(int(m[2]), 'finding')}",
    ),
    (
        re.compile(r"yêu cầu (.+): (đã|đang) khắc phục"),
        lambda m: f"request {m[1]}: {'done' if m[2] == 'đã' else 'in progress'}",
    ),
)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _note_en(note: str) -> str:
    """The English of a note the library wrote (stored in Vietnamese, so records written
    before this release read in English too); any other note is shown as written."""
    for pattern, english in _NOTES_EN:
        found = pattern.fullmatch(note)
        if found:
            return english(found)
    return note


@inspect.command()
@click.argument("inspection_id")
@click.option("--out", type=OUT_FILE, required=True, help="Tệp .xlsx / the .xlsx to write.")
@reports_errors
def workbook(inspection_id: str, out: Path) -> None:
    """Bảng tính để chi bộ báo cáo khắc phục / the workbook the cells fill with follow-ups."""
    from lamtheoguongbac.spreadsheet import write_inspection_workbook

    with open_service() as service:
        found = service.inspections.get(inspection_id)
        kinds = service.inspections.kinds()
    write_inspection_workbook(out, inspection=found, kinds=kinds)
    say(
        f"Đã ghi bảng tính kiểm tra {found.id} vào {out}",
        f"Wrote the workbook of inspection {found.id} to {out}",
    )
