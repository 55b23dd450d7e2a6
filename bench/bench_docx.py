"""Benchmark the docx exporter against plain docxtpl (đo tốc độ xuất sổ tay Word).

Usage::

    python bench/bench_docx.py [--n 2000] [--plain-n 60] [--rounds 5] [--memory-n 10000]
                               [--out DIR]

Both sides start from the same place a user's export does — handbooks in a real SQLite
store — and end with every document written to disk, rendered in this one process (the
exporter's files are written by its writer process, below):

* **plain docxtpl**, as users do today: the first ``--plain-n`` handbooks streamed from the
  store, a new ``DocxTemplate`` per document rendered with the same sandboxed, escaping
  environment and saved with ``DocxTemplate.save`` (no fsync);
* **the exporter**: ``export_handbooks(dest, store.iter_query(…), store=store)`` on ``--n``
  handbooks of the same store (the plain side's are the first of them): reading and
  decoding, the context, the file name, the atomic writes with one disk sync per shard and
  the resume manifest, and the registry and template compiled anew for each run. From its
  third shard the export writes its files from a writer process of its own
  (``export/_writer.py``), started anew in each run: its time is in the exporter's, and its
  memory in the peak below.

The two sides run **interleaved, round by round** (``--rounds``; which side goes first
alternates), so a machine that gets busier or quieter during the run weighs on both alike.
Each round gives a rate per side and their ratio; the medians are reported with min–max.
Each round writes into folders of its own, and all are removed only after the last round:
removing a round's thousands of files before the next one is timed made every file created
afterwards cost up to 40 times as much (20 µs → 300–800 µs) on an ext4 without a journal,
which skips inodes freed in the last seconds to minutes, one by one, when it allocates a new
one. That cost is neither side's work, and fell per file — on the exporter's ~1 ms per
document, not on plain docxtpl's ~75 ms. (Files other programs removed just before a run
still weigh on it: run on a quiet machine.)
Plain docxtpl runs on fewer handbooks because it is ~100 times slower: its rate does not
depend on the count, and rates are what is compared.

Peak memory is measured in child processes exporting ``--memory-n`` handbooks streamed from
the store, and a fifth of that, to show that it stays flat: each child's own peak resident
set, ``VmHWM`` of ``/proc/self/status`` (``ru_maxrss`` elsewhere), plus the peak of the
writer process it writes with (read every 0.1 s while it runs; resident sets count the
pages the two share twice, so the sum errs high). Not
``getrusage(RUSAGE_CHILDREN)`` from here: Linux carries a process's ``ru_maxrss`` across
``exec``, so a child forked from this (by then large) process would report this size.

The last line is the summary; the exit status is 1 when a target is missed::

    bench_docx: 2570 docs/s (2520–2690), plain 21.0 docs/s (20.7–21.0), ratio 123× (122–128,
    target ≥100×), peak 84 MB for 10000 docs, 81 MB for 2000 (target < 100 MB)
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from lamtheoguongbac import Handbook, HandbookStatus
from lamtheoguongbac.export import build_context, export_handbooks
from lamtheoguongbac.plugin import HandbookQuery, Store, create_registry
from lamtheoguongbac.testing import creation_event, make_handbook, make_secretary

_DISTINCT = 40  # handbooks built through the real workflow; the rest are variants of them
RATIO_TARGET = 100
MEMORY_TARGET_MB = 100


def handbooks(count: int) -> Iterator[Handbook]:
    """``count`` distinct assessed handbooks, streamed: a few built through the workflow,
    the rest given their own id, version and member name (each still validated)."""
    bases = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(min(count, _DISTINCT))]
    for i in range(count):
        base = bases[i % len(bases)]
        if i < len(bases):
            yield base
            continue
        member = attrs.evolve(base.member, full_name=f"{base.member.full_name} {i}")
        yield attrs.evolve(base, id=f"{base.id}-{i}", member=member, version=1 + i % 7)


def make_store(path: Path, count: int) -> str:
    """A SQLite store at ``path`` holding ``count`` handbooks; returns its URL."""
    url = f"sqlite:///{path}"
    store = create_registry().open_store(url)
    try:
        # The Bí thư who signed each assessment is in the roster, so the store backs the
        # signatures (LTGB-G004) as it would a real organisation's.
        cells = sorted({h.cell.id for h in itertools.islice(handbooks(count), _DISTINCT)})
        store.save_roster([], [make_secretary(cell) for cell in cells])
        store.add_many((h, creation_event(h)) for h in handbooks(count))
    finally:
        store.close()
    return url


def _first(store: Store, count: int) -> Iterator[Handbook]:
    return itertools.islice(store.iter_query(HandbookQuery()), count)


def plain_docxtpl(store: Store, count: int, out: Path) -> float:
    """Documents per second: read from the store, a new DocxTemplate per document, saved."""
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    from lamtheoguongbac_docx import DEFAULT_TEMPLATE, make_environment

    today = dt.date.today()
    out.mkdir(parents=True)
    start = time.perf_counter()
    done = 0
    for i, book in enumerate(_first(store, count)):
        tpl = DocxTemplate(str(DEFAULT_TEMPLATE))
        tpl.render(build_context(book, today=today), jinja_env=make_environment(),
                   autoescape=True)  # fmt: skip
        tpl.save(str(out / f"{i}.docx"))
        done += 1
    return done / (time.perf_counter() - start)


def exporter(store: Store, count: int, out: Path) -> float:
    """Documents per second through export_handbooks, from the store to the folder."""
    start = time.perf_counter()
    registry = create_registry()
    result = export_handbooks(out, _first(store, count), registry=registry, store=store)
    elapsed = time.perf_counter() - start
    if len(result.written) != count or result.notes:
        raise RuntimeError(f"unexpected export result: {len(result.written)} {result.notes}")
    return count / elapsed


def _peak_mb(pid: int | str = "self") -> float:
    """The peak resident set of process ``pid`` in MB (``VmHWM``; ``ru_maxrss`` of this
    process where there is no /proc)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if pid == "self" else 0
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def _writer_peak_mb() -> float:
    """The peak resident set of this process's export writer process, if it has one now."""
    peak = 0.0
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if parent == os.getpid() and b"_durable.py" in (entry / "cmdline").read_bytes():
                peak = max(peak, _peak_mb(entry.name))
        except (OSError, ValueError, IndexError):
            continue
    return peak


def memory_child(url: str, count: int, out: Path) -> None:
    """Run in a child process: export ``count`` handbooks streamed from the store at
    ``url``, then print how many were written, its peak memory in MB and that of the
    writer process the export wrote its files with (read every 0.1 s while it runs)."""
    store = create_registry().open_store(url)
    writer = [0.0]
    running = threading.Event()

    def watch() -> None:  # a peak is a high-water mark: its last reading is the highest
        while not running.wait(0.1):
            writer[0] = max(writer[0], _writer_peak_mb())

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    result = export_handbooks(out, _first(store, count), store=store)
    running.set()
    watcher.join()
    print(len(result.written), f"{_peak_mb():.1f}", f"{writer[0]:.1f}")


def peak_memory(url: str, count: int, out: Path) -> tuple[float, float]:
    """Peak resident memory (MB) of a child process exporting ``count`` handbooks, and of the
    writer process it writes with."""
    done = subprocess.run([sys.executable, __file__, "--memory-child", url, str(count), str(out)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    written, peak, writer = done.stdout.split()[-3:]
    if int(written) != count:
        raise RuntimeError(f"the child wrote {written} of {count} documents")
    return float(peak), float(writer)


def _spread(values: Sequence[float], digits: int = 0) -> str:
    """``median (min–max)``."""
    return (
        f"{statistics.median(values):.{digits}f} "
        f"({min(values):.{digits}f}–{max(values):.{digits}f})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="documents for the exporter")
    parser.add_argument("--plain-n", type=int, default=60, help="documents for plain docxtpl")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--memory-n", type=int, default=10000, help="documents for the peak")
    parser.add_argument("--out", type=Path, help="where to write (default: a temp folder)")
    parser.add_argument("--memory-child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        url, count, out = args.memory_child
        memory_child(url, int(count), Path(out))
        return 0

    root = Path(args.out or tempfile.mkdtemp(prefix="bench-docx-"))
    try:
        url = make_store(root / "so-tay.db", max(args.n, args.memory_n))
        store = create_registry().open_store(url)
        plain_n = min(args.plain_n, args.n)
        fast_runs: list[float] = []
        plain_runs: list[float] = []
        ratios: list[float] = []
        for i in range(max(args.rounds, 1)):
            sides = [
                lambda i=i: fast_runs.append(exporter(store, args.n, root / f"exporter-{i}")),
                lambda i=i: plain_runs.append(plain_docxtpl(store, plain_n, root / f"plain-{i}")),
            ]
            for side in sides if i % 2 == 0 else sides[::-1]:
                side()
            ratios.append(fast_runs[-1] / plain_runs[-1])
            print(f"round {i + 1}: exporter {fast_runs[-1]:.0f} docs/s, plain docxtpl "
                  f"{plain_runs[-1]:.1f} docs/s, ratio {ratios[-1]:.0f}×", flush=True)  # fmt: skip
        # Only now (see the module docstring): nothing removed while rounds are timed.
        for i in range(max(args.rounds, 1)):
            shutil.rmtree(root / f"exporter-{i}", ignore_errors=True)
            shutil.rmtree(root / f"plain-{i}", ignore_errors=True)
        store.close()
        print(f"exporter:      {_spread(fast_runs)} docs/s ({args.n} documents, store → disk)")
        print(f"plain docxtpl: {_spread(plain_runs, 1)} docs/s ({plain_n} documents)")
        print(f"ratio:         {_spread(ratios)}× per round (target ≥{RATIO_TARGET}×)")
        small_n = max(args.memory_n // 5, 1)
        # The exporting process and its writer process together.
        peak = sum(large := peak_memory(url, args.memory_n, root / "memory"))
        small = sum(peak_memory(url, small_n, root / "memory-small"))
        print(f"peak memory:   {peak:.0f} MB exporting {args.memory_n} documents "
              f"({large[0]:.0f} MB + {large[1]:.0f} MB its writer process), "
              f"{small:.0f} MB for {small_n}")  # fmt: skip
    finally:
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)
    ratio = statistics.median(ratios)
    met = ratio >= RATIO_TARGET and peak < MEMORY_TARGET_MB
    print(
        f"bench_docx: {_spread(fast_runs)} docs/s, plain {_spread(plain_runs, 1)} docs/s, "
        f"ratio {ratio:.0f}× ({min(ratios):.0f}–{max(ratios):.0f}, target ≥{RATIO_TARGET}×), "
        f"peak {peak:.0f} MB for {args.memory_n} docs, {small:.0f} MB for {small_n} "
        f"(target < {MEMORY_TARGET_MB} MB){'' if met else ' — TARGET MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
