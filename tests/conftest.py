"""Shared test configuration: Hypothesis profiles, the library's own pytest plugin, and the
``store`` the service tests run on (each built-in store in turn)."""

import importlib.metadata
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from lamtheoguongbac._storage import MemoryStore, SqliteStore

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The fixtures come from the pytest11 entry point once the package is installed with it;
# before that, load the plugin by name (never both: pytest refuses a double registration).
_PLUGIN = "lamtheoguongbac.testing.pytest_plugin"
if not any(ep.value == _PLUGIN for ep in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = [_PLUGIN]


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MemoryStore | SqliteStore]:
    """The in-memory store, then a SQLite file: a test module defining its own ``store``
    fixture uses that one instead."""
    s: MemoryStore | SqliteStore = (
        MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "so-tay.db")
    )
    yield s
    s.close()
