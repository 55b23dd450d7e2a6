"""The commands (lệnh) this plugin adds to ``lamtheoguongbac``.

A command runs inside the main group: the root context holds the global options
(``ctx.find_root().params["store"]``, ``["lang"]``) and the registry in use
(``ctx.find_root().obj["registry"]``). Open the service with both, so the command honours
``--store`` and the installed plugins, and exit with status 2 on an error.
"""

from __future__ import annotations

import click
from lamtheoguongbac import LamTheoGuongBacError


@click.command("{{ cookiecutter.name }}-dem")
@click.option("--year", type=int, required=True, help="Năm / the year.")
@click.pass_context
def count(ctx: click.Context, year: int) -> None:
    """Đếm sổ tay theo trạng thái / count handbooks per status."""
    # Imported here: the command line loads this module to list the command at every start.
    from lamtheoguongbac import Handbooks

    root = ctx.find_root()
    english = root.params.get("lang") == "en"
    try:
        with Handbooks.open(root.params["store"], registry=root.obj["registry"]) as service:
            counts = service.count_by_status(year=year)
    except LamTheoGuongBacError as exc:
        click.echo(f"Lỗi / error: {exc}", err=True)
        raise SystemExit(2) from exc
    for status, n in counts.items():
        click.echo(f"{status.label_en if english else status.label_vi}: {n}")


COMMANDS = (count,)
