"""Benchmark of the SQLite store against raw sqlite3 + json (đo hiệu năng kho SQLite).

Run it as a script, not a test::

    python bench/bench_storage.py            # 100,000 handbooks
    python bench/bench_storage.py --n 20000  # quicker

The data: ``--years`` years (default 5, the 2021–2025 term) of handbooks of cells of 10
members, 40 cells to a grassroots organisation (đảng bộ cơ sở) under one province, so
100,000 handbooks are 20,000 members in 2,000 cells of 50 grassroots organisations, and one
cell holds 50 handbooks (10 members × 5 years). Past years are closed; the last year is
spread over every status. Handbooks are built from rule-valid templates (made by the real
workflow, one per occupation, year and status) given each member, organisation and
assessment, which is quick and keeps every handbook valid.

Figures, each next to a raw baseline working on the same data in a file with the same
pragmas (WAL, ``synchronous=NORMAL``) and the same indexes:

* **insert** — ``SqliteStore.add_many`` of all N handbooks with their creation events in
  **one call, one transaction** (the store streams it in chunks of 1,000 rows per
  ``executemany``); the store turns each handbook into JSON with ``serde.to_dict`` and also
  writes the organisation links and the event. The baseline is handed the documents already
  built (``serde.to_dict`` and the column values are computed outside its timer) and only
  encodes them with ``json`` and inserts them into one table, also in one transaction with
  ``executemany`` per 1,000. Target: the store within 3× of the baseline.
* **cell query** — all handbooks of one cell (``HandbookQuery(cell_id=...)``), decoded into
  ``Handbook`` values; median over many runs on different cells. The baseline selects the
  same rows in the same order and ``json.loads`` them. Target: under 10 ms at 100,000.
* **count by status** — ``count_by_status`` for a grassroots organisation's subtree, and
  for the whole province; the baseline groups by status on a ``grassroots_id`` column.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import shutil
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import attrs

from lamtheoguongbac import Event, Handbook, HandbookStatus, Member, OrgUnit, serde
from lamtheoguongbac.plugin import HandbookQuery, create_registry
from lamtheoguongbac.testing import creation_event, make_handbook, make_roster, make_secretary

S = HandbookStatus
MEMBERS_PER_CELL = 10
CELLS_PER_GRASSROOTS = 40
CHUNK = 1000
LAST_YEAR = 2025
# How the current year's handbooks are spread over the cycle (per 20 members).
CURRENT_YEAR_STATUSES = (
    [S.DRAFT] + [S.REGISTERED] * 11 + [S.REPORTED] * 5 + [S.ASSESSED] * 2 + [S.CLOSED]
)

_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# --- data ----------------------------------------------------------------------------------


def build(n: int, years: int) -> tuple[list[tuple[Handbook, Event]], list[str], list[str]]:
    """N (handbook, creation event) pairs, the cell ids and the grassroots ids."""
    cells = math.ceil(n / (MEMBERS_PER_CELL * years))
    roster = make_roster(
        cells, MEMBERS_PER_CELL, grassroots=math.ceil(cells / CELLS_PER_GRASSROOTS)
    )
    first_year = LAST_YEAR - years + 1
    templates: dict[tuple[int, int, HandbookStatus], Handbook] = {}

    def template(member_index: int, year: int, status: HandbookStatus) -> Handbook:
        key = (member_index % 4, year, status)  # the factories' four occupations
        if key not in templates:
            templates[key] = make_handbook(status, year=year, index=key[0])
        return templates[key]

    secretaries: dict[str, Member] = {}
    entries: list[tuple[Handbook, Event]] = []
    for year in range(first_year, LAST_YEAR + 1):
        for number, member in enumerate(roster.members):
            if len(entries) == n:
                break
            if year < LAST_YEAR:
                status = S.CLOSED if number % 50 else S.ASSESSED
            else:
                status = CURRENT_YEAR_STATUSES[number % len(CURRENT_YEAR_STATUSES)]
            base = template(number, year, status)
            assessment = base.collective_assessment
            if assessment is not None:
                secretary = secretaries.setdefault(
                    member.cell_id, make_secretary(member.cell_id, index=number)
                )
                assessment = attrs.evolve(
                    assessment, recorded_by=secretary.id, recorder_name=secretary.full_name
                )
            handbook = attrs.evolve(
                base,
                id=f"sotay-{year}-{member.id}",
                member=member,
                organisation=roster.organisation(member.cell_id),
                collective_assessment=assessment,
            )
            entries.append((handbook, creation_event(handbook)))
    grassroots = [u.id for u in roster.units if u.grassroots]
    return entries, roster.cell_ids, grassroots


def recorders(entries: Sequence[tuple[Handbook, Event]]) -> list[Member]:
    """The Bí thư who signed the data's assessments, as the store's roster must back them
    (LTGB-G004): :func:`build` made each with ``make_secretary(cell, index=…)``."""
    found: dict[str, Member] = {}
    for handbook, _ in entries:
        ca = handbook.collective_assessment
        if ca is None or ca.recorded_by in found:
            continue
        index = int(ca.recorded_by.rsplit("-dv", 1)[1])
        secretary = make_secretary(handbook.cell.id, index=index)
        assert (secretary.id, secretary.full_name) == (ca.recorded_by, ca.recorder_name)
        found[secretary.id] = secretary
    return list(found.values())


# --- the raw baseline ----------------------------------------------------------------------

RAW_SCHEMA = (
    "CREATE TABLE handbooks (id TEXT PRIMARY KEY, member_id TEXT NOT NULL, cell_id TEXT NOT "
    "NULL, grassroots_id TEXT NOT NULL, year INTEGER NOT NULL, status TEXT NOT NULL, version "
    "INTEGER NOT NULL, member_name TEXT NOT NULL, document TEXT NOT NULL)",
    "CREATE INDEX by_cell ON handbooks (cell_id, year, member_name, id)",
    "CREATE INDEX by_year ON handbooks (year, cell_id, member_name, id)",
    "CREATE INDEX by_status ON handbooks (status, year)",
    "CREATE INDEX by_member ON handbooks (member_id, year)",
    "CREATE INDEX by_grassroots ON handbooks (grassroots_id, year)",
)
RAW_INSERT = "INSERT INTO handbooks VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def raw_connection(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def raw_insert(conn: sqlite3.Connection, entries: Sequence[tuple[Handbook, Event]]) -> float:
    """Seconds spent encoding and inserting; building the documents is not counted."""
    for statement in RAW_SCHEMA:
        conn.execute(statement)
    timed = 0.0
    start = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    timed += time.perf_counter() - start
    for chunk in chunks(entries, CHUNK):
        prepared = [
            (
                (h.id, h.member.id, h.cell.id, h.grassroots.id, h.year, h.status.value),
                (h.version, h.member.full_name),
                serde.to_dict(h),
            )
            for h, _ in chunk
        ]
        start = time.perf_counter()
        conn.executemany(RAW_INSERT, [(*a, *b, _encode(doc)) for a, b, doc in prepared])
        timed += time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("COMMIT")
    return timed + time.perf_counter() - start


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- measuring -----------------------------------------------------------------------------


def median_ms(action: Callable[[Any], object], arguments: Sequence[Any], runs: int) -> float:
    """The median time of ``action(argument)`` in ms, cycling through ``arguments``."""
    for argument in arguments[:3]:
        action(argument)  # warm the caches
    times = []
    for argument in itertools.islice(itertools.cycle(arguments), runs):
        start = time.perf_counter()
        action(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def line(name: str, value: float, unit: str, baseline: float) -> None:
    ratio = value / baseline if baseline else float("inf")
    print(f"  {name:<38} {value:10.2f} {unit:<3} raw {baseline:9.2f} {unit:<3} ratio {ratio:5.2f}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="handbooks (default 100000)")
    parser.add_argument("--years", type=int, default=5, help="years of handbooks (default 5)")
    parser.add_argument("--runs", type=int, default=200, help="runs per query (default 200)")
    parser.add_argument("--dir", type=Path, help="where to put the files (default: a temp dir)")
    args = parser.parse_args(argv)

    folder = args.dir or Path(tempfile.mkdtemp(prefix="bench-storage-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        return run(args.n, args.years, args.runs, folder)
    finally:
        if args.dir is None:
            shutil.rmtree(folder, ignore_errors=True)


def run(n: int, years: int, runs: int, folder: Path) -> int:
    start = time.perf_counter()
    entries, cells, grassroots = build(n, years)
    per_cell = n / len(cells)
    print(
        f"bench_storage: {len(entries):,} handbooks, {len(cells):,} cells "
        f"(~{per_cell:.0f} handbooks each), {len(grassroots)} grassroots organisations, "
        f"{years} years; built in {time.perf_counter() - start:.1f} s; files in {folder}"
    )
    start = time.perf_counter()
    for handbook, _ in entries:
        serde.to_dict(handbook)
    print(f"  (serde.to_dict alone: {time.perf_counter() - start:.2f} s, in the store's time)")

    for stale in folder.glob("*.db*"):
        stale.unlink()
    raw = raw_connection(folder / "raw.db")
    raw_seconds = raw_insert(raw, entries)
    store = create_registry(load_entrypoints=False).open_store(f"sqlite:///{folder / 'store.db'}")
    store.save_roster([], recorders(entries))  # set-up, outside the timer
    start = time.perf_counter()
    store.add_many(entries)
    store_seconds = time.perf_counter() - start
    insert_ratio = store_seconds / raw_seconds
    line(f"insert {len(entries):,} (one add_many)", store_seconds, "s", raw_seconds)

    sample = cells[:: max(1, len(cells) // 50)]
    cell_ms = median_ms(lambda c: store.query(HandbookQuery(cell_id=c)), sample, runs)
    raw_cell_ms = median_ms(
        lambda c: [
            json.loads(doc)
            for (doc,) in raw.execute(
                "SELECT document FROM handbooks WHERE cell_id = ? "
                "ORDER BY year, cell_id, member_name, id",
                (c,),
            )
        ],
        sample,
        runs,
    )
    line(f"cell query (median, {per_cell:.0f} handbooks)", cell_ms, "ms", raw_cell_ms)

    def raw_count(where: str, value: Any) -> dict[str, int]:
        sql = f"SELECT status, count(*) FROM handbooks WHERE {where} GROUP BY status"
        return dict(raw.execute(sql, (value,)).fetchall())

    count_ms = median_ms(
        lambda g: store.count_by_status(HandbookQuery(organisation_id=g)), grassroots, runs
    )
    raw_count_ms = median_ms(lambda g: raw_count("grassroots_id = ?", g), grassroots, runs)
    line("count by status, grassroots (median)", count_ms, "ms", raw_count_ms)
    root: OrgUnit = entries[0][0].organisation[0]
    root_ms = median_ms(
        lambda r: store.count_by_status(HandbookQuery(organisation_id=r)), [root.id], 20
    )
    raw_root_ms = median_ms(lambda _: raw_count("1 = ?", 1), [root.id], 20)
    line("count by status, province (median)", root_ms, "ms", raw_root_ms)

    check = store.count_by_status(HandbookQuery(organisation_id=root.id))
    assert sum(check.values()) == len(entries), check
    store.close()
    raw.close()
    print(
        f"bench_storage: insert ratio {insert_ratio:.2f} (target ≤ 3.0), "
        f"cell query {cell_ms:.2f} ms (target < 10 ms)"
    )
    return 0 if insert_ratio <= 3.0 and cell_ms < 10 else 1


if __name__ == "__main__":
    raise SystemExit(main())
