"""The SQLite store against the conformance suite, plus its file-level guarantees."""

import contextlib
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac import ConflictError, HandbookStatus, StoreError, serde
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac._storage import _migrations as migrations
from lamtheoguongbac.plugin import HandbookHeading, HandbookQuery, Registry, roster_key
from lamtheoguongbac.testing import (
    StoreConformance,
    advance,
    creation_event,
    make_entry,
    make_handbook,
    make_member,
    make_secretary,
)
from lamtheoguongbac.text import name_sort_key


class TestSqliteStore(StoreConformance):
    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[SqliteStore]:
        with SqliteStore(tmp_path / "so-tay.db") as store:
            yield store


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


# --- URLs ----------------------------------------------------------------------------------


def test_a_scheme_in_capitals_is_the_same_scheme(
    ltgb_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """URL schemes are case-insensitive (RFC 3986): "SQLITE:///" was an unknown store."""
    monkeypatch.chdir(tmp_path)
    store = ltgb_registry.open_store("SQLITE:///so-tay.db")
    assert store.url == "sqlite:///so-tay.db"
    store.close()
    assert (tmp_path / "so-tay.db").is_file()


def test_relative_and_absolute_urls(
    ltgb_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "dữ liệu").mkdir()
    for url, file in [
        ("sqlite:///so-tay.db", tmp_path / "so-tay.db"),
        ("sqlite:///dữ liệu/sổ tay.db", tmp_path / "dữ liệu" / "sổ tay.db"),
        ("sqlite:///d%E1%BB%AF%20li%E1%BB%87u/x.db", tmp_path / "dữ liệu" / "x.db"),
        (f"sqlite:///{tmp_path}/tuyệt-đối.db", tmp_path / "tuyệt-đối.db"),
    ]:
        store = ltgb_registry.open_store(url)
        store.add(*make_entry())
        assert store.url == url
        store.close()
        assert file.is_file()
    assert f"sqlite:///{tmp_path}".startswith("sqlite:////")


@pytest.mark.parametrize(
    "url",
    [
        "sqlite://so-tay.db",
        "sqlite:///",
        "sqlite:///:memory:",
        "sqlite:///so-tay.db?mode=ro",
        "sqlite:so-tay.db",
    ],
)
def test_unsupported_urls_are_refused(ltgb_registry: Registry, url: str) -> None:
    with pytest.raises(StoreError, match="sqlite:///"):
        ltgb_registry.open_store(url)


def test_a_missing_folder_is_refused_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "không-có" / "so-tay.db"
    with pytest.raises(StoreError, match="không-có") as raised:
        SqliteStore(missing)
    assert " / " in str(raised.value)
    assert not missing.parent.exists()


def test_a_folder_is_not_a_store(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=str(tmp_path)):
        SqliteStore(tmp_path)


def test_an_empty_file_becomes_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "rỗng.db"
    path.touch()
    with SqliteStore(path) as store:
        store.add(*make_entry())
    assert path.stat().st_size > 0


# --- the file ------------------------------------------------------------------------------


def test_the_file_is_marked_as_ours_and_runs_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    SqliteStore(path).close()
    conn = _raw(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == migrations.APPLICATION_ID
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_the_store_connection_enforces_foreign_keys(ltgb_sqlite_store: SqliteStore) -> None:
    with pytest.raises(StoreError, match="FOREIGN KEY"), ltgb_sqlite_store._transaction() as conn:
        conn.execute("INSERT INTO handbook_units VALUES ('cb', 'không-có-sổ', 2025, 'draft')")


def test_events_cannot_be_changed_or_deleted(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    with SqliteStore(path) as store:
        store.add(*make_entry())
    conn = _raw(path)
    for statement in ("UPDATE events SET version = 7", "DELETE FROM events"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            conn.execute(statement)
    assert conn.execute("SELECT count(*) FROM events").fetchone()[0] == 1
    conn.close()


def test_data_survives_closing_and_reopening(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    handbook, event = make_entry(HandbookStatus.CLOSED)
    with SqliteStore(path) as store:
        store.save_roster([], [make_secretary(handbook.cell.id)])
        store.add(handbook, event)
    with SqliteStore(path) as store:
        assert store.get(handbook.id) == handbook
        assert store.events(handbook.id) == [event]


def test_a_row_that_does_not_load_names_the_handbook(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    handbook, event = make_entry()
    with SqliteStore(path) as store:
        store.add(handbook, event)
    conn = _raw(path)
    conn.execute('UPDATE handbooks SET document = \'{"schema_version": 1, "id": 5}\'')
    conn.close()
    with SqliteStore(path) as store:
        with pytest.raises(StoreError, match=handbook.id) as raised:
            store.get(handbook.id)
        assert str(path) in str(raised.value)
        with pytest.raises(StoreError, match=handbook.id):
            store.query(HandbookQuery())
        with pytest.raises(StoreError, match=handbook.id):
            list(store.iter_headings(HandbookQuery()))


def test_a_file_from_a_newer_release_asks_to_upgrade(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    SqliteStore(path).close()
    conn = _raw(path)
    conn.execute(f"PRAGMA user_version = {migrations.SCHEMA_VERSION + 1}")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="upgrade the library"):
        SqliteStore(path)
    assert path.read_bytes() == before


def test_migrations_run_step_by_step_from_the_files_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "so-tay.db"
    with SqliteStore(path) as store:
        store.add(*make_entry())
    step = ("CREATE TABLE reminders (id TEXT PRIMARY KEY)",)
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, step))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    conn = _raw(path)
    migrations.migrate(conn, str(path))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION
    assert conn.execute("SELECT count(*) FROM reminders").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM handbooks").fetchone()[0] == 1
    conn.close()


def test_a_failing_migration_step_leaves_the_file_at_the_previous_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "so-tay.db"
    SqliteStore(path).close()
    broken = ("CREATE TABLE half_done (id TEXT)", "THIS IS NOT SQL")
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, broken))
    monkeypatch.setattr(migrations, "SCHEMA_VERSION", len(migrations.MIGRATIONS))
    conn = _raw(path)
    with pytest.raises(sqlite3.OperationalError):
        migrations.migrate(conn, str(path))
    assert conn.execute("PRAGMA user_version").fetchone()[0] == migrations.SCHEMA_VERSION - 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half_done" not in tables
    conn.close()


# --- roster sort keys ----------------------------------------------------------------------

_names = st.lists(
    st.sampled_from(
        ["Nguyễn", "Văn", "An", "Ánh", "Anh", "Đức", "Dũng", "Ư", "Hoà", "Hòa", "a", "A", "\x00"]
    ),
    min_size=0,
    max_size=4,
).map(" ".join)


@given(a=_names, b=_names, override_a=st.none() | _names, override_b=st.none() | _names)
def test_the_stored_sort_key_orders_like_name_sort_key(
    a: str, b: str, override_a: str | None, override_b: str | None
) -> None:
    tuple_a, tuple_b = name_sort_key(a, override_a), name_sort_key(b, override_b)
    bytes_a, bytes_b = roster_key(a, override_a), roster_key(b, override_b)
    assert (tuple_a < tuple_b) == (bytes_a < bytes_b)
    assert (tuple_a == tuple_b) == (bytes_a == bytes_b)


def test_keys_of_another_collation_are_recomputed_on_open(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    names = ["Đỗ Văn Đức", "Lê An", "Phạm Thị Ánh", "Nguyễn Văn An"]
    members = [make_member(i, full_name=n) for i, n in enumerate(names)]
    with SqliteStore(path) as store:
        store.add_many(make_entry(member=m) for m in members)
        store.save_roster([], members)
    conn = _raw(path)
    conn.execute("UPDATE handbooks SET sort_key = CAST(id AS BLOB)")
    conn.execute("UPDATE members SET sort_key = x''")
    conn.execute("UPDATE meta SET value = 'another collation'")
    conn.close()
    with SqliteStore(path) as store:
        expected = ["Lê An", "Nguyễn Văn An", "Phạm Thị Ánh", "Đỗ Văn Đức"]
        assert [h.member.full_name for h in store.query(HandbookQuery())] == expected
        assert [m.full_name for m in store.members()] == expected


# --- processes and threads -----------------------------------------------------------------


def test_two_stores_on_one_file_see_each_others_writes_and_conflicts(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    with SqliteStore(path) as first, SqliteStore(path) as second:
        handbook, event = make_entry(HandbookStatus.REGISTERED)
        first.add(handbook, event)
        read = second.get(handbook.id)
        step = advance(read)
        first.update(step.handbook, step.event, expected_version=read.version)
        with pytest.raises(ConflictError):
            second.update(step.handbook, step.event, expected_version=read.version)
        assert second.get(handbook.id) == step.handbook


def test_the_store_can_be_shared_by_threads(ltgb_sqlite_store: SqliteStore) -> None:
    base = make_handbook()
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(20):
                handbook = attrs.evolve(base, id=f"sotay-{n}-{i}")
                ltgb_sqlite_store.add(handbook, creation_event(handbook))
                assert ltgb_sqlite_store.get(handbook.id) == handbook
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(ltgb_sqlite_store.query(HandbookQuery())) == 80


def test_a_store_carried_into_another_process_refuses_to_work(
    ltgb_sqlite_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.getpid", lambda: -1)
    with pytest.raises(StoreError, match="another process"):
        ltgb_sqlite_store.query(HandbookQuery())


def test_a_write_waiting_too_long_for_another_process_says_the_store_is_busy(
    tmp_path: Path,
) -> None:
    path = tmp_path / "so-tay.db"
    SqliteStore(path).close()
    other = _raw(path)
    other.execute("BEGIN IMMEDIATE")
    with SqliteStore(path, timeout=0.1) as store:
        with pytest.raises(StoreError, match="busy"):
            store.add(*make_entry())
        other.execute("ROLLBACK")
        store.add(*make_entry())
    other.close()


def test_iter_query_reads_ids_of_any_script_across_pages(tmp_path: Path) -> None:
    """The ids iter_query will read are kept packed as UTF-8 (issue 11): ids with Vietnamese
    letters of varying byte lengths come back whole, in id order (one member's handbooks),
    across page boundaries."""
    base = make_handbook(HandbookStatus.DRAFT)
    many = [attrs.evolve(base, id=f"sổ-{'đ' * (i % 3)}{i:04d}-ấp") for i in range(1100)]
    with SqliteStore(tmp_path / "so-tay.db") as store:
        store.add_many((h, creation_event(h)) for h in many)
        got = [h.id for h in store.iter_query(HandbookQuery(cell_id=base.cell.id))]
    assert got == sorted(h.id for h in many)


@pytest.mark.parametrize(
    ("query", "count"),
    [
        (HandbookQuery(), 4),
        (HandbookQuery(year=2025, status=HandbookStatus.REGISTERED), 2),
        (HandbookQuery(cell_id="chibo-02"), 2),
        (HandbookQuery(organisation_id="dangbo-xa-tb"), 4),
        (HandbookQuery(year=2024), 0),
    ],
)
def test_headings_list_iter_query_without_decoding(
    tmp_path: Path, query: HandbookQuery, count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = [
        make_handbook(
            status, year=2025, cell=cell, member=make_member(i, cell=cell, full_name=name)
        )
        for i, (status, cell, name) in enumerate(
            [
                (HandbookStatus.DRAFT, "chibo-02", "Đặng Thị Ánh"),
                (HandbookStatus.REGISTERED, "chibo-01", "Bùi Văn Ân"),
                (HandbookStatus.REGISTERED, "chibo-02", "Ông Văn Bé"),
                (HandbookStatus.DRAFT, "chibo-01", "Lê Thị Ý"),
            ]
        )
    ]
    with SqliteStore(tmp_path / "so-tay.db") as store:
        store.add_many((b, creation_event(b)) for b in books)
        expected = [HandbookHeading.of(b) for b in store.iter_query(query)]

        def decoded(*_: object) -> None:
            raise AssertionError("iter_headings decoded a stored handbook")

        monkeypatch.setattr(SqliteStore, "_load", decoded)
        headings = list(store.iter_headings(query))
        assert headings == expected
        assert len(headings) == count


# --- the write gate: writers that take turns hold it for the writes alone -------------------


def _gated(store: SqliteStore, log: list[str]) -> None:
    @contextlib.contextmanager
    def gate() -> Iterator[None]:
        log.append("enter")
        try:
            yield
        finally:
            log.append("leave")

    store.write_gate = gate


def test_update_many_encodes_every_document_before_taking_the_gate(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log: list[str] = []
    entries = [make_entry(HandbookStatus.REGISTERED, index=i) for i in range(1, 4)]
    with SqliteStore(tmp_path / "so-tay.db") as store:
        store.add_many(entries)
        _gated(store, log)
        encode = serde.to_dict

        def to_dict(value: object) -> dict[str, object]:
            log.append(type(value).__name__)
            return encode(value)

        monkeypatch.setattr(serde, "to_dict", to_dict)
        steps = [advance(h) for h, _ in entries]
        store.update_many(
            (s.handbook, s.event, h.version) for s, (h, _) in zip(steps, entries, strict=True)
        )
        monkeypatch.undo()
        assert log == ["Handbook", "Event"] * 3 + ["enter", "leave"]
        assert [store.get(h.id) for h, _ in entries] == [s.handbook for s in steps]


def test_the_gate_is_passed_once_per_transaction_and_left_when_it_fails(tmp_path: Path) -> None:
    log: list[str] = []
    first, second = (make_entry(HandbookStatus.REGISTERED, index=i) for i in (1, 2))
    with SqliteStore(tmp_path / "so-tay.db") as store:
        store.add_many([first, second])
        _gated(store, log)
        with store.transaction():
            for handbook, _ in (first, second):
                step = advance(handbook)
                store.update(step.handbook, step.event, expected_version=handbook.version)
        assert log == ["enter", "leave"]
        stale = advance(first[0])  # made from the version the block replaced
        with pytest.raises(ConflictError):
            store.update(stale.handbook, stale.event, expected_version=first[0].version)
        assert log == ["enter", "leave"] * 2


def test_a_gated_store_checkpoints_its_log_itself_after_leaving_the_gate(tmp_path: Path) -> None:
    path = tmp_path / "so-tay.db"
    sizes_at_exit: list[int] = []

    @contextlib.contextmanager
    def gate() -> Iterator[None]:
        try:
            yield
        finally:
            sizes_at_exit.append(path.stat().st_size)

    base = make_handbook(HandbookStatus.DRAFT)
    cells = [
        [attrs.evolve(base, id=f"sotay-{c:02d}-{i:02d}") for i in range(20)] for c in range(14)
    ]
    with SqliteStore(path) as store:
        store.write_gate = gate
        autocheckpoint = store._connection().execute("PRAGMA wal_autocheckpoint").fetchone()
        assert autocheckpoint == (0,)  # SQLite's own, inside the commit, is off
        start = path.stat().st_size
        for cell in cells[:12]:  # 240 handbooks: the log alone holds them
            store.add_many((h, creation_event(h)) for h in cell)
        assert path.stat().st_size == start
        store.add_many((h, creation_event(h)) for h in cells[12])  # 260: copied into the file
        assert sizes_at_exit[-1] == start  # not while the gate was held
        assert path.stat().st_size > start
        store.write_gate = None  # SQLite checkpoints on its own again
        assert store._connection().execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
        store.add_many((h, creation_event(h)) for h in cells[13])
        assert len(store.query(HandbookQuery(cell_id=base.cell.id))) == 280


_FULL_DISK = """
import contextlib, resource, signal, sys
import attrs
from lamtheoguongbac import HandbookStatus
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac.plugin import HandbookQuery
from lamtheoguongbac.testing import creation_event, make_handbook

base = make_handbook(HandbookStatus.DRAFT)

def cell(tag, n):
    books = (attrs.evolve(base, id=f"sotay-{tag}-{i:04d}") for i in range(n))
    return [(h, creation_event(h)) for h in books]

with SqliteStore(sys.argv[1]) as store:
    store.add_many(cell("a", 1500))
    store.checkpoint()  # the file holds them all: the next checkpoint must grow it
    size = __import__("os").path.getsize(sys.argv[1])
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 4096, resource.RLIM_INFINITY))
    store.write_gate = contextlib.nullcontext  # as in a bulk worker
    print(store.add_many(cell("b", 300)))  # 300 >= 256: a checkpoint after the commit
    print(len(store.query(HandbookQuery(cell_id=base.cell.id))))
"""


def test_a_checkpoint_that_fails_does_not_fail_the_committed_write(tmp_path: Path) -> None:
    # The log fits on the disk, the file cannot grow: the commit succeeds, the checkpoint
    # after it fails. The write is committed, so it returns; the failure is logged.
    done = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(tmp_path / "so-tay.db")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["300", "1800"]
    assert "cannot checkpoint the log of" in done.stderr


def test_update_many_takes_more_entries_than_a_statement_takes_parameters(
    tmp_path: Path,
) -> None:
    # SQLite builds before 3.32 take 999 parameters a statement; the batched check reads
    # the handbooks a page at a time
    base = make_handbook(HandbookStatus.REGISTERED)
    books = [attrs.evolve(base, id=f"sotay-{i:04d}") for i in range(1200)]
    with SqliteStore(tmp_path / "so-tay.db") as store:
        store.add_many((b, creation_event(b)) for b in books)
        store._connection().setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)
        steps = [advance(b) for b in books]
        assert (
            store.update_many(
                (s.handbook, s.event, b.version) for s, b in zip(steps, books, strict=True)
            )
            == 1200
        )
        assert {h.status for h in store.query(HandbookQuery(cell_id=base.cell.id))} == {
            HandbookStatus.REPORTED
        }


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: {**d, "member": {**d["member"], "id": "dv-khac"}}, "member_id 'dv-khac'"),
        (lambda d: {**d, "version": 7}, "version 7"),
        (lambda d: {**d, "id": "sotay-khac"}, "its document holds the id 'sotay-khac'"),
    ],
)
def test_a_document_edited_away_from_its_row_is_refused_not_read(
    tmp_path: Path, edit: object, reason: str
) -> None:
    """An edited document naming another member was read as it said: that member could then
    take the handbook's steps, and the row was rewritten to be theirs."""
    import json

    path = tmp_path / "so-tay.db"
    book, event = make_entry()
    with SqliteStore(path) as store:
        store.add(book, event)
    with contextlib.closing(_raw(path)) as raw:
        (text,) = raw.execute("SELECT document FROM handbooks WHERE id = ?", (book.id,)).fetchone()
        edited = json.dumps(edit(json.loads(text)), ensure_ascii=False)  # type: ignore[operator]
        raw.execute("UPDATE handbooks SET document = ? WHERE id = ?", (edited, book.id))
    with SqliteStore(path) as store, pytest.raises(StoreError) as refused:
        store.get(book.id)
    assert reason in refused.value.message("en")
    assert book.id in refused.value.message("vi")


@pytest.mark.parametrize(
    "text", ["attempt to write a readonly database", "unable to open database file"]
)
def test_a_store_it_may_not_write_is_told_as_such(tmp_path: Path, text: str) -> None:
    """SQLite's own words alone, in the Vietnamese text too: "unable to open database file"
    for a folder one may not write to (WAL needs its -wal and -shm files beside the store).
    (The case itself needs a folder that even root may not write to.)"""
    with SqliteStore(tmp_path / "so-tay.db") as store:
        error = store._error(sqlite3.OperationalError(text))
    assert "allow writing there" in error.message("en")
    assert "-wal" in error.message("vi")
    assert text in error.message("en")


def test_record_events_appended_at_once_keep_their_order_and_are_all_or_none(
    tmp_path: Path,
) -> None:
    import datetime as dt

    from lamtheoguongbac.committee import RecordAction, RecordEvent, RecordType

    at = dt.datetime(2025, 3, 1, 8, 0, tzinfo=dt.UTC)

    def event(record_id: str, version: int) -> RecordEvent:
        return RecordEvent(
            record_type=RecordType.MEMBER,
            record_id=record_id,
            action=RecordAction.ADDED if version == 1 else RecordAction.CHANGED,
            actor_id="cb-01-dv000",
            actor_name="Nguyễn Văn An",
            at=at,
            version=version,
        )

    with SqliteStore(tmp_path / "so-tay.db") as store:
        store.append_record_events([event("dv1", 1), event("dv2", 1), event("dv1", 2)])
        assert [e.version for e in store.record_events(RecordType.MEMBER, "dv1")] == [1, 2]
        with pytest.raises(AttributeError):  # not an event: refused before anything is written
            store.append_record_events([event("dv3", 1), "không phải sự kiện"])  # type: ignore[list-item]
        assert store.record_events(RecordType.MEMBER, "dv3") == []
        store.append_record_event(event("dv2", 2))
        assert [e.version for e in store.record_events(RecordType.MEMBER, "dv2")] == [1, 2]


def test_appending_no_record_events_takes_no_write_lock(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "so-tay.db", timeout=0.5) as store:
        holder = _raw(tmp_path / "so-tay.db")
        holder.execute("BEGIN IMMEDIATE")  # another connection holds the write lock
        try:
            store.append_record_events([])  # returns at once instead of waiting for it
        finally:
            holder.execute("ROLLBACK")
            holder.close()
