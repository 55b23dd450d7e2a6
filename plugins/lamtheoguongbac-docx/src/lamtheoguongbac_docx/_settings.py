"""The Word exporters' settings (thiết lập bộ xuất Word): the render limits a user may set.

``time_limit`` (seconds one document may take to render) and ``max_output`` (characters of
XML one document may hold), from ``ExportOptions.settings`` or ``--set key=value``. Each has
a ceiling: the limits protect an export from a template that never ends or floods the disk
and memory, so a user may tighten or loosen them but never switch them off.

The two functions are the converters the exporters' ``settings_validator`` runs; the
renderer factories run them again on what they are given (a caller may make a renderer
without ``Exporter.configure``). This module imports nothing heavy: the registry loads the
exporters at every start of lamtheoguongbac.
"""

from __future__ import annotations

import math
import numbers
import reprlib
from typing import Any

from lamtheoguongbac import ValidationFailed

__all__ = [
    "DEFAULT_MAX_OUTPUT",
    "DEFAULT_TIME_LIMIT",
    "MAX_OUTPUT_CEILING",
    "TIME_LIMIT_CEILING",
    "max_output",
    "time_limit",
]

#: The default time one document may take to render, in seconds (the default handbook takes
#: a few milliseconds, a yearbook of a thousand exemplars a few seconds).
DEFAULT_TIME_LIMIT = 30.0
#: The longest ``time_limit`` a user may set: 10 minutes per document (twenty times the
#: default), so an endless loop still ends.
TIME_LIMIT_CEILING = 600.0
#: The default largest rendered document, in characters of XML (64 Mi; a handbook is ~50 k).
DEFAULT_MAX_OUTPUT = 64 * 2**20
#: The largest ``max_output`` a user may set: 256 Mi characters (four times the default; a
#: document that size already takes gigabytes of memory to render and check).
MAX_OUTPUT_CEILING = 256 * 2**20


def _refuse(
    key: str, value: Any, vi: str, en: str, why: tuple[str, str] = ("", "")
) -> ValidationFailed:
    shown = reprlib.repr(value)  # an int of a thousand digits is shown cut
    return ValidationFailed(
        f"{vi}, không phải {shown}{why[0]}", f"{en}, not {shown}{why[1]}", field=f"settings.{key}"
    )


def _number(key: str, value: Any, vi: str, en: str) -> float | int:
    """``value`` as a number: a number (not a bool) or a string of one (``--set``)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            pass
        try:
            return float(text)
        except ValueError:
            raise _refuse(key, value, vi, en) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _refuse(key, value, vi, en)
    return value if isinstance(value, int) else float(value)


def time_limit(value: Any) -> float:
    """``value`` as the seconds one document may take to render: a number (or a string of
    one) above 0 and at most :data:`TIME_LIMIT_CEILING`.

    Raises:
        ValidationFailed: anything else (the field is ``settings.time_limit``).
    """
    most, minutes = f"{TIME_LIMIT_CEILING:g}", f"{TIME_LIMIT_CEILING / 60:g}"
    vi = f"'time_limit' phải là số giây lớn hơn 0, tối đa {most} ({minutes} phút)"
    en = f"'time_limit' must be a number of seconds above 0, at most {most} ({minutes} minutes)"
    number = _number("time_limit", value, vi, en)
    try:
        seconds = float(number)
    except OverflowError:  # an int too large for a float
        raise _refuse("time_limit", value, vi, en) from None
    if not math.isfinite(seconds) or seconds <= 0:
        raise _refuse("time_limit", value, vi, en)
    if seconds > TIME_LIMIT_CEILING:
        raise _refuse(
            "time_limit",
            value,
            vi,
            en,
            (
                " (giới hạn này bảo vệ lượt xuất khỏi mẫu chạy mãi, không tắt được)",
                " (the limit protects the export from a template that never ends; it cannot be "
                "switched off)",
            ),
        )
    return seconds


def max_output(value: Any) -> int:
    """``value`` as the characters of XML one rendered document may hold: a whole number
    (or a string of one) from 1 to :data:`MAX_OUTPUT_CEILING`.

    Raises:
        ValidationFailed: anything else (the field is ``settings.max_output``).
    """
    most = f"{MAX_OUTPUT_CEILING} ({MAX_OUTPUT_CEILING // 2**20} Mi)"
    vi = f"'max_output' phải là số ký tự nguyên từ 1 đến {most}"
    en = f"'max_output' must be a whole number of characters from 1 to {most}"
    number = _number("max_output", value, vi, en)
    if isinstance(number, float):
        if not number.is_integer():
            raise _refuse("max_output", value, vi, en)
        number = int(number)
    if number <= 0:
        raise _refuse("max_output", value, vi, en)
    if number > MAX_OUTPUT_CEILING:
        raise _refuse(
            "max_output",
            value,
            vi,
            en,
            (
                " (giới hạn này bảo vệ bộ nhớ và ổ đĩa khỏi mẫu sinh quá nhiều, không tắt được)",
                " (the limit protects memory and disk from a template that floods them; it "
                "cannot be switched off)",
            ),
        )
    return number
