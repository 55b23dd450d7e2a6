"""The yearbook and the committee's report on the command line (kỷ yếu gương điển hình, báo
cáo tổng hợp): ``yearbook`` and ``summary-report``, both written as Word documents.

The commands are added to the main ``lamtheoguongbac`` group in :mod:`lamtheoguongbac.cli`;
they use its ``--store`` and ``--lang`` options and its exit statuses (2 on an error),
through the helpers of :mod:`lamtheoguongbac.cli._common`. (``report`` is taken: it is the
member's results report of the handbook cycle.) The documents come from the installed
exporters of kind ``yearbook`` and ``report`` (``--exporter`` picks one by name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._exemplars import Exemplar, ExemplarKind
from lamtheoguongbac._legacy import decode_bytes
from lamtheoguongbac._model import Member, OrgUnit, Role
from lamtheoguongbac._service.core import Handbooks
from lamtheoguongbac.cli._common import (
    EXISTING_FILE,
    OUT_FILE,
    open_service,
    reports_errors,
    say,
    show_notes,
    today_argument,
    writing,
)
from lamtheoguongbac.cli._settings import parse_settings, settings_option
from lamtheoguongbac.cli._usage import UsageError
from lamtheoguongbac.export import CommitteeHeading, ExportOptions
from lamtheoguongbac.export._report import export_rollup_report
from lamtheoguongbac.export._result import ExportResult
from lamtheoguongbac.export._yearbook import export_yearbook
from lamtheoguongbac.text import nfc

__all__ = ["summary_report", "yearbook"]


def _place(chain: Sequence[OrgUnit]) -> str:
    """The nearest place name from the last unit of ``chain`` up, or ""."""
    return next((u.place for u in reversed(chain) if u.place and u.place.strip()), "")


def _compiler(
    service: Handbooks, organisation_id: str | None, found: Sequence[Exemplar]
) -> tuple[OrgUnit, ...]:
    """The chain (root first) of the unit that compiles the yearbook: ``--org``, or else the
    one root of the organisation tree (or of the exemplars' chains, without a roster)."""
    tree = service.roster.tree()
    if organisation_id is not None:
        return tree.chain(organisation_id)
    roots: dict[str, tuple[OrgUnit, ...]] = {
        u.id: (u,) for u in service.store.units() if u.parent_id is None
    }
    if not roots:
        roots = {e.organisation[0].id: e.organisation[:1] for e in found}
    if len(roots) != 1:
        raise UsageError(
            "--org: chọn đơn vị biên soạn kỷ yếu (có nhiều tổ chức gốc)",
            "--org: choose the compiling unit (there are several root units)",
        )
    return next(iter(roots.values()))


def _signer(members: Sequence[Member], unit_id: str, day: dt.date) -> tuple[str, str]:
    """Who signs for the unit's committee, as the roster says: its Bí thư, else a Phó Bí
    thư, on ``day`` — (full name, "BÍ THƯ"/"PHÓ BÍ THƯ"); ("", "BÍ THƯ") when none."""
    for role, title in ((Role.SECRETARY, "BÍ THƯ"), (Role.DEPUTY_SECRETARY, "PHÓ BÍ THƯ")):
        for m in members:
            if role in m.roles_on(day, unit_id):
                return m.full_name, title
    return "", "BÍ THƯ"


def _written(out: Path, write: Callable[[], ExportResult]) -> ExportResult:
    """Run ``write``; print the renderer's notes (a template falling back to plain
    docxtpl)."""
    with writing(out):
        result = write()
    show_notes(result.notes)
    return result


@click.command()
@click.option("--year", type=int, required=True, help="Năm của gương điển hình / the year.")
@click.option("--org", "organisation_id", help="Đơn vị biên soạn (cả cây) / compiling unit.")
@click.option("--out", required=True, type=OUT_FILE, help="Tệp .docx cần ghi / the .docx to write.")
@click.option("--all", "all_", is_flag=True, help="Cả gương chưa khen thưởng / also uncommended.")
@click.option("--template", type=EXISTING_FILE, help="Mẫu do người dùng soạn / a custom template.")
@click.option(
    "--foreword", type=EXISTING_FILE, help="Lời giới thiệu (tệp văn bản) / foreword text."
)
@click.option("--exporter", help="Tên bộ xuất kỷ yếu / the yearbook exporter's name.")
@settings_option
@reports_errors
def yearbook(
    year: int,
    organisation_id: str | None,
    out: Path,
    all_: bool,
    template: Path | None,
    foreword: Path | None,
    exporter: str | None,
    settings: tuple[str, ...],
) -> None:
    """Kỷ yếu gương điển hình (Word) / the yearbook of exemplars as a Word document.

    Only commended exemplars, unless --all. Grouped by field, collectives first; signed for
    the committee by the compiling unit's Bí thư (else Phó Bí thư) as the roster says.
    """
    foreword_text = None if foreword is None else decode_bytes(foreword.read_bytes()).text
    chosen_settings = parse_settings(settings)
    with open_service() as service:
        found = service.exemplars.list(year=year, organisation_id=organisation_id)
        if not all_:
            found = [e for e in found if e.commended]
        if not found:
            which_vi, which_en = ("", "") if all_ else (" đã được khen thưởng", " commended")
            hint = "" if all_ else " (--all)"
            raise ValidationFailed(
                f"không có gương điển hình nào{which_vi} năm {year}{hint}",
                f"no{which_en} exemplars in {year}{hint}",
                field="--year",
            )
        chain = _compiler(service, organisation_id, found)
        superior = chain[-2].name if len(chain) > 1 else ""
        registry = service.registry
        signer_name, signer_title = _signer(
            service.roster.members(), chain[-1].id, service._today()
        )
    _written(
        out,
        lambda: export_yearbook(
            out,
            found,
            title_year=year,
            organisation_name=chain[-1].name,
            superior_name=superior,
            place=_place(chain),
            signer_name=signer_name,
            signer_title=signer_title,
            foreword=foreword_text,
            exporter=exporter,
            options=ExportOptions(template=template, settings=chosen_settings),
            registry=registry,
        ),
    )
    people = sum(1 for e in found if e.kind is ExemplarKind.INDIVIDUAL)
    collectives = len(found) - people
    say(
        f"Đã ghi kỷ yếu {len(found)} gương điển hình ({people} cá nhân, {collectives} tập thể) "
        f"vào {out}",
        f"Wrote the yearbook of {len(found)} exemplars ({people} individuals, {collectives} "
        f"collectives) to {out}",
    )


@click.command(name="summary-report")
@click.option("--org", "organisation_id", required=True, help="Mã đơn vị / unit id (subtree).")
@click.option("--year", type=int, required=True)
@click.option("--today", help="Ngày tính hạn / day deadlines are judged on (dd/mm/yyyy).")
@click.option("--out", required=True, type=OUT_FILE, help="Tệp .docx cần ghi / the .docx to write.")
@click.option("--template", type=EXISTING_FILE, help="Mẫu do người dùng soạn / a custom template.")
@click.option(
    "--number",
    default="",
    help="Số, ký hiệu: 12 hoặc 12-BC/ĐU (trống: để điền tay) / number and symbol.",
)
@click.option(
    "--recipient",
    "recipients",
    multiple=True,
    help="Nơi nhận (lặp lại được) / a recipient (repeatable); the archive line is added.",
)
@click.option("--exporter", help="Tên bộ xuất báo cáo / the report exporter's name.")
@settings_option
@reports_errors
def summary_report(
    organisation_id: str,
    year: int,
    today: str | None,
    out: Path,
    template: Path | None,
    number: str,
    recipients: tuple[str, ...],
    exporter: str | None,
    settings: tuple[str, ...],
) -> None:
    """Báo cáo tổng hợp của cấp ủy (Word, có biểu đồ) / the committee's summary report.

    Issued by the unit's committee (its name from the roster, else derived from the level)
    and signed by the committee's Bí thư, else Phó Bí thư, as the roster has them on the
    --today date.
    """
    chosen_settings = parse_settings(settings)
    day = today_argument(today)
    with open_service() as service:
        result = service.supervision.rollup(organisation_id=organisation_id, year=year, today=day)
        chain = service.roster.tree().chain(organisation_id)
        heading = CommitteeHeading.of_unit(
            chain,
            service.roster.members(),
            on=day,
            number=nfc(number),
            recipients=[nfc(r) for r in recipients],
        )
        registry = service.registry
    _written(
        out,
        lambda: export_rollup_report(
            out,
            result,
            heading=heading,
            exporter=exporter,
            options=ExportOptions(template=template, settings=chosen_settings),
            registry=registry,
        ),
    )
    say(
        f"Đã ghi báo cáo tổng hợp năm {year} của {result.organisation_name} "
        f"({len(result.cells)} chi bộ) vào {out}",
        f"Wrote the {year} summary report of {result.organisation_name} "
        f"({len(result.cells)} {'cell' if len(result.cells) == 1 else 'cells'}) to {out}",
    )
    for c in result.caps_exceeded:
        say(
            f"Lưu ý: {c.organisation_name} vượt tỷ lệ xếp loại Hoàn thành xuất sắc nhiệm vụ "
            f"({c.top_count}, tối đa {c.allowed})",
            f"Note: {c.organisation_name} is over the top-rating cap ({c.top_count}, at most "
            f"{c.allowed})",
        )
