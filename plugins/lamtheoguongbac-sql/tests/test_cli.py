"""The command line, unchanged, on a PostgreSQL store: the installed ``lamtheoguongbac``
program run as a separate process (entry points and all), as an administrator would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lamtheoguongbac import HandbookStatus
from lamtheoguongbac.plugin import HandbookQuery, create_registry

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
def cli(pg_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    def run(*args: str, store: str = pg_url) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "lamtheoguongbac", "--store", store, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONIOENCODING": "utf-8"},
            timeout=300,
        )

    return run


def test_import_create_list_export_on_postgresql(cli, pg_url: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    imported = cli("import", str(EXAMPLES / "to-chuc.csv"), str(EXAMPLES / "dang-vien.csv"))
    assert imported.returncode == 0, imported.stderr
    assert "3 tổ chức, 10 đảng viên" in imported.stdout

    created = cli("create", "--cell", "cb-vanphong", "--year", "2025", "--as", "dv01")
    assert created.returncode == 0, created.stderr
    assert "Đã mở 10 sổ" in created.stdout

    listed = cli("list", "--cell", "cb-vanphong", "--year", "2025")
    assert listed.returncode == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if "\t" in line]
    assert len(lines) == 10
    # Vietnamese roster order (given name first), computed by the store's sort key.
    names = [line.split("\t")[2] for line in lines]
    assert names.index("Phạm Thị Ánh") < names.index("Trần Thị Bình") < names.index("Đỗ Văn Đức")

    out = tmp_path / "so-tay"
    exported = cli("export", "--out", str(out), "--cell", "cb-vanphong", "--year", "2025")
    assert exported.returncode == 0, exported.stderr
    assert "Đã ghi 10 tệp" in exported.stdout
    assert len(list(out.glob("*.docx"))) == 10

    # Worker processes open the store again from its URL.
    parallel = tmp_path / "song-song"
    exported = cli(
        "export", "--out", str(parallel), "--cell", "cb-vanphong", "--year", "2025", "--jobs", "2"
    )
    assert exported.returncode == 0, exported.stderr
    assert len(list(parallel.glob("*.docx"))) == 10

    store = create_registry().open_store(pg_url)
    try:
        assert store.count_by_status(HandbookQuery(organisation_id="tinh-ag")) == {
            HandbookStatus.DRAFT: 10
        }
        assert len(store.members("cb-vanphong")) == 10
    finally:
        store.close()


def test_plugins_lists_the_sql_backend_and_its_schemes(cli) -> None:  # type: ignore[no-untyped-def]
    shown = cli("plugins", "--json")
    assert shown.returncode == 0, shown.stderr
    sql = next(p for p in json.loads(shown.stdout) if p["name"] == "sql")
    assert sql["distribution"] == "lamtheoguongbac-sql"
    assert sql["status"] == "active"
    assert sql["hooks"] == ["register_storage_backends"]
    assert set(sql["provides"]["storage"]) == {
        "postgresql",
        "postgresql+psycopg",
        "sqlalchemy+sqlite",
    }
    # An unknown scheme's error lists every registered one.
    refused = cli("--lang", "en", "list", store="mysql://x@y/z")
    assert refused.returncode != 0
    for scheme in ("postgresql:", "postgresql+psycopg:", "sqlalchemy+sqlite:"):
        assert scheme in refused.stderr


# --- a SQLite file through SQLAlchemy is the library's own --------------------------------


def _run(store: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", "--lang", "en", "--store", store, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        timeout=300,
    )


def test_a_read_only_command_refuses_a_missing_sqlite_file(tmp_path: Path) -> None:
    refused = _run("sqlalchemy+sqlite:///tpyo.db", "list", cwd=tmp_path)
    assert refused.returncode != 0
    assert "there is no store at 'sqlalchemy+sqlite:///tpyo.db'" in refused.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_command_that_fails_on_a_new_sqlite_file_leaves_no_file(tmp_path: Path) -> None:
    units, members = tmp_path / "to-chuc.csv", tmp_path / "dang-vien.csv"
    units.write_text("ma,ten,cap,ma_cap_tren\n", encoding="utf-8")
    members.write_text("ma,ho_va_ten,chi_bo\ndv1,Lê Văn An,khong-co\n", encoding="utf-8")
    result = _run("sqlalchemy+sqlite:///moi.db", "import", str(units), str(members), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Removed the new store" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dang-vien.csv", "to-chuc.csv"]
    created = _run("sqlalchemy+sqlite:///moi.db", "init", cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert _run("sqlalchemy+sqlite:///moi.db", "list", cwd=tmp_path).returncode == 0
