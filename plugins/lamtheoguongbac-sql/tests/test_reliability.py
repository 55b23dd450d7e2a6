"""The PostgreSQL store under real processes, threads and kills.

Children are started with ``multiprocessing``'s *spawn* method (a fresh interpreter, as a
second application server would be) and import their entry points from this module.
"""

from __future__ import annotations

import collections
import multiprocessing
import os
import queue
import random
import signal
import threading
import time
from collections.abc import Iterator
from multiprocessing.synchronize import Barrier
from multiprocessing.synchronize import Event as EventFlag
from typing import Any

import attrs
import pytest

from lamtheoguongbac import ConflictError, Event, Handbook, HandbookStatus, RatingLevel
from lamtheoguongbac.plugin import HandbookQuery
from lamtheoguongbac.testing import (
    advance,
    creation_event,
    make_entry,
    make_handbook,
    make_secretary,
)
from lamtheoguongbac_sql import SqlStore

SPAWN = multiprocessing.get_context("spawn")
S = HandbookStatus

# 8 writers × 500 update attempts on 6 shared handbooks: enough contention that most
# attempts race another writer, small enough for `make test` on a laptop.
WRITERS = 8
ATTEMPTS = 500
SHARED = 6


def _batch(size: int, prefix: str = "lô") -> Iterator[tuple[Handbook, Event]]:
    base = make_handbook(S.REGISTERED)
    for i in range(size):
        handbook = attrs.evolve(base, id=f"{prefix}-{i:06d}")
        yield handbook, creation_event(handbook)


def _backed(store: SqlStore, handbooks: list[Handbook]) -> None:
    """Put the Bí thư who assesses in ``advance`` into the roster, so the store backs the
    signature of the assessment step (LTGB-G004)."""
    store.save_roster([], [make_secretary(cell) for cell in {h.cell.id for h in handbooks}])


# --- watching the children -----------------------------------------------------------------
# A child that crashes (its traceback is on stderr) must fail the test at once: waiting on a
# queue or an event it will never fill would hold `make test` for the whole timeout.

_POLL = 0.2  # seconds between looks at the children


def _stop(children: list[Any]) -> None:
    for child in children:
        if child.exitcode is None:
            child.kill()
        child.join(timeout=10)


def _results(children: list[Any], out: Any, *, timeout: float) -> list[Any]:
    """One result per child from ``out``; fails as soon as a child dies without one."""
    results: list[Any] = []
    deadline = time.monotonic() + timeout
    try:
        while len(results) < len(children):
            try:
                results.append(out.get(timeout=_POLL))
                continue
            except queue.Empty:
                pass
            failed = [c for c in children if c.exitcode not in (None, 0)]
            if failed:
                pytest.fail(
                    "child process(es) failed (exit code "
                    + ", ".join(f"{c.name}: {c.exitcode}" for c in failed)
                    + "); their traceback is in the captured stderr",
                    pytrace=False,
                )
            if all(c.exitcode == 0 for c in children):
                # A child flushes what it put before it exits: what is missing never comes.
                try:
                    results.append(out.get(timeout=1))
                except queue.Empty:
                    pytest.fail("a child process ended without its result", pytrace=False)
                continue
            if time.monotonic() > deadline:
                pytest.fail(f"no result from every child within {timeout:.0f} s", pytrace=False)
    except BaseException:
        _stop(children)
        raise
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return results


def _started(child: Any, begun: EventFlag, *, timeout: float = 120) -> None:
    """Wait until ``child`` sets ``begun``; fail at once if it dies first."""
    deadline = time.monotonic() + timeout
    while not begun.wait(timeout=_POLL):
        if child.exitcode is not None:
            pytest.fail(
                f"the child process exited ({child.exitcode}) before it began; see its "
                "traceback in the captured stderr",
                pytrace=False,
            )
        if time.monotonic() > deadline:
            _stop([child])
            pytest.fail(f"the child process did not begin within {timeout:.0f} s", pytrace=False)


def _crash(code: int) -> None:
    raise SystemExit(code)


def test_a_crashed_child_fails_the_test_at_once() -> None:
    out = SPAWN.Queue()
    children = [
        SPAWN.Process(target=_crash, args=(3,)),
        SPAWN.Process(target=time.sleep, args=(60,)),
    ]
    for child in children:
        child.start()
    start = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="exit code"):
        _results(children, out, timeout=600)
    assert time.monotonic() - start < 30  # not the queue's 600 s
    assert all(c.exitcode is not None for c in children)  # the survivor was stopped
    begun = SPAWN.Event()
    child = SPAWN.Process(target=_crash, args=(4,))
    child.start()
    start = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="exited"):
        _started(child, begun, timeout=600)
    assert time.monotonic() - start < 30


# --- many writers, shared handbooks ---------------------------------------------------------


def _writer(url: str, ids: list[str], attempts: int, seed: int, barrier: Barrier, out: Any) -> None:
    # A client that keeps what it last read or wrote and re-reads only after a conflict,
    # as a web application caching handbooks would; every attempt still races the others.
    rng = random.Random(seed)
    won: list[tuple[str, int]] = []
    conflicts = 0
    with SqlStore(url) as store:
        known = {i: store.get(i) for i in ids}
        barrier.wait(timeout=120)
        for _ in range(attempts):
            handbook_id = rng.choice(ids)
            read = known[handbook_id]
            step = advance(read, rating=rng.choice([RatingLevel.EXCELLENT, RatingLevel.GOOD]))
            try:
                store.update(step.handbook, step.event, expected_version=read.version)
            except ConflictError:
                conflicts += 1
                known[handbook_id] = store.get(handbook_id)
            else:
                won.append((handbook_id, step.handbook.version))
                known[handbook_id] = step.handbook
    out.put((won, conflicts))


def test_many_processes_updating_shared_handbooks_lose_no_update(pg_url: str) -> None:
    shared = [make_entry(S.DRAFT, index=i) for i in range(SHARED)]
    with SqlStore(pg_url) as store:
        store.add_many(shared)
        _backed(store, [h for h, _ in shared])
    ids = [h.id for h, _ in shared]
    url = pg_url + "&pool_pre_ping=false"  # a documented pool setting; saves a round trip
    barrier, out = SPAWN.Barrier(WRITERS), SPAWN.Queue()
    children = [
        SPAWN.Process(target=_writer, args=(url, ids, ATTEMPTS, seed, barrier, out))
        for seed in range(WRITERS)
    ]
    for child in children:
        child.start()
    results = _results(children, out, timeout=600)
    won = [w for ws, _ in results for w in ws]
    conflicts = sum(c for _, c in results)
    assert len(won) + conflicts == WRITERS * ATTEMPTS  # every attempt won or conflicted
    assert len(set(won)) == len(won)  # no version was won twice
    assert conflicts > 0  # the writers really raced
    per_handbook = collections.Counter(i for i, _ in won)
    with SqlStore(pg_url) as store:
        for handbook, created in shared:
            log = store.events(handbook.id)
            stored = store.get(handbook.id)
            # Every success is in the log, once, and nothing else is: 0 lost updates.
            assert len(log) == 1 + per_handbook[handbook.id]
            assert log[0] == created
            assert [e.version for e in log] == list(range(created.version, stored.version + 1))
            assert {(handbook.id, e.version) for e in log[1:]} == {
                w for w in won if w[0] == handbook.id
            }
            assert stored.version == created.version + per_handbook[handbook.id]
            assert stored.status is log[-1].to_status


def _thread_writer(store: SqlStore, ids: list[str], seed: int, won: list[Any]) -> None:
    rng = random.Random(seed)
    for _ in range(60):
        read = store.get(rng.choice(ids))
        step = advance(read)
        try:
            store.update(step.handbook, step.event, expected_version=read.version)
        except ConflictError:
            won.append(None)
        else:
            won.append((read.id, step.handbook.version))


def test_threads_sharing_one_store_lose_no_update(pg_url: str) -> None:
    shared = [make_entry(S.DRAFT, index=i) for i in range(3)]
    with SqlStore(pg_url) as store:
        store.add_many(shared)
        _backed(store, [h for h, _ in shared])
        outcomes: list[Any] = []
        threads = [
            threading.Thread(
                target=_thread_writer, args=(store, [h.id for h, _ in shared], s, outcomes)
            )
            for s in range(8)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        won = [o for o in outcomes if o is not None]
        assert len(outcomes) == 8 * 60
        assert len(set(won)) == len(won)
        total_events = sum(len(store.events(h.id)) for h, _ in shared)
        assert total_events == len(shared) + len(won)


# --- two writers, one version ---------------------------------------------------------------


def _update_child(url: str, handbook_id: str, rating: str, barrier: Barrier, results: Any) -> None:
    with SqlStore(url) as store:
        read = store.get(handbook_id)
        step = advance(read, rating=RatingLevel(rating))
        barrier.wait(timeout=60)
        try:
            store.update(step.handbook, step.event, expected_version=read.version)
        except ConflictError:
            results.put((rating, "conflict"))
        else:
            results.put((rating, "won"))


def test_two_processes_updating_one_version_exactly_one_wins(pg_url: str) -> None:
    handbook, created = make_entry(S.REPORTED)
    with SqlStore(pg_url) as store:
        store.add(handbook, created)
        _backed(store, [handbook])
    barrier, results = SPAWN.Barrier(2), SPAWN.Queue()
    ratings = [RatingLevel.EXCELLENT.value, RatingLevel.GOOD.value]
    children = [
        SPAWN.Process(target=_update_child, args=(pg_url, handbook.id, r, barrier, results))
        for r in ratings
    ]
    for child in children:
        child.start()
    outcome = dict(_results(children, results, timeout=120))
    assert sorted(outcome.values()) == ["conflict", "won"]
    winner = RatingLevel(next(r for r, o in outcome.items() if o == "won"))
    expected = advance(handbook, rating=winner)
    with SqlStore(pg_url) as store:
        assert store.get(handbook.id) == expected.handbook
        assert store.events(handbook.id) == [created, expected.event]


# --- killed in the middle of a transaction -------------------------------------------------


def _stalled_import_child(url: str, size: int, stall_at: int, begun: EventFlag) -> None:
    def items() -> Iterator[tuple[Handbook, Event]]:
        for i, item in enumerate(_batch(size)):
            if i == stall_at:  # the transaction is open and rows are written: wait to die
                begun.set()
                time.sleep(600)
            yield item

    with SqlStore(url) as store:
        store.add_many(items())


def _stalled_block_child(url: str, handbook_id: str, begun: EventFlag) -> None:
    with SqlStore(url) as store, store.transaction():
        read = store.get(handbook_id)
        step = advance(read)
        store.update(step.handbook, step.event, expected_version=read.version)
        store.add(*make_entry(index=42))
        begun.set()  # the handbook's row is locked by this open transaction
        time.sleep(600)


def _import_child(url: str, size: int, begun: EventFlag) -> None:
    items = list(_batch(size))
    with SqlStore(url) as store:
        begun.set()
        store.add_many(items)


def _kill(child: Any) -> int:
    os.kill(child.pid, signal.SIGKILL)
    child.join(timeout=60)
    return int(child.exitcode)


def _store_with_earlier_data(url: str) -> list[Handbook]:
    earlier = [h for h, _ in _batch(10, prefix="trước")]
    with SqlStore(url) as store:
        store.add_many((h, creation_event(h)) for h in earlier)
    return earlier


def _assert_consistent(url: str, earlier: list[Handbook], batch_sizes: set[int]) -> int:
    with SqlStore(url) as store:
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


def test_a_process_killed_inside_add_many_leaves_nothing_of_the_batch(pg_url: str) -> None:
    earlier = _store_with_earlier_data(pg_url)
    begun = SPAWN.Event()
    child = SPAWN.Process(target=_stalled_import_child, args=(pg_url, 3000, 1500, begun))
    child.start()
    _started(child, begun)
    assert _kill(child) == -signal.SIGKILL
    assert _assert_consistent(pg_url, earlier, {0}) == 0


def test_a_process_killed_inside_a_transaction_block_releases_its_locks(pg_url: str) -> None:
    handbook, created = make_entry(S.REGISTERED)
    with SqlStore(pg_url) as store:
        store.add(handbook, created)
        begun = SPAWN.Event()
        child = SPAWN.Process(target=_stalled_block_child, args=(pg_url, handbook.id, begun))
        child.start()
        _started(child, begun)
        assert _kill(child) == -signal.SIGKILL
        # Nothing of the dead block is visible, and the row it held can be written again.
        assert store.get(handbook.id) == handbook
        assert store.events(handbook.id) == [created]
        assert [h.id for h in store.query(HandbookQuery())] == [handbook.id]
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        assert store.events(handbook.id) == [created, step.event]


def test_a_process_killed_at_any_moment_of_add_many_stores_all_or_none(pg_url: str) -> None:
    size = 2000
    for delay in random.Random(20250519).sample(range(0, 600, 25), 4):
        with SqlStore(pg_url) as store, store.engine.begin() as connection:
            connection.exec_driver_sql(
                "SET session_replication_role = replica; TRUNCATE events, handbook_units, handbooks"
            )
        earlier = _store_with_earlier_data(pg_url)
        begun = SPAWN.Event()
        child = SPAWN.Process(target=_import_child, args=(pg_url, size, begun))
        child.start()
        _started(child, begun)
        time.sleep(delay / 1000)
        assert _kill(child) in (0, -signal.SIGKILL)
        _assert_consistent(pg_url, earlier, {0, size})


# --- fork ----------------------------------------------------------------------------------


def _forked_child(store: SqlStore, handbook_id: str, out: Any) -> None:
    read = store.get(handbook_id)
    step = advance(read)
    store.update(step.handbook, step.event, expected_version=read.version)
    out.put(step.handbook.version)
    store.close()


def test_a_store_survives_fork(pg_url: str) -> None:
    handbook, created = make_entry(S.REGISTERED)
    fork = multiprocessing.get_context("fork")
    with SqlStore(pg_url) as store:
        store.add(handbook, created)  # the parent's pool now holds a connection
        out = fork.Queue()
        child = fork.Process(target=_forked_child, args=(store, handbook.id, out))
        child.start()
        assert _results([child], out, timeout=60) == [handbook.version + 1]
        # The parent's pooled connection was not closed under it by the child.
        assert store.get(handbook.id).version == handbook.version + 1
        assert len(store.events(handbook.id)) == 2
