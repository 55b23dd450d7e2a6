"""The example third-party plugin ``plugins/lamtheoguongbac-jsonl``, installed as a user would.

The Makefile installs every ``plugins/*/`` distribution into the environment, so the plugin
is found here only through its ``lamtheoguongbac`` entry point — never imported by path.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtheoguongbac import Handbooks, HandbookStatus
from lamtheoguongbac._registry import DISABLE_ENV
from lamtheoguongbac.plugin import Store, create_registry
from lamtheoguongbac.testing import StoreConformance
from lamtheoguongbac.text import name_sort_key

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
DIST = "lamtheoguongbac-jsonl"


def test_the_plugin_is_installed_as_a_distribution() -> None:
    try:
        dist = importlib.metadata.distribution(DIST)
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - a broken setup
        pytest.fail(f"{DIST} is not installed: run .venv/bin/pip install -e plugins/{DIST}")
    entry_points = [ep for ep in dist.entry_points if ep.group == "lamtheoguongbac"]
    assert [(ep.name, ep.value) for ep in entry_points] == [
        ("jsonl", "lamtheoguongbac_jsonl.plugin")
    ]


class TestJsonLinesThroughTheEntryPoint(StoreConformance):
    """The library's conformance suite against a store the registry found by URL scheme."""

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = create_registry().open_store(f"jsonl:///{tmp_path / 'du-lieu'}")
        yield store
        store.close()


def test_handbooks_open_a_jsonl_url_found_by_entry_point_discovery(tmp_path: Path) -> None:
    url = f"jsonl:///{tmp_path / 'so-tay-2025.jsonl'}"
    with Handbooks.open(url) as service:
        assert type(service.store).__module__ == "lamtheoguongbac_jsonl.store"
        service.roster.import_files([EXAMPLES / "to-chuc.csv", EXAMPLES / "dang-vien.csv"])
        books = service.create_for_cell(
            "cb-vanphong", year=2025, actor=service.roster.actor("dv01")
        )
    with Handbooks.open(url) as reopened:
        found = reopened.find(cell_id="cb-vanphong", year=2025)
        assert found == sorted(books, key=lambda b: name_sort_key(b.member.full_name))
        assert reopened.count_by_status(year=2025) == {HandbookStatus.DRAFT: len(books)}
        assert reopened.roster.member("dv04").full_name == "Phạm Thị Ánh"
    lines = (tmp_path / "so-tay-2025.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0])["format"] == "lamtheoguongbac-jsonl"


def test_the_cli_lists_the_plugin_as_active(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != DISABLE_ENV}
    done = subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", "plugins", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=env,
        check=True,
    )
    plugins = {p["name"]: p for p in json.loads(done.stdout)}
    assert plugins["jsonl"]["status"] == "active"
    assert plugins["jsonl"]["distribution"] == DIST
    assert plugins["jsonl"]["hooks"] == ["register_storage_backends"]


def test_the_cli_works_on_a_jsonl_store(tmp_path: Path) -> None:
    store = f"jsonl:///{tmp_path / 'du-lieu'}"

    def run(*args: str) -> str:
        return subprocess.run(
            [sys.executable, "-m", "lamtheoguongbac", "--store", store, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=True,
        ).stdout

    run("import", str(EXAMPLES / "to-chuc.csv"), str(EXAMPLES / "dang-vien.csv"))
    run("create", "--member", "dv04", "--year", "2025", "--as", "dv01")
    listed = json.loads(run("list", "--year", "2025", "--json"))
    assert [(b["id"], b["member"], b["status"]) for b in listed] == [
        ("dv04-2025", "Phạm Thị Ánh", "draft")
    ]
