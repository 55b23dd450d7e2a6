"""Small conversions every template context (handbook, yearbook, report) makes the same way."""

from __future__ import annotations

import datetime as dt

from lamtheoguongbac.text import nfc

__all__ = ["clean", "short_date", "upper"]


def upper(value: str) -> str:
    """Capitals for document headers, NFC again: ``str.upper()`` can leave a decomposed
    sequence (e.g. "ǰ" -> "J" + caron)."""
    return nfc(value.upper())


def short_date(d: dt.date | None) -> str:
    """ "05/01/2015", or "" when there is no date."""
    return "" if d is None else f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def clean(value: str) -> str:
    """NFC text with runs of white space folded to one space and the ends trimmed."""
    return " ".join(nfc(value).split())
