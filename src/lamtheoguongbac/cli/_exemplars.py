"""Exemplars on the command line (gương điển hình): ``exemplar nominate|commend|list|show``.

An exemplar among the people (a citizen, a household, a school …) is nominated with
``--name`` under the party unit ``--org`` responsible for where it lives (``--collective``
for a household or an organisation); ``--field``, ``--hamlet``, ``--commune``, ``--figure``
(``"50000000|đồng|tiền mặt ủng hộ làm đường"``: amount, unit, what), ``--proposed-by`` and
``--evidence`` give its details, for any kind of nomination.

The ``exemplar`` group is added to the main ``lamtheoguongbac`` group in
:mod:`lamtheoguongbac.cli`; it uses that group's ``--store`` and ``--lang`` options and its
exit statuses (2 on an error), through the helpers of :mod:`lamtheoguongbac.cli._common`.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

import click

from lamtheoguongbac import serde
from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._exemplars import (
    Commendation,
    Exemplar,
    ExemplarDetails,
    ExemplarField,
    ExemplarKind,
    Figure,
    Locality,
)
from lamtheoguongbac._model import Actor
from lamtheoguongbac._service.core import Handbooks
from lamtheoguongbac.cli._common import (
    actor_option,
    date_argument,
    listing_options,
    open_service,
    reports_errors,
    say,
)
from lamtheoguongbac.cli._usage import BadParameter, UsageError
from lamtheoguongbac.text import nfc

__all__ = ["exemplar"]


def _from_handbook(
    service: Handbooks,
    handbook_id: str,
    year: int | None,
    actor: Actor,
    details: ExemplarDetails | None,
) -> Exemplar:
    source = service.get(handbook_id)
    if year is not None and year != source.year:
        raise ValidationFailed(
            f"sổ {source.id} là của năm {source.year}, không phải {year}",
            f"handbook {source.id} is for {source.year}, not {year}",
            field="--year",
        )
    return service.exemplars.nominate_from_handbook(source.id, actor=actor, details=details)


def _figure(value: str) -> Figure:
    amount, _, rest = nfc(value).partition("|")
    unit, _, what = rest.partition("|")
    try:
        number = Decimal(amount.strip().replace(".", "").replace(",", "."))
    except InvalidOperation:
        raise BadParameter(
            f"'{value}': cần dạng SỐ|ĐƠN VỊ|NỘI DUNG",
            f"'{value}': expected AMOUNT|UNIT|WHAT",
            param_hint="--figure",
        ) from None
    return Figure(amount=number, unit=unit.strip(), what=what.strip() or None)


def _details(
    field: str | None,
    hamlet: str | None,
    commune: str | None,
    figures: tuple[str, ...],
    proposed_by: str | None,
    evidence: tuple[str, ...],
) -> ExemplarDetails | None:
    if not any((field, hamlet, commune, figures, proposed_by, evidence)):
        return None
    locality = (
        Locality(hamlet=nfc(hamlet) if hamlet else None, commune=nfc(commune) if commune else None)
        if hamlet or commune
        else None
    )
    return ExemplarDetails(
        field=ExemplarField(field) if field else ExemplarField.OTHER,
        locality=locality,
        figures=tuple(_figure(f) for f in figures),
        proposed_by=nfc(proposed_by) if proposed_by else None,
        evidence=tuple(nfc(e) for e in evidence),
    )


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


_FIELDS = click.Choice([str(f.value) for f in ExemplarField])


@exemplar.command()
@click.option(
    "--handbook", "handbook_id", help="Từ sổ tay đã đánh giá / from an assessed handbook."
)
@click.option("--member", "member_id", help="Một đảng viên / a member, by hand.")
@click.option("--cell", "cell_id", help="Tập thể chi bộ / a cell (collective), by hand.")
@click.option("--name", help="Gương ngoài Đảng / an exemplar among the people, by name.")
@click.option("--collective", is_flag=True, help="(với --name) hộ, tập thể / a collective.")
@click.option("--org", "organisation_id", help="(với --name) đơn vị đảng phụ trách địa bàn.")
@click.option("--achievements", help="Thành tích / the achievements (by hand).")
@click.option("--year", type=int, help="Năm / year (required by hand).")
@click.option("--field", type=_FIELDS, help="Lĩnh vực / the field it stands out in.")
@click.option("--hamlet", help="Ấp, thôn, khu phố / hamlet.")
@click.option("--commune", help="Xã, phường / commune.")
@click.option("--figure", "figures", multiple=True, help="SỐ|ĐƠN VỊ|NỘI DUNG (repeat).")
@click.option("--proposed-by", help="Cơ quan đề xuất / the proposing body.")
@click.option("--evidence", multiple=True, help="Minh chứng / evidence (repeat).")
@actor_option("Mã người đề cử / the nominator's id.")
@reports_errors
def nominate(
    handbook_id: str | None,
    member_id: str | None,
    cell_id: str | None,
    name: str | None,
    collective: bool,
    organisation_id: str | None,
    achievements: str | None,
    year: int | None,
    field: str | None,
    hamlet: str | None,
    commune: str | None,
    figures: tuple[str, ...],
    proposed_by: str | None,
    evidence: tuple[str, ...],
    actor_id: str,
) -> None:
    """Đề cử gương điển hình / nominate an exemplar (from a handbook, by hand, or among the
    people with --name)."""
    given = {"--handbook": handbook_id, "--member": member_id, "--cell": cell_id, "--name": name}
    chosen = [(flag, value) for flag, value in given.items() if value is not None]
    if len(chosen) != 1:
        raise UsageError(
            "cần đúng một trong --handbook, --member, --cell, --name",
            "give exactly one of --handbook, --member, --cell, --name",
        )
    flag, subject = chosen[0]
    if (collective or organisation_id) and flag != "--name":
        raise UsageError(
            "--collective, --org: chỉ dùng với --name", "--collective, --org: only with --name"
        )
    details = _details(field, hamlet, commune, figures, proposed_by, evidence)
    if flag == "--handbook":
        if achievements is not None:
            raise UsageError(
                "--achievements: chỉ dùng với --member, --cell, --name",
                "--achievements: only with --member, --cell, --name",
            )
        with open_service() as service:
            found = _from_handbook(service, subject, year, service.roster.actor(actor_id), details)
        _nominated(found)
        return
    if achievements is None or year is None:
        raise UsageError(
            f"{flag}: cần --achievements, --year", f"{flag}: needs --achievements, --year"
        )
    with open_service() as service:
        actor = service.roster.actor(actor_id)
        if flag == "--name":
            if organisation_id is None:
                raise UsageError("--name: cần --org", "--name: needs --org")
            found = service.exemplars.nominate_outside_party(
                nfc(subject),
                kind=ExemplarKind.COLLECTIVE if collective else ExemplarKind.INDIVIDUAL,
                organisation_id=organisation_id,
                year=year,
                achievements=nfc(achievements),
                details=details,
                actor=actor,
            )
        else:
            by_hand = (
                service.exemplars.nominate
                if flag == "--member"
                else service.exemplars.nominate_collective
            )
            found = by_hand(
                subject, year=year, achievements=nfc(achievements), actor=actor, details=details
            )
    _nominated(found)


@exemplar.command()
@click.argument("exemplar_id")
@click.option("--authority", required=True, help="Cấp khen thưởng / who commended.")
@click.option("--decision", "decision_number", required=True, help="Số quyết định / number.")
@click.option("--date", "date_", required=True, help="Ngày quyết định / date (dd/mm/yyyy).")
@click.option("--form", default="Giấy khen", show_default=True, help="Hình thức / form.")
@click.option("--body", "body_id", help="Mã đơn vị khen thưởng / the awarding unit's id.")
@actor_option("Mã người ghi nhận / the recorder's id.")
@reports_errors
def commend(
    exemplar_id: str,
    authority: str,
    decision_number: str,
    date_: str,
    form: str,
    body_id: str | None,
    actor_id: str,
) -> None:
    """Ghi nhận khen thưởng / record the commendation of an exemplar (by an officer of the
    awarding body)."""
    decided_on = date_argument(date_, "--date")
    commendation = Commendation(
        authority=authority,
        decision_number=decision_number,
        decided_on=decided_on,
        form=form,
        body_id=nfc(body_id) if body_id else None,
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
@listing_options()
@reports_errors
def list_(year: int | None, organisation_id: str | None, as_json: bool) -> None:
    """Danh sách gương điển hình / list exemplars (collectives first, then people by given
    name, as in the yearbook)."""
    with open_service() as service:
        found = service.exemplars.list(year=year, organisation_id=organisation_id)
    if as_json:
        click.echo(json.dumps([serde.to_dict(e) for e in found], ensure_ascii=False, indent=2))
        return
    if not found:
        say("Chưa có gương điển hình nào", "No exemplars")
    for e in found:
        # A party collective is the last unit of its chain: show the committee above it.
        unit = e.superior if e.unit_is_subject else e.cell
        where = unit.name if unit is not None else "—"
        if e.details.locality is not None:
            where = f"{e.details.locality.describe()} ({where})"
        party_vi, party_en = ("", "") if e.party else (" ngoài Đảng", " outside the party")
        field = e.details.field
        say(
            f"{e.id}\t{e.year}\t{e.kind_label()}{party_vi}\t{e.name}\t{where}\t{field.label_vi}",
            f"{e.id}\t{e.year}\t{e.kind_label('en')}{party_en}\t{e.name}\t{where}\t"
            f"{field.label_en}",
        )
        if e.commendation is None:
            say("    (chưa khen thưởng)", "    (not commended yet)")
        else:
            say(f"    {e.commendation_text()}", f"    {_commendation_en(e.commendation)}")


@exemplar.command()
@click.argument("exemplar_id")
@reports_errors
def show(exemplar_id: str) -> None:
    """Xem một gương điển hình và nhật ký / show an exemplar and its audit trail."""
    with open_service() as service:
        found = service.exemplars.get(exemplar_id)
        history = service.exemplars.history(exemplar_id)
    click.echo(json.dumps(serde.to_dict(found), ensure_ascii=False, indent=2))
    for e in history:
        say(
            f"[{e.at:%d/%m/%Y %H:%M}] {e.action.label_vi} — {e.actor_name}"
            + (f" ({e.note})" if e.note else ""),
            f"[{e.at.isoformat()}] {e.action.label_en} — {e.actor_name}"
            + (f" ({e.note})" if e.note else ""),
        )
