"""Benchmark the docx exporter against plain docxtpl (đo tốc độ xuất sổ tay Word).

Usage::

    python bench/bench_docx.py [--n 2000] [--plain-n 100] [--memory-n 10000] [--repeat 3]
                               [--out DIR]

Both sides render the default handbook template for the same handbooks and write every
document to disk, in this one process (one core):

* **plain docxtpl**, as users do today: a new ``DocxTemplate`` per document, rendered with
  the same sandboxed, escaping environment, saved with ``DocxTemplate.save``. It runs on the
  first ``--plain-n`` handbooks only (default 100): at ~30 documents a second more would
  only make the run long, and its rate does not change with the count.
* **the exporter**: ``export_handbooks(..., exporter="docx")`` on all ``--n`` handbooks —
  the whole path a user gets, including building each context, the file name, the atomic
  write (temp file + fsync + rename) and the resume manifest. Plain docxtpl gets no fsync.

Each side runs ``--repeat`` times (fresh folders) and its best rate counts, as ``timeit``
does: the machine is shared, and other work only ever slows a run down. Every run's rate
is printed.

Peak memory is measured in a child process exporting ``--memory-n`` handbooks streamed from
a generator: its own peak resident set, ``VmHWM`` of ``/proc/self/status`` (``ru_maxrss``
elsewhere). Not ``getrusage(RUSAGE_CHILDREN)`` from here: Linux carries a process's
``ru_maxrss`` across ``exec``, so a child forked from this (by then large) process would
report this process's size, not its own.

The last line is the summary, e.g.
``bench_docx: 2100 docs/s (plain 35 docs/s, ratio 60×, target ≥30×), peak 80 MB for 10000
docs (target < 100 MB)``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import attrs

from lamtheoguongbac import Handbook, HandbookStatus
from lamtheoguongbac.export import build_context, export_handbooks
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_handbook

_DISTINCT = 40  # handbooks built through the real workflow; the rest are variants of them


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
        yield attrs.evolve(base, id=f"{base.id}-{i}", member=member, version=i % 7)


def plain_docxtpl(books: list[Handbook], out: Path) -> float:
    """Documents per second with a new DocxTemplate per document."""
    from docxtpl import DocxTemplate  # type: ignore[import-untyped]

    from lamtheoguongbac_docx import DEFAULT_TEMPLATE, make_environment

    today = dt.date.today()
    out.mkdir(parents=True)
    start = time.perf_counter()
    for i, book in enumerate(books):
        tpl = DocxTemplate(str(DEFAULT_TEMPLATE))
        tpl.render(build_context(book, today=today), jinja_env=make_environment(),
                   autoescape=True)  # fmt: skip
        tpl.save(str(out / f"{i}.docx"))
    return len(books) / (time.perf_counter() - start)


def exporter(books: list[Handbook], out: Path) -> float:
    """Documents per second through export_handbooks (one process)."""
    registry = create_registry()
    export_handbooks(books[:5], out / "warm-up", registry=registry)
    start = time.perf_counter()
    result = export_handbooks(books, out / "docx", registry=registry)
    elapsed = time.perf_counter() - start
    if len(result.written) != len(books) or result.notes:
        raise RuntimeError(f"unexpected export result: {result}")
    return len(books) / elapsed


def _own_peak_mb() -> float:
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kib = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(kib) / 1024


def memory_child(count: int, out: Path) -> None:
    """Run in a child process: export ``count`` handbooks streamed from a generator, then
    print how many were written and the peak memory in MB."""
    result = export_handbooks(handbooks(count), out)
    print(len(result.written), f"{_own_peak_mb():.1f}")


def peak_memory(count: int, out: Path) -> float:
    """Peak resident memory (MB) of a child process exporting ``count`` handbooks."""
    done = subprocess.run([sys.executable, __file__, "--memory-child", str(count), str(out)],
                          check=True, capture_output=True, text=True)  # fmt: skip
    written, peak = done.stdout.split()[-2:]
    if int(written) != count:
        raise RuntimeError(f"the child wrote {written} of {count} documents")
    return float(peak)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="documents for the exporter")
    parser.add_argument("--plain-n", type=int, default=100, help="documents for plain docxtpl")
    parser.add_argument("--memory-n", type=int, default=10000, help="documents for the peak")
    parser.add_argument("--repeat", type=int, default=3, help="runs per side; the best counts")
    parser.add_argument("--out", type=Path, help="where to write (default: a temp folder)")
    parser.add_argument("--memory-child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.memory_child:
        memory_child(int(args.memory_child[0]), Path(args.memory_child[1]))
        return 0

    root = Path(args.out or tempfile.mkdtemp(prefix="bench-docx-"))
    try:
        books = list(handbooks(args.n))
        runs = range(max(args.repeat, 1))
        plain_runs = [plain_docxtpl(books[: args.plain_n], root / f"plain-{i}") for i in runs]
        plain = max(plain_runs)
        print(f"plain docxtpl: {plain:.1f} docs/s ({min(args.plain_n, args.n)} documents; "
              f"runs: {', '.join(f'{r:.1f}' for r in plain_runs)})")  # fmt: skip
        fast_runs = [exporter(books, root / f"exporter-{i}") for i in runs]
        fast = max(fast_runs)
        print(f"exporter:      {fast:.0f} docs/s ({args.n} documents, fsync'd atomic writes; "
              f"runs: {', '.join(f'{r:.0f}' for r in fast_runs)})")  # fmt: skip
        del books
        peak = peak_memory(args.memory_n, root / "memory")
        print(f"peak memory:   {peak:.0f} MB exporting {args.memory_n} documents in one process")
    finally:
        if args.out is None:
            shutil.rmtree(root, ignore_errors=True)
    ratio = fast / plain
    print(
        f"bench_docx: {fast:.0f} docs/s (plain {plain:.0f} docs/s, ratio {ratio:.0f}×, "
        f"target ≥30×), peak {peak:.0f} MB for {args.memory_n} docs (target < 100 MB)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
