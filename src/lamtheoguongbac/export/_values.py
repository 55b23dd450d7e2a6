"""Small conversions every template context (handbook, yearbook, report) makes the same way."""

from __future__ import annotations

import datetime as dt
import functools

from lamtheoguongbac.text import nfc

__all__ = ["clean", "header_lines", "short_date", "upper"]


def upper(value: str) -> str:
    """Capitals for document headers, NFC again: ``str.upper()`` can leave a decomposed
    sequence (e.g. "ǰ" -> "J" + caron)."""
    return nfc(value.upper())


def short_date(d: dt.date | None) -> str:
    """ "05/01/2015", or "" when there is no date."""
    return "" if d is None else _short_date(d)


# A handbook prints some fourteen dates, and a province's handbooks share a few hundred:
# each is written once (issue 11).
@functools.lru_cache(maxsize=4096)
def _short_date(d: dt.date) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def clean(value: str) -> str:
    """NFC text with runs of white space folded to one space and the ends trimmed."""
    return " ".join(nfc(value).split())


# A line break is best before these words (a new administrative level or a new body) and
# worst inside a pair such as "ĐẢNG BỘ" or "CHI BỘ".
_GOOD_BREAK_BEFORE = frozenset(
    {"XÃ", "PHƯỜNG", "THỊ", "ẤP", "THÔN", "KHU", "TỈNH", "HUYỆN", "THÀNH", "QUẬN", "TỔ",
     "VĂN", "BAN", "CƠ", "TRƯỜNG", "CÔNG", "ỦY", "HĐND", "-"}
)  # fmt: skip
_NO_BREAK_AFTER = frozenset(
    {"ĐẢNG", "CHI", "THỊ", "THÀNH", "BAN", "VĂN", "ỦY", "CƠ", "XÃ", "PHƯỜNG", "ẤP", "THÔN",
     "TỈNH", "HUYỆN", "QUẬN", "TRẤN", "PHỐ"}
)  # fmt: skip


def header_lines(text: str, width: int = 24) -> list[str]:
    """A header name ("CHI BỘ VĂN PHÒNG ĐẢNG ỦY - HĐND - UBND XÃ AN PHÚ") in lines of about
    ``width`` characters, broken between phrases rather than inside one, so a narrow header
    column never wraps it mid-phrase: few lines with good breaks (before a new level or
    body, never inside "ĐẢNG BỘ", never after a dash), then the most even lines."""
    return list(_header_lines(text, width))


# Cached: the names are those of units, and every member of a cell has the same chain of
# units — an export repeats each cell's names for its 10–30 members and the province's for
# all of them — while the search is a third of the context's cost. A tuple, copied out.
@functools.lru_cache(maxsize=4096)
def _header_lines(text: str, width: int) -> tuple[str, ...]:
    words = text.split()
    if len(text) <= width or len(words) < 2:
        return (text,) if text else ()
    n = len(words)
    # A line's length from the words' lengths (no joining: this runs for every unit of every
    # handbook exported), and what breaking after each word costs, computed once per word.
    ends = [0] * (n + 1)
    for i, word in enumerate(words):
        ends[i + 1] = ends[i] + len(word)
    penalty = [0] * n
    for end in range(1, n):
        following = words[end].upper()
        if following not in _GOOD_BREAK_BEFORE and not following.startswith("("):
            penalty[end] += 10
        if words[end - 1].upper() in _NO_BREAK_AFTER or words[end - 1] == "-":
            penalty[end] += 40
    squared = width**2
    # best[i]: (lines, cost, previous break) for words[:i] set in whole lines.
    best: list[tuple[int, float, int] | None] = [None] * (n + 1)
    best[0] = (0, 0.0, 0)
    for end in range(1, n + 1):
        found: tuple[int, float, int] | None = None
        after = penalty[end] if end < n else 0
        # The last line from the nearest start back: lines only get longer, and once one is
        # so much too long that even with nothing before it it cannot win, no longer one can
        # (``<=`` keeps the earliest start among equals, as a forward scan with ``<`` did).
        for start in range(end - 1, -1, -1):
            length = ends[end] - ends[start] + (end - start - 1)
            over = max(length - width, 0)
            if found is not None and 30 + 1000 * over + after >= found[1]:
                break
            before = best[start]
            if before is None:
                continue
            # Where a line breaks matters more than how even the lines are.
            # Each line costs 30: a third line is better than a break inside "CƠ QUAN".
            cost = before[1] + 30 + (width - length) ** 2 / squared + 1000 * over + after
            if found is None or cost <= found[1]:
                lines = before[0] + -(-length // width)  # an over-long word still counts
                found = (lines, cost, start)
        best[end] = found
    out: list[str] = []
    end = n
    while end > 0:
        step = best[end]
        assert step is not None
        out.append(" ".join(words[step[2] : end]))
        end = step[2]
    return tuple(out[::-1])
