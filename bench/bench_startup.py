"""Start-up time: ``import lamtheoguongbac``, ``lamtheoguongbac --help`` and
``lamtheoguongbac lint TEXT`` against plain ``python -c pass``.

Each command runs as a fresh process, round-robin (one of each per round, so machine load
falls on all of them alike), for ``BENCH_STARTUP_ROUNDS`` rounds (default 15, at least 10).
Prints the median and min–max of each, the median minus the bare interpreter's, and the
targets of issue 9: import < 100 ms, ``--help`` < 150 ms, ``lint`` < 250 ms (absolute medians
of the whole process, interpreter included). Exits 0: it reports, it does not judge.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PYTHON = sys.executable
SCRIPT = str(Path(PYTHON).with_name("lamtheoguongbac"))
ROUNDS = max(10, int(os.environ.get("BENCH_STARTUP_ROUNDS", "15")))

CASES: dict[str, tuple[list[str], float | None]] = {
    "python -c pass": ([PYTHON, "-c", "pass"], None),
    "import lamtheoguongbac": ([PYTHON, "-c", "import lamtheoguongbac"], 0.100),
    "lamtheoguongbac --help": ([SCRIPT, "--help"], 0.150),
    "lamtheoguongbac lint TEXT": (
        [SCRIPT, "lint", "Giải quyết 100% hồ sơ một cửa đúng hạn trong năm 2025"],
        0.250,
    ),
}


def _once(argv: list[str], env: dict[str, str] | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
    return time.perf_counter() - start


def main() -> None:
    # Warm the file cache and the byte-code. With PYTHONDONTWRITEBYTECODE set (CI and some
    # shells set it) no .pyc would ever be written, and every run would compile the modules
    # edited since the last one: the warm-up writes them, as an installed package has them.
    warm = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for argv, _ in CASES.values():
        _once(argv, warm)
    times: dict[str, list[float]] = {name: [] for name in CASES}
    for _ in range(ROUNDS):
        for name, (argv, _) in CASES.items():
            times[name].append(_once(argv))
    base = statistics.median(times["python -c pass"])
    met = []
    print(f"start-up, {ROUNDS} rounds interleaved (medians, min–max):")
    for name, (_, target) in CASES.items():
        median = statistics.median(times[name])
        line = (
            f"  {name:28s} {median * 1000:7.1f} ms  ({min(times[name]) * 1000:.1f}–"
            f"{max(times[name]) * 1000:.1f})  +{(median - base) * 1000:.1f} ms over python"
        )
        if target is not None:
            ok = median < target
            met.append(ok)
            line += f"  target < {target * 1000:.0f} ms: {'met' if ok else 'MISSED'}"
        print(line)
    summary = ", ".join(
        f"{name.split()[-1] if name.startswith('lamtheoguongbac') else 'import'} "
        f"{statistics.median(times[name]) * 1000:.0f} ms"
        for name, (_, target) in CASES.items()
        if target is not None
    )
    print(
        f"bench_startup: {summary} (python -c pass {base * 1000:.0f} ms); "
        f"{sum(met)}/{len(met)} targets met"
    )


if __name__ == "__main__":
    main()
