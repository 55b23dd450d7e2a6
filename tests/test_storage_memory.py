"""The in-memory store against the conformance suite, plus what only it has, and the public
test helpers the suite is built on."""

import threading
from collections.abc import Callable, Iterator

import pytest

from lamtheoguongbac import ConflictError, HandbookStatus, StoreError, hookimpl
from lamtheoguongbac._storage import MemoryStore
from lamtheoguongbac.plugin import HandbookQuery, Registry, StorageBackend
from lamtheoguongbac.testing import (
    StoreConformance,
    advance,
    make_entry,
    make_handbook,
    make_roster,
    register_temporary_plugin,
)


class TestMemoryStore(StoreConformance):
    @pytest.fixture
    def store(self) -> Iterator[MemoryStore]:
        with MemoryStore() as store:
            yield store


def test_each_memory_url_opens_a_fresh_store(ltgb_registry: Registry) -> None:
    first, second = ltgb_registry.open_store("memory:"), ltgb_registry.open_store("memory:thử")
    first.add(*make_entry())
    assert second.query(HandbookQuery()) == []
    assert second.url == "memory:thử"
    first.close()
    second.close()


def test_from_url_refuses_another_scheme() -> None:
    with pytest.raises(StoreError, match="memory:"):
        MemoryStore.from_url("sqlite:///x.db")


def test_threads_racing_to_update_never_overwrite(ltgb_memory_store: MemoryStore) -> None:
    handbook, created = make_entry(HandbookStatus.DRAFT)
    ltgb_memory_store.add(handbook, created)
    wins: list[int] = []
    start = threading.Barrier(8)

    def race() -> None:
        start.wait()
        for _ in range(10):
            read = ltgb_memory_store.get(handbook.id)
            step = advance(read)
            try:
                ltgb_memory_store.update(step.handbook, step.event, expected_version=read.version)
            except ConflictError:
                continue
            wins.append(step.handbook.version)

    threads = [threading.Thread(target=race) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(wins) == list(range(1, len(wins) + 1))
    events = ltgb_memory_store.events(handbook.id)
    assert [e.version for e in events] == list(range(len(wins) + 1))
    assert ltgb_memory_store.get(handbook.id).version == len(wins)


# --- the public test helpers ---------------------------------------------------------------


def test_a_temporary_plugin_is_gone_after_the_block(ltgb_registry: Registry) -> None:
    def open_temporary(url: str) -> MemoryStore:
        return MemoryStore(url)

    class Plugin:
        @hookimpl
        def register_storage_backends(self, register: Callable[[StorageBackend], None]) -> None:
            register(StorageBackend(scheme="tam", open=open_temporary))

    with register_temporary_plugin(ltgb_registry, Plugin(), "tạm") as name:
        assert name == "tạm"
        store = ltgb_registry.open_store("tam:")
        assert store.url == "tam:"
        store.close()
    with pytest.raises(StoreError, match="tam"):
        ltgb_registry.open_store("tam:")
    assert "tạm" not in {p.name for p in ltgb_registry.plugins()}


@pytest.mark.parametrize("status", list(HandbookStatus))
def test_make_handbook_reaches_every_status_through_the_workflow(
    status: HandbookStatus,
) -> None:
    handbook = make_handbook(status, year=2024, cell="chi-bộ-ấp-Đông")
    assert handbook.status is status
    assert handbook.version == status.order
    assert handbook.cell.id == "chi-bộ-ấp-Đông"
    assert (handbook.collective_assessment is not None) is (status.order >= 3)


def test_advance_never_runs_out_of_steps() -> None:
    handbook = make_handbook(HandbookStatus.CLOSED)
    after = advance(handbook)
    assert after.handbook.status is HandbookStatus.REPORTED
    assert after.event.reason


def test_make_roster_gives_each_cell_a_secretary_and_a_chain() -> None:
    roster = make_roster(cells=5, members_per_cell=3, grassroots=2)
    assert len(roster.members) == 15
    assert len(roster.units) == 1 + 2 + 5
    for cell in roster.cell_ids:
        chain = roster.organisation(cell)
        assert [u.id for u in chain][-1] == cell
        assert chain[1].grassroots
        assert any(m.cell_id == cell and m.roles for m in roster.members)
