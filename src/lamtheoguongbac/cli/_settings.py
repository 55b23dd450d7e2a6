"""``--set key=value``: exporter settings from the command line (thiết lập bộ xuất).

Repeatable; each value is a string (NFC), handed to the exporter, whose
``validate_settings`` checks and converts it (an exporter without one takes no settings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import click

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac.text import nfc

__all__ = ["parse_settings", "settings_option"]

F = TypeVar("F", bound=Callable[..., Any])
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def parse_settings(pairs: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x y"]`` as ``{"a": "1", "b": "x y"}``.

    Raises:
        ValidationFailed: a pair without ``=``, a bad key, or a key given twice (the field
            is ``--set``).
    """
    settings: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = nfc(pair).partition("=")
        key = key.strip()
        if not equals or not _KEY.fullmatch(key):
            raise ValidationFailed(
                f"cần dạng khóa=giá-trị, không phải {pair!r}",
                f"expected key=value, not {pair!r}",
                field="--set",
            )
        if key in settings:
            raise ValidationFailed(
                f"thiết lập '{key}' được cho hai lần",
                f"the setting '{key}' is given twice",
                field="--set",
            )
        settings[key] = value
    return settings


def settings_option(function: F) -> F:
    """The ``--set key=value`` option (repeatable), passed as ``settings: tuple[str, ...]``."""
    return click.option(
        "--set",
        "settings",
        multiple=True,
        metavar="KEY=VALUE",
        help="Thiết lập cho bộ xuất (lặp lại được) / an exporter setting (repeatable).",
    )(function)
