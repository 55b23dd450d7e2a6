"""The storage-backend conformance suite (bộ kiểm tra tương thích kho lưu trữ).

A backend proves it keeps the :class:`~lamtheoguongbac.plugin.Store` contract by running
this suite against itself, exactly as the built-in ``memory:`` and ``sqlite:`` backends do.
Subclass :class:`StoreConformance` in a test module and provide a ``store`` fixture that
returns a fresh, empty store::

    import pytest
    from lamtheoguongbac.testing import StoreConformance

    class TestMyStore(StoreConformance):
        @pytest.fixture
        def store(self, tmp_path):
            store = MyStore(tmp_path / "data")
            yield store
            store.close()

The suite covers round trips in every status, ``NotFound``, duplicate adds, optimistic
updates (a stale write changes nothing), the event log, every query criterion and the
contract's order (and the optional ``iter_headings``, when the store has it: the same
handbooks as ``iter_query``, in its order), ``count_by_status``, ``add_many`` atomicity
(and the optional ``update_many``'s, skipped for a store without it),
``transaction()`` (writes commit together or not at all, reads see the block's writes,
nesting), the roster, exemplars (gương điển hình: round trips, duplicates, optimistic
updates, listings by year and organisation subtree in
:func:`~lamtheoguongbac.committee.exemplar_order`), inspections
(kiểm tra: the same, in :func:`~lamtheoguongbac.committee.inspection_order`), the
append-only audit trail of exemplars and inspections, use after
``close`` and NFC text, and ends with a Hypothesis state machine that compares the store
with a plain in-memory model under random adds, fresh and stale updates, gets and queries.
Tune the state machine through :attr:`StoreConformance.state_machine_settings`.

Signatures (who acts is who signs): the suite checks that the store refuses a handbook whose
collective assessment its roster does not back (LTGB-G004), an assessment event that is not
the recorder's (LTGB-G005) and an event that does not record the stored status (LTGB-G006),
by calling :func:`~lamtheoguongbac.plugin.check_signatures`; and that
:func:`~lamtheoguongbac.plugin.trusted_restore` is the one way around LTGB-G004.
Its other tests store generated handbooks whose recorders are in no roster, so they run
inside ``trusted_restore()`` (which changes nothing else).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import functools
import itertools
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from lamtheoguongbac._audit import RecordAction, RecordEvent, RecordType
from lamtheoguongbac._errors import (
    ConflictError,
    NotAuthorised,
    NotFound,
    StoreError,
    ValidationFailed,
)
from lamtheoguongbac._exemplars import Exemplar, ExemplarKind, exemplar_order
from lamtheoguongbac._inspections import Inspection, inspection_order, with_follow_up
from lamtheoguongbac._model import (
    Actor,
    Event,
    EventKind,
    Handbook,
    HandbookStatus,
    Member,
    OrgUnit,
    RatingLevel,
    Role,
)
from lamtheoguongbac._storage import contract
from lamtheoguongbac._storage.base import HandbookHeading, HandbookQuery, Store, iter_headings
from lamtheoguongbac.testing._factories import (
    advance,
    creation_event,
    make_commendation,
    make_entry,
    make_exemplar,
    make_handbook,
    make_inspection,
    make_member,
    make_organisation,
    make_roster,
    make_secretary,
    make_unit,
    member_name,
)
from lamtheoguongbac.text import name_sort_key

__all__ = ["StoreConformance", "contract_order"]

S = HandbookStatus


def contract_order(handbook: Handbook) -> tuple[int, str, tuple[bytes, ...], str]:
    """The order the contract requires of queries: (year, cell id, roster order, id).

    Example:
        >>> from lamtheoguongbac.testing import contract_order, make_handbook
        >>> books = [
        ...     make_handbook(year=2026),
        ...     make_handbook(year=2025, index=2),
        ...     make_handbook(year=2025),
        ... ]
        >>> [(b.period.start.year, b.member.id) for b in sorted(books, key=contract_order)]
        [(2025, 'chibo-01-dv002'), (2025, 'chibo-01-dv001'), (2026, 'chibo-01-dv001')]
    """
    member = handbook.member
    return (
        handbook.year,
        handbook.cell.id,
        name_sort_key(member.full_name, member.sort_key),
        handbook.id,
    )


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def _expected(handbooks: list[Handbook], query: HandbookQuery) -> list[Handbook]:
    def keep(h: Handbook) -> bool:
        return (
            (
                query.organisation_id is None
                or query.organisation_id in {u.id for u in h.organisation}
            )
            and (query.cell_id is None or h.cell.id == query.cell_id)
            and (query.year is None or h.year == query.year)
            and (query.status is None or h.status is query.status)
            and (query.member_id is None or h.member.id == query.member_id)
        )

    return sorted(filter(keep, handbooks), key=contract_order)


def _contents(store: Store) -> tuple[Any, ...]:
    """Everything ``store`` holds: handbooks, their events, roster, exemplars, inspections
    and the records' audit trail."""
    handbooks = store.query(HandbookQuery())
    events = {h.id: store.events(h.id) for h in handbooks}
    exemplars = store.exemplars()
    inspections = store.inspections()
    trail = {
        **{e.id: store.record_events(RecordType.EXEMPLAR, e.id) for e in exemplars},
        **{i.id: store.record_events(RecordType.INSPECTION, i.id) for i in inspections},
    }
    return handbooks, events, store.units(), store.members(), exemplars, inspections, trail


_AT = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)


def _record_event(
    record: Exemplar | Inspection, action: RecordAction, *, note: str | None = None
) -> RecordEvent:
    record_type = RecordType.EXEMPLAR if isinstance(record, Exemplar) else RecordType.INSPECTION
    return RecordEvent(
        record_type=record_type,
        record_id=record.id,
        action=action,
        actor_id="ubkt-01",
        actor_name="Trần Văn Bình",
        at=_AT,
        version=record.version,
        note=note,
    )


def make_secretary_actor(cell_id: str) -> Actor:
    """The default secretary of ``cell_id`` as an actor."""
    return make_secretary(cell_id).as_actor()


def _followed_up(inspection: Inspection) -> Inspection:
    return with_follow_up(
        inspection,
        inspection.findings[0].requests[0].id,
        text="Đã đăng ký lại cụ thể",
        on=inspection.on + dt.timedelta(days=10),
        done=True,
        actor=make_secretary_actor(inspection.findings[0].cell_id),
        role=Role.SECRETARY,
    )


def _counts(handbooks: list[Handbook]) -> dict[HandbookStatus, int]:
    return dict(collections.Counter(h.status for h in handbooks))


# Names whose roster order is known (DOMAIN.md §6), given in scrambled order.
_ORDERED_NAMES = (
    "Lê An",
    "Võ Minh An",
    "Nguyễn Văn An",
    "Phạm Thị Ánh",
    "Trần Thị Bình",
    "Đỗ Văn Đức",
)
_SCRAMBLED = (4, 2, 5, 0, 3, 1)


@functools.cache
def _population() -> tuple[Handbook, ...]:
    """Handbooks of two grassroots organisations, two years and every status."""
    roster = make_roster(cells=4, members_per_cell=4, grassroots=2)
    statuses = itertools.cycle(HandbookStatus)
    handbooks = []
    for member in roster.members:
        for year in (2024, 2025):
            handbooks.append(
                make_handbook(
                    next(statuses),
                    year=year,
                    member=member,
                    organisation=roster.organisation(member.cell_id),
                )
            )
    return tuple(handbooks)


@functools.cache
def _named_cell() -> tuple[Handbook, ...]:
    """One cell whose members' roster order is known, plus a sort-key override."""
    cell = "chi-bộ-ấp-Đông"
    members = [
        make_member(i, cell=cell, full_name=_ORDERED_NAMES[i], id=f"dv-{n}")
        for n, i in enumerate(_SCRAMBLED)
    ]
    # "Ngô Ánh Dương" files under "Ánh", ahead of the other Ánh.
    members.append(make_member(9, cell=cell, full_name="Ngô Ánh Dương", sort_key="Ánh", id="dv-9"))
    return tuple(make_handbook(S.REGISTERED, member=m, id=f"sotay-{m.id}") for m in members)


# Names whose Vietnamese collation differs from code-point order (Â, Ô and Đ sort after Z
# by code point), as (kind, name); the order here is the expected one.
_ORDERED_EXEMPLARS = (
    (ExemplarKind.COLLECTIVE, "Chi bộ ấp Ánh Sáng"),
    (ExemplarKind.COLLECTIVE, "Chi bộ ấp Bình Đức"),
    # People by given name (An < Cường < Đức < Hà < Lâm), as in the yearbook.
    (ExemplarKind.INDIVIDUAL, "Bùi Văn An"),
    (ExemplarKind.INDIVIDUAL, "Ông Văn Cường"),
    (ExemplarKind.INDIVIDUAL, "Đỗ Văn Đức"),
    (ExemplarKind.INDIVIDUAL, "Âu Thị Hà"),
    (ExemplarKind.INDIVIDUAL, "Dương Văn Lâm"),
)


@functools.cache
def _exemplar_population() -> tuple[Exemplar, ...]:
    """Exemplars of both kinds in two grassroots organisations and two years."""
    roster = make_roster(cells=4, members_per_cell=2, grassroots=2)
    exemplars = []
    for c, cell in enumerate(roster.cell_ids):
        for year in (2024, 2025):
            chain = roster.organisation(cell)
            exemplars.append(make_exemplar(ExemplarKind.COLLECTIVE, year=year, organisation=chain))
            for index in (c, c + 10):
                exemplars.append(
                    make_exemplar(
                        year=year, organisation=chain, index=index, commended=index % 2 == 0
                    )
                )
    return tuple(exemplars)


def _expected_exemplars(
    exemplars: list[Exemplar], year: int | None, organisation_id: str | None
) -> list[Exemplar]:
    def keep(e: Exemplar) -> bool:
        return (year is None or e.year == year) and (
            organisation_id is None or organisation_id in {u.id for u in e.organisation}
        )

    return sorted(filter(keep, exemplars), key=exemplar_order)


def _commended(exemplar: Exemplar, number: str = "125-QĐ/ĐU") -> Exemplar:
    return attrs.evolve(
        exemplar,
        commendation=make_commendation(exemplar.year, decision_number=number),
        version=exemplar.version + 1,
    )


class StoreConformance:
    """Tests every :class:`~lamtheoguongbac.plugin.Store` must pass; subclass it.

    Provide a ``store`` fixture returning a fresh, empty store (close it after the test if
    it holds resources). Nothing else is required.

    Example:
        >>> import pytest
        >>> from lamtheoguongbac.plugin import create_registry
        >>> from lamtheoguongbac.testing import StoreConformance
        >>> class TestMemoryStore(StoreConformance):
        ...     @pytest.fixture
        ...     def store(self):
        ...         store = create_registry(load_entrypoints=False).open_store("memory:")
        ...         yield store
        ...         store.close()
        ...
        >>> len([name for name in dir(TestMemoryStore) if name.startswith("test_")]) > 30
        True
    """

    #: Hypothesis settings for :meth:`test_state_machine`; they inherit the loaded profile.
    state_machine_settings: ClassVar[settings | None] = None

    @pytest.fixture
    def store(self) -> Store:
        """Override in the subclass: a fresh, empty store of the backend under test."""
        pytest.fail(
            "StoreConformance: định nghĩa fixture 'store' trong lớp con / define a "
            "'store' fixture in the subclass"
        )

    @pytest.fixture(autouse=True)
    def _restoring(self, request: pytest.FixtureRequest) -> Iterator[None]:
        """Generated handbooks are stored through the trusted-restore path, except in the
        signature tests (``test_signature_*``), which check what a store refuses."""
        if request.function.__name__.startswith("test_signature_"):
            yield
            return
        with contract.trusted_restore():
            yield

    @pytest.fixture
    def populated(self, store: Store) -> list[Handbook]:
        """The store holding handbooks of two grassroots organisations, two years and every
        status, added with ``add_many``."""
        handbooks = list(_population())
        assert store.add_many((h, creation_event(h)) for h in handbooks) == len(handbooks)
        return handbooks

    # --- the protocol ----------------------------------------------------------------------

    def test_is_a_store(self, store: Store) -> None:
        assert isinstance(store, Store)
        assert isinstance(store.url, str)

    # --- add and get -----------------------------------------------------------------------

    @pytest.mark.parametrize("status", list(HandbookStatus))
    def test_add_then_get_returns_an_equal_handbook(
        self, store: Store, status: HandbookStatus
    ) -> None:
        handbook, event = make_entry(status)
        store.add(handbook, event)
        assert store.get(handbook.id) == handbook
        assert store.events(handbook.id) == [event]

    # --- signatures: who acts is who signs -------------------------------------------------

    def test_signature_an_assessment_the_roster_backs_is_stored(self, store: Store) -> None:
        handbook, event = make_entry(S.ASSESSED)
        store.save_roster([], [make_secretary(handbook.cell.id)])
        store.add(handbook, event)
        assert store.get(handbook.id) == handbook

    def test_signature_an_assessment_by_someone_without_the_office_is_refused(
        self, store: Store
    ) -> None:
        handbook, event = make_entry(S.ASSESSED)
        secretary = make_secretary(handbook.cell.id)
        # The recorder is in the roster, but as an ordinary member: no office, no signature.
        store.save_roster([], [attrs.evolve(secretary, roles=())])
        with pytest.raises(NotAuthorised) as refused:
            store.add(handbook, event)
        assert refused.value.code == "LTGB-G004"
        with pytest.raises(NotFound):
            store.get(handbook.id)
        with pytest.raises(NotAuthorised):
            store.add_many([make_entry(S.DRAFT, index=5), (handbook, event)])
        assert store.query(HandbookQuery()) == []

    def test_signature_a_recorder_missing_from_the_roster_is_refused(self, store: Store) -> None:
        handbook, event = make_entry(S.CLOSED)
        with pytest.raises(NotAuthorised) as refused:
            store.add(handbook, event)
        assert refused.value.code == "LTGB-G004"

    def test_signature_trusted_restore_is_the_one_way_around_the_roster(self, store: Store) -> None:
        handbook, event = make_entry(S.ASSESSED)
        with contract.trusted_restore():
            store.add(handbook, event)
        assert store.get(handbook.id) == handbook

    def test_signature_the_update_that_records_an_assessment_is_checked(self, store: Store) -> None:
        reported, created = make_entry(S.REPORTED)
        store.save_roster([], [attrs.evolve(make_secretary(reported.cell.id), roles=())])
        store.add(reported, created)
        step = advance(reported)
        assert step.event.kind is EventKind.ASSESSED
        with pytest.raises(NotAuthorised) as refused:
            store.update(step.handbook, step.event, expected_version=reported.version)
        assert refused.value.code == "LTGB-G004"
        assert store.get(reported.id) == reported
        assert store.events(reported.id) == [created]
        store.save_roster([], [make_secretary(reported.cell.id)])
        store.update(step.handbook, step.event, expected_version=reported.version)
        closing = advance(step.handbook)  # an earlier assessment is not checked again
        store.save_roster([], [attrs.evolve(make_secretary(reported.cell.id), roles=())])
        store.update(closing.handbook, closing.event, expected_version=step.handbook.version)
        assert store.get(reported.id).status is S.CLOSED

    def test_signature_checks_in_one_transaction_see_the_roster_saved_in_it(
        self, store: Store
    ) -> None:
        # A store may remember the members a transaction read; a roster saved in the
        # transaction, or undone with a failed inner block, must be read afresh.
        first, first_created = make_entry(S.REPORTED, id="so-1")
        second, second_created = make_entry(S.REPORTED, id="so-2", member=make_member(7))
        third, third_created = make_entry(S.REPORTED, id="so-3", member=make_member(8))
        officer = make_secretary(first.cell.id)
        store.save_roster([], [officer])
        store.add_many([(first, first_created), (second, second_created)])
        store.add(third, third_created)
        steps = [advance(book) for book in (first, second, third)]

        def revoked_between() -> None:
            with store.transaction():
                store.update(steps[0].handbook, steps[0].event, expected_version=first.version)
                store.save_roster([], [attrs.evolve(officer, roles=())])  # office revoked
                store.update(steps[1].handbook, steps[1].event, expected_version=second.version)

        with pytest.raises(NotAuthorised):
            revoked_between()
        assert [store.get(b.id).status for b in (first, second)] == [S.REPORTED, S.REPORTED]
        store.save_roster([], [attrs.evolve(officer, roles=())])
        with store.transaction():
            with contextlib.suppress(RuntimeError), store.transaction():
                store.save_roster([], [officer])  # restored, then undone with its block
                store.update(steps[0].handbook, steps[0].event, expected_version=first.version)
                raise RuntimeError("the inner block fails")
            with pytest.raises(NotAuthorised):
                store.update(steps[2].handbook, steps[2].event, expected_version=third.version)
        assert store.get(third.id).status is S.REPORTED
        assert store.get(first.id).status is S.REPORTED

    def test_signature_the_assessment_event_is_the_recorders(self, store: Store) -> None:
        reported, created = make_entry(S.REPORTED)
        store.save_roster([], [make_secretary(reported.cell.id)])
        store.add(reported, created)
        step = advance(reported)
        forged = attrs.evolve(step.event, actor_id=reported.member.id)
        with pytest.raises(NotAuthorised) as refused:
            store.update(step.handbook, forged, expected_version=reported.version)
        assert refused.value.code == "LTGB-G005"
        assert store.get(reported.id) == reported

    def test_signature_the_event_records_the_stored_status(self, store: Store) -> None:
        handbook, event = make_entry(S.REGISTERED)
        with pytest.raises(NotAuthorised) as refused:
            store.add(handbook, attrs.evolve(event, to_status=S.DRAFT))
        assert refused.value.code == "LTGB-G006"
        with pytest.raises(NotFound):
            store.get(handbook.id)

    def test_get_unknown_id_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.get("không-có-sổ-này")

    def test_adding_an_existing_id_raises_conflict_and_keeps_the_first(self, store: Store) -> None:
        first, event = make_entry(S.REGISTERED)
        store.add(first, event)
        second, second_event = make_entry(S.DRAFT, year=2024, id=first.id)
        with pytest.raises(ConflictError):
            store.add(second, second_event)
        assert store.get(first.id) == first
        assert store.events(first.id) == [event]

    def test_add_refuses_an_event_of_another_handbook(self, store: Store) -> None:
        handbook, _ = make_entry()
        _, other_event = make_entry(index=2)
        with pytest.raises(ValidationFailed):
            store.add(handbook, other_event)
        with pytest.raises(NotFound):
            store.get(handbook.id)

    # --- update ----------------------------------------------------------------------------

    def test_update_replaces_the_handbook_and_appends_its_event(self, store: Store) -> None:
        handbook, created = make_entry(S.REGISTERED)
        store.add(handbook, created)
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        assert store.get(handbook.id) == step.handbook
        assert store.events(handbook.id) == [created, step.event]

    def test_stale_update_raises_conflict_and_changes_nothing(self, store: Store) -> None:
        handbook, created = make_entry(S.REPORTED)
        store.add(handbook, created)
        winner = advance(handbook, rating=RatingLevel.EXCELLENT)
        loser = advance(handbook, rating=RatingLevel.GOOD)
        store.update(winner.handbook, winner.event, expected_version=handbook.version)
        with pytest.raises(ConflictError):
            store.update(loser.handbook, loser.event, expected_version=handbook.version)
        assert store.get(handbook.id) == winner.handbook
        assert store.events(handbook.id) == [created, winner.event]

    def test_update_of_an_unknown_handbook_raises_not_found(self, store: Store) -> None:
        step = advance(make_handbook())
        with pytest.raises(NotFound):
            store.update(step.handbook, step.event, expected_version=0)

    def test_update_must_move_the_version_on_by_one(self, store: Store) -> None:
        handbook, created = make_entry(S.REGISTERED)
        store.add(handbook, created)
        step = advance(handbook)
        same = attrs.evolve(step.handbook, version=handbook.version)
        with pytest.raises(ValidationFailed):
            store.update(
                same,
                attrs.evolve(step.event, version=handbook.version),
                expected_version=handbook.version,
            )
        assert store.get(handbook.id) == handbook
        assert store.events(handbook.id) == [created]

    # --- update_many (optional) -------------------------------------------------------------

    def test_update_many_makes_every_update_and_returns_the_count(self, store: Store) -> None:
        many = _update_many_of(store)
        entries, updates = _stored_with_steps(store, 3)
        steps = [(handbook, event) for handbook, event, _ in updates]
        assert many(updates) == len(entries)
        for (after, event), (handbook, created) in zip(steps, entries, strict=True):
            assert store.get(handbook.id) == after
            assert store.events(handbook.id) == [created, event]
        assert many([]) == 0

    @pytest.mark.parametrize("refused", ["stale", "unknown", "version"])
    def test_update_many_with_one_refused_update_stores_none(
        self, store: Store, refused: str
    ) -> None:
        many = _update_many_of(store)
        entries, updates = _stored_with_steps(store, 3)
        kept = {h.id: (h, [created]) for h, created in entries}
        last, event, version = updates[-1]
        if refused == "stale":  # another writer made the last update first
            store.update(last, event, expected_version=version)
            kept[last.id] = (last, [entries[-1][1], event])
            error: type[Exception] = ConflictError
        elif refused == "unknown":
            updates[-1] = _unknown_update()
            error = NotFound
        else:  # the version does not move on by one
            updates[-1] = (last, event, version + 1)
            error = ValidationFailed
        with pytest.raises(error):
            many(updates)
        for handbook_id, (handbook, events) in kept.items():
            assert store.get(handbook_id) == handbook
            assert store.events(handbook_id) == events

    def test_update_many_may_update_one_handbook_twice(self, store: Store) -> None:
        many = _update_many_of(store)
        handbook, created = make_entry(S.REGISTERED)
        store.add(handbook, created)
        first = advance(handbook)
        second = advance(first.handbook)
        entries = [
            (first.handbook, first.event, handbook.version),
            (second.handbook, second.event, first.handbook.version),
        ]
        assert many(entries) == 2
        assert store.get(handbook.id) == second.handbook
        assert store.events(handbook.id) == [created, first.event, second.event]
        again = advance(second.handbook)
        with pytest.raises(ConflictError):  # the same version twice: the second is stale
            many([(again.handbook, again.event, second.handbook.version)] * 2)
        assert store.get(handbook.id) == second.handbook

    def test_update_many_inside_a_failed_transaction_leaves_nothing(self, store: Store) -> None:
        many = _update_many_of(store)
        entries, updates = _stored_with_steps(store, 2)

        def fail_after_the_update() -> None:
            with store.transaction():
                many(updates)
                raise RuntimeError("hỏng sau khi cập nhật")

        with pytest.raises(RuntimeError, match="sau khi cập nhật"):
            fail_after_the_update()
        for handbook, created in entries:
            assert store.get(handbook.id) == handbook
            assert store.events(handbook.id) == [created]

    def test_update_many_moves_statuses_organisations_and_names_together(
        self, store: Store
    ) -> None:
        # A plain step, a handbook moved to another organisation, a member renamed: the
        # listings by organisation, status and roster order follow each of them.
        many = _update_many_of(store)
        plain, moving, renamed = (
            make_entry(S.REGISTERED, index=i, grassroots="đảng-bộ-cũ") for i in (1, 2, 3)
        )
        store.add_many([plain, moving, renamed])
        steps = [advance(h) for h, _ in (plain, moving, renamed)]
        moved = attrs.evolve(
            steps[1].handbook,
            organisation=make_organisation(moving[0].cell.id, grassroots="đảng-bộ-mới"),
        )
        renaming = attrs.evolve(
            steps[2].handbook,
            member=attrs.evolve(renamed[0].member, full_name="Ông Văn Ất", sort_key=None),
        )
        # first a plain step and a move, then a rename with the plain one's next step
        assert many([(steps[0].handbook, steps[0].event, 1), (moved, steps[1].event, 1)]) == 2
        closing = advance(steps[0].handbook)
        assert many([(renaming, steps[2].event, 1), (closing.handbook, closing.event, 2)]) == 2
        old = HandbookQuery(organisation_id="đảng-bộ-cũ")
        assert store.query(HandbookQuery(organisation_id="đảng-bộ-mới")) == [moved]
        assert store.query(old) == _expected([closing.handbook, renaming], old)
        assert store.count_by_status(old) == {S.REPORTED: 1, S.ASSESSED: 1}
        assert store.events(plain[0].id) == [plain[1], steps[0].event, closing.event]
        for handbook, (_, created), event in zip(
            (moved, renaming), (moving, renamed), (steps[1].event, steps[2].event), strict=True
        ):
            assert store.get(handbook.id) == handbook
            assert store.events(handbook.id) == [created, event]

    def test_update_can_move_a_handbook_to_another_organisation(self, store: Store) -> None:
        handbook, created = make_entry(S.REGISTERED, grassroots="đảng-bộ-cũ")
        store.add(handbook, created)
        step = advance(handbook)
        moved = attrs.evolve(
            step.handbook,
            organisation=make_organisation(handbook.cell.id, grassroots="đảng-bộ-mới"),
        )
        store.update(moved, step.event, expected_version=handbook.version)
        assert store.query(HandbookQuery(organisation_id="đảng-bộ-cũ")) == []
        assert store.count_by_status(HandbookQuery(organisation_id="đảng-bộ-cũ")) == {}
        assert store.query(HandbookQuery(organisation_id="đảng-bộ-mới")) == [moved]
        assert store.count_by_status(
            HandbookQuery(organisation_id="đảng-bộ-mới", year=moved.year)
        ) == {S.REPORTED: 1}

    def test_a_step_moves_the_status_in_every_unit_of_the_chain(self, store: Store) -> None:
        handbook, created = make_entry(S.REGISTERED)
        store.add(handbook, created)
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        for unit in handbook.organisation:
            query = HandbookQuery(organisation_id=unit.id, year=handbook.year)
            assert store.count_by_status(query) == {S.REPORTED: 1}, unit.id
            assert store.query(attrs.evolve(query, status=S.REGISTERED)) == []
            assert store.query(attrs.evolve(query, status=S.REPORTED)) == [step.handbook]

    def test_update_of_the_member_copy_moves_the_roster_order(self, store: Store) -> None:
        # A store may write a step's status alone; a handbook whose member copy (name,
        # sort key) changed must still be re-sorted.
        first, second = _named_cell()[:2]
        store.add_many((h, creation_event(h)) for h in (first, second))
        step = advance(first)
        renamed = attrs.evolve(
            step.handbook,
            member=attrs.evolve(first.member, full_name="Vũ Thị Yến", sort_key=None),
        )
        store.update(renamed, step.event, expected_version=first.version)
        cell = HandbookQuery(cell_id=first.cell.id, year=first.year)
        assert [h.id for h in store.query(cell)] == [second.id, first.id]
        assert store.get(first.id) == renamed

    # --- events ----------------------------------------------------------------------------

    def test_events_are_kept_in_order_with_their_content(self, store: Store) -> None:
        handbook, created = make_entry()
        store.add(handbook, created)
        expected = [created]
        for _ in range(7):  # draft → … → closed → reopened → assessed → closed
            step = advance(handbook)
            store.update(step.handbook, step.event, expected_version=handbook.version)
            handbook = step.handbook
            expected.append(step.event)
        assert store.events(handbook.id) == expected
        assert [e.version for e in expected] == list(range(8))

    def test_events_of_an_unknown_handbook_raise_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.events("không-có-sổ-này")

    def test_changing_a_returned_event_list_changes_nothing(self, store: Store) -> None:
        handbook, created = make_entry()
        store.add(handbook, created)
        store.events(handbook.id).clear()
        assert store.events(handbook.id) == [created]

    # --- queries ---------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "query",
        [
            HandbookQuery(),
            HandbookQuery(organisation_id="dangbo-tinh-ag"),
            HandbookQuery(organisation_id="db-01"),
            HandbookQuery(organisation_id="cb-00-0001"),
            HandbookQuery(cell_id="cb-01-0000"),
            HandbookQuery(year=2024),
            HandbookQuery(status=S.ASSESSED),
            HandbookQuery(member_id="cb-00-0000-dv002"),
            HandbookQuery(organisation_id="db-00", year=2025, status=S.DRAFT),
            HandbookQuery(organisation_id="db-00", cell_id="cb-01-0000"),
            HandbookQuery(organisation_id="không-có"),
        ],
        ids=repr,
    )
    def test_query_filters_and_orders_as_the_contract_says(
        self, store: Store, populated: list[Handbook], query: HandbookQuery
    ) -> None:
        expected = _expected(populated, query)
        assert store.query(query) == expected
        assert list(store.iter_query(query)) == expected
        assert store.count_by_status(query) == _counts(expected)
        # the optional iter_headings (or, without it, the listing taken from iter_query)
        assert list(iter_headings(store, query)) == [HandbookHeading.of(h) for h in expected]

    def test_count_by_status_omits_statuses_with_none(
        self, store: Store, populated: list[Handbook]
    ) -> None:
        counts = store.count_by_status(HandbookQuery(cell_id="cb-00-0000", year=2024))
        assert counts
        assert all(n > 0 for n in counts.values())
        assert store.count_by_status(HandbookQuery(organisation_id="không-có")) == {}

    def test_members_of_a_cell_come_in_vietnamese_roster_order(self, store: Store) -> None:
        handbooks = _named_cell()
        store.add_many((h, creation_event(h)) for h in handbooks)
        names = [h.member.full_name for h in store.query(HandbookQuery(year=2025))]
        assert names == [
            "Lê An",
            "Võ Minh An",
            "Nguyễn Văn An",
            "Ngô Ánh Dương",
            "Phạm Thị Ánh",
            "Trần Thị Bình",
            "Đỗ Văn Đức",
        ]

    def test_iter_query_streams_past_one_page(self, store: Store) -> None:
        base = make_handbook(S.DRAFT)
        many = [attrs.evolve(base, id=f"sotay-{i:05d}") for i in range(1234)]
        store.add_many((h, creation_event(h)) for h in many)
        query = HandbookQuery(cell_id=base.cell.id)
        assert [h.id for h in store.iter_query(query)] == [h.id for h in many]
        assert [h.id for h in iter_headings(store, query)] == [h.id for h in many]

    def test_headings_carry_names_as_the_handbooks_hold_them(self, store: Store) -> None:
        handbooks = _named_cell()
        store.add_many((h, creation_event(h)) for h in handbooks)
        query = HandbookQuery(year=2025)
        assert list(iter_headings(store, query)) == [
            HandbookHeading.of(h) for h in store.iter_query(query)
        ]

    # --- add_many --------------------------------------------------------------------------

    def test_add_many_stores_all_and_returns_the_count(self, store: Store) -> None:
        entries = [make_entry(status, index=i) for i, status in enumerate(HandbookStatus)]
        assert store.add_many(entries) == len(entries)
        for handbook, event in entries:
            assert store.get(handbook.id) == handbook
            assert store.events(handbook.id) == [event]
        assert store.add_many([]) == 0

    def _assert_batch_left_nothing(
        self, store: Store, batch: list[tuple[Handbook, Event]], kept: Handbook
    ) -> None:
        for handbook, _ in batch:
            if handbook.id != kept.id:
                with pytest.raises(NotFound):
                    store.get(handbook.id)
        assert store.get(kept.id) == kept
        assert len(store.events(kept.id)) == 1

    def test_add_many_with_an_existing_id_stores_nothing(self, store: Store) -> None:
        kept, event = make_entry(index=0)
        store.add(kept, event)
        batch = [make_entry(index=i) for i in range(1, 5)]
        batch.append(make_entry(S.DRAFT, year=2024, id=kept.id))
        with pytest.raises(ConflictError):
            store.add_many(batch)
        self._assert_batch_left_nothing(store, batch, kept)

    def test_add_many_with_a_repeated_id_stores_nothing(self, store: Store) -> None:
        kept, event = make_entry(index=0)
        store.add(kept, event)
        batch = [make_entry(index=i) for i in range(1, 5)]
        batch.append(make_entry(S.DRAFT, year=2024, id=batch[1][0].id))
        with pytest.raises(ConflictError):
            store.add_many(batch)
        self._assert_batch_left_nothing(store, batch, kept)

    def test_add_many_with_a_bad_event_stores_nothing(self, store: Store) -> None:
        kept, event = make_entry(index=0)
        store.add(kept, event)
        batch = [make_entry(index=i) for i in range(1, 5)]
        batch.append((make_handbook(index=7), batch[0][1]))
        with pytest.raises(ValidationFailed):
            store.add_many(batch)
        self._assert_batch_left_nothing(store, batch, kept)

    def test_add_many_that_fails_midway_stores_nothing(self, store: Store) -> None:
        kept, event = make_entry(index=0)
        store.add(kept, event)
        batch = [make_entry(index=i) for i in range(1, 5)]

        def broken() -> Iterator[tuple[Handbook, Event]]:
            yield from batch
            raise RuntimeError("nguồn dữ liệu hỏng giữa chừng")

        with pytest.raises(RuntimeError):
            store.add_many(broken())
        self._assert_batch_left_nothing(store, batch, kept)

    # --- transaction() ---------------------------------------------------------------------

    def _seeded(self, store: Store) -> tuple[Handbook, Exemplar]:
        """A roster, one handbook and one exemplar, stored before a transaction."""
        roster = make_roster(cells=1, members_per_cell=2, grassroots=1)
        store.save_roster(roster.units, roster.members)
        handbook, event = make_entry(S.REGISTERED, index=0)
        store.add(handbook, event)
        exemplar = make_exemplar()
        store.add_exemplar(exemplar)
        store.append_record_event(_record_event(exemplar, RecordAction.NOMINATED))
        return handbook, exemplar

    def _writes(self, store: Store, handbook: Handbook, exemplar: Exemplar) -> Handbook:
        """One write of every kind; returns the handbook added."""
        unit = make_unit("chibo-trong-giao-dich")
        store.save_roster([unit], [make_member(7, cell=unit.id, id="dv-trong-giao-dich")])
        added, event = make_entry(S.DRAFT, index=9)
        store.add(added, event)
        store.add_many([make_entry(S.DRAFT, index=10), make_entry(S.DRAFT, index=11)])
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        store.add_exemplar(make_exemplar(index=5))
        commended = _commended(exemplar)
        store.update_exemplar(commended, expected_version=exemplar.version)
        store.append_record_event(_record_event(commended, RecordAction.COMMENDED))
        inspection = make_inspection(id="kt-trong-giao-dich")
        store.add_inspection(inspection)
        store.append_record_event(_record_event(inspection, RecordAction.INSPECTED))
        return added

    def test_transaction_commits_its_writes_together(self, store: Store) -> None:
        handbook, exemplar = self._seeded(store)
        before = _contents(store)
        with store.transaction():
            added = self._writes(store, handbook, exemplar)
        after = _contents(store)
        assert after != before
        assert store.get(added.id) == added
        assert store.get(handbook.id).version == handbook.version + 1
        assert len(store.events(handbook.id)) == 2
        assert len(after[0]) == 4
        assert store.member("dv-trong-giao-dich").cell_id == "chibo-trong-giao-dich"
        assert store.get_exemplar(exemplar.id).commendation is not None
        assert len(store.exemplars()) == 2
        assert len(store.record_events(RecordType.EXEMPLAR, exemplar.id)) == 2
        assert store.get_inspection("kt-trong-giao-dich").id == "kt-trong-giao-dich"

    def test_an_exception_inside_a_transaction_leaves_nothing(self, store: Store) -> None:
        handbook, exemplar = self._seeded(store)
        before = _contents(store)
        added: list[Handbook] = []

        def fail_midway() -> None:
            with store.transaction():
                added.append(self._writes(store, handbook, exemplar))
                raise RuntimeError("hỏng giữa chừng")

        with pytest.raises(RuntimeError, match="giữa chừng"):
            fail_midway()
        assert _contents(store) == before
        with pytest.raises(NotFound):
            store.get(added[0].id)
        with pytest.raises(NotFound):
            store.member("dv-trong-giao-dich")
        with pytest.raises(NotFound):
            store.get_inspection("kt-trong-giao-dich")
        assert len(store.record_events(RecordType.EXEMPLAR, exemplar.id)) == 1
        # The store is usable afterwards, and the same writes can be made again.
        with store.transaction():
            self._writes(store, handbook, exemplar)
        assert len(_contents(store)[0]) == 4

    def test_reads_inside_a_transaction_see_its_writes(self, store: Store) -> None:
        handbook, exemplar = self._seeded(store)
        with store.transaction():
            added = self._writes(store, handbook, exemplar)
            assert store.get(added.id) == added
            assert store.events(added.id) == [creation_event(added)]
            assert len(store.events(handbook.id)) == 2
            assert store.get(handbook.id).version == handbook.version + 1
            found = store.query(HandbookQuery())
            assert len(found) == 4
            assert list(store.iter_query(HandbookQuery())) == found
            assert sum(store.count_by_status(HandbookQuery()).values()) == 4
            assert store.member("dv-trong-giao-dich").cell_id == "chibo-trong-giao-dich"
            assert "chibo-trong-giao-dich" in {u.id for u in store.units()}
            assert len(store.members("chibo-trong-giao-dich")) == 1
            assert store.get_exemplar(exemplar.id).commendation is not None
            assert len(store.exemplars()) == 2
            assert [i.id for i in store.inspections()] == ["kt-trong-giao-dich"]
            assert len(store.record_events(RecordType.EXEMPLAR, exemplar.id)) == 2
            inside = _contents(store)
        assert _contents(store) == inside

    def test_nested_transactions_join_the_outer_one(self, store: Store) -> None:
        first, second, third = (make_entry(index=i) for i in (1, 2, 3))

        def outer_fails() -> None:
            with store.transaction():
                store.add(*first)
                with store.transaction():
                    store.add(*second)
                assert store.get(second[0].id) == second[0]
                raise RuntimeError("the outer block fails after the inner one ended")

        def inner_fails() -> None:
            with store.transaction():
                store.add(*second)
                raise RuntimeError("only the inner block fails")

        with pytest.raises(RuntimeError):
            outer_fails()
        for handbook, _ in (first, second):
            with pytest.raises(NotFound):
                store.get(handbook.id)
        with store.transaction():
            store.add(*first)
            with pytest.raises(RuntimeError):
                inner_fails()
            with pytest.raises(NotFound):
                store.get(second[0].id)
            with store.transaction():
                store.add(*third)
        assert [h.id for h in store.query(HandbookQuery())] == sorted(
            [first[0].id, third[0].id], key=lambda i: contract_order(store.get(i))
        )
        with pytest.raises(NotFound):
            store.get(second[0].id)

    def test_a_conflict_inside_a_transaction_rolls_everything_back(self, store: Store) -> None:
        handbook, _ = self._seeded(store)
        winner = advance(handbook, rating=RatingLevel.EXCELLENT)
        loser = advance(handbook, rating=RatingLevel.GOOD)
        store.update(winner.handbook, winner.event, expected_version=handbook.version)
        before = _contents(store)
        added, event = make_entry(S.DRAFT, index=9)

        def conflict_last() -> None:
            with store.transaction():
                store.add(added, event)
                store.add_exemplar(make_exemplar(index=5))
                store.save_roster([make_unit("chibo-moi")], [])
                store.update(loser.handbook, loser.event, expected_version=handbook.version)

        with pytest.raises(ConflictError):
            conflict_last()
        assert _contents(store) == before
        with pytest.raises(NotFound):
            store.get(added.id)

    def test_a_failed_write_caught_inside_a_transaction_changes_nothing(self, store: Store) -> None:
        handbook, exemplar = self._seeded(store)
        added, event = make_entry(S.DRAFT, index=9)
        batch = [make_entry(S.DRAFT, index=i) for i in (10, 11)]
        with store.transaction():
            store.add(added, event)
            with pytest.raises(ConflictError):
                store.add_many([*batch, (handbook, creation_event(handbook))])
            with pytest.raises(ConflictError):
                store.add_exemplar(exemplar)
        assert store.get(added.id) == added
        for h, _ in batch:
            with pytest.raises(NotFound):
                store.get(h.id)
        assert store.get(handbook.id) == handbook
        assert store.exemplars() == [exemplar]

    # --- exemplars -------------------------------------------------------------------------

    @pytest.mark.parametrize("kind", list(ExemplarKind))
    @pytest.mark.parametrize("commended", [False, True], ids=["nominated", "commended"])
    def test_exemplar_add_then_get_returns_an_equal_exemplar(
        self, store: Store, kind: ExemplarKind, commended: bool
    ) -> None:
        exemplar = make_exemplar(kind, commended=commended)
        store.add_exemplar(exemplar)
        assert store.get_exemplar(exemplar.id) == exemplar
        assert store.exemplars() == [exemplar]

    def test_get_unknown_exemplar_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.get_exemplar("không-có-gương-này")

    def test_adding_an_existing_exemplar_id_raises_conflict_and_keeps_the_first(
        self, store: Store
    ) -> None:
        first = make_exemplar()
        store.add_exemplar(first)
        second = make_exemplar(ExemplarKind.COLLECTIVE, year=2024, id=first.id, cell="chibo-02")
        with pytest.raises(ConflictError):
            store.add_exemplar(second)
        assert store.get_exemplar(first.id) == first
        assert store.exemplars() == [first]
        assert store.exemplars(organisation_id="chibo-02") == []

    def test_exemplars_and_handbooks_do_not_share_ids(self, store: Store) -> None:
        handbook, event = make_entry()
        exemplar = make_exemplar(id=handbook.id)
        store.add(handbook, event)
        store.add_exemplar(exemplar)
        assert store.get(handbook.id) == handbook
        assert store.get_exemplar(handbook.id) == exemplar

    def test_update_exemplar_replaces_it(self, store: Store) -> None:
        exemplar = make_exemplar()
        store.add_exemplar(exemplar)
        commended = _commended(exemplar)
        store.update_exemplar(commended, expected_version=exemplar.version)
        assert store.get_exemplar(exemplar.id) == commended
        assert store.exemplars(year=exemplar.year) == [commended]

    def test_stale_exemplar_update_raises_conflict_and_changes_nothing(self, store: Store) -> None:
        exemplar = make_exemplar()
        store.add_exemplar(exemplar)
        winner, loser = _commended(exemplar, "125-QĐ/ĐU"), _commended(exemplar, "126-QĐ/ĐU")
        store.update_exemplar(winner, expected_version=exemplar.version)
        with pytest.raises(ConflictError):
            store.update_exemplar(loser, expected_version=exemplar.version)
        assert store.get_exemplar(exemplar.id) == winner

    def test_update_of_an_unknown_exemplar_raises_not_found(self, store: Store) -> None:
        exemplar = make_exemplar()
        with pytest.raises(NotFound):
            store.update_exemplar(_commended(exemplar), expected_version=exemplar.version)

    @pytest.mark.parametrize("step", [0, 2], ids=["same-version", "skips-a-version"])
    def test_exemplar_update_must_move_the_version_on_by_one(self, store: Store, step: int) -> None:
        exemplar = make_exemplar()
        store.add_exemplar(exemplar)
        changed = attrs.evolve(_commended(exemplar), version=exemplar.version + step)
        with pytest.raises(ValidationFailed):
            store.update_exemplar(changed, expected_version=exemplar.version)
        assert store.get_exemplar(exemplar.id) == exemplar

    def test_exemplar_update_can_move_it_to_another_organisation(self, store: Store) -> None:
        exemplar = make_exemplar(grassroots="đảng-bộ-cũ")
        store.add_exemplar(exemplar)
        moved = attrs.evolve(
            _commended(exemplar),
            organisation=make_organisation(exemplar.cell.id, grassroots="đảng-bộ-mới"),
        )
        store.update_exemplar(moved, expected_version=exemplar.version)
        assert store.exemplars(organisation_id="đảng-bộ-cũ") == []
        assert store.exemplars(organisation_id="đảng-bộ-mới") == [moved]

    @pytest.mark.parametrize(
        ("year", "organisation_id"),
        [
            (None, None),
            (2025, None),
            (None, "dangbo-tinh-ag"),
            (2024, "db-01"),
            (None, "cb-00-0001"),
            (2025, "cb-01-0000"),
            (2025, "không-có-đơn-vị"),
        ],
    )
    def test_exemplar_listings_select_by_year_and_subtree_in_order(
        self, store: Store, year: int | None, organisation_id: str | None
    ) -> None:
        exemplars = list(_exemplar_population())
        for exemplar in reversed(exemplars):
            store.add_exemplar(exemplar)
        expected = _expected_exemplars(exemplars, year, organisation_id)
        assert store.exemplars(year=year, organisation_id=organisation_id) == expected

    def test_exemplars_are_listed_collectives_first_then_in_vietnamese_order(
        self, store: Store
    ) -> None:
        made = [
            make_exemplar(kind, name=name, index=i, cell=f"chibo-{i:02d}")
            for i, (kind, name) in enumerate(_ORDERED_EXEMPLARS)
        ]
        for i in (4, 2, 6, 0, 5, 3, 1):
            store.add_exemplar(made[i])
        earlier = make_exemplar(year=2024, name="Đoàn Văn Ý")  # an earlier year comes first
        store.add_exemplar(earlier)
        assert store.exemplars() == [earlier, *made]

    def test_exemplar_text_round_trips_in_nfc_and_nfd_lookups_find_it(self, store: Store) -> None:
        grassroots = _nfd("đảng-bộ-xã-Tịnh-Biên")
        organisation = (
            OrgUnit(id=grassroots, name=_nfd("Đảng bộ xã Tịnh Biên"), level="Đảng bộ cơ sở"),
            OrgUnit(
                id=_nfd("chi-bộ-ấp-Đông-Hòa"),
                name=_nfd("Chi bộ ấp Đông Hòa"),
                level="Chi bộ",
                parent_id=grassroots,
            ),
        )
        exemplar = make_exemplar(
            ExemplarKind.COLLECTIVE,
            organisation=organisation,
            id=_nfd("gương-tập-thể-Đông-Hòa"),
            commended=True,
        )
        store.add_exemplar(exemplar)
        stored = store.get_exemplar(_nfd("gương-tập-thể-Đông-Hòa"))
        assert stored == exemplar
        assert stored.name == "Chi bộ ấp Đông Hòa"
        assert unicodedata.is_normalized("NFC", stored.id)
        assert store.exemplars(organisation_id=grassroots) == [exemplar]

    # --- inspections (kiểm tra, giám sát) ---------------------------------------------------

    @pytest.mark.parametrize("followed_up", [False, True], ids=["recorded", "followed-up"])
    def test_inspection_add_then_get_returns_an_equal_inspection(
        self, store: Store, followed_up: bool
    ) -> None:
        roster = make_roster(cells=2, members_per_cell=1, grassroots=1)
        inspection = make_inspection(
            cells=[roster.organisation(c) for c in roster.cell_ids], followed_up=followed_up
        )
        store.add_inspection(inspection)
        assert store.get_inspection(inspection.id) == inspection
        assert store.inspections() == [inspection]

    def test_get_unknown_inspection_raises_not_found(self, store: Store) -> None:
        with pytest.raises(NotFound):
            store.get_inspection("không-có-cuộc-kiểm-tra-này")

    def test_adding_an_existing_inspection_id_raises_conflict_and_keeps_the_first(
        self, store: Store
    ) -> None:
        first = make_inspection()
        store.add_inspection(first)
        with pytest.raises(ConflictError):
            store.add_inspection(make_inspection(id=first.id, year=2024))
        assert store.inspections() == [first]

    def test_update_inspection_is_optimistic(self, store: Store) -> None:
        inspection = make_inspection()
        store.add_inspection(inspection)
        done = _followed_up(inspection)
        store.update_inspection(done, expected_version=inspection.version)
        assert store.get_inspection(inspection.id) == done
        assert store.get_inspection(inspection.id).findings[0].requests[0].done
        with pytest.raises(ConflictError):
            store.update_inspection(
                attrs.evolve(done, conclusion="khác"), expected_version=inspection.version
            )
        assert store.get_inspection(inspection.id) == done
        with pytest.raises(NotFound):
            store.update_inspection(
                attrs.evolve(done, id="không-có"), expected_version=inspection.version
            )

    @pytest.mark.parametrize("step", [0, 2], ids=["same-version", "skips-a-version"])
    def test_inspection_update_must_move_the_version_on_by_one(
        self, store: Store, step: int
    ) -> None:
        inspection = make_inspection()
        store.add_inspection(inspection)
        changed = attrs.evolve(_followed_up(inspection), version=inspection.version + step)
        with pytest.raises(ValidationFailed):
            store.update_inspection(changed, expected_version=inspection.version)
        assert store.get_inspection(inspection.id) == inspection

    @pytest.mark.parametrize(
        ("year", "organisation_id", "expected"),
        [
            (None, None, [0, 1, 2]),
            (2025, None, [1, 2]),
            (None, "db-01", [0, 2]),
            (2025, "cb-00-0000", [1]),
            (None, "dangbo-tinh-ag", [0, 1, 2]),
            (2025, "không-có-đơn-vị", []),
        ],
    )
    def test_inspection_listings_select_by_year_and_subtree_in_order(
        self,
        store: Store,
        year: int | None,
        organisation_id: str | None,
        expected: list[int],
    ) -> None:
        roster = make_roster(cells=4, members_per_cell=1, grassroots=2)
        by_grassroots = {
            g: [roster.organisation(c) for c in roster.cell_ids if c.startswith(f"cb-{g}")]
            for g in ("00", "01")
        }
        made = [
            make_inspection(year=2024, cells=by_grassroots["01"]),
            make_inspection(year=2025, cells=by_grassroots["00"], on=dt.date(2025, 5, 2)),
            make_inspection(year=2025, cells=by_grassroots["01"], on=dt.date(2025, 9, 1)),
        ]
        for inspection in reversed(made):
            store.add_inspection(inspection)
        found = store.inspections(year=year, organisation_id=organisation_id)
        assert found == [made[i] for i in expected]
        assert found == sorted(found, key=inspection_order)

    def test_inspection_text_round_trips_in_nfc_and_nfd_lookups_find_it(self, store: Store) -> None:
        grassroots = _nfd("đảng-bộ-xã-Tịnh-Biên")
        chain = (
            OrgUnit(id=grassroots, name=_nfd("Đảng bộ xã Tịnh Biên"), level="Đảng bộ cơ sở"),
            OrgUnit(
                id=_nfd("chi-bộ-ấp-Đông-Hòa"),
                name=_nfd("Chi bộ ấp Đông Hòa"),
                level="Chi bộ",
                parent_id=grassroots,
            ),
        )
        inspection = make_inspection(cells=[chain], id=_nfd("kt-Đông-Hòa"))
        store.add_inspection(inspection)
        stored = store.get_inspection(_nfd("kt-Đông-Hòa"))
        assert stored == inspection
        assert unicodedata.is_normalized("NFC", stored.cells[0].cell.name)
        assert store.inspections(organisation_id=grassroots) == [inspection]

    # --- the audit trail of exemplars and inspections --------------------------------------

    def test_record_events_are_kept_per_record_oldest_first(self, store: Store) -> None:
        exemplar = make_exemplar()
        inspection = make_inspection(id=exemplar.id)  # the same id, another kind of record
        nominated = _record_event(exemplar, RecordAction.NOMINATED)
        commended = _record_event(_commended(exemplar), RecordAction.COMMENDED, note="125-QĐ/ĐU")
        inspected = _record_event(inspection, RecordAction.INSPECTED)
        for event in (nominated, inspected, commended):
            store.append_record_event(event)
        assert store.record_events(RecordType.EXEMPLAR, exemplar.id) == [nominated, commended]
        assert store.record_events(RecordType.INSPECTION, exemplar.id) == [inspected]
        assert store.record_events(RecordType.EXEMPLAR, "không-có") == []

    # --- roster ----------------------------------------------------------------------------

    def test_roster_round_trip_and_order(self, store: Store) -> None:
        roster = make_roster(cells=2, members_per_cell=5, grassroots=1)
        store.save_roster(list(reversed(roster.units)), list(reversed(roster.members)))
        assert store.units() == sorted(roster.units, key=lambda u: u.id)
        cell = roster.cell_ids[1]
        in_cell = [m for m in roster.members if m.cell_id == cell]
        assert store.members(cell) == sorted(
            in_cell, key=lambda m: (name_sort_key(m.full_name, m.sort_key), m.id)
        )
        assert store.members() == sorted(
            roster.members, key=lambda m: (m.cell_id, name_sort_key(m.full_name, m.sort_key), m.id)
        )
        assert store.member(in_cell[2].id) == in_cell[2]
        with pytest.raises(NotFound):
            store.member("không-có-đảng-viên")

    def test_save_roster_replaces_by_id(self, store: Store) -> None:
        unit = make_unit("chibo-01")
        member = make_member(1, cell=unit.id)
        store.save_roster([unit], [member])
        renamed_unit = attrs.evolve(unit, name="Chi bộ ấp Đông (sáp nhập)")
        renamed = attrs.evolve(member, full_name="Nguyễn Thị Hoà")
        store.save_roster([renamed_unit], [renamed])
        assert store.units() == [renamed_unit]
        assert store.members(unit.id) == [renamed]
        assert store.member(member.id) == renamed

    # --- Vietnamese text -------------------------------------------------------------------

    def test_text_round_trips_in_nfc_and_nfd_lookups_find_it(self, store: Store) -> None:
        cell = _nfd("chi-bộ-ấp-Đông-Hòa")
        organisation = (
            OrgUnit(
                id=_nfd("đảng-bộ-xã-Tịnh-Biên"),
                name=_nfd("Đảng bộ xã Tịnh Biên"),
                level=_nfd("Đảng bộ cơ sở"),
                grassroots=True,
            ),
            OrgUnit(
                id=cell,
                name=_nfd("Chi bộ ấp Đông Hòa"),
                level="Chi bộ",
                parent_id=_nfd("đảng-bộ-xã-Tịnh-Biên"),
            ),
        )
        member = make_member(
            3, cell=cell, id=_nfd("đv-Nguyễn-Thị-Ước"), full_name=_nfd("Nguyễn Thị Ước")
        )
        handbook = make_handbook(
            S.ASSESSED, member=member, organisation=organisation, id=_nfd("sổ-tay-2025-Ước")
        )
        store.add(handbook, creation_event(handbook))
        stored = store.get(handbook.id)
        assert stored == handbook
        assert stored.member.full_name == "Nguyễn Thị Ước"
        assert unicodedata.is_normalized("NFC", stored.id)
        assert store.get(_nfd("sổ-tay-2025-Ước")) == handbook
        assert store.query(HandbookQuery(cell_id=_nfd("chi-bộ-ấp-Đông-Hòa"))) == [handbook]
        assert store.query(
            HandbookQuery(
                organisation_id=_nfd("đảng-bộ-xã-Tịnh-Biên"), member_id=_nfd("đv-Nguyễn-Thị-Ước")
            )
        ) == [handbook]
        assert store.events(_nfd("sổ-tay-2025-Ước")) == [creation_event(handbook)]
        store.save_roster(list(organisation), [member])
        assert store.members(_nfd("chi-bộ-ấp-Đông-Hòa")) == [member]
        assert store.member(_nfd("đv-Nguyễn-Thị-Ước")) == member

    # --- close -----------------------------------------------------------------------------

    @pytest.mark.parametrize(
        "use",
        [
            pytest.param(lambda s, h, e: s.get(h.id), id="get"),
            pytest.param(lambda s, h, e: s.add(*make_entry(index=5)), id="add"),
            pytest.param(lambda s, h, e: s.add_many([make_entry(index=5)]), id="add_many"),
            pytest.param(
                lambda s, h, e: s.update(*_next(h), expected_version=h.version), id="update"
            ),
            pytest.param(lambda s, h, e: s.query(HandbookQuery()), id="query"),
            pytest.param(lambda s, h, e: s.iter_query(HandbookQuery()), id="iter_query"),
            pytest.param(lambda s, h, e: s.count_by_status(HandbookQuery()), id="count_by_status"),
            pytest.param(lambda s, h, e: s.events(h.id), id="events"),
            pytest.param(lambda s, h, e: s.save_roster([], []), id="save_roster"),
            pytest.param(lambda s, h, e: s.units(), id="units"),
            pytest.param(lambda s, h, e: s.members(), id="members"),
            pytest.param(lambda s, h, e: s.member(h.member.id), id="member"),
            pytest.param(lambda s, h, e: s.add_exemplar(make_exemplar()), id="add_exemplar"),
            pytest.param(
                lambda s, h, e: s.update_exemplar(_commended(make_exemplar()), expected_version=1),
                id="update_exemplar",
            ),
            pytest.param(lambda s, h, e: s.get_exemplar("gương"), id="get_exemplar"),
            pytest.param(lambda s, h, e: s.exemplars(), id="exemplars"),
            pytest.param(lambda s, h, e: s.transaction().__enter__(), id="transaction"),
        ],
    )
    def test_any_use_after_close_raises_store_error(
        self, store: Store, use: Callable[[Store, Handbook, Event], Any]
    ) -> None:
        handbook, event = make_entry()
        store.add(handbook, event)
        store.close()
        with pytest.raises(StoreError):
            use(store, handbook, event)
        store.close()  # closing again is harmless

    # --- the state machine -----------------------------------------------------------------

    def test_state_machine(self, store: Store) -> None:
        """Random adds, fresh and stale updates, gets and queries agree with a model."""
        config = self.state_machine_settings or settings(
            stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
        )

        class Machine(_StoreMachine):
            store_under_test = store

        run_state_machine_as_test(Machine, settings=config)


def _update_many_of(store: Store) -> Callable[[Iterable[tuple[Handbook, Event, int]]], int]:
    """The store's optional ``update_many``; the test is skipped for a store without it."""
    many = getattr(store, "update_many", None)
    if many is None:
        pytest.skip("the store has no update_many (optional)")
    return many  # type: ignore[no-any-return]


def _stored_with_steps(
    store: Store, count: int
) -> tuple[list[tuple[Handbook, Event]], list[tuple[Handbook, Event, int]]]:
    """``count`` registered handbooks stored, and the next step of each as an update."""
    entries = [make_entry(S.REGISTERED, index=i) for i in range(1, count + 1)]
    store.add_many(entries)
    updates = []
    for handbook, _ in entries:
        step = advance(handbook)
        updates.append((step.handbook, step.event, handbook.version))
    return entries, updates


def _unknown_update() -> tuple[Handbook, Event, int]:
    handbook = make_handbook(S.REGISTERED, index=99)
    step = advance(handbook)
    return step.handbook, step.event, handbook.version


def _next(handbook: Handbook) -> tuple[Handbook, Event]:
    step = advance(handbook)
    return step.handbook, step.event


_YEARS = (2024, 2025)


class _StoreMachine(RuleBasedStateMachine):
    """Compares a store with a dict under random operations.

    Every run works under its own organisation root (a fresh prefix), so runs can share one
    store; queries are always scoped to a unit of the run.
    """

    store_under_test: ClassVar[Store]

    def __init__(self) -> None:
        super().__init__()
        self.store = self.store_under_test
        self.prefix = f"sm-{uuid.uuid4().hex[:8]}"
        self.root = OrgUnit(id=f"{self.prefix}-gốc", name="Đảng bộ tỉnh", level="Đảng bộ tỉnh")
        self.grassroots = [
            OrgUnit(
                id=f"{self.prefix}-đảng-bộ-{g}",
                name=f"Đảng bộ xã {g}",
                level="Đảng bộ cơ sở",
                parent_id=self.root.id,
                grassroots=True,
            )
            for g in range(2)
        ]
        self.cells = [
            make_unit(f"{self.prefix}-chi-bộ-{c}", parent_id=self.grassroots[c % 2].id)
            for c in range(3)
        ]
        self.current: dict[str, Handbook] = {}
        self.versions: dict[str, list[Handbook]] = {}
        self.log: dict[str, list[Event]] = {}
        self.counter = itertools.count()

    def _chain(self, cell: int) -> tuple[OrgUnit, ...]:
        return (self.root, self.grassroots[cell % 2], self.cells[cell])

    def _member(self, cell: int, index: int) -> Member:
        override = "Ánh" if index == 5 else None
        return make_member(
            index, cell=self.cells[cell].id, full_name=member_name(index * 3), sort_key=override
        )

    def _build(
        self,
        cell: int,
        index: int,
        year: int,
        status: HandbookStatus,
        handbook_id: str | None = None,
    ) -> Handbook:
        return make_handbook(
            status,
            year=year,
            member=self._member(cell, index),
            organisation=self._chain(cell),
            id=handbook_id or f"{self.prefix}-sổ-{next(self.counter)}",
        )

    def _remember(self, handbook: Handbook, event: Event) -> None:
        self.current[handbook.id] = handbook
        self.versions.setdefault(handbook.id, []).append(handbook)
        self.log.setdefault(handbook.id, []).append(event)

    @initialize()
    def start(self) -> None:
        handbook = self._build(0, 0, 2025, S.DRAFT)
        self.store.add(handbook, creation_event(handbook))
        self._remember(handbook, creation_event(handbook))

    @rule(
        cell=st.integers(0, 2),
        index=st.integers(0, 5),
        year=st.sampled_from(_YEARS),
        status=st.sampled_from(HandbookStatus),
    )
    def add(self, cell: int, index: int, year: int, status: HandbookStatus) -> None:
        handbook = self._build(cell, index, year, status)
        event = creation_event(handbook)
        self.store.add(handbook, event)
        self._remember(handbook, event)

    @rule(data=st.data(), year=st.sampled_from(_YEARS))
    def add_existing_id(self, data: st.DataObject, year: int) -> None:
        taken = data.draw(st.sampled_from(sorted(self.current)))
        handbook = self._build(1, 1, year, S.DRAFT, handbook_id=taken)
        with pytest.raises(ConflictError):
            self.store.add(handbook, creation_event(handbook))

    @rule(data=st.data(), size=st.integers(0, 4), clash=st.booleans())
    def add_many(self, data: st.DataObject, size: int, clash: bool) -> None:
        batch = [
            self._build(
                data.draw(st.integers(0, 2)),
                data.draw(st.integers(0, 5)),
                data.draw(st.sampled_from(_YEARS)),
                data.draw(st.sampled_from(S)),
            )
            for _ in range(size)
        ]
        if clash:
            batch.insert(
                data.draw(st.integers(0, size)),
                self._build(
                    2,
                    2,
                    2024,
                    S.DRAFT,
                    handbook_id=data.draw(st.sampled_from(sorted(self.current))),
                ),
            )
            with pytest.raises(ConflictError):
                self.store.add_many((h, creation_event(h)) for h in batch)
            return
        assert self.store.add_many((h, creation_event(h)) for h in batch) == size
        for handbook in batch:
            self._remember(handbook, creation_event(handbook))

    @rule(data=st.data(), stale=st.booleans())
    def update(self, data: st.DataObject, stale: bool) -> None:
        handbook_id = data.draw(st.sampled_from(sorted(self.current)))
        older = self.versions[handbook_id][:-1]
        if stale and older:
            base = older[data.draw(st.integers(0, len(older) - 1), label="older version")]
            step = advance(base)
            with pytest.raises(ConflictError):
                self.store.update(step.handbook, step.event, expected_version=base.version)
            return
        base = self.current[handbook_id]
        step = advance(base)
        self.store.update(step.handbook, step.event, expected_version=base.version)
        self._remember(step.handbook, step.event)

    @rule(data=st.data())
    def get(self, data: st.DataObject) -> None:
        handbook_id = data.draw(st.sampled_from(sorted(self.current)))
        looked_up = _nfd(handbook_id) if data.draw(st.booleans()) else handbook_id
        assert self.store.get(looked_up) == self.current[handbook_id]
        assert self.store.events(handbook_id) == self.log[handbook_id]

    @rule(
        unit=st.integers(0, 5),
        cell=st.none() | st.integers(0, 2),
        year=st.none() | st.sampled_from(_YEARS),
        status=st.none() | st.sampled_from(S),
        member=st.none() | st.tuples(st.integers(0, 2), st.integers(0, 5)),
        nfd=st.booleans(),
    )
    def query(
        self,
        unit: int,
        cell: int | None,
        year: int | None,
        status: HandbookStatus | None,
        member: tuple[int, int] | None,
        nfd: bool,
    ) -> None:
        units = [self.root, *self.grassroots, *self.cells]
        query = HandbookQuery(
            organisation_id=units[unit].id,
            cell_id=None if cell is None else self.cells[cell].id,
            year=year,
            status=status,
            member_id=None if member is None else self._member(*member).id,
        )
        expected = _expected(list(self.current.values()), query)
        if nfd:
            query = attrs.evolve(query, organisation_id=_nfd(units[unit].id))
        assert self.store.query(query) == expected
        assert self.store.count_by_status(query) == _counts(expected)

    @invariant()
    def everything_under_the_root(self) -> None:
        total = sum(
            self.store.count_by_status(HandbookQuery(organisation_id=self.root.id)).values()
        )
        assert total == len(self.current)
