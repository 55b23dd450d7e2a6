"""The storage conformance suite of lamtheoguongbac, run against this backend."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from lamtheoguongbac.plugin import Store, create_registry, store_url
from lamtheoguongbac.testing import StoreConformance


class TestConformance(StoreConformance):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        # Opened by URL through the registry, so the entry point is exercised too; the URL
        # names a fresh folder, so a store kept in files starts empty as well.
        store = create_registry().open_store(store_url("{{ cookiecutter.name }}", tmp_path / "kho"))
        yield store
        store.close()
