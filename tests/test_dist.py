"""`make dist` builds a folder an office can install from with no network (issue 16)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import lamtheoguongbac

ROOT = Path(__file__).resolve().parents[1]


def run(argv: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in argv],
        capture_output=True,
        text=True,
        check=True,
        **kwargs,  # type: ignore[call-overload]
    )


def test_the_dist_folder_installs_offline_and_exports_word_handbooks(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run(["make", "--no-print-directory", "-C", ROOT, "dist", f"DIST={dist}"])
    names = {p.name for p in dist.iterdir()}
    # The version the build reads from src/lamtheoguongbac/_version.py.
    assert f"lamtheoguongbac-{lamtheoguongbac.__version__}.tar.gz" in names
    assert any(n.startswith("lamtheoguongbac_docx-") and n.endswith(".whl") for n in names)
    assert any(n.startswith("docxtpl-") for n in names)  # a plugin's dependency is there too

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    bin_ = venv / "bin"
    # No index at all: only the folder.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    run(
        [
            bin_ / "python",
            "-m",
            "pip",
            "install",
            "--no-index",
            "--find-links",
            dist,
            "lamtheoguongbac[cli]",
            "lamtheoguongbac-docx",
        ],
        env=env,
    )
    work = tmp_path / "office"
    work.mkdir()
    for name in ("to-chuc.csv", "dang-vien.csv"):
        shutil.copy(ROOT / "examples" / name, work / name)
    cli = [bin_ / "lamtheoguongbac", "--store", "sqlite:///so-tay.db"]
    run([*cli, "import", "to-chuc.csv", "dang-vien.csv"], cwd=work)
    run([*cli, "create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01"], cwd=work)
    run([*cli, "export", "--out", "xuat", "--cell", "cb-vanphong", "--year", "2025"], cwd=work)
    documents = sorted((work / "xuat").glob("*.docx"))
    assert len(documents) == 10
    with zipfile.ZipFile(documents[0]) as docx:
        assert "word/document.xml" in docx.namelist()
