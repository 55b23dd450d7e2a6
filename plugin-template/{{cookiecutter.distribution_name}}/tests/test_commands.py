"""The command runs in the real ``lamtheoguongbac`` command line, found by its entry point."""

import json
import os
import subprocess
import sys
from pathlib import Path

from lamtheoguongbac import Handbooks
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_roster


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", *args],
        capture_output=True,
        text=True,
        env=dict(os.environ),
        check=False,
        timeout=120,
    )


def test_the_command_counts_the_handbooks_of_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    roster = make_roster(cells=1, members_per_cell=4)
    with Handbooks.open(url, registry=create_registry()) as service:
        service.roster.save(roster.units, roster.members)
        secretary = roster.members[0]
        service.create_for_cell(roster.cell_ids[0], year=2025, actor=secretary)
    done = _cli("--store", url, "{{ cookiecutter.name }}-dem", "--year", "2025")
    assert done.returncode == 0, done.stderr
    assert ": 4" in done.stdout


def test_the_command_reports_errors_with_status_2(tmp_path: Path) -> None:
    done = _cli("--store", "no-such-scheme:", "{{ cookiecutter.name }}-dem", "--year", "2025")
    assert done.returncode == 2
    assert "no-such-scheme" in done.stderr


def test_plugins_lists_the_command() -> None:
    done = _cli("plugins", "--json")
    assert done.returncode == 0, done.stderr
    info = {p["name"]: p for p in json.loads(done.stdout)}["{{ cookiecutter.name }}"]
    assert info["status"] == "active", info["error"]
    assert info["provides"]["commands"] == ["{{ cookiecutter.name }}-dem"]
