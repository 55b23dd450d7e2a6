"""Exemplars on the command line (gương điển hình): ``exemplar nominate|commend|list``.

The ``exemplar`` group is added to the main ``lamtheoguongbac`` group in
:mod:`lamtheoguongbac.cli`; it uses that group's ``--store`` and ``--lang`` options and its
exit statuses (2 on an error), through the helpers of :mod:`lamtheoguongbac.cli._common`.
"""

from __future__ import annotations

import json

import click

from lamtheoguongbac import serde
from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._exemplars import Commendation, Exemplar, ExemplarKind
from lamtheoguongbac._model import Actor
from lamtheoguongbac._service.core import Handbooks
from lamtheoguongbac.cli._common import date_argument, open_service, reports_errors, say
from lamtheoguongbac.text import nfc

__all__ = ["exemplar"]


def _from_handbook(
    service: Handbooks, handbook_id: str, year: int | None, actor: Actor
) -> Exemplar:
    source = service.get(handbook_id)
    if year is not None and year != source.year:
        raise ValidationFailed(
            f"sổ {source.id} là của năm {source.year}, không phải {year}",
            f"handbook {source.id} is for {source.year}, not {year}",
            field="--year",
        )
    return service.exemplars.nominate_from_handbook(source.id, actor=actor)


def _nominated(found: Exemplar) -> None:
    say(
        f"Đã đề cử gương điển hình {found.id}: {found.name} ({found.kind_label()}, năm "
        f"{found.year}), phiên bản {found.version}",
        f"Nominated exemplar {found.id}: {found.name} ({found.kind_label('en')}, {found.year}), "
        f"version {found.version}",
    )


@click.group()
def exemplar() -> None:
    """Gương điển hình: đề cử, khen thưởng / exemplars: nominate, commend, list."""


@exemplar.command()
@click.option(
    "--handbook", "handbook_id", help="Từ sổ tay đã đánh giá / from an assessed handbook."
)
@click.option("--member", "member_id", help="Một đảng viên / a member, by hand.")
@click.option("--cell", "cell_id", help="Tập thể chi bộ / a cell (collective), by hand.")
@click.option("--achievements", help="Thành tích / the achievements (with --member, --cell).")
@click.option("--year", type=int, help="Năm / year (required with --member, --cell).")
@click.option("--as", "actor_id", required=True, help="Mã người đề cử / the nominator's id.")
@reports_errors
def nominate(
    handbook_id: str | None,
    member_id: str | None,
    cell_id: str | None,
    achievements: str | None,
    year: int | None,
    actor_id: str,
) -> None:
    """Đề cử gương điển hình / nominate an exemplar (from a handbook, or by hand)."""
    given = {"--handbook": handbook_id, "--member": member_id, "--cell": cell_id}
    chosen = [(flag, value) for flag, value in given.items() if value is not None]
    if len(chosen) != 1:
        raise click.UsageError("--handbook, --member hoặc/or --cell")
    flag, subject = chosen[0]
    if flag == "--handbook":
        if achievements is not None:
            raise click.UsageError("--achievements: chỉ với/only with --member, --cell")
        with open_service() as service:
            found = _from_handbook(service, subject, year, service.roster.actor(actor_id))
    else:
        if achievements is None or year is None:
            raise click.UsageError(f"{flag}: cần/needs --achievements, --year")
        with open_service() as service:
            actor = service.roster.actor(actor_id)
            by_hand = (
                service.exemplars.nominate
                if flag == "--member"
                else service.exemplars.nominate_collective
            )
            found = by_hand(subject, year=year, achievements=nfc(achievements), actor=actor)
    _nominated(found)


@exemplar.command()
@click.argument("exemplar_id")
@click.option("--authority", required=True, help="Cấp khen thưởng / who commended.")
@click.option("--decision", "decision_number", required=True, help="Số quyết định / number.")
@click.option("--date", "date_", required=True, help="Ngày quyết định / date (dd/mm/yyyy).")
@click.option("--form", default="Giấy khen", show_default=True, help="Hình thức / form.")
@click.option("--as", "actor_id", required=True, help="Mã người ghi nhận / the recorder's id.")
@reports_errors
def commend(
    exemplar_id: str, authority: str, decision_number: str, date_: str, form: str, actor_id: str
) -> None:
    """Ghi nhận khen thưởng / record the commendation of an exemplar."""
    decided_on = date_argument(date_, "--date")
    commendation = Commendation(
        authority=authority, decision_number=decision_number, decided_on=decided_on, form=form
    )
    with open_service() as service:
        found = service.exemplars.commend(
            exemplar_id, commendation, actor=service.roster.actor(actor_id)
        )
    say(
        f"Đã ghi nhận khen thưởng: {found.name} — {found.commendation_text()}",
        f"Recorded the commendation of {found.name}: {_commendation_en(commendation)}",
    )


def _commendation_en(c: Commendation) -> str:
    return f"{c.form} from {c.authority}, decision {c.decision_number} of {c.decided_on:%d/%m/%Y}"


@exemplar.command(name="list")
@click.option("--year", type=int, help="Năm / year.")
@click.option("--org", "organisation_id", help="Chỉ trong đơn vị / only within a unit.")
@click.option("--json", "as_json", is_flag=True, help="In JSON / print JSON.")
@reports_errors
def list_(year: int | None, organisation_id: str | None, as_json: bool) -> None:
    """Danh sách gương điển hình / list exemplars (collectives first, then A–Z)."""
    with open_service() as service:
        found = service.exemplars.list(year=year, organisation_id=organisation_id)
    if as_json:
        click.echo(json.dumps([serde.to_dict(e) for e in found], ensure_ascii=False, indent=2))
        return
    if not found:
        say("Chưa có gương điển hình nào", "No exemplars")
    for e in found:
        # A collective is the last unit of its chain: show the committee above it instead.
        unit = e.cell if e.kind is ExemplarKind.INDIVIDUAL else e.superior
        where = unit.name if unit is not None else "—"
        say(
            f"{e.id}\t{e.year}\t{e.kind_label()}\t{e.name}\t{where}",
            f"{e.id}\t{e.year}\t{e.kind_label('en')}\t{e.name}\t{where}",
        )
        if e.commendation is None:
            say("    (chưa khen thưởng)", "    (not commended yet)")
        else:
            say(f"    {e.commendation_text()}", f"    {_commendation_en(e.commendation)}")
