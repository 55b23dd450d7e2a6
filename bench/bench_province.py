"""A province's whole yearly cycle, at 6,000 and 60,000 members (đo chu trình cấp tỉnh).

Usage::

    python bench/bench_province.py               # 6,000 in 300 cells, then 60,000 in 3,000
    python bench/bench_province.py --scale 0.1   # 600 and 6,000: a quick run
    BENCH_PROVINCE_SCALE=0.1 python bench/bench_province.py   # the same

Each scale starts from roster CSV files (20 members a cell, 10 cells a grassroots
organisation, one province committee above) and a new SQLite store, and runs the cycle the
way a province would, through the public command line and the bulk API:

1. ``import``      ``lamtheoguongbac import units.csv members.csv`` (the CLI, in process)
2. ``open``        ``lamtheoguongbac create --organisation <province> --year Y --as <id>
                   --jobs N``
3. ``register``    ``hb.bulk.register`` — 2 pledges each, submitted by each cell's Bí thư
4. ``report``      ``hb.bulk.report`` — results with the self-assessment
5. ``assess``      ``hb.bulk.assess`` — 10% rated HTXSNV, the rest HTTNV (within the cap)
6. ``close``       ``hb.bulk.close``

   Steps 2–6 run with ``--bulk-jobs`` worker processes (default: one per usable core, as
   the export; ``--bulk-jobs 1`` takes them in this process).
7. ``export``      ``export_handbooks`` of the province's query to Word files, the
                   handbooks read from the store by one worker process per core (``jobs``,
                   ``store``), in a child process; the peak memory is the larger of the
                   child's (``VmHWM``) and its largest worker's

It prints each phase's elapsed time, per-handbook cost and CPU time, the end-to-end time,
and per phase the **linearity ratio** — the per-handbook cost at the larger scale divided by
that at the smaller one (1.0 is perfectly linear; a cost that grows with the store shows as
> 1). The summary's ratio is of CPU time (this process's, the bulk steps' workers', which
multiprocessing's fork server starts and reaps, and the export child's): on a
shared machine the elapsed time of a phase mostly measures the neighbours, which the
elapsed ratio is printed beside it to show. The load average is printed at the start and
end of each scale, and the end-to-end CPU time beside the elapsed one. The
last line is the summary, e.g. ``bench_province: 60000 handbooks, end-to-end 48.2 s (target
< 60 s), worst linearity 1.12 (target <= 1.3), export peak 71 MB (target < 100 MB)``.

The figures are those of one run on whatever machine runs it; the summary ends with
"— TARGET MISSED" and the exit status is 1 when a target is missed at the larger scale (as
``bench_docx``); a step that fails stops it with an error (a bulk failure is a bug here:
every entry is valid).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from lamtheoguongbac import Handbooks, HandbookStatus, Member, RatingLevel
from lamtheoguongbac.bulk import (
    BulkResult,
    CellBatch,
    MemberAssessment,
    MemberClosing,
    MemberRegistration,
    MemberReport,
)
from lamtheoguongbac.cli import cli
from lamtheoguongbac.export import choose_jobs, export_handbooks
from lamtheoguongbac.plugin import HandbookQuery, create_registry
from lamtheoguongbac.testing import advance, make_handbook, make_member, member_name

YEAR = 2025
PER_CELL = 20
CELLS_PER_GRASSROOTS = 10
PROVINCE = "tinh-ag"
MEETING = dt.date(YEAR, 12, 20)
TEXT = "Đồng chí thực hiện nghiêm túc các việc đã đăng ký, có kết quả cụ thể, thiết thực."
_PROFILES = 8  # sample members whose pledges and reports every member of that profile reuses

TARGET_SECONDS = 60.0
TARGET_LINEARITY = 1.3
TARGET_PEAK_MB = 100.0
PHASES = ("import", "open", "register", "report", "assess", "close", "export")
# The export's worker processes: one per usable core.
EXPORT_JOBS = choose_jobs(os.cpu_count() or 1, None)  # at most the usable cores


# --- the roster ---------------------------------------------------------------------------


def _cell(c: int) -> str:
    return f"cb-{c // CELLS_PER_GRASSROOTS:04d}-{c % CELLS_PER_GRASSROOTS:02d}"


def _member_id(c: int, i: int) -> str:
    return f"{_cell(c)}-dv{i:02d}"


def write_roster(folder: Path, cells: int) -> tuple[Path, Path]:
    """Units and members CSV files for ``cells`` cells of :data:`PER_CELL` members."""
    samples = [make_member(p) for p in range(_PROFILES)]
    units, members = folder / "to-chuc.csv", folder / "dang-vien.csv"
    grassroots = (cells + CELLS_PER_GRASSROOTS - 1) // CELLS_PER_GRASSROOTS
    with units.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["ma", "ten", "cap", "ma_cap_tren", "co_so", "dia_danh"])
        w.writerow([PROVINCE, "Đảng bộ tỉnh An Giang", "Đảng bộ tỉnh", "", "", "An Giang"])
        for g in range(grassroots):
            w.writerow(
                [f"xa-{g:04d}", f"Đảng bộ xã số {g + 1}", "Đảng bộ xã", PROVINCE, "x", "An Phú"]
            )
        for c in range(cells):
            w.writerow(
                [_cell(c), f"Chi bộ ấp số {c + 1}", "Chi bộ", f"xa-{c // CELLS_PER_GRASSROOTS:04d}"]
            )
    with members.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            ["ma", "ho_va_ten", "chi_bo", "trang_thai", "chuc_vu", "nhiem_vu", "ngay_vao_dang",
             "vai_tro", "vai_tro_tu_ngay"]
        )  # fmt: skip
        for c in range(cells):
            for i in range(PER_CELL):
                sample = samples[i % _PROFILES]
                secretary = i == 0
                w.writerow(
                    [
                        _member_id(c, i),
                        member_name(c * PER_CELL + i),
                        _cell(c),
                        "chính thức",
                        sample.position,
                        "; ".join(sample.duties),
                        "19/05/2005",
                        "Bí thư" if secretary else "",
                        "01/07/2020" if secretary else "",
                    ]
                )
    return units, members


# --- the entries each cell submits ---------------------------------------------------------


class Content:
    """Pledges, reports and self-assessments per profile, made once through the workflow."""

    def __init__(self) -> None:
        self.pledges, self.reports = [], []
        for p in range(_PROFILES):
            draft = make_handbook(HandbookStatus.DRAFT, member=make_member(p))
            registered = advance(draft).handbook
            reported = advance(registered).handbook
            self.pledges.append(registered.pledges)
            self.reports.append((reported.report, reported.self_assessment))


def _batches(cells: int, secretaries: dict[str, Member], entry: object) -> Iterator[CellBatch]:  # type: ignore[type-arg]
    for c in range(cells):
        yield CellBatch(
            cell_id=_cell(c),
            year=YEAR,
            submitter=secretaries[_cell(c)],
            entries=[entry(c, i) for i in range(PER_CELL)],  # type: ignore[operator]
        )


# --- running one scale ---------------------------------------------------------------------


def _cli(*args: str) -> None:
    """One ``lamtheoguongbac`` command in this process; its output is discarded."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        try:
            cli.main(list(args), standalone_mode=False, obj={"registry": create_registry()})
        except SystemExit as exc:
            if exc.code:
                raise RuntimeError(f"lamtheoguongbac {' '.join(args)} exited {exc.code}") from exc


def _check(result: BulkResult, expected: int) -> None:
    if not result.ok or len(result.done) != expected:
        problems = [f"{o.member_id}: {o.problem('en')}" for o in result.failed[:5]]
        raise RuntimeError(f"bulk {result.step}: {len(result.done)}/{expected} done; {problems}")


def _cpu() -> float:
    """CPU seconds of this process, its finished children (the export child) and the
    bulk steps' worker processes (:func:`_fork_server_cpu`)."""
    import resource

    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime + _fork_server_cpu()


def _stop_fork_server() -> None:
    """Stop multiprocessing's fork server if it runs (its CPU time then counts in this
    process's ``RUSAGE_CHILDREN``); the next bulk step with workers starts it again."""
    from multiprocessing import forkserver

    stop = getattr(forkserver._forkserver, "_stop", None)  # what CPython's own tests use
    if stop is not None:
        stop()


def _fork_server_cpu() -> float:
    """CPU seconds of multiprocessing's fork server and of the finished processes it forked.

    The bulk steps' workers are forked by the fork server (POSIX), so they are its children,
    not this process's: ``RUSAGE_CHILDREN`` here does not count them. The server reaps each
    one as it ends, before the operation that ran it returns; Linux keeps their CPU time in
    the server's ``/proc/PID/stat`` (``cutime``, ``cstime``). 0 without a fork server or
    ``/proc``.
    """
    from multiprocessing import forkserver

    pid = getattr(forkserver._forkserver, "_forkserver_pid", None)
    if pid is None:
        return 0.0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except OSError:
        return 0.0
    # after the ")" that closes the command name: field 3 (state) first; utime, stime,
    # cutime, cstime are fields 14 to 17
    fields = stat.rsplit(")", 1)[1].split()
    return sum(int(x) for x in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def run_scale(
    cells: int, work: Path, content: Content, cpu_times: dict[str, float], jobs: int = 1
) -> tuple[int, dict[str, float], float]:
    """The whole cycle for ``cells`` cells; (handbooks, seconds per phase, export peak MB);
    the CPU seconds per phase go into ``cpu_times``."""
    work.mkdir(parents=True)
    _stop_fork_server()  # each scale pays for starting it, as one program's cycle would
    n = cells * PER_CELL
    units, members = write_roster(work, cells)
    url = f"sqlite:///{work / 'so-tay.db'}"
    times: dict[str, float] = {}

    def phase(name: str) -> contextlib.AbstractContextManager[None]:
        @contextlib.contextmanager
        def timed() -> Iterator[None]:
            start, cpu = time.perf_counter(), _cpu()
            yield
            times[name] = time.perf_counter() - start
            cpu_times[name] = _cpu() - cpu
            print(
                f"  {name:<9}{times[name]:8.2f} s  {times[name] / n * 1e6:8.0f} µs/handbook"
                f"  (CPU {cpu_times[name]:7.2f} s)"
            )

        return timed()

    with phase("import"):
        _cli("--store", url, "import", str(units), str(members))
    secretary_id = _member_id(0, 0)
    with phase("open"):
        _cli("--store", url, "create", "--organisation", PROVINCE, "--year", str(YEAR),
             "--as", secretary_id, "--jobs", str(jobs))  # fmt: skip
    with Handbooks.open(url) as hb:
        secretaries = {
            m.cell_id: m for m in (hb.roster.member(_member_id(c, 0)) for c in range(cells))
        }
        if hb.count_by_status(year=YEAR) != {HandbookStatus.DRAFT: n}:
            raise RuntimeError("create --organisation did not open every handbook")

        def registration(c: int, i: int) -> MemberRegistration:
            return MemberRegistration(
                member_id=_member_id(c, i), pledges=content.pledges[i % _PROFILES]
            )

        def report(c: int, i: int) -> MemberReport:
            result, own = content.reports[i % _PROFILES]
            assert result is not None
            return MemberReport(member_id=_member_id(c, i), report=result, self_assessment=own)

        def assessment(c: int, i: int) -> MemberAssessment:
            top = i % 10 == 1  # 10% of every cell
            rating = RatingLevel.EXCELLENT if top else RatingLevel.GOOD
            return MemberAssessment(
                member_id=_member_id(c, i), text=TEXT, meeting_date=MEETING, rating=rating
            )

        def closing(c: int, i: int) -> MemberClosing:
            return MemberClosing(member_id=_member_id(c, i))

        with phase("register"):
            _check(hb.bulk.register(_batches(cells, secretaries, registration), jobs=jobs), n)
        with phase("report"):
            _check(hb.bulk.report(_batches(cells, secretaries, report), jobs=jobs), n)
        with phase("assess"):
            assessed = hb.bulk.assess(_batches(cells, secretaries, assessment), jobs=jobs)
            _check(assessed, n)
            if assessed.warnings:
                raise RuntimeError(f"unexpected cap warnings: {assessed.warnings[:2]}")
        with phase("close"):
            _check(hb.bulk.close(_batches(cells, secretaries, closing), jobs=jobs), n)
    with phase("export"):
        peak_mb = _export_in_child(url, work / "word", n)
    shutil.rmtree(work / "word", ignore_errors=True)
    return n, times, peak_mb


def _export_in_child(url: str, dest: Path, expected: int) -> float:
    """Export in a fresh process (its own peak memory, not this process's)."""
    done = subprocess.run(
        [sys.executable, __file__, "--export-child", url, str(dest)],
        check=True,
        capture_output=True,
        text=True,
    )
    written, peak_kb = (int(x) for x in done.stdout.split())
    if written != expected:
        raise RuntimeError(f"export wrote {written} of {expected} documents")
    return peak_kb / 1024


def export_child(url: str, dest: str) -> None:
    """The export phase: every handbook of the province, a query of the store, rendered by
    one worker process per core that reads its shard from the store by id (``jobs``,
    ``store``) while this process lists only their headings, as ``lamtheoguongbac export
    --jobs N`` does. The peak is the larger of this process's and its largest worker's."""
    import resource

    query = HandbookQuery(organisation_id=PROVINCE, year=YEAR)
    result = export_handbooks(Path(dest), query, exporter="docx", jobs=EXPORT_JOBS, store=url)
    workers_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(len(result.written), max(_peak_kb(), workers_kb))


def _peak_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


# --- the report ----------------------------------------------------------------------------


def _load() -> str:
    """The load averages (1, 5, 15 min): on a shared machine, how busy the neighbours were."""
    try:
        return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "load average unknown"


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_PROVINCE_SCALE", "1")),
        help="size factor: 1 runs 6,000 then 60,000 members, 0.1 runs 600 then 6,000 "
        "(default: $BENCH_PROVINCE_SCALE or 1)",
    )
    parser.add_argument(
        "--bulk-jobs",
        type=int,
        default=EXPORT_JOBS,
        help="worker processes for the bulk steps open…close (default: one per usable "
        "core; 1 takes them in this process)",
    )
    args = parser.parse_args(argv)
    scale, jobs = args.scale, args.bulk_jobs
    small, large = max(1, round(300 * scale)), max(2, round(3000 * scale))
    content = Content()
    runs: dict[int, tuple[dict[str, float], dict[str, float], float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-province-") as tmp:
        for cells in (small, large):
            print(
                f"bench_province: {cells * PER_CELL} handbooks in {cells} cells, bulk steps "
                f"with jobs={jobs}, export with {EXPORT_JOBS} worker processes ({_load()})"
            )
            cpu: dict[str, float] = {}
            n, times, peak = run_scale(cells, Path(tmp) / f"n{cells}", content, cpu, jobs)
            total = sum(times.values())
            print(
                f"  {'total':<9}{total:8.2f} s  (CPU {sum(cpu.values()):.2f} s)  export peak "
                f"{peak:.0f} MB  ({_load()})"
            )
            runs[n] = (times, cpu, peak)
    (n_small, (t_small, c_small, _)), (n_large, (t_large, c_large, peak_large)) = sorted(
        runs.items()
    )
    print(f"linearity (per-handbook cost at {n_large} / at {n_small}):")
    print(f"  {'phase':<9}{'CPU':>6}  {'elapsed':>7}")
    ratios = {}
    for name in PHASES:
        ratios[name] = (c_large[name] / n_large) / max(c_small[name] / n_small, 1e-9)
        elapsed = (t_large[name] / n_large) / (t_small[name] / n_small)
        print(f"  {name:<9}{ratios[name]:6.2f}  {elapsed:7.2f}")
    end_to_end = sum(t_large.values())
    worst = max(ratios.values())
    met = end_to_end < TARGET_SECONDS and worst <= TARGET_LINEARITY and peak_large < TARGET_PEAK_MB
    # Elapsed time on a shared machine measures the neighbours too: the CPU seconds this
    # process and the export child spent are the figure to compare between runs.
    print(
        f"end to end at {n_large}: {end_to_end:.1f} s elapsed, {sum(c_large.values()):.1f} s "
        f"CPU ({sum(c_large.values()) / n_large * 1e6:.0f} µs CPU a handbook)"
    )
    print(
        f"bench_province: {n_large} handbooks, end-to-end {end_to_end:.1f} s (target < "
        f"{TARGET_SECONDS:.0f} s), worst linearity {worst:.2f} (target <= {TARGET_LINEARITY}), "
        f"export peak {peak_large:.0f} MB (target < {TARGET_PEAK_MB:.0f} MB)"
        f"{'' if met else ' — TARGET MISSED'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--export-child":
        export_child(sys.argv[2], sys.argv[3])
        sys.exit(0)
    sys.exit(main())
