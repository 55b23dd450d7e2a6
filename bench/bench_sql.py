"""Benchmark of the PostgreSQL store against raw psycopg (đo hiệu năng kho PostgreSQL).

Run it as a script, not a test (``make bench`` runs it); it starts its own throwaway
PostgreSQL cluster (``lamtheoguongbac_sql.cluster``, durable settings: ``fsync`` on, as a
server would run) and removes it at the end::

    python bench/bench_sql.py              # 100,000 handbooks
    python bench/bench_sql.py --n 20000    # quicker

The data is ``bench_storage.build``'s: 5 years of handbooks of cells of 10 members, 40 cells
to a grassroots organisation, so 100,000 handbooks are 2,000 cells of 50 handbooks each.

Figures, each next to a raw psycopg baseline on the same server, run interleaved in rounds
(store, executemany, COPY, store, …) so a busy machine slows every side alike; each side's
best round counts, as ``timeit`` does:

* **insert** — ``SqlStore.add_many`` of all N handbooks with their creation events in one
  call, one transaction: the store turns each handbook and event into JSON with
  ``serde.to_dict``, computes the roster key and writes the handbook, its organisation links
  and its event. The baselines write the same rows into the same tables (a database migrated
  by the store: same indexes, keys and triggers) in one transaction, handed the documents
  already built by ``serde.to_dict`` and the column values already computed (outside their
  timers, as in ``bench_storage``): **executemany** per 1,000 rows (psycopg 3 pipelines
  them) and **COPY**. Target: the store within 2× of raw executemany.
* **cell query** — ``query(HandbookQuery(cell_id=…))`` decoded into ``Handbook`` values,
  median over many cells; the baseline selects the same documents in the same order (psycopg
  parses the JSONB). Target: under 10 ms at 100,000 handbooks.
* **status count** — ``count_by_status`` of a grassroots organisation's subtree for the last
  year; the baseline runs the same ``GROUP BY`` through psycopg.
* **update scaling** — each process updates its own handbooks (no conflicts) ``--updates``
  times through ``SqlStore.update``; 4 processes at once against 1 process alone, in updates
  per second. Target: 4 processes ≥ 2.5× one. It needs 4 free cores: on a smaller or busy
  machine the ratio says more about the machine than about the store.

The last line is the summary, starting ``bench_sql:``; the script exits 0 and reports
whether each target was met.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb, set_json_dumps

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_storage import build, chunks

from lamtheoguongbac import Event, Handbook, serde
from lamtheoguongbac.plugin import HandbookQuery, roster_key
from lamtheoguongbac.testing import advance
from lamtheoguongbac_sql import SqlStore
from lamtheoguongbac_sql.cluster import TemporaryCluster

CHUNK = 1000
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

HANDBOOK_COLUMNS = (
    "id, member_id, cell_id, grassroots_id, year, status, version, member_name, member_sort, "
    "sort_key, document"
)
UNIT_COLUMNS = "unit_id, handbook_id, year, status"
EVENT_COLUMNS = "handbook_id, version, document"


# --- the raw baselines ---------------------------------------------------------------------


def prepare_rows(
    entries: Sequence[tuple[Handbook, Event]],
) -> list[tuple[tuple[Any, ...], dict[str, Any], list[tuple[Any, ...]], tuple[Any, ...]]]:
    """Column values and documents per handbook, built outside the baselines' timers."""
    rows = []
    for h, e in entries:
        m = h.member
        columns = (
            h.id,
            m.id,
            h.cell.id,
            h.grassroots.id,
            h.year,
            h.status.value,
            h.version,
            m.full_name,
            m.sort_key,
            roster_key(m.full_name, m.sort_key),
        )
        links = [
            (u, h.id, h.year, h.status.value) for u in dict.fromkeys(u.id for u in h.organisation)
        ]
        rows.append(
            (columns, serde.to_dict(h), links, (e.handbook_id, e.version, serde.to_dict(e)))
        )
    return rows


def raw_executemany(dsn: str, rows: Sequence[Any]) -> float:
    with psycopg.connect(dsn) as conn:
        set_json_dumps(_encode, context=conn)
        start = time.perf_counter()
        with conn.cursor() as cur:
            for chunk in chunks(rows, CHUNK):
                cur.executemany(
                    f"INSERT INTO handbooks ({HANDBOOK_COLUMNS}) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [(*c, Jsonb(d)) for c, d, _, _ in chunk],
                )
                cur.executemany(
                    f"INSERT INTO handbook_units ({UNIT_COLUMNS}) VALUES (%s, %s, %s, %s)",
                    [link for _, _, links, _ in chunk for link in links],
                )
                cur.executemany(
                    f"INSERT INTO events ({EVENT_COLUMNS}) VALUES (%s, %s, %s)",
                    [(i, v, Jsonb(d)) for _, _, _, (i, v, d) in chunk],
                )
        conn.commit()
        return time.perf_counter() - start


def raw_copy(dsn: str, rows: Sequence[Any]) -> float:
    with psycopg.connect(dsn) as conn:
        start = time.perf_counter()
        with conn.cursor() as cur:
            with cur.copy(f"COPY handbooks ({HANDBOOK_COLUMNS}) FROM STDIN") as copy:
                for c, d, _, _ in rows:
                    copy.write_row((*c, _encode(d)))
            with cur.copy(f"COPY handbook_units ({UNIT_COLUMNS}) FROM STDIN") as copy:
                for _, _, links, _ in rows:
                    for link in links:
                        copy.write_row(link)
            with cur.copy(f"COPY events ({EVENT_COLUMNS}) FROM STDIN") as copy:
                for _, _, _, (i, v, d) in rows:
                    copy.write_row((i, v, _encode(d)))
        conn.commit()
        return time.perf_counter() - start


def store_insert(url: str, entries: Sequence[tuple[Handbook, Event]]) -> float:
    with SqlStore(url) as store:
        start = time.perf_counter()
        store.add_many(entries)
        return time.perf_counter() - start


# --- update scaling -------------------------------------------------------------------------


def _updater(url: str, ids: list[str], updates: int, barrier: Any, out: Any) -> None:
    with SqlStore(url) as store:
        current = {i: store.get(i) for i in ids}
        barrier.wait(timeout=300)
        start = time.perf_counter()
        for n in range(updates):
            handbook = current[ids[n % len(ids)]]
            step = advance(handbook)
            store.update(step.handbook, step.event, expected_version=handbook.version)
            current[handbook.id] = step.handbook
        out.put(time.perf_counter() - start)


def update_rate(url: str, ids: list[str], processes: int, updates: int) -> float:
    """Updates per second of ``processes`` processes, each on its own 20 handbooks."""
    spawn = multiprocessing.get_context("spawn")
    barrier, out = spawn.Barrier(processes), spawn.Queue()
    children = [
        spawn.Process(
            target=_updater, args=(url, ids[p * 20 : (p + 1) * 20], updates, barrier, out)
        )
        for p in range(processes)
    ]
    for child in children:
        child.start()
    elapsed = [out.get(timeout=1800) for _ in children]
    for child in children:
        child.join(timeout=60)
    return processes * updates / max(elapsed)


# --- measuring -----------------------------------------------------------------------------


def median_ms(action: Callable[[Any], object], arguments: Sequence[Any], runs: int) -> float:
    for argument in arguments[:3]:
        action(argument)
    times = []
    for n in range(runs):
        argument = arguments[n % len(arguments)]
        start = time.perf_counter()
        action(argument)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def line(name: str, value: float, unit: str, baseline: float, base_name: str) -> None:
    ratio = value / baseline if baseline else float("inf")
    print(
        f"  {name:<30} {value:10.2f} {unit:<4} {base_name:<12} {baseline:9.2f} {unit:<4} "
        f"ratio {ratio:5.2f}"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="handbooks (default 100000)")
    parser.add_argument("--years", type=int, default=5, help="years of handbooks (default 5)")
    parser.add_argument("--repeat", type=int, default=2, help="insert rounds (default 2)")
    parser.add_argument("--runs", type=int, default=200, help="runs per query (default 200)")
    parser.add_argument(
        "--updates", type=int, default=400, help="updates per process (default 400)"
    )
    args = parser.parse_args(argv)

    print(f"bench_sql: building {args.n} handbooks …", flush=True)
    entries, cells, grassroots = build(args.n, args.years)
    rows = prepare_rows(entries)
    with TemporaryCluster(durable=True, settings={"shared_buffers": "256MB"}) as cluster:
        template = cluster.create_database("ltgb_template")
        SqlStore(template).close()  # the schema, migrated once; copied for every round
        times: dict[str, list[float]] = {"store": [], "executemany": [], "copy": []}
        last_store = ""
        for round_ in range(args.repeat):
            for side in times:
                name = f"{side}_{round_}"
                url = cluster.create_database(name, template="ltgb_template")
                dsn = cluster.dsn(name)
                if side == "store":
                    seconds = store_insert(url, entries)
                    if last_store:
                        cluster.drop_database(last_store)
                    last_store = name
                elif side == "executemany":
                    seconds = raw_executemany(dsn, rows)
                    cluster.drop_database(name)
                else:
                    seconds = raw_copy(dsn, rows)
                    cluster.drop_database(name)
                times[side].append(seconds)
                print(f"  round {round_ + 1} {side:<12} {seconds:8.2f} s", flush=True)
        best = {side: min(t) for side, t in times.items()}
        rate = {side: args.n / s for side, s in best.items()}

        url = cluster.url(last_store)
        dsn = cluster.dsn(last_store)
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
        last_year = max(h.year for h, _ in entries)
        with SqlStore(url) as store, psycopg.connect(dsn, autocommit=True) as raw:
            sample = cells[:: max(1, len(cells) // 50)]
            found = len(store.query(HandbookQuery(cell_id=sample[0])))
            cell_ms = median_ms(lambda c: store.query(HandbookQuery(cell_id=c)), sample, args.runs)
            raw_cell_ms = median_ms(
                lambda c: raw.execute(
                    "SELECT document FROM handbooks WHERE cell_id = %s "
                    "ORDER BY year, cell_id, sort_key, id",
                    (c,),
                ).fetchall(),
                sample,
                args.runs,
            )
            orgs = grassroots[:: max(1, len(grassroots) // 20)]
            count_ms = median_ms(
                lambda g: store.count_by_status(HandbookQuery(organisation_id=g, year=last_year)),
                orgs,
                args.runs,
            )
            raw_count_ms = median_ms(
                lambda g: raw.execute(
                    "SELECT status, count(*) FROM handbook_units WHERE unit_id = %s AND year = %s "
                    "GROUP BY status",
                    (g, last_year),
                ).fetchall(),
                orgs,
                args.runs,
            )
        ids = [h.id for h, _ in entries[:80]]
        one, four = [], []
        for _ in range(2):  # interleaved: 1, 4, 1, 4
            one.append(update_rate(url, ids, 1, args.updates))
            four.append(update_rate(url, ids, 4, args.updates))
            print(
                f"  updates/s   1 process {one[-1]:8.0f}   4 processes {four[-1]:8.0f}", flush=True
            )
        scaling = max(four) / max(one)

    print(f"\n{args.n} handbooks, PostgreSQL (durable), psycopg {psycopg.__version__}")
    line("insert (handbooks/s)", rate["store"], "/s", rate["executemany"], "executemany")
    line("insert (handbooks/s)", rate["store"], "/s", rate["copy"], "COPY")
    line(f"cell query ({found} handbooks)", cell_ms, "ms", raw_cell_ms, "raw select")
    line("status count, grassroots subtree", count_ms, "ms", raw_count_ms, "raw group by")
    cores = os.cpu_count()
    print(f"  updates/s: 1 process {max(one):.0f}, 4 processes {max(four):.0f} (cores: {cores})")

    insert_ratio = best["store"] / best["executemany"]
    checks = {
        "insert ≤ 2× executemany": insert_ratio <= 2.0,
        "cell query < 10 ms": cell_ms < 10.0,
        "4-process scaling ≥ 2.5×": scaling >= 2.5,
    }
    missed = [name for name, ok in checks.items() if not ok]
    print(
        f"bench_sql: insert {rate['store']:.0f}/s = {insert_ratio:.2f}× raw executemany time "
        f"(target ≤ 2×; COPY {best['store'] / best['copy']:.2f}×), cell query {cell_ms:.2f} ms "
        f"(target < 10 ms), subtree status count {count_ms:.2f} ms, 4-process update scaling "
        f"{scaling:.2f}× (target ≥ 2.5×, {os.cpu_count()} cores) — "
        + ("all targets met" if not missed else "targets missed: " + ", ".join(missed))
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
