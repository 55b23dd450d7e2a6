"""The ``lamtheoguongbac`` command line (also ``python -m lamtheoguongbac``).

Messages are Vietnamese; ``--lang en`` switches to English. The store is chosen by
``--store URL`` or ``LAMTHEOGUONGBAC_STORE``, by default ``sqlite:///lamtheoguongbac.db`` in
the working directory. Exit status: 0 success, 1 ``lint`` found a generic pledge, 2 an error
(bad input, a refused step, a conflict), each explained on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, TypeVar

import click

from lamtheoguongbac import serde
from lamtheoguongbac._errors import NotFound, ValidationFailed
from lamtheoguongbac._model import (
    Actor,
    CollectiveAssessment,
    Handbook,
    HandbookStatus,
    Period,
    Pledge,
    RatingLevel,
    ResultReport,
    SelfAssessment,
)
from lamtheoguongbac._plugin_records import PluginInfo
from lamtheoguongbac._present import describe_handbook
from lamtheoguongbac._service.core import Handbooks, StepResult
from lamtheoguongbac.cli._bulk import open_organisation  # also adds `workbook import-folder`
from lamtheoguongbac.cli._common import (
    actor_option,
    assessment_options,
    checkpoint_option,
    date_argument,
    handbook_file_option,
    in_lang,
    jobs_option,
    message_lang,
    open_service,
    reports_errors,
    say,
    theme_argument,
)
from lamtheoguongbac.cli._group import cli, main
from lamtheoguongbac.cli._json import read_document
from lamtheoguongbac.cli._usage import UsageError
from lamtheoguongbac.text import nfc

__all__ = ["cli", "main"]

R = TypeVar("R")


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


_ROSTER_AS = (
    "Người nhập danh sách, ghi vào nhật ký danh sách / who imports the roster, recorded in "
    "its audit trail"
)


def _roster_actor(service: Handbooks, actor_id: str | None) -> Actor | None:
    """``--as`` of a roster import: the stored member, else an official outside the roster."""
    if actor_id is None:
        return None
    try:
        return service.roster.actor(actor_id)
    except NotFound:
        return Actor(id=actor_id, name=actor_id)


@click.command()
@click.argument("roster", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "actor_id", default=None, help=_ROSTER_AS)
@reports_errors
def init(roster: tuple[Path, ...], actor_id: str | None) -> None:
    """Tạo kho (và nhập danh sách nếu có) / create the store (and import a roster)."""
    with open_service(create=True) as service:
        if roster:
            service.roster.import_files(list(roster), actor=_roster_actor(service, actor_id))
        say(f"Đã sẵn sàng kho {service.store.url}", f"Store ready at {service.store.url}")


@click.command(name="import")
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--as", "actor_id", default=None, help=_ROSTER_AS)
@reports_errors
def import_(files: tuple[Path, ...], actor_id: str | None) -> None:
    """Nhập tổ chức và đảng viên từ CSV/JSON / import units and members (CSV, JSON)."""
    with open_service(create=True) as service:
        roster = service.roster.import_files(list(files), actor=_roster_actor(service, actor_id))
    say(
        f"Đã nhập {len(roster.units)} tổ chức, {len(roster.members)} đảng viên",
        f"Imported {len(roster.units)} units, {len(roster.members)} members",
    )


@click.command()
@click.option("--cell", "cell_id", help="Mở sổ cho cả chi bộ / for every member of a cell.")
@click.option("--member", "member_id", help="Mở sổ cho một đảng viên / for one member.")
@click.option(
    "--organisation",
    "organisation_id",
    help="Mở sổ cho mọi đảng viên dưới tổ chức / for every member of a subtree.",
)
@click.option("--year", type=int, help="Sổ của một năm / a one-year handbook.")
@click.option(
    "--period",
    "period_text",
    help="Sổ cả nhiệm kỳ, ví dụ 2021-2025 / a term handbook, e.g. 2021-2025.",
)
@actor_option("Mã người thực hiện / actor's id.")
@click.option(
    "--policy",
    "policy_name",
    help="Tên chính sách trong danh mục (mặc định: theo năm của sổ) / a catalog policy "
    "(default: the one for the handbook's year).",
)
@click.option(
    "--theme",
    "theme_arg",
    help="Mã hoặc tên chuyên đề trong danh mục, hoặc nội dung chuyên đề riêng / a catalog "
    "theme's code or title, or the text of your own theme.",
)
@jobs_option(
    "Với --organisation: N tiến trình phụ chia nhau các chi bộ / with --organisation: "
    "N worker processes share the cells."
)
@reports_errors
def create(
    cell_id: str | None,
    member_id: str | None,
    organisation_id: str | None,
    year: int | None,
    period_text: str | None,
    actor_id: str,
    policy_name: str | None,
    theme_arg: str | None,
    jobs: int,
) -> None:
    """Mở sổ tay cho năm hoặc nhiệm kỳ / open handbooks for a year or a term."""
    if sum(x is not None for x in (cell_id, member_id, organisation_id)) != 1:
        raise UsageError(
            "cần đúng một trong --cell, --member, --organisation",
            "give exactly one of --cell, --member, --organisation",
        )
    if (year is None) == (period_text is None):
        raise UsageError(
            "cần --year hoặc --period (một trong hai)", "give --year or --period (one of them)"
        )
    if jobs > 1 and organisation_id is None:
        raise UsageError("--jobs chỉ dùng với --organisation", "--jobs goes with --organisation")
    period = Period.year(year) if year is not None else _period_option(period_text or "")
    with open_service() as service:
        actor = service.roster.actor(actor_id)
        start = period.start.year
        theme = None if theme_arg is None else theme_argument(service.catalog, theme_arg, start)
        options: dict[str, Any] = {"actor": actor, "theme": theme}
        options |= {"year": year} if year is not None else {"period": period}
        options["policy"] = None if policy_name is None else nfc(policy_name).strip()
        if organisation_id is not None:
            open_organisation(service, organisation_id, jobs=jobs, **options)
            return
        if cell_id:
            books = service.create_for_cell(cell_id, **options)
        else:
            books = [service.create(member_id or "", **options)]
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
    doc = read_document(path, ["pledges"], shape='{"pledges": [...]}')
    items = doc.data.get("pledges")
    if not isinstance(items, list):
        raise ValidationFailed(
            "cần danh sách 'pledges'", "a 'pledges' list is required", field=str(path)
        )
    return [doc.part(f"pledges[{i}]", Pledge) for i in range(len(items))]


def _report_file(path: Path) -> tuple[ResultReport, SelfAssessment | None]:
    """The results report and, when given, the self-assessment of a ``--file``."""
    doc = read_document(
        path, ["report", "self_assessment"], shape='{"report": {...}, "self_assessment": {...}}'
    )
    result_report = doc.part("report", ResultReport)
    self_assessment = (
        doc.part("self_assessment", SelfAssessment) if doc.data.get("self_assessment") else None
    )
    return result_report, self_assessment


@click.command()
@click.argument("handbook_id")
@click.option("--year", type=int, required=True, help="Năm bổ sung / the supplement's year.")
@handbook_file_option("pledges")
@actor_option()
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


@click.command(name="interim-report")
@click.argument("handbook_id")
@checkpoint_option()
@handbook_file_option("report")
@click.option("--title", help="Tên đợt, ví dụ 'Kiểm điểm năm 2022' / the review's title.")
@actor_option()
@reports_errors
def interim_report(
    handbook_id: str, checkpoint: str, path: Path, title: str | None, actor_id: str
) -> None:
    """Báo cáo sơ kết tại một mốc / report results at a checkpoint or a year's end."""
    day = date_argument(checkpoint, "--checkpoint")
    result_report, self_assessment = _report_file(path)
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


def _assessment(
    service: Handbooks,
    actor_id: str,
    handbook_id: str,
    text: str,
    meeting: dt.date,
    rating: str | None,
) -> CollectiveAssessment:
    """The cell's assessment of ``--text``, ``--meeting-date`` and ``--rating``, signed by
    ``actor_id`` as the roster says."""
    return service.assessment_by(
        actor_id,
        handbook_id,
        text=nfc(text),
        meeting_date=meeting,
        rating=RatingLevel(rating) if rating else None,
    )


@click.command(name="interim-assess")
@click.argument("handbook_id")
@checkpoint_option()
@assessment_options(text_help="Nhận xét của chi bộ / the cell's assessment.")
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
        assessment = _assessment(service, actor_id, handbook_id, text, meeting, rating)
        _print_step(
            service.record_interim_assessment(
                handbook_id, assessment, checkpoint=day, actor=service.roster.actor(actor_id)
            )
        )


@click.command()
@click.argument("handbook_id")
@handbook_file_option("pledges")
@actor_option()
@reports_errors
def register(handbook_id: str, path: Path, actor_id: str) -> None:
    """Đăng ký việc làm theo / register pledges from a JSON file."""
    pledges = _pledges_file(path)
    with open_service() as service:
        _print_step(
            service.register_pledges(handbook_id, pledges, actor=service.roster.actor(actor_id))
        )


@click.command()
@click.argument("handbook_id")
@handbook_file_option("report")
@actor_option()
@reports_errors
def report(handbook_id: str, path: Path, actor_id: str) -> None:
    """Báo cáo kết quả (kèm tự đánh giá) / report results (and self-assessment)."""
    result_report, self_assessment = _report_file(path)
    with open_service() as service:
        _print_step(
            service.report_results(
                handbook_id,
                result_report,
                self_assessment=self_assessment,
                actor=service.roster.actor(actor_id),
            )
        )


@click.command(name="self-assess")
@click.argument("handbook_id")
@click.option("--text", required=True)
@click.option("--date", "date_", required=True, help="dd/mm/yyyy")
@actor_option()
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


@click.command()
@click.argument("handbook_id")
@assessment_options(
    text_help="Nhận xét của tập thể / the cell's assessment.",
    rating_help="Mức xếp loại / rating (bỏ trống với đảng viên bị đình chỉ).",
)
@reports_errors
def assess(
    handbook_id: str, text: str, rating: str | None, meeting_date: str, actor_id: str
) -> None:
    """Ghi nhận xét, đánh giá của chi bộ / record the cell's collective assessment."""
    day = _date_option(meeting_date)
    assert day is not None
    with open_service() as service:
        assessment = _assessment(service, actor_id, handbook_id, text, day, rating)
        _print_step(
            service.record_assessment(handbook_id, assessment, actor=service.roster.actor(actor_id))
        )


@click.command(name="close")
@click.argument("handbook_id")
@actor_option()
@reports_errors
def close_(handbook_id: str, actor_id: str) -> None:
    """Khóa sổ / close the handbook."""
    with open_service() as service:
        _print_step(service.close_handbook(handbook_id, actor=service.roster.actor(actor_id)))


@click.command()
@click.argument("handbook_id")
@click.option(
    "--to", "to", required=True, type=click.Choice([s.value for s in HandbookStatus][:-1])
)
@click.option("--reason", required=True, help="Lý do mở lại / the written reason.")
@actor_option()
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


@click.command(name="list")
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
        label = in_lang(b.status.label_vi, b.status.label_en)
        click.echo(f"{b.id}\t{b.year}\t{b.member.full_name}\t{b.cell.name}\t{label}")
    say(f"{len(books)} sổ", f"{len(books)} handbooks")


@click.command()
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


@click.command()
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
        kind = in_lang(e.kind.label_vi, e.kind.label_en)
        reason = f" — {e.reason}" if e.reason else ""
        behalf = in_lang("thay mặt", "on behalf of")
        by = e.actor_name + (f" ({behalf} {e.on_behalf_of_name})" if e.on_behalf_of_name else "")
        click.echo(f"v{e.version}\t{e.at:%Y-%m-%d %H:%M}\t{kind}\t{by}{reason}")


_STATUS_VI = {"active": "hoạt động", "disabled": "đã tắt", "failed": "lỗi", "conflict": "xung đột"}


def _provided(info: PluginInfo) -> list[str]:
    """What ``info``'s plugin provides, one ``label: items`` line per kind."""
    p = info.provides
    vi = message_lang() != "en"
    parts = [
        ("kho lưu trữ" if vi else "storage", [f"{s}:" for s in p.storage]),
        ("bộ xuất" if vi else "exporters", [f"{n} ({k})" for n, k in p.exporters]),
        ("quy tắc" if vi else "rules", list(p.rules)),
        ("lệnh" if vi else "commands", list(p.commands)),
        ("sự kiện" if vi else "events", list(p.events)),
    ]
    return [f"{label}: {', '.join(items)}" for label, items in parts if items]


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """Các plugin đã cài / installed plugins: status and what each provides.

    Runs every plugin's registration hooks, so a plugin failing in one is shown as failed;
    status is active, disabled, failed or conflict, with the reason.
    """
    root = ctx.find_root()
    registry = root.obj["registry"]
    registry.add_commands(root.command)  # a no-op when main() did it already
    infos = registry.plugins()
    if as_json:
        click.echo(json.dumps([p.as_dict() for p in infos], ensure_ascii=False, indent=2))
        return
    vi = message_lang() != "en"
    for p in infos:
        status = _STATUS_VI.get(p.status, p.status) if vi else p.status
        dist = p.distribution or "-"
        click.echo(f"{p.name}\t{dist}\t{p.version or '-'}\t{status}")
        if p.reason is not None:
            reason = p.reason.message("vi" if vi else "en")
            click.echo(f"    {'lý do' if vi else 'reason'}: {reason}")
        for line in _provided(p):
            click.echo(f"    {line}")
        for warning in p.warnings:
            click.echo(f"    {'cảnh báo' if vi else 'warning'}: {warning}")


def _pip(action: str, args: tuple[str, ...]) -> None:
    """Run pip of the interpreter this command runs on, and exit with its status."""
    command = [sys.executable, "-m", "pip", action, *args]
    say(f"Chạy: {' '.join(command)}", f"Running: {' '.join(command)}")
    done = subprocess.run(command, check=False)
    if done.returncode == 0 and action == "install":
        say(
            "Xong; xem các plugin bằng: lamtheoguongbac plugins",
            "Done; see the plugins with: lamtheoguongbac plugins",
        )
    sys.exit(done.returncode)


_PIP_ARGS = {"ignore_unknown_options": True}


@click.command(context_settings=_PIP_ARGS)
@click.argument("packages", nargs=-1, required=True, type=click.UNPROCESSED)
def install(packages: tuple[str, ...]) -> None:
    """Cài plugin vào đúng môi trường / install plugins into this command's environment.

    Runs ``python -m pip install PACKAGE…`` with the interpreter lamtheoguongbac runs on, so
    the plugin lands where the command finds it; pip's options pass through. The
    first-party plugins are not on a package index: install them from a checkout
    (``lamtheoguongbac install plugins/lamtheoguongbac-docx``) or from the folder ``make dist``
    builds (``lamtheoguongbac install --no-index --find-links dist lamtheoguongbac-docx``).
    """
    _pip("install", packages)


@click.command(context_settings=_PIP_ARGS)
@click.argument("packages", nargs=-1, required=True, type=click.UNPROCESSED)
def uninstall(packages: tuple[str, ...]) -> None:
    """Gỡ plugin khỏi môi trường này / uninstall plugins from this command's environment.

    Runs ``python -m pip uninstall PACKAGE…`` with the interpreter lamtheoguongbac runs on
    (add ``-y`` to skip pip's question).
    """
    _pip("uninstall", packages)
