"""The JSON-lines store against the library's storage conformance suite.

The store is opened by URL through a registry that loads installed plugins, exactly as an
application would: this checks the entry point as well as the store.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest

from lamtheoguongbac.plugin import Store, create_registry
from lamtheoguongbac.testing import StoreConformance


class TestJsonLinesFolder(StoreConformance):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = create_registry().open_store(f"jsonl:///{tmp_path / 'du-lieu'}")
        yield store
        store.close()


class TestJsonLinesFile(StoreConformance):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[Store]:
        store = create_registry().open_store(f"jsonl:///{tmp_path / 'so-tay-2025.jsonl'}")
        yield store
        store.close()
