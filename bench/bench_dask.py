"""Batch export on the local process pool and on a Dask cluster, side by side (đo xuất
trên cụm máy).

Usage::

    python bench/bench_dask.py [--n 10000] [--workers 2] [--rounds 1] [--pdf-n 100]
    BENCH_DASK_N=1000 python bench/bench_dask.py      # a quick run

The same ``--n`` handbooks (default 10 000; ``BENCH_DASK_N`` overrides the default) are put
in a real SQLite store, then exported to Word in folder mode, store to disk, three ways:

* **one process**: ``export_handbooks(..., jobs=1)``, the baseline of one core;
* **local pool**: ``export_handbooks(..., executor=ProcessPoolExecutor(workers))`` — the
  built-in path of ``--jobs N``, forced to use its workers whatever the count;
* **Dask**: a ``distributed.LocalCluster`` of ``workers`` worker *processes* with one
  thread each, through :func:`lamtheoguongbac.export.dask_executor` — the path of
  ``--scheduler``, here with every worker on this machine.

The pool and the cluster are started before their clock starts (as a cluster is, in
practice, already running); each worker still opens the store and compiles the template on
its first shard, inside the timing. With ``--rounds`` > 1 the three take turns round by round
and medians with min–max are printed. With ``--pdf-n`` > 0 (and LibreOffice installed) the
cluster also exports that many handbooks with ``pdf=True``, for the documents/s of the PDF
path used in the capacity model of ``docs/cluster-export.md``.

The last line is the summary::

    bench_dask: 10000 docs, one process 1400 docs/s, local pool (2) 2300 docs/s, Dask
    LocalCluster (2) 2100 docs/s (0.91× the pool), PDF 9.5 docs/s on 2 workers
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import itertools
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_docx import make_store

from lamtheoguongbac import Handbook
from lamtheoguongbac.export import dask_executor, export_handbooks, soffice_available
from lamtheoguongbac.plugin import HandbookQuery, Store, create_registry


def _all(store: Store, count: int) -> Iterator[Handbook]:
    return itertools.islice(store.iter_query(HandbookQuery()), count)


def timed(
    store: Store, count: int, out: Path, executor: cf.Executor | None, **options: Any
) -> float:
    """Documents per second exporting ``count`` handbooks into ``out``."""
    start = time.perf_counter()
    result = export_handbooks(out, _all(store, count), store=store, executor=executor, **options)
    elapsed = time.perf_counter() - start
    if len(result.written) != count:
        raise RuntimeError(f"wrote {len(result.written)} of {count}")
    shutil.rmtree(out, ignore_errors=True)
    return count / elapsed


def _spread(values: list[float]) -> str:
    if len(values) == 1:
        return f"{values[0]:.0f}"
    return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default_n = int(os.environ.get("BENCH_DASK_N", "10000"))
    parser.add_argument("--n", type=int, default=default_n, help="handbooks to export")
    parser.add_argument("--workers", type=int, default=2, help="pool and cluster workers")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds")
    parser.add_argument("--pdf-n", type=int, default=100, help="handbooks for the PDF rate")
    parser.add_argument("--out", type=Path, help="where to write (default: a temp folder)")
    args = parser.parse_args(argv)

    import distributed

    root = Path(args.out or tempfile.mkdtemp(prefix="bench-dask-"))
    rates: dict[str, list[float]] = {"one process": [], "local pool": [], "Dask": []}
    pdf_rate = None
    try:
        started = time.perf_counter()
        url = make_store(root / "so-tay.db", args.n)
        print(f"store: {args.n} handbooks in SQLite ({time.perf_counter() - started:.1f} s)")
        store = create_registry().open_store(url)
        spawn = multiprocessing.get_context("spawn")
        with (
            cf.ProcessPoolExecutor(args.workers, mp_context=spawn) as pool,
            distributed.LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            dask_executor(cluster) as dask,
        ):
            # The pool's processes start on first use: start them now, as the cluster's are.
            list(pool.map(abs, range(args.workers)))
            runs: dict[str, Callable[[Path], float]] = {
                "one process": lambda out: timed(store, args.n, out, None),
                "local pool": lambda out: timed(store, args.n, out, pool),
                "Dask": lambda out: timed(store, args.n, out, dask),
            }
            for i in range(max(args.rounds, 1)):
                names = list(runs)
                for name in names[i % 3 :] + names[: i % 3]:
                    rates[name].append(runs[name](root / f"{name}-{i}"))
                    print(f"round {i + 1}: {name}: {rates[name][-1]:.0f} docs/s", flush=True)
            if args.pdf_n > 0 and soffice_available():
                pdf_n = min(args.pdf_n, args.n)
                pdf_rate = timed(store, pdf_n, root / "pdf", dask, pdf=True)
                print(f"PDF: {pdf_rate:.1f} docs/s ({pdf_n} documents, Word + PDF, "
                      f"{args.workers} Dask workers)")  # fmt: skip
        store.close()
    finally:
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)
    pool_rate = statistics.median(rates["local pool"])
    dask_rate = statistics.median(rates["Dask"])
    for name, values in rates.items():
        print(f"{name + ':':13} {_spread(values)} docs/s")
    pdf = "" if pdf_rate is None else f", PDF {pdf_rate:.1f} docs/s on {args.workers} workers"
    print(
        f"bench_dask: {args.n} docs, one process {_spread(rates['one process'])} docs/s, "
        f"local pool ({args.workers}) {_spread(rates['local pool'])} docs/s, Dask LocalCluster "
        f"({args.workers}) {_spread(rates['Dask'])} docs/s "
        f"({dask_rate / pool_rate:.2f}× the pool){pdf}"
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
