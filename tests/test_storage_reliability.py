"""The SQLite store under real processes, kills and unusable files.

Children are started with ``multiprocessing``'s *spawn* method (a fresh interpreter, as a
second program would be) and import their entry points from this module.
"""

import multiprocessing
import os
import random
import shutil
import signal
import sqlite3
import time
from collections.abc import Callable, Iterator
from multiprocessing.synchronize import Barrier
from multiprocessing.synchronize import Event as EventFlag
from pathlib import Path
from typing import Any

import attrs
import pytest

from lamtheoguongbac import ConflictError, Event, Handbook, HandbookStatus, RatingLevel, StoreError
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac._storage import _migrations as migrations
from lamtheoguongbac.plugin import HandbookQuery, Registry
from lamtheoguongbac.testing import advance, creation_event, make_entry, make_handbook

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

SPAWN = multiprocessing.get_context("spawn")
S = HandbookStatus


def _batch(size: int, prefix: str = "lô") -> Iterator[tuple[Handbook, Event]]:
    base = make_handbook(S.REGISTERED)
    for i in range(size):
        handbook = attrs.evolve(base, id=f"{prefix}-{i:06d}")
        yield handbook, creation_event(handbook)


def _integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


# --- two writers, one version --------------------------------------------------------------


def _update_child(path: str, handbook_id: str, rating: str, barrier: Barrier, results: Any) -> None:
    with SqliteStore(path) as store:
        read = store.get(handbook_id)
        step = advance(read, rating=RatingLevel(rating))
        barrier.wait(timeout=60)
        try:
            store.update(step.handbook, step.event, expected_version=read.version)
        except ConflictError:
            results.put((rating, "conflict"))
        else:
            results.put((rating, "won"))


@pytest.mark.parametrize("round_", range(3))
def test_two_processes_updating_one_version_exactly_one_wins(tmp_path: Path, round_: int) -> None:
    path = tmp_path / "so-tay.db"
    handbook, created = make_entry(S.REPORTED)
    with SqliteStore(path) as store:
        store.add(handbook, created)
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    ratings = [RatingLevel.EXCELLENT.value, RatingLevel.GOOD.value]
    children = [
        SPAWN.Process(target=_update_child, args=(str(path), handbook.id, r, barrier, results))
        for r in ratings
    ]
    for child in children:
        child.start()
    outcome = dict(results.get(timeout=120) for _ in children)
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    assert sorted(outcome.values()) == ["conflict", "won"]
    winner = RatingLevel(next(r for r, o in outcome.items() if o == "won"))
    expected = advance(handbook, rating=winner)
    with SqliteStore(path) as store:
        stored = store.get(handbook.id)
        assert stored == expected.handbook
        assert stored.collective_assessment is not None
        assert stored.collective_assessment.rating is winner
        assert store.events(handbook.id) == [created, expected.event]


# --- killed in the middle of add_many ------------------------------------------------------


def _stalled_import_child(path: str, size: int, stall_at: int, begun: EventFlag) -> None:
    def items() -> Iterator[tuple[Handbook, Event]]:
        for i, item in enumerate(_batch(size)):
            if i == stall_at:  # the transaction is open and rows are written: wait to die
                begun.set()
                time.sleep(600)
            yield item

    with SqliteStore(path) as store:
        store.add_many(items())


def _import_child(path: str, size: int, begun: EventFlag) -> None:
    items = list(_batch(size))
    with SqliteStore(path) as store:
        begun.set()
        store.add_many(items)


def _kill(child: Any) -> int:
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=60)
    return int(child.exitcode)


def _store_with_earlier_data(path: Path) -> list[Handbook]:
    earlier = [h for h, _ in _batch(10, prefix="trước")]
    with SqliteStore(path) as store:
        store.add_many((h, creation_event(h)) for h in earlier)
    return earlier


def _assert_consistent(path: Path, earlier: list[Handbook], batch_sizes: set[int]) -> int:
    assert _integrity(path) == "ok"
    with SqliteStore(path) as store:
        for handbook in earlier:
            assert store.get(handbook.id) == handbook
        everything = store.query(HandbookQuery())
        stored = len(everything) - len(earlier)
        assert stored in batch_sizes
        counts = store.count_by_status(HandbookQuery(organisation_id=earlier[0].cell.id))
        assert counts == {S.REGISTERED: len(everything)}
        for handbook in everything[:: max(1, len(everything) // 20)]:
            assert store.events(handbook.id) == [creation_event(handbook)]
        store.add(*make_entry(index=3))  # still writable
    return stored


def test_a_process_killed_inside_add_many_leaves_nothing_of_the_batch(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    earlier = _store_with_earlier_data(path)
    begun = SPAWN.Event()
    child = SPAWN.Process(target=_stalled_import_child, args=(str(path), 5000, 2500, begun))
    child.start()
    assert begun.wait(timeout=120), "the child never began its import"
    assert Path(f"{path}-wal").stat().st_size > 0  # uncommitted rows reached the WAL
    assert _kill(child) == -signal.SIGKILL
    assert _assert_consistent(path, earlier, {0}) == 0


def test_a_process_killed_at_any_moment_of_add_many_stores_all_or_none(tmp_path: Path) -> None:
    size = 3000
    for delay in random.Random(20250519).sample(range(0, 600, 25), 5):
        path = tmp_path / f"so-tay-{delay}.db"
        earlier = _store_with_earlier_data(path)
        begun = SPAWN.Event()
        child = SPAWN.Process(target=_import_child, args=(str(path), size, begun))
        child.start()
        assert begun.wait(timeout=120)
        time.sleep(delay / 1000)
        assert _kill(child) in (0, -signal.SIGKILL)
        _assert_consistent(path, earlier, {0, size})


# --- files that are not our store ----------------------------------------------------------


def _real_store(path: Path) -> None:
    with SqliteStore(path) as store:
        store.add_many(_batch(300))


def _random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(50_000))


def _text_file(path: Path) -> None:
    path.write_text("Họ và tên,Chi bộ\nNguyễn Văn An,Chi bộ ấp Đông\n" * 100, encoding="utf-8")


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE khach_hang (ma TEXT PRIMARY KEY, ten TEXT)")
    conn.execute("INSERT INTO khach_hang VALUES ('KH1', 'Công ty Hòa Bình')")
    conn.commit()
    conn.close()


def _foreign_application(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA application_id = {0x41545542}")  # another program's mark
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()


def _foreign_wal_sqlite(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE nhat_ky (dong TEXT)")
    conn.commit()
    conn.close()


def _truncated_mid_page(path: Path) -> None:
    _real_store(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 123])


def _truncated_on_a_page(path: Path) -> None:
    _real_store(path)
    data = path.read_bytes()
    path.write_bytes(data[: 4096 * (len(data) // 4096 // 2)])


def _truncated_header(path: Path) -> None:
    _real_store(path)
    path.write_bytes(path.read_bytes()[:60])


def _newer_schema(path: Path) -> None:
    _real_store(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 5}")
    conn.close()


def _corrupt_pages(path: Path) -> None:
    _real_store(path)
    data = bytearray(path.read_bytes())
    data[4096:] = random.Random(3).randbytes(len(data) - 4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "says"),
    [
        pytest.param(_random_bytes, "not a SQLite database", id="random-bytes"),
        pytest.param(_text_file, "not a SQLite database", id="text-file"),
        pytest.param(_foreign_sqlite, "another application's SQLite database", id="foreign-sqlite"),
        pytest.param(
            _foreign_application, "application_id 0x41545542", id="foreign-application-id"
        ),
        pytest.param(_foreign_wal_sqlite, "tables: nhat_ky", id="foreign-wal-sqlite"),
        pytest.param(_truncated_mid_page, "truncated", id="truncated-mid-page"),
        pytest.param(_truncated_on_a_page, "truncated", id="truncated-on-a-page"),
        pytest.param(_truncated_header, "truncated", id="truncated-header"),
        pytest.param(_newer_schema, "upgrade the library", id="newer-schema"),
        pytest.param(_corrupt_pages, "corrupt", id="corrupt-pages"),
    ],
)
def test_an_unusable_file_is_refused_and_left_untouched(
    tmp_path: Path, ltgb_registry: Registry, make: Callable[[Path], None], says: str
) -> None:
    folder = tmp_path / "dữ liệu"
    folder.mkdir()
    path = folder / "sổ tay.db"
    make(path)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    time.sleep(0.01)  # a write now would show in the modification time
    with pytest.raises(StoreError, match=says) as raised:
        ltgb_registry.open_store(f"sqlite:///{path}")
    message = str(raised.value)
    assert str(path) in message
    vi, en = raised.value.message_vi, raised.value.message_en
    assert str(path) in vi
    assert str(path) in en
    assert vi != en
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}
    assert after == before  # same bytes, same times, no -wal/-shm/-journal beside it


def test_a_copy_of_a_live_store_with_its_wal_opens(tmp_path: Path) -> None:
    """A store copied with its -wal file while open is whole, not truncated."""
    path = tmp_path / "so-tay.db"
    with SqliteStore(path) as store:
        store.add_many(_batch(300))
        copy = tmp_path / "bản-sao.db"
        shutil.copyfile(path, copy)
        shutil.copyfile(f"{path}-wal", f"{copy}-wal")
    with SqliteStore(copy) as store:
        assert len(store.query(HandbookQuery())) == 300


def test_a_foreign_database_whose_tables_are_still_in_its_wal_is_refused(
    tmp_path: Path,
) -> None:
    path = tmp_path / "khác.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("PRAGMA journal_mode = WAL")
    other.execute("CREATE TABLE so_cai (dong TEXT)")
    other.execute("INSERT INTO so_cai VALUES ('giữ nguyên')")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="tables: so_cai"):
        SqliteStore(path)
    assert path.read_bytes() == before
    tables = [n for (n,) in other.execute("SELECT name FROM sqlite_master")]
    assert tables == ["so_cai"]
    other.close()
