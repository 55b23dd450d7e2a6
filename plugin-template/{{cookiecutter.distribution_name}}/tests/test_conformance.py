"""The storage conformance suite of lamtheoguongbac, run against this backend."""

from collections.abc import Iterator

import pytest
from lamtheoguongbac.plugin import Store, create_registry
from lamtheoguongbac.testing import StoreConformance


class TestConformance(StoreConformance):
    @pytest.fixture
    def store(self) -> Iterator[Store]:
        # Opened by URL through the registry, so the entry point is exercised too.
        store = create_registry().open_store("{{ cookiecutter.name }}:")
        yield store
        store.close()
