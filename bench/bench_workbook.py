"""Reading a filled workbook: :func:`read_workbook` against openpyxl's own read-only pass.

The reader opens the workbook once, read-only and with ``data_only=False``, and walks cells
(not values only) so that a formula is told by its data type and refused. The baselines,
timed on the same file:

- ``openpyxl values``: one read-only, ``data_only=True``, values-only pass over every sheet
  (the parse alone, what the reader cost before formulas were checked);
- ``openpyxl cells``: the same pass over cells with ``data_only=False`` (the parse the reader
  now does, before any checking or model building).

The workbook is the export of a made-up roster of ``BENCH_WORKBOOK_MEMBERS`` members
(default 5000) with a reported handbook each (``lamtheoguongbac.testing``). The three run
round-robin for ``BENCH_WORKBOOK_ROUNDS`` rounds (default 5), so machine load falls on all
alike; prints the median and min–max of each and the ratios. Exits 0: it reports, it does
not judge.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from openpyxl import load_workbook

from lamtheoguongbac import HandbookStatus
from lamtheoguongbac.spreadsheet import export_workbook, read_workbook
from lamtheoguongbac.testing import make_handbook, make_roster

MEMBERS = max(100, int(os.environ.get("BENCH_WORKBOOK_MEMBERS", "5000")))
ROUNDS = max(3, int(os.environ.get("BENCH_WORKBOOK_ROUNDS", "5")))


def _workbook(folder: Path) -> Path:
    per_cell = 50
    roster = make_roster(cells=MEMBERS // per_cell, members_per_cell=per_cell)
    people = [m for m in roster.members if m.cell_id in set(roster.cell_ids)][:MEMBERS]
    books = [
        make_handbook(
            HandbookStatus.REPORTED,
            member=member,
            cell=member.cell_id,
            index=i,
        )
        for i, member in enumerate(people, start=1)
    ]
    path = folder / "chi-bo.xlsx"
    export_workbook(path, books, members=roster.members, units=roster.units)
    return path


def _values(path: Path) -> None:
    wb = load_workbook(path, read_only=True, data_only=True)
    for ws in wb.worksheets:
        for _ in ws.iter_rows(values_only=True):
            pass
    wb.close()


def _cells(path: Path) -> None:
    wb = load_workbook(path, read_only=True, data_only=False)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _ = cell.data_type
    wb.close()


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _workbook(Path(folder))
        data = read_workbook(path)
        size = path.stat().st_size
        cases: dict[str, Callable[[], object]] = {
            "openpyxl values": lambda: _values(path),
            "openpyxl cells": lambda: _cells(path),
            "read_workbook": lambda: read_workbook(path),
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(ROUNDS):
            for name, run in cases.items():
                times[name].append(_timed(run))
    pledges = sum(len(e.pledges) for e in data.handbooks)
    print(
        f"reading a workbook: {len(data.members)} members, {len(data.handbooks)} handbooks "
        f"({pledges} pledges), {size / 1e6:.1f} MB; {ROUNDS} rounds interleaved (medians, "
        "min–max):"
    )
    base = statistics.median(times["openpyxl values"])
    for name, spent in times.items():
        median = statistics.median(spent)
        print(
            f"  {name:16s} {median:7.3f} s  ({min(spent):.3f}–{max(spent):.3f})  "
            f"×{median / base:.2f} of openpyxl values"
        )


if __name__ == "__main__":
    main()
