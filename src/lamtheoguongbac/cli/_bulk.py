"""Bulk commands (lệnh hàng loạt): ``create --organisation`` and ``workbook import-folder``.

``workbook import-folder`` is added to the ``workbook`` group when this module is imported
(:mod:`lamtheoguongbac.cli` does); ``create --organisation`` calls :func:`open_organisation`.
Both print the run's report on stdout — one line per failed member (with the file and row it
came from), then a summary — show a progress bar on stderr when it is a terminal, and exit
with status 2 when any member failed (the other cells are stored all the same).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import attrs
import click

from lamtheoguongbac._model import Actor, Period, StudyTheme
from lamtheoguongbac._service.bulk import BulkOutcome, BulkResult, MemberOutcome, Progress
from lamtheoguongbac._service.core import Handbooks
from lamtheoguongbac.cli._common import (
    in_lang,
    message_lang,
    open_service,
    reports_errors,
    say,
)
from lamtheoguongbac.cli._supervision import workbook

__all__ = ["import_folder", "open_organisation"]

_FOLDER = click.Path(exists=True, file_okay=False, dir_okay=True, path_type=Path)


@contextmanager
def _progress(label: str) -> Iterator[Progress]:
    """A progress bar on stderr (drawn only on a terminal) fed by a bulk step's callback."""
    with click.progressbar(length=0, label=label, file=sys.stderr, show_pos=True) as bar:
        done = 0

        def update(count: int, total: int | None) -> None:
            nonlocal done
            if total is not None and bar.length != total:
                bar.length = total
            bar.update(count - done)
            done = count

        yield update


def _where(outcome: MemberOutcome, lang: str) -> str:
    """Where a failure came from, before its text: its file, and its sheet and row unless the
    text (a workbook's problem) already begins with them."""
    source = outcome.source
    if source is None:
        return ""
    if source.sheet is not None and f"'{source.sheet}'" in (outcome.problem(lang) or ""):
        source = attrs.evolve(source, sheet=None, row=None)
    return source.describe(lang) + ": "


def _report(result: BulkResult, what_vi: str, what_en: str) -> None:
    """Failures one per line, then the summary; exit status 2 when anything failed."""
    lang = message_lang()
    for o in result.failed:
        where = _where(o, lang)
        who = o.member_id or o.cell_id or ""
        prefix = f"{who}: " if who and who not in (o.problem(lang) or "") else ""
        click.echo(f"  {where}{prefix}{o.problem(lang)}")
    for w in result.warnings:
        say(f"  Lưu ý [{w.code}] {w.message_vi}", f"  Warning [{w.code}] {w.message_en}")
    for note in result.notes:
        say(f"  Lưu ý: {note}", f"  Warning: {note}")
    done, failed, back = len(result.done), len(result.failed), len(result.rolled_back)
    cells = len(result.cells(BulkOutcome.FAILED))
    say(
        f"{what_vi}: {done} thành công, {failed} lỗi, {back} không lưu vì chi bộ có lỗi"
        + (f" ({cells} chi bộ)" if cells else ""),
        f"{what_en}: {done} done, {failed} failed, {back} not stored because their cell "
        "had a failure" + (f" ({cells} cell{'s' if cells > 1 else ''})" if cells else ""),
    )
    if not result.ok:
        sys.exit(2)


def open_organisation(
    service: Handbooks,
    organisation_id: str,
    *,
    actor: Actor,
    year: int | None = None,
    period: Period | None = None,
    theme: StudyTheme | None = None,
    policy: str | None = None,
    jobs: int = 1,
) -> None:
    """``create --organisation``: open the year's (or the term's) handbooks for a whole
    subtree."""
    with _progress(in_lang("Mở sổ", "opening")) as progress:
        result = service.bulk.open_year(
            organisation_id,
            year=year,
            period=period,
            actor=actor,
            theme=theme,
            policy=policy,
            progress=progress,
            jobs=jobs,
        )
    _report(result, "Mở sổ", "Opened")


@workbook.command("import-folder")
@click.argument("folder", type=_FOLDER)
@click.option("--year", type=int, required=True)
@click.option(
    "--as",
    "actor_id",
    required=True,
    help="Mã người chạy lệnh (theo danh sách) / the id of the person running it (roster).",
)
@click.option(
    "--on-behalf-of-cell-officer",
    "delegated",
    is_flag=True,
    help="Nhập thay Bí thư (Phó Bí thư) của từng chi bộ; chỉ dành cho Bí thư, Phó Bí thư, ủy "
    "viên cấp ủy cấp trên; nhật ký ghi cả hai người / import each workbook on behalf of its "
    "cell's Secretary (Deputy); only for an officer of a committee above the cell; the audit "
    "trail records both.",
)
@reports_errors
def import_folder(folder: Path, year: int, actor_id: str, delegated: bool) -> None:
    """Nhập mọi bảng tính đã điền trong thư mục / import every filled workbook of a folder.

    Each workbook is all or nothing; a refused one is listed problem by problem (file,
    sheet, row) and the others are imported.
    """
    with open_service() as service:
        runner = service.roster.actor(actor_id)
        with _progress(in_lang("Nhập bảng tính", "importing")) as progress:
            result = service.bulk.import_folder(
                folder,
                year=year,
                runner=runner,
                on_behalf_of_cell_officer=delegated,
                progress=progress,
            )
    _report(result, "Nhập bảng tính", "Imported")
