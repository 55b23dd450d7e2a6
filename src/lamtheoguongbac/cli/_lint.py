"""``lamtheoguongbac lint``: flag generic pledges (kiểm tra việc đăng ký chung chung).

Its own module with light imports — the linter, click and the text helpers, never the
service, the storage, the plugins or cattrs — so that checking a pledge starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._linter import lint_text
from lamtheoguongbac.cli._common import message_lang, reports_errors, say
from lamtheoguongbac.cli._usage import UsageError
from lamtheoguongbac.text import nfc

__all__ = ["lint"]


@click.command()
@click.argument("texts", nargs=-1)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Mỗi dòng một việc làm / one pledge per line.",
)
@click.option(
    "--work",
    "work",
    multiple=True,
    help="Chức vụ hoặc nhiệm vụ của đảng viên, để gợi ý ví dụ phù hợp; dùng nhiều lần / the "
    "member's position or a duty, for examples that fit; repeatable.",
)
@click.option("--json", "as_json", is_flag=True)
@reports_errors
def lint(texts: tuple[str, ...], path: Path | None, work: tuple[str, ...], as_json: bool) -> None:
    """Kiểm tra việc đăng ký có chung chung không / flag generic pledges.

    Judged on the text alone (the link to the member's duties needs the member's record and
    is not checked here). Exit status 1 when any pledge is generic.
    """
    items = [nfc(t) for t in texts]
    if path is not None:
        try:
            from lamtheoguongbac._legacy import EncodingError, decode_bytes  # only for a file

            content = decode_bytes(path.read_bytes()).text
        except EncodingError as exc:
            raise ValidationFailed(exc.message_vi, exc.message_en, field=str(path)) from exc
        items += [line.strip() for line in content.splitlines() if line.strip()]
    if not items:
        raise UsageError("cần ít nhất một việc làm", "give at least one pledge")
    results = [(text, lint_text(text, work=[nfc(w) for w in work])) for text in items]
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
