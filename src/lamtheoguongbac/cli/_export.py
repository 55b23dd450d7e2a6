"""``lamtheoguongbac export`` and ``lamtheoguongbac template check``: Word handbooks from the
command line (xuất sổ tay ra văn bản)."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from lamtheoguongbac._errors import Problem, ValidationFailed
from lamtheoguongbac._model import HandbookStatus
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac.cli._common import (
    in_lang,
    jobs_option,
    message_lang,
    open_service,
    reports_errors,
    say,
    show_notes,
)
from lamtheoguongbac.cli._settings import parse_settings, settings_option
from lamtheoguongbac.export import DocumentKind, ExportOptions, dask_executor, export_handbooks

__all__ = ["export", "template"]


@click.command()
@click.option(
    "--out",
    "dest",
    required=True,
    type=click.Path(path_type=Path),
    help="Thư mục (hoặc tệp .zip / .docx khi gộp) / folder, or the file.",
)
@click.option("--org", "organisation_id", help="Cả cây tổ chức dưới đơn vị / a subtree.")
@click.option("--cell", "cell_id")
@click.option("--year", type=int)
@click.option("--status", type=click.Choice([s.value for s in HandbookStatus]))
@click.option(
    "--exporter",
    help="Tên bộ xuất (mặc định: bộ xuất sổ tay đầu tiên đã cài) / the exporter's name "
    "(default: the first installed handbook exporter).",
)
@settings_option
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mẫu do người dùng soạn / a custom template.",
)
@click.option(
    "--mode",
    type=click.Choice(["folder", "merged", "zip"]),
    default="folder",
    show_default=True,
    help="Mỗi người một tệp, gộp một tệp, hoặc nén zip.",
)
@jobs_option(
    "Tối đa N tiến trình (ít hơn khi việc nhỏ) / at most N worker processes "
    "(fewer when the work is small)."
)
@click.option("--resume", is_flag=True, help="Bỏ qua tệp đã xuất / skip files already written.")
@click.option("--pdf", is_flag=True, help="Chuyển sang PDF bằng LibreOffice / also make PDFs.")
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Chạy trên cụm Dask (vd. tcp://10.0.0.5:8786) / run on the Dask cluster at ADDRESS "
    "(needs lamtheoguongbac[dask]; workers share the store and the output folder).",
)
@reports_errors
def export(
    dest: Path,
    organisation_id: str | None,
    cell_id: str | None,
    year: int | None,
    status: str | None,
    exporter: str | None,
    settings: tuple[str, ...],
    template: Path | None,
    mode: str,
    jobs: int,
    resume: bool,
    pdf: bool,
    scheduler: str | None,
) -> None:
    """Xuất sổ tay ra văn bản (Word) / export handbooks as documents."""
    if pdf and mode != "folder":
        raise ValidationFailed(
            "--pdf chỉ dùng với --mode folder", "--pdf works with --mode folder only", field="--pdf"
        )
    chosen_settings = parse_settings(settings)
    query = HandbookQuery(
        organisation_id=organisation_id,
        cell_id=cell_id,
        year=year,
        status=HandbookStatus(status) if status else None,
    )
    with open_service() as service, contextlib.ExitStack() as stack:
        total = sum(service.store.count_by_status(query).values())
        if not total:
            say("Không có sổ tay nào phù hợp", "No handbooks match")
            return
        executor = None if scheduler is None else stack.enter_context(dask_executor(scheduler))
        with click.progressbar(
            length=total, label=in_lang("Đang xuất", "exporting"), file=sys.stderr
        ) as bar:
            # Streamed from the store: workers get handbook ids and read the store themselves
            # (its URL goes with them), and this process lists only the handbooks' headings.
            result = export_handbooks(
                dest,
                query,
                exporter=exporter,
                mode=mode,  # type: ignore[arg-type]
                options=ExportOptions(template=template, settings=chosen_settings),
                jobs=jobs,
                resume=resume,
                progress=lambda done, total: bar.update(done - bar.pos),
                registry=service.registry,
                executor=executor,
                store=service.store,
                pdf=pdf,
                policy=service.policy,
            )
    show_notes(result.notes)
    say(
        f"Đã ghi {len(result.written)} tệp, bỏ qua {result.skipped} tệp đã có, vào {dest}",
        f"Wrote {len(result.written)} files, skipped {result.skipped} already there, in {dest}",
    )
    if pdf:
        made = len(result.written)
        say(f"Đã chuyển {made} tệp sang PDF", f"Converted {made} files to PDF")


@click.group()
def template() -> None:
    """Mẫu văn bản / document templates."""


@template.command(name="check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--exporter", help="Tên bộ xuất / the exporter's name (default: handbooks').")
def check(path: Path, exporter: str | None) -> None:
    """Kiểm tra mẫu: biến lạ, lỗi cú pháp / check a template for unknown names and errors.

    Exit status 1 when problems are found.
    """

    @reports_errors
    def run() -> list[str]:
        registry = click.get_current_context().find_root().obj["registry"]
        chosen = (
            registry.exporter(exporter)
            if exporter is not None
            else registry.exporter_for(DocumentKind.HANDBOOK)
        )
        if chosen.check_template is None:
            raise ValidationFailed(
                f"bộ xuất '{chosen.name}' không hỗ trợ kiểm tra mẫu",
                f"exporter '{chosen.name}' cannot check templates",
                field="--exporter",
            )
        return list(chosen.check_template(path))

    problems = run()
    lang = message_lang()
    for line in problems:
        # An exporter reports each problem as one "<Vietnamese> / <English>" line.
        click.echo(Problem.from_text(line).message(lang))
    if problems:
        noun = "problem" if len(problems) == 1 else "problems"
        say(f"{len(problems)} vấn đề trong {path}", f"{len(problems)} {noun} in {path}")
        raise SystemExit(1)
    say(f"Mẫu {path} hợp lệ", f"Template {path} is fine")
