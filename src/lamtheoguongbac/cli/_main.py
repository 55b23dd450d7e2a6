"""The ``lamtheoguongbac`` command line (also ``python -m lamtheoguongbac``).

Messages are Vietnamese; ``--lang en`` switches to English. The store is chosen by
``--store URL`` or ``LAMTHEOGUONGBAC_STORE``, by default ``sqlite:///lamtheoguongbac.db`` in
the working directory. Exit status: 0 success, 1 ``lint`` found a generic pledge, 2 an error
(bad input, a refused step, a conflict), each explained on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from lamtheoguongbac import serde
from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._legacy import decode_bytes
from lamtheoguongbac._linter import lint_text
from lamtheoguongbac._model import (
    Handbook,
    HandbookStatus,
    Period,
    Pledge,
    RatingLevel,
    ResultReport,
    SelfAssessment,
)
from lamtheoguongbac._present import describe_handbook
from lamtheoguongbac._registry import create_registry
from lamtheoguongbac._service.core import StepResult
from lamtheoguongbac.cli._common import (
    date_argument,
    message_lang,
    open_service,
    reports_errors,
    say,
)
from lamtheoguongbac.cli._exemplars import exemplar
from lamtheoguongbac.cli._export import export, template
from lamtheoguongbac.cli._reports import summary_report, yearbook
from lamtheoguongbac.cli._supervision import remind, stats, workbook
from lamtheoguongbac.cli._usage import (
    DEBUG_ENV,
    LANG_ENV,
    debug_requested,
    lang_requested,
    show_crash,
    show_usage_error,
)
from lamtheoguongbac.text import nfc

__all__ = ["cli", "main"]

STORE_ENV = "LAMTHEOGUONGBAC_STORE"
DEFAULT_STORE = "sqlite:///lamtheoguongbac.db"

R = TypeVar("R")


def _read_json(path: Path) -> Any:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            f"không đọc được tệp: {exc.strerror}",
            f"cannot read the file: {exc.strerror}",
            field=str(path),
        ) from exc
    return serde.parse_json(data.removeprefix(b"\xef\xbb\xbf"), source=str(path))


def _doc(data: Any, path: str, cls: type[R], source: str) -> R:
    """Structure the part of a JSON document at ``path`` ("report", "pledges[2]") as ``cls``,
    with the document's schema version; errors name the file and the JSON path."""
    if not isinstance(data, dict):
        raise ValidationFailed("cần một đối tượng JSON", "a JSON object is required", field=source)
    key, _, index = path.partition("[")
    item: Any = data.get(key)
    if index:
        position = int(index.rstrip("]"))
        item = item[position] if isinstance(item, list) and position < len(item) else None
    if item is None:
        raise ValidationFailed(f"thiếu '{path}'", f"'{path}' is missing", field=source)
    version = data.get("schema_version", serde.SCHEMA_VERSION)
    try:
        return serde.from_dict(
            cls, {"schema_version": version, **item} if isinstance(item, dict) else item
        )
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.reason_vi,
            exc.reason_en,
            field=f"{source}: $.{path}{(exc.field or '$')[1:]}",
            errors=exc.errors,
        ) from exc


def _date_option(value: str | None) -> dt.date | None:
    return None if value is None else date_argument(value)


def _print_step(result: StepResult) -> None:
    hb = result.handbook
    say(
        f"Sổ {hb.id} ({hb.member.full_name}): {hb.status.label_vi}, phiên bản {hb.version}",
        f"Handbook {hb.id} ({hb.member.full_name}): {hb.status.label_en}, version {hb.version}",
    )
    for w in result.warnings:
        say(
            f"  Lưu ý [{w.code}] {w.path}: {w.message_vi}",
            f"  Warning [{w.code}] {w.path}: {w.message_en}",
        )


@click.group()
@click.option(
    "--store",
    envvar=STORE_ENV,
    default=DEFAULT_STORE,
    show_default=True,
    help="Địa chỉ kho / store URL (sqlite:///tep.db, memory:, …).",
)
@click.option(
    "--lang",
    type=click.Choice(["vi", "en"]),
    default="vi",
    show_default=True,
    envvar=LANG_ENV,
    help="Ngôn ngữ thông báo / message language.",
)
@click.option(
    "--debug",
    is_flag=True,
    envvar=DEBUG_ENV,
    help="In chi tiết (traceback) khi có lỗi nội bộ / print the traceback of an internal error.",
)
@click.version_option(package_name="lamtheoguongbac")
@click.pass_context
def cli(ctx: click.Context, store: str, lang: str, debug: bool) -> None:
    """Sổ tay Làm theo gương Bác — đăng ký, báo cáo, đánh giá, xuất văn bản."""
    ctx.ensure_object(dict)
    ctx.obj.setdefault("registry", create_registry())


@cli.command()
@click.argument("roster", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@reports_errors
def init(roster: tuple[Path, ...]) -> None:
    """Tạo kho (và nhập danh sách nếu có) / create the store (and import a roster)."""
    with open_service() as service:
        if roster:
            service.roster.import_files(list(roster))
        say(f"Đã sẵn sàng kho {service.store.url}", f"Store ready at {service.store.url}")


@cli.command(name="import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@reports_errors
def import_(files: tuple[Path, ...]) -> None:
    """Nhập tổ chức và đảng viên từ CSV/JSON / import units and members (CSV, JSON)."""
    with open_service() as service:
        roster = service.roster.import_files(list(files))
    say(
        f"Đã nhập {len(roster.units)} tổ chức, {len(roster.members)} đảng viên",
        f"Imported {len(roster.units)} units, {len(roster.members)} members",
    )


@cli.command()
@click.option("--cell", "cell_id", help="Mở sổ cho cả chi bộ / for every member of a cell.")
@click.option("--member", "member_id", help="Mở sổ cho một đảng viên / for one member.")
@click.option("--year", type=int, help="Sổ của một năm / a one-year handbook.")
@click.option(
    "--period",
    "period_text",
    help="Sổ cả nhiệm kỳ, ví dụ 2021-2025 / a term handbook, e.g. 2021-2025.",
)
@click.option("--as", "actor_id", required=True, help="Mã người thực hiện / actor's id.")
@reports_errors
def create(
    cell_id: str | None,
    member_id: str | None,
    year: int | None,
    period_text: str | None,
    actor_id: str,
) -> None:
    """Mở sổ tay cho năm hoặc nhiệm kỳ / open handbooks for a year or a term."""
    if (cell_id is None) == (member_id is None):
        raise click.UsageError("--cell hoặc/or --member")
    if (year is None) == (period_text is None):
        raise click.UsageError("--year hoặc/or --period")
    period = Period.year(year) if year is not None else _period_option(period_text or "")
    with open_service() as service:
        actor = service.roster.actor(actor_id)
        if cell_id:
            books = service.create_for_cell(cell_id, period=period, actor=actor)
        else:
            books = [service.create(member_id or "", period=period, actor=actor)]
    say(
        f"Đã mở {len(books)} sổ {period.label()}",
        f"Opened {len(books)} handbooks ({period.start.year}–{period.end.year})",
    )
    for b in books:
        click.echo(f"  {b.id}\t{b.member.full_name}")


def _period_option(text: str) -> Period:
    try:
        return Period.parse(text)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.reason_vi, exc.reason_en, field="--period") from exc


def _pledges_file(path: Path) -> list[Pledge]:
    data = _read_json(path)
    items = data.get("pledges") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise ValidationFailed(
            "cần danh sách 'pledges'", "a 'pledges' list is required", field=str(path)
        )
    return [_doc(data, f"pledges[{i}]", Pledge, str(path)) for i in range(len(items))]


@cli.command()
@click.argument("handbook_id")
@click.option("--year", type=int, required=True, help="Năm bổ sung / the supplement's year.")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help='JSON {"pledges": [...]}',
)
@click.option("--as", "actor_id", required=True)
@reports_errors
def supplement(handbook_id: str, year: int, path: Path, actor_id: str) -> None:
    """Đăng ký bổ sung hằng năm vào sổ nhiệm kỳ / add a yearly supplement to a term book."""
    pledges = _pledges_file(path)
    with open_service() as service:
        _print_step(
            service.supplement_pledges(
                handbook_id, pledges, year=year, actor=service.roster.actor(actor_id)
            )
        )


@cli.command(name="interim-report")
@click.argument("handbook_id")
@click.option("--checkpoint", required=True, help="Mốc sơ kết / checkpoint (dd/mm/yyyy).")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help='JSON {"report": {...}, "self_assessment": {...}}',
)
@click.option("--title", help="Tên đợt, ví dụ 'Kiểm điểm năm 2022' / the review's title.")
@click.option("--as", "actor_id", required=True)
@reports_errors
def interim_report(
    handbook_id: str, checkpoint: str, path: Path, title: str | None, actor_id: str
) -> None:
    """Báo cáo sơ kết tại một mốc / report results at a checkpoint or a year's end."""
    day = date_argument(checkpoint, "--checkpoint")
    data = _read_json(path)
    result_report = _doc(data, "report", ResultReport, str(path))
    self_assessment = (
        _doc(data, "self_assessment", SelfAssessment, str(path))
        if isinstance(data, dict) and data.get("self_assessment")
        else None
    )
    with open_service() as service:
        _print_step(
            service.report_interim(
                handbook_id,
                result_report,
                checkpoint=day,
                title=nfc(title) if title else None,
                self_assessment=self_assessment,
                actor=service.roster.actor(actor_id),
            )
        )


@cli.command(name="interim-assess")
@click.argument("handbook_id")
@click.option("--checkpoint", required=True, help="Mốc sơ kết / checkpoint (dd/mm/yyyy).")
@click.option("--text", required=True, help="Nhận xét của chi bộ / the cell's assessment.")
@click.option("--rating", type=click.Choice([r.value for r in RatingLevel]))
@click.option("--meeting-date", required=True, help="dd/mm/yyyy")
@click.option("--as", "actor_id", required=True, help="Bí thư/Phó Bí thư / the recorder.")
@reports_errors
def interim_assess(
    handbook_id: str,
    checkpoint: str,
    text: str,
    rating: str | None,
    meeting_date: str,
    actor_id: str,
) -> None:
    """Ghi nhận xét sơ kết của chi bộ / record the cell's interim assessment."""
    day = date_argument(checkpoint, "--checkpoint")
    meeting = date_argument(meeting_date, "--meeting-date")
    with open_service() as service:
        assessment = service.assessment_by(
            actor_id,
            handbook_id,
            text=nfc(text),
            meeting_date=meeting,
            rating=RatingLevel(rating) if rating else None,
        )
        _print_step(
            service.record_interim_assessment(
                handbook_id, assessment, checkpoint=day, actor=service.roster.actor(actor_id)
            )
        )


@cli.command()
@click.argument("handbook_id")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help='JSON {"pledges": [...]}',
)
@click.option("--as", "actor_id", required=True)
@reports_errors
def register(handbook_id: str, path: Path, actor_id: str) -> None:
    """Đăng ký việc làm theo / register pledges from a JSON file."""
    pledges = _pledges_file(path)
    with open_service() as service:
        _print_step(
            service.register_pledges(handbook_id, pledges, actor=service.roster.actor(actor_id))
        )


@cli.command()
@click.argument("handbook_id")
@click.option(
    "--file",
    "path",
    required=True,
    type=click.Path(exists=True, path_type=Path),
    help='JSON {"report": {...}, "self_assessment": {...}}',
)
@click.option("--as", "actor_id", required=True)
@reports_errors
def report(handbook_id: str, path: Path, actor_id: str) -> None:
    """Báo cáo kết quả (kèm tự đánh giá) / report results (and self-assessment)."""
    data = _read_json(path)
    result_report = _doc(data, "report", ResultReport, str(path))
    self_assessment = (
        _doc(data, "self_assessment", SelfAssessment, str(path))
        if isinstance(data, dict) and data.get("self_assessment")
        else None
    )
    with open_service() as service:
        _print_step(
            service.report_results(
                handbook_id,
                result_report,
                self_assessment=self_assessment,
                actor=service.roster.actor(actor_id),
            )
        )


@cli.command(name="self-assess")
@click.argument("handbook_id")
@click.option("--text", required=True)
@click.option("--date", "date_", required=True, help="dd/mm/yyyy")
@click.option("--as", "actor_id", required=True)
@reports_errors
def self_assess(handbook_id: str, text: str, date_: str, actor_id: str) -> None:
    """Viết phần tự nhận xét, đánh giá / write the self-assessment."""
    day = _date_option(date_)
    assert day is not None
    with open_service() as service:
        _print_step(
            service.self_assess(
                handbook_id,
                SelfAssessment(text=nfc(text), written_on=day),
                actor=service.roster.actor(actor_id),
            )
        )


@cli.command()
@click.argument("handbook_id")
@click.option("--text", required=True, help="Nhận xét của tập thể / the cell's assessment.")
@click.option(
    "--rating",
    type=click.Choice([r.value for r in RatingLevel]),
    help="Mức xếp loại / rating (bỏ trống với đảng viên bị đình chỉ).",
)
@click.option("--meeting-date", required=True, help="dd/mm/yyyy")
@click.option("--as", "actor_id", required=True, help="Bí thư/Phó Bí thư / the recorder.")
@reports_errors
def assess(
    handbook_id: str, text: str, rating: str | None, meeting_date: str, actor_id: str
) -> None:
    """Ghi nhận xét, đánh giá của chi bộ / record the cell's collective assessment."""
    day = _date_option(meeting_date)
    assert day is not None
    with open_service() as service:
        assessment = service.assessment_by(
            actor_id,
            handbook_id,
            text=nfc(text),
            meeting_date=day,
            rating=RatingLevel(rating) if rating else None,
        )
        _print_step(
            service.record_assessment(handbook_id, assessment, actor=service.roster.actor(actor_id))
        )


@cli.command(name="close")
@click.argument("handbook_id")
@click.option("--as", "actor_id", required=True)
@reports_errors
def close_(handbook_id: str, actor_id: str) -> None:
    """Khóa sổ / close the handbook."""
    with open_service() as service:
        _print_step(service.close_handbook(handbook_id, actor=service.roster.actor(actor_id)))


@cli.command()
@click.argument("handbook_id")
@click.option(
    "--to", "to", required=True, type=click.Choice([s.value for s in HandbookStatus][:-1])
)
@click.option("--reason", required=True, help="Lý do mở lại / the written reason.")
@click.option("--as", "actor_id", required=True)
@reports_errors
def reopen(handbook_id: str, to: str, reason: str, actor_id: str) -> None:
    """Mở lại sổ về trạng thái trước / reopen to an earlier status."""
    with open_service() as service:
        _print_step(
            service.reopen_handbook(
                handbook_id,
                to=HandbookStatus(to),
                reason=nfc(reason),
                actor=service.roster.actor(actor_id),
            )
        )


def _summary(hb: Handbook) -> dict[str, Any]:
    rating = hb.collective_assessment.rating if hb.collective_assessment else None
    return {
        "id": hb.id,
        "member": hb.member.full_name,
        "cell": hb.cell.name,
        "year": hb.year,
        "status": hb.status.value,
        "version": hb.version,
        "pledges": len(hb.pledges),
        "rating": rating.abbreviation if rating else None,
    }


@cli.command(name="list")
@click.option("--org", "organisation_id", help="Cả cây tổ chức dưới đơn vị / a subtree.")
@click.option("--cell", "cell_id")
@click.option("--year", type=int)
@click.option("--status", type=click.Choice([s.value for s in HandbookStatus]))
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def list_(
    organisation_id: str | None,
    cell_id: str | None,
    year: int | None,
    status: str | None,
    as_json: bool,
) -> None:
    """Liệt kê sổ tay / list handbooks."""
    with open_service() as service:
        books = service.find(
            organisation_id=organisation_id,
            cell_id=cell_id,
            year=year,
            status=HandbookStatus(status) if status else None,
        )
    if as_json:
        click.echo(json.dumps([_summary(b) for b in books], ensure_ascii=False, indent=2))
        return
    for b in books:
        label = b.status.label_en if message_lang() == "en" else b.status.label_vi
        click.echo(f"{b.id}\t{b.year}\t{b.member.full_name}\t{b.cell.name}\t{label}")
    say(f"{len(books)} sổ", f"{len(books)} handbooks")


@cli.command()
@click.argument("handbook_id")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def show(handbook_id: str, as_json: bool) -> None:
    """Xem một sổ tay / show one handbook."""
    with open_service() as service:
        hb = service.get(handbook_id)
    if as_json:
        click.echo(serde.dumps(hb, indent=2))
        return
    click.echo(describe_handbook(hb, lang=message_lang()))


@cli.command()
@click.argument("handbook_id")
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def history(handbook_id: str, as_json: bool) -> None:
    """Nhật ký của sổ / the handbook's audit trail."""
    with open_service() as service:
        events = service.history(handbook_id)
    if as_json:
        click.echo(json.dumps([serde.to_dict(e) for e in events], ensure_ascii=False, indent=2))
        return
    for e in events:
        kind = e.kind.label_en if message_lang() == "en" else e.kind.label_vi
        reason = f" — {e.reason}" if e.reason else ""
        click.echo(f"v{e.version}\t{e.at:%Y-%m-%d %H:%M}\t{kind}\t{e.actor_name}{reason}")


@cli.command()
@click.argument("texts", nargs=-1)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mỗi dòng một việc làm / one pledge per line.",
)
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def lint(texts: tuple[str, ...], path: Path | None, as_json: bool) -> None:
    """Kiểm tra việc đăng ký có chung chung không / flag generic pledges.

    Judged on the text alone (the link to the member's duties needs the member's record and
    is not checked here). Exit status 1 when any pledge is generic.
    """
    items = [nfc(t) for t in texts]
    if path is not None:
        try:
            content = decode_bytes(path.read_bytes()).text
        except ValueError as exc:
            raise ValidationFailed(str(exc), str(exc), field=str(path)) from exc
        items += [line.strip() for line in content.splitlines() if line.strip()]
    if not items:
        raise click.UsageError("cần ít nhất một việc làm / give at least one pledge")
    results = [(text, lint_text(text)) for text in items]
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "text": text,
                        "generic": bool(found),
                        "findings": [
                            {
                                "code": f.code,
                                "message_vi": f.message_vi,
                                "message_en": f.message_en,
                                "hint_vi": f.hint_vi,
                                "hint_en": f.hint_en,
                                "span": list(f.span) if f.span else None,
                            }
                            for f in found
                        ],
                    }
                    for text, found in results
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        for text, found in results:
            mark = (
                ("CHUNG CHUNG" if found else "CỤ THỂ")
                if message_lang() != "en"
                else ("GENERIC" if found else "SPECIFIC")
            )
            click.echo(f"[{mark}] {text}")
            for f in found:
                say(
                    f"    {f.code}: {f.message_vi} → {f.hint_vi}",
                    f"    {f.code}: {f.message_en} → {f.hint_en}",
                )
    if any(found for _, found in results):
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True)
def plugins(as_json: bool) -> None:
    """Các plugin đã cài / installed plugins: active, disabled, failed."""
    registry = click.get_current_context().find_root().obj["registry"]
    infos = registry.plugins()
    if as_json:
        click.echo(
            json.dumps(
                [
                    {
                        "name": p.name,
                        "distribution": p.distribution,
                        "version": p.version,
                        "status": p.status,
                        "hooks": list(p.hooks),
                        "error": p.error,
                    }
                    for p in infos
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    labels: Mapping[str, str] = (
        {"active": "hoạt động", "disabled": "đã tắt", "failed": "lỗi"}
        if message_lang() != "en"
        else {}
    )
    for p in infos:
        version = p.version or "-"
        status = labels.get(p.status, p.status)
        line = f"{p.name}\t{version}\t{status}\t{', '.join(p.hooks)}"
        click.echo(line + (f"\t{p.error}" if p.error else ""))


for _command in (export, template, stats, remind, workbook, exemplar, yearbook, summary_report):
    cli.add_command(_command)


def main(args: Sequence[str] | None = None) -> None:
    """Entry point: add plugin commands, then run; usage errors in the chosen language."""
    argv = list(sys.argv[1:] if args is None else args)
    lang, debug = lang_requested(argv), debug_requested(argv)
    registry = create_registry()
    registry.call_each("register_commands", cli=cli)
    try:
        code = cli.main(
            args=argv,
            prog_name="lamtheoguongbac",
            obj={"registry": registry},
            standalone_mode=False,
        )
    except click.UsageError as exc:
        show_usage_error(exc, lang)
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Đã hủy / Aborted" if lang != "en" else "Aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except Exception as exc:  # the last resort: a bug must not print a bare traceback
        show_crash(exc, debug=debug, lang=lang)
        sys.exit(70)
    sys.exit(code if isinstance(code, int) else 0)
