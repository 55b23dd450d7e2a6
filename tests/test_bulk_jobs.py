"""Bulk steps with worker processes (``jobs > 1``): the same result as one process, the
writes and hooks in the caller, and what cannot reach a worker refused up front."""

from __future__ import annotations

import collections
import contextlib
import logging
import multiprocessing
import os
import signal
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import attrs
import pytest

import dying_store
from lamtheoguongbac import (
    Event,
    EventKind,
    Handbook,
    Handbooks,
    HandbookStatus,
    PluginError,
    RatingLevel,
    ValidationFailed,
    hookimpl,
)
from lamtheoguongbac._service.bulk import _CellTask
from lamtheoguongbac._storage import MemoryStore, SqliteStore
from lamtheoguongbac.bulk import BulkOutcome, BulkResult, CellBatch, MemberClosing
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.rules import (
    DEFAULT_POLICY,
    Policy,
    Rule,
    RuleContext,
    Severity,
    Stage,
    Violation,
)
from lamtheoguongbac.testing import SampleRoster as Roster
from lamtheoguongbac.testing import make_roster
from test_bulk import (
    YEAR,
    _assessment,
    _batches,
    _clock,
    _Recorder,
    _registration,
    _report,
)


@pytest.fixture
def roster() -> Roster:
    return make_roster(cells=6, members_per_cell=4, grassroots=2)


def _opened(path: Path, roster: Roster, changed: list[Event], **kwargs: object) -> Handbooks:
    registry = create_registry(load_entrypoints=False, extra_plugins=[_Recorder(changed)])
    hb = Handbooks(SqliteStore(path), registry=registry, clock=_clock, **kwargs)  # type: ignore[arg-type]
    hb.roster.save(roster.units, roster.members)
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok
    return hb


def _registered_by_workers(path: Path, roster: Roster) -> Handbooks:
    """A store at ``path`` with its handbooks opened, then registered by worker processes."""
    hb = _opened(path, roster, [])
    assert hb.bulk.register(_batches(hb, roster, _registration), jobs=2).ok
    return hb


def _cycle(hb: Handbooks, roster: Roster, jobs: int) -> list[BulkResult]:
    top = {m.id for m in roster.members[1::5]}
    rating = _assessment(
        lambda b: RatingLevel.EXCELLENT if b.member.id in top else RatingLevel.GOOD
    )
    return [
        hb.bulk.register(_batches(hb, roster, _registration), jobs=jobs),
        hb.bulk.report(_batches(hb, roster, _report), jobs=jobs),
        hb.bulk.assess(_batches(hb, roster, rating), jobs=jobs),
        hb.bulk.close(
            _batches(hb, roster, lambda b: MemberClosing(member_id=b.member.id)), jobs=jobs
        ),
    ]


def test_worker_processes_store_what_one_process_stores(tmp_path: Path, roster: Roster) -> None:
    heard: dict[int, list[Event]] = {1: [], 2: []}
    stores: dict[int, Handbooks] = {}
    results: dict[int, list[BulkResult]] = {}
    for jobs in (1, 2):
        stores[jobs] = _opened(tmp_path / f"jobs-{jobs}.db", roster, heard[jobs])
        results[jobs] = _cycle(stores[jobs], roster, jobs)
    for one, two in zip(results[1], results[2], strict=True):
        assert two.ok, [o.problem("en") for o in two.failed]
        assert two == one  # outcomes in the same order, the same warnings
    books = {jobs: stores[jobs].find(year=YEAR) for jobs in (1, 2)}
    assert books[2] == books[1]
    assert {b.status for b in books[2]} == {HandbookStatus.CLOSED}
    for book in books[2]:
        assert stores[2].history(book.id) == stores[1].history(book.id)
    # the hooks fired in this process, once per step, after each cell committed
    assert heard[2] == heard[1]
    assert len(heard[2]) == 5 * len(roster.members)
    for hb in stores.values():
        hb.close()


def test_failures_in_workers_roll_back_their_cell_only(tmp_path: Path, roster: Roster) -> None:
    hb = _opened(tmp_path / "so-tay.db", roster, [])
    batches = _batches(hb, roster, _registration)
    bad = batches[3]
    broken = attrs.evolve(bad.entries[1], pledges=())
    batches[3] = attrs.evolve(bad, entries=[bad.entries[0], broken, *bad.entries[2:]])
    result = hb.bulk.register(batches, jobs=2)
    [failure] = result.failed
    assert failure.member_id == broken.member_id
    assert failure.problem("vi")
    assert failure.problem("en")
    assert result.cells(BulkOutcome.FAILED) == (bad.cell_id,)
    assert len(result.rolled_back) == len(bad.entries) - 1
    statuses: dict[str, set[HandbookStatus]] = {b.cell.id: set() for b in hb.find(year=YEAR)}
    for b in hb.find(year=YEAR):
        statuses[b.cell.id].add(b.status)
    assert statuses.pop(bad.cell_id) == {HandbookStatus.DRAFT}
    assert all(s == {HandbookStatus.REGISTERED} for s in statuses.values())
    hb.close()


def test_an_enforced_cap_refuses_the_same_cells_with_workers(
    tmp_path: Path, roster: Roster
) -> None:
    policy = attrs.evolve(DEFAULT_POLICY, top_rating_cap_enforced=True)
    found = {}
    every_other = {m.id for m in roster.members[::2]}  # half rated top: over the cap
    rating = _assessment(
        lambda b: RatingLevel.EXCELLENT if b.member.id in every_other else RatingLevel.GOOD
    )
    for jobs in (1, 2):
        hb = _opened(tmp_path / f"cap-{jobs}.db", roster, [], policy=policy)
        assert hb.bulk.register(_batches(hb, roster, _registration), jobs=jobs).ok
        assert hb.bulk.report(_batches(hb, roster, _report), jobs=jobs).ok
        found[jobs] = hb.bulk.assess(_batches(hb, roster, rating), jobs=jobs)
        hb.close()
    assert found[2] == found[1]
    assert found[2].failed  # the cap refused some cells


def _dies_in_a_worker(handbook: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    # a rule (a plugin's, say) that kills the worker process taking this member's step
    if multiprocessing.parent_process() is not None and handbook.member.id.endswith("0002-dv001"):
        os._exit(3)
    return iter(())


def test_a_worker_that_dies_fails_the_cells_it_took_and_nothing_is_half_written(
    tmp_path: Path, roster: Roster
) -> None:
    rule = Rule(
        code="AG-901", stage=Stage.REGISTRATION, title_vi="t", title_en="t", check=_dies_in_a_worker
    )
    hb = _opened(tmp_path / "so-tay.db", roster, [], policy=DEFAULT_POLICY.with_rules([rule]))
    result = hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    assert not result.ok
    assert any("worker process" in (o.problem("en") or "") for o in result.failed)
    # every cell is whole: all registered or all still drafts
    by_cell: dict[str, set[HandbookStatus]] = {}
    for b in hb.find(year=YEAR):
        by_cell.setdefault(b.cell.id, set()).add(b.status)
    assert all(len(s) == 1 for s in by_cell.values()), by_cell
    done_cells = set(result.cells(BulkOutcome.DONE))
    for cell, statuses in by_cell.items():
        expected = HandbookStatus.REGISTERED if cell in done_cells else HandbookStatus.DRAFT
        assert statuses == {expected}
    hb.close()


@pytest.mark.parametrize("jobs", [0, -1, True, 1.5, "2"])
def test_jobs_must_be_a_whole_number_from_one(tmp_path: Path, roster: Roster, jobs: object) -> None:
    hb = _opened(tmp_path / "so-tay.db", roster, [])
    with pytest.raises(ValidationFailed) as caught:
        hb.bulk.register(_batches(hb, roster, _registration), jobs=jobs)  # type: ignore[arg-type]
    assert caught.value.field == "jobs"
    assert hb.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: len(roster.members)}
    hb.close()


def test_what_cannot_reach_a_worker_is_refused_before_any_work(
    tmp_path: Path, roster: Roster
) -> None:
    memory = Handbooks(MemoryStore(), registry=create_registry(load_entrypoints=False))
    memory.roster.save(roster.units, roster.members)
    with pytest.raises(ValidationFailed, match="in this process only") as caught:
        memory.bulk.register([], jobs=2)
    assert caught.value.field == "jobs"
    assert "chỉ có trong tiến trình này" in caught.value.message_vi

    hb = _opened(tmp_path / "so-tay.db", roster, [])
    hb.clock = lambda: _clock()  # a lambda does not pickle
    with pytest.raises(ValidationFailed, match="clock"):
        hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    hb.clock = _clock
    hb.registry.register(_Recorder([]), "by-hand")  # the registry is no longer rebuildable
    with pytest.raises(PluginError, match="jobs=1"):
        hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    assert hb.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: len(roster.members)}
    hb.close()


def _no_second_member(handbook: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    if handbook.member.id.endswith("dv001"):
        yield Violation(
            code="AG-902",
            severity=Severity.ERROR,
            path="pledges",
            message_vi="quy tắc của tỉnh từ chối",
            message_en="the province's rule refuses it",
        )


class _ProvinceRules:
    """A rules plugin registered as an object (a module-level class: it pickles)."""

    @hookimpl
    def register_rules(self, register: Callable[[Rule], None]) -> None:
        register(
            Rule(
                code="AG-902",
                stage=Stage.REGISTRATION,
                title_vi="t",
                title_en="t",
                check=_no_second_member,
            )
        )


def test_plugins_rules_run_in_the_workers(tmp_path: Path, roster: Roster) -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[_ProvinceRules()])
    hb = Handbooks(SqliteStore(tmp_path / "so-tay.db"), registry=registry, clock=_clock)
    hb.roster.save(roster.units, roster.members)
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok
    result = hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    refused = {o.member_id for o in result.failed}
    assert refused == {m.id for m in roster.members if m.id.endswith("dv001")}
    assert {o.code for o in result.failed} == {"AG-902"}
    assert hb.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: len(roster.members)}
    hb.close()


def test_a_plugin_object_that_does_not_pickle_is_refused(tmp_path: Path, roster: Roster) -> None:
    class Local(_ProvinceRules):  # a class inside a function does not pickle
        pass

    registry = create_registry(load_entrypoints=False, extra_plugins=[Local()])
    hb = Handbooks(SqliteStore(tmp_path / "so-tay.db"), registry=registry, clock=_clock)
    with pytest.raises(PluginError, match="cannot be sent to worker processes"):
        hb.bulk.close([], jobs=2)
    hb.close()


# --- what the review found: stops, deaths, odd input ------------------------------------------


@contextlib.contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    """Fail instead of hanging: a deadlock here must not hang the test run."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s: a deadlock")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _dying(
    tmp_path: Path,
    roster: Roster,
    monkeypatch: pytest.MonkeyPatch,
    when: str,
    member: str | None = None,
    heard: list[Event] | None = None,
    policy: Policy | None = None,
) -> Handbooks:
    monkeypatch.setenv("LTGB_TEST_DIE_MEMBER", member or roster.members[5].id)  # 2nd cell's
    monkeypatch.setenv("LTGB_TEST_DIE_WHEN", when)
    plugins: list[object] = [dying_store] if heard is None else [dying_store, _Recorder(heard)]
    registry = create_registry(load_entrypoints=False, extra_plugins=plugins)
    tmp_path.mkdir(parents=True, exist_ok=True)
    hb = Handbooks.open(
        f"dyingsqlite:{tmp_path / 'so-tay.db'}", registry=registry, clock=_clock, policy=policy
    )
    hb.roster.save(roster.units, roster.members)
    assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok
    return hb


def _statuses_by_cell(hb: Handbooks) -> dict[str, set[HandbookStatus]]:
    found: dict[str, set[HandbookStatus]] = {}
    for b in hb.find(year=YEAR):
        found.setdefault(b.cell.id, set()).add(b.status)
    return found


@pytest.mark.parametrize("when", ["during", "after"])
def test_a_worker_killed_while_writing_neither_hangs_nor_fails_other_cells(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    hb = _dying(tmp_path, roster, monkeypatch, when)
    dying_cell = roster.members[5].cell_id
    with _deadline(120):
        result = hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    assert result.cells(BulkOutcome.FAILED) == (dying_cell,)
    assert all("worker process" in (o.problem("en") or "") for o in result.failed)
    assert len(result.done) == len(roster.members) - 4  # a fresh worker took the rest
    statuses = _statuses_by_cell(hb)
    assert all(len(s) == 1 for s in statuses.values())  # every cell whole
    # killed inside its transaction: nothing of the cell; right after its commit: all of it
    expected = HandbookStatus.DRAFT if when == "during" else HandbookStatus.REGISTERED
    assert statuses[dying_cell] == {expected}
    hb.close()


@pytest.mark.parametrize(
    ("step", "enforced"), [("register", False), ("assess", False), ("assess", True)]
)
def test_a_cell_whose_worker_died_after_storing_it_is_done_and_heard(
    tmp_path: Path,
    roster: Roster,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    step: str,
    enforced: bool,
) -> None:
    policy = attrs.evolve(DEFAULT_POLICY, top_rating_cap_enforced=enforced)
    # unenforced: half rated top, over the cap (a warning); enforced: one, within it
    top = {roster.members[0].id} if enforced else {m.id for m in roster.members[::2]}
    rating = _assessment(
        lambda b: RatingLevel.EXCELLENT if b.member.id in top else RatingLevel.GOOD
    )
    entries = {"register": _registration, "assess": rating}
    found: dict[int, BulkResult] = {}
    heard: dict[int, list[Event]] = {}
    for jobs in (1, 2):
        heard[jobs] = []
        hb = _dying(tmp_path / str(jobs), roster, monkeypatch, "stored", None, heard[jobs], policy)
        if step == "assess":  # taken here, where nothing dies
            assert hb.bulk.register(_batches(hb, roster, _registration)).ok
            assert hb.bulk.report(_batches(hb, roster, _report)).ok
        heard[jobs].clear()
        with _deadline(120), caplog.at_level(logging.WARNING, logger="lamtheoguongbac.bulk"):
            found[jobs] = getattr(hb.bulk, step)(_batches(hb, roster, entries[step]), jobs=jobs)
        stored = {b.id: hb.store.events(b.id)[-1] for b in hb.find(year=YEAR)}
        assert sorted(heard[jobs], key=lambda e: e.handbook_id) == sorted(
            stored.values(), key=lambda e: e.handbook_id
        )  # every change heard once, the dying cell's too
        hb.close()
    dying_cell = roster.members[5].cell_id
    assert f"died after storing cell {dying_cell}" in caplog.text
    assert [(o.outcome, o.member_id, o.handbook_id) for o in found[2].outcomes] == [
        (o.outcome, o.member_id, o.handbook_id) for o in found[1].outcomes
    ]
    assert found[2].warnings == found[1].warnings  # the cap's figures counted the cell
    assert found[2].ok
    if step == "assess" and not enforced:
        assert found[2].warnings


def test_a_cell_read_back_does_not_hear_a_change_another_writer_made_since(
    tmp_path: Path, roster: Roster, caplog: pytest.LogCaptureFixture
) -> None:
    # The cell's worker stored it and died; before the caller read it back, another writer
    # moved one member's handbook on: that change is not reported as this step's.
    hb = _opened(tmp_path / "so-tay.db", roster, [])
    [batch, *_] = _batches(hb, roster, _registration)
    assert hb.bulk.register([batch]).ok
    mover = hb.find(cell_id=batch.cell_id, year=YEAR)[1]
    assert hb.bulk.report([attrs.evolve(batch, entries=[_report(mover)])]).ok  # the other writer
    task = _CellTask(index=1, batch=batch, step="register", listening=True, route=batch.cell_id)
    with caplog.at_level(logging.WARNING, logger="lamtheoguongbac.bulk"):
        cell = hb.bulk._read_back(task)
    assert [o.outcome for o in cell.outcomes] == [BulkOutcome.DONE] * len(batch.entries)
    heard = {book.id: event.kind for event, book in cell.heard}
    assert mover.id not in heard
    assert set(heard.values()) == {EventKind.REGISTERED}
    assert len(heard) == len(batch.entries) - 1
    assert f"handbook {mover.id} changed again after the worker stored it" in caplog.text
    hb.close()


def test_a_cell_opened_by_a_worker_that_died_after_storing_it_says_so(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = roster.members[5]
    monkeypatch.setenv("LTGB_TEST_DIE_MEMBER", victim.id)
    monkeypatch.setenv("LTGB_TEST_DIE_WHEN", "stored")
    registry = create_registry(load_entrypoints=False, extra_plugins=[dying_store])
    with Handbooks.open(
        f"dyingsqlite:{tmp_path / 'so-tay.db'}", registry=registry, clock=_clock
    ) as hb:
        hb.roster.save(roster.units, roster.members)
        with _deadline(120):
            result = hb.bulk.open_year(
                roster.units[0].id, year=YEAR, actor=roster.members[0], jobs=2
            )
        [failed] = result.failed
        assert failed.cell_id == victim.cell_id
        assert "died after storing the cell whole" in (failed.problem("en") or "")
        assert "sau khi đã ghi trọn vẹn" in (failed.problem("vi") or "")
        # stored whole, and every other cell opened by the worker that replaced it
        assert len(hb.find(year=YEAR)) == len(roster.members)
        assert len(result.done) == len(roster.members) - 4


def test_the_log_the_workers_wrote_is_copied_into_the_file_once_they_are_done(
    tmp_path: Path, roster: Roster
) -> None:
    # Workers copy their log into the file only every 256 handbooks; the caller copies the
    # rest when they are done. A reader of the file alone (immutable: no log) sees it all.
    path = tmp_path / "so-tay.db"
    hb = _registered_by_workers(path, roster)
    file_only = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        statuses = file_only.execute("SELECT DISTINCT status FROM handbooks").fetchall()
    finally:
        file_only.close()
    assert statuses == [(HandbookStatus.REGISTERED.value,)]
    hb.close()


def test_cells_no_worker_took_are_told_apart_from_cells_a_worker_died_taking(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    hb = _dying(tmp_path, roster, monkeypatch, "during")
    monkeypatch.setenv("LTGB_TEST_DIE_AT_START", "always")  # every worker dies opening it
    with _deadline(120):
        result = hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    assert not result.done
    assert len(result.failed) == len(roster.members)
    for outcome in result.failed:
        problem = outcome.problem("en") or ""
        assert "never reached a worker process" in problem
        assert "nothing of it was stored" in problem
        assert "không có gì của chi bộ được ghi" in (outcome.problem("vi") or "")
    # the cells behind a worker given up on say why
    assert any("so did the one that replaced it" in (o.problem("en") or "") for o in result.failed)
    assert set().union(*_statuses_by_cell(hb).values()) == {HandbookStatus.DRAFT}
    hb.close()


def test_a_worker_that_dies_as_it_starts_is_replaced_and_its_cells_sent_again(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    changed: list[Event] = []
    hb = _dying(tmp_path, roster, monkeypatch, "during", member="nobody", heard=changed)
    monkeypatch.setenv("LTGB_TEST_DIE_AT_START", str(tmp_path / "died"))  # the first one dies
    with _deadline(120):
        result = hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
    assert (tmp_path / "died").exists()  # a worker did die as it started
    assert result.ok, [o.problem("en") for o in result.failed]
    assert len(result.done) == len(roster.members)
    assert set().union(*_statuses_by_cell(hb).values()) == {HandbookStatus.REGISTERED}
    registered = [e for e in changed if e.to_status is HandbookStatus.REGISTERED]
    assert sorted(e.handbook_id for e in registered) == sorted(  # each heard once
        b.id for b in hb.find(year=YEAR)
    )
    hb.close()


def test_cells_sent_again_after_a_worker_died_as_it_started_keep_their_order(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Under an enforced cap the order of a grassroots organisation's cells decides which
    # one the cap refuses: the first cell fits, the second goes over (in both
    # organisations: either worker may be the one that dies).
    policy = attrs.evolve(DEFAULT_POLICY, top_rating_cap_enforced=True)
    top = {f"cb-0{g}-{m}" for g in (0, 1) for m in ("0000-dv000", "0001-dv000", "0001-dv001")}
    rating = _assessment(
        lambda b: RatingLevel.EXCELLENT if b.member.id in top else RatingLevel.GOOD
    )
    found = {}
    for jobs in (1, 2):
        heard: list[Event] = []
        hb = _dying(tmp_path / str(jobs), roster, monkeypatch, "during", "nobody", heard, policy)
        assert hb.bulk.register(_batches(hb, roster, _registration), jobs=jobs).ok
        assert hb.bulk.report(_batches(hb, roster, _report), jobs=jobs).ok
        if jobs == 2:  # the first worker of the assessment dies as it opens the store
            monkeypatch.setenv("LTGB_TEST_DIE_AT_START", str(tmp_path / "died"))
        by_organisation = sorted(_batches(hb, roster, rating), key=lambda b: b.cell_id)
        found[jobs] = hb.bulk.assess(by_organisation, jobs=jobs)
        hb.close()
    assert (tmp_path / "died").exists()
    assert found[1].cells(BulkOutcome.FAILED) == ("cb-00-0001", "cb-01-0001")
    assert found[2] == found[1]


def test_a_batch_that_cannot_be_sent_fails_alone_saying_nothing_was_stored(
    tmp_path: Path, roster: Roster
) -> None:
    class Local(CellBatch):  # type: ignore[type-arg]  # a class inside a function does not pickle
        pass

    hb = _opened(tmp_path / "so-tay.db", roster, [])
    batches = _batches(hb, roster, _registration)
    kept = batches[2]
    batches[2] = Local(cell_id=kept.cell_id, year=kept.year, submitter=kept.submitter,
                       entries=kept.entries)  # fmt: skip
    result = hb.bulk.register(batches, jobs=2)
    assert result.cells(BulkOutcome.FAILED) == (kept.cell_id,)
    for outcome in result.failed:
        assert "never reached a worker process" in (outcome.problem("en") or "")
    assert _statuses_by_cell(hb)[kept.cell_id] == {HandbookStatus.DRAFT}
    assert len(result.done) == len(roster.members) - len(kept.entries)
    hb.close()


@pytest.mark.parametrize("stop", ["progress", "batches"])
def test_a_step_stopped_midway_fires_the_hooks_of_every_cell_a_worker_stored(
    tmp_path: Path, roster: Roster, stop: str
) -> None:
    heard: list[Event] = []
    hb = _opened(tmp_path / "so-tay.db", roster, heard)
    heard.clear()
    batches = _batches(hb, roster, _registration)

    def stream() -> Iterator[CellBatch]:  # type: ignore[type-arg]
        yield from batches[:3]
        if stop == "batches":
            raise RuntimeError("the source broke")
        yield from batches[3:]

    def progress(done: int, total: int | None) -> None:
        if stop == "progress" and done == 2:
            raise RuntimeError("the caller stopped")

    with pytest.raises(RuntimeError):
        hb.bulk.register(stream(), jobs=2, progress=progress)
    stored = [b for b in hb.find(year=YEAR) if b.status is HandbookStatus.REGISTERED]
    assert stored  # some cells were stored before the stop …
    assert {e.handbook_id for e in heard} == {b.id for b in stored}  # … each one heard
    assert all(len(s) == 1 for s in _statuses_by_cell(hb).values())
    hb.close()


def test_jobs_inside_an_open_transaction_are_refused(tmp_path: Path, roster: Roster) -> None:
    hb = _opened(tmp_path / "so-tay.db", roster, [])
    with hb.transaction():
        with pytest.raises(ValidationFailed, match="transaction") as caught:
            hb.bulk.register(_batches(hb, roster, _registration), jobs=2)
        assert caught.value.field == "jobs"
        assert "giao dịch" in caught.value.message_vi
    assert hb.count_by_status(year=YEAR) == {HandbookStatus.DRAFT: len(roster.members)}
    hb.close()


def test_two_batches_of_one_cell_run_in_order_as_with_one_process(
    tmp_path: Path, roster: Roster
) -> None:
    found = {}
    for jobs in (1, 2):
        hb = _opened(tmp_path / f"twice-{jobs}.db", roster, [])
        batches = _batches(hb, roster, _registration)
        result = hb.bulk.register([*batches, batches[0]], jobs=jobs)  # the first cell again
        found[jobs] = [(o.member_id, o.outcome, o.code) for o in result.outcomes]
        hb.close()
    assert found[2] == found[1]
    assert {code for _, outcome, code in found[2] if outcome is BulkOutcome.FAILED} == {"LTGB-T001"}


def test_an_item_that_is_not_a_batch_fails_alone_even_if_it_cannot_be_sent(
    tmp_path: Path, roster: Roster
) -> None:
    hb = _opened(tmp_path / "so-tay.db", roster, [])
    batches: list[object] = [*_batches(hb, roster, _registration)]
    batches.insert(1, threading.Lock())  # not a CellBatch, and no pickle
    result = hb.bulk.register(batches, jobs=2)  # type: ignore[arg-type]
    [failure] = result.failed
    assert "not a CellBatch" in (failure.problem("en") or "")
    assert len(result.done) == len(roster.members)
    hb.close()


def test_a_moved_cell_is_assessed_with_workers_when_the_cap_is_not_enforced(
    tmp_path: Path, roster: Roster
) -> None:
    found = {}
    for jobs in (1, 2):
        hb = _opened(tmp_path / f"moved-{jobs}.db", roster, [])
        assert hb.bulk.register(_batches(hb, roster, _registration)).ok
        assert hb.bulk.report(_batches(hb, roster, _report)).ok
        first = roster.cell_ids[0]
        other = next(u.id for u in roster.units if u.grassroots and u.id != "db-00")
        moved = [attrs.evolve(u, parent_id=other) if u.id == first else u for u in roster.units]
        hb.roster.save(moved, [])  # the cell moves to another grassroots organisation
        rating = _assessment(lambda b: RatingLevel.EXCELLENT)  # every one: over the cap
        found[jobs] = hb.bulk.assess(_batches(hb, roster, rating), jobs=jobs)
        hb.close()
    assert found[2] == found[1]
    assert found[2].ok
    assert found[2].warnings  # the cap's warning, judged on the same final figures


def test_a_policy_set_on_the_service_keeps_the_plugins_rules(
    tmp_path: Path, roster: Roster
) -> None:
    found = {}
    for jobs in (1, 2):
        registry = create_registry(load_entrypoints=False, extra_plugins=[_ProvinceRules()])
        hb = Handbooks(SqliteStore(tmp_path / f"set-{jobs}.db"), registry=registry, clock=_clock)
        hb.roster.save(roster.units, roster.members)
        assert hb.bulk.open_year(roster.units[0].id, year=YEAR, actor=roster.members[0]).ok
        hb.policy = attrs.evolve(hb.policy, top_rating_cap_enforced=True)
        hb.policy = DEFAULT_POLICY  # a fresh policy: the plugins' rules are added again
        result = hb.bulk.register(_batches(hb, roster, _registration), jobs=jobs)
        found[jobs] = [(o.member_id, o.outcome, o.code) for o in result.outcomes]
        hb.close()
    assert found[2] == found[1]
    assert {code for *_, code in found[1] if code} == {"AG-902"}  # the plugin's rule ran


def test_a_cell_stored_by_a_worker_that_then_died_is_never_taken_again(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Worker 0 is slow on its first cell; meanwhile worker 1 stores its first cell and
    # dies. That cell must be reported failed (stored whole, to check), never sent again,
    # and no other cell may fail for it. The first two cells go to the two workers: a new
    # cell goes to the worker with the fewest cells waiting.
    slow, dying, *rest = roster.cell_ids
    victim = next(m for m in roster.members if m.cell_id == dying)
    hb = _dying(tmp_path, roster, monkeypatch, "after", member=victim.id)
    monkeypatch.setenv("LTGB_TEST_SLOW_CELL", slow)
    batches = {b.cell_id: b for b in _batches(hb, roster, _registration)}
    with _deadline(120):
        result = hb.bulk.register([batches[c] for c in (slow, dying, *rest)], jobs=2)
    assert result.cells(BulkOutcome.FAILED) == (dying,)
    assert all("worker process" in (o.problem("en") or "") for o in result.failed)
    statuses = _statuses_by_cell(hb)
    assert statuses.pop(dying) == {HandbookStatus.REGISTERED}  # stored whole, before it died
    assert all(s == {HandbookStatus.REGISTERED} for s in statuses.values())
    hb.close()


def test_a_policy_read_from_another_service_is_set_with_the_plugins_rules_once(
    tmp_path: Path, roster: Roster
) -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[_ProvinceRules()])
    first = Handbooks(SqliteStore(tmp_path / "a.db"), registry=registry, clock=_clock)
    second = Handbooks(SqliteStore(tmp_path / "b.db"), registry=registry, clock=_clock)
    second.policy = first.policy
    assert [r.code for r in second.policy.rules].count("AG-902") == 1
    first.close()
    second.close()


def test_a_new_cell_goes_to_the_worker_with_the_fewest_cells_waiting() -> None:
    # Cells spread by the hash of their id alone left one worker idle while the other had a
    # queue (issue 11); a cell's batches still go to one worker, in order, while any waits.
    from lamtheoguongbac._service.workers import _Owners

    queues: list[collections.deque[str]] = [collections.deque(), collections.deque()]
    held: list[collections.deque[str]] = [collections.deque(), collections.deque()]
    owners = _Owners(2)

    def send(key: str, pinned: bool = False) -> int:
        k = owners.take(key, pinned, queues, held, dead)
        queues[k].append(key)
        return k

    dead: set[int] = set()
    assert [send("a"), send("b"), send("c")] == [0, 1, 0]
    assert send("b") == 1  # its earlier batch still waits there
    queues[1].clear()  # worker 1 took both of b's batches
    owners.release("b")
    owners.release("b")
    assert send("d") == 1  # the fewest waiting: none there, two on worker 0
    assert send("b") == 1  # free again, it goes where the fewest wait: one against two
    # pinned (an enforced cap's organisation): it stays with its worker for the operation
    assert send("xa", pinned=True) == 0
    queues[0].clear()
    owners.release("xa")
    queues[1].extend(["x"] * 5)
    assert send("xa") == 0
    queues[0].extend(["x"] * 9)
    assert send("xa") == 0  # not moved, however long its worker's queue
    dead.add(0)
    assert send("e") == 1  # never to a worker that died and was not replaced


def test_workers_take_the_callers_environment_as_each_operation_starts(
    tmp_path: Path, roster: Roster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Workers are forked from a fork server, started by the first operation with the
    # environment of that moment; a later operation's workers must see the caller's
    # environment as it is then, as new processes would.
    from lamtheoguongbac._service.workers import start_method

    hb = _dying(tmp_path, roster, monkeypatch, "during", member="nobody")
    assert hb.bulk.register(_batches(hb, roster, _registration), jobs=2).ok  # server started
    monkeypatch.setenv("LTGB_TEST_DIE_AT_START", "always")  # every worker dies opening it
    with _deadline(120):
        result = hb.bulk.report(_batches(hb, roster, _report), jobs=2)
    assert not result.done
    assert all("never reached a worker process" in (o.problem("en") or "") for o in result.failed)
    if sys.platform.startswith("linux"):
        assert start_method().get_start_method() == "forkserver"
    hb.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_process_forked_after_bulk_steps_with_workers_runs_them_too(
    tmp_path: Path, roster: Roster
) -> None:
    # A prefork server (gunicorn, Celery) forks its workers from a process that may have
    # run bulk steps already: the fork server that process started is not the child's.
    path = tmp_path / "so-tay.db"
    _registered_by_workers(path, roster).close()  # the fork server runs
    pid = os.fork()
    if pid == 0:  # the child: a bulk step with worker processes of its own
        code = 1
        try:
            registry = create_registry(load_entrypoints=False, extra_plugins=[_Recorder([])])
            child = Handbooks(SqliteStore(path), registry=registry, clock=_clock)
            code = 0 if child.bulk.report(_batches(child, roster, _report), jobs=2).ok else 2
            child.close()
        finally:
            os._exit(code)
    with _deadline(120):
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    with Handbooks(SqliteStore(path), clock=_clock) as after:
        assert set().union(*_statuses_by_cell(after).values()) == {HandbookStatus.REPORTED}
