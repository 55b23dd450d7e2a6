"""The roster facet of the service (danh sách tổ chức và đảng viên): ``handbooks.roster``."""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import attrs

from lamtheoguongbac._audit import RecordAction, RecordEvent, RecordType
from lamtheoguongbac._checks import ID_MAX
from lamtheoguongbac._errors import ImportFailed, NotFound, StoreError, ValidationFailed
from lamtheoguongbac._model import Actor, Member, OrgUnit, RoleAssignment
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._roster import Roster, _origin_problem, read_roster
from lamtheoguongbac.text import nfc

if TYPE_CHECKING:
    import datetime as dt

    from lamtheoguongbac._storage.base import Store

__all__ = ["MEMBER_ID_MAX", "RosterFacet"]

#: The longest member id the roster takes: a handbook's id is the member id and its period
#: (``"-2025"``, ``"-2021-2025"``, at most ``"-20250301-20260228"``: 18 characters) and an
#: exemplar's ``"ca_nhan-2025-"`` and the member id, so both stay within the 200 characters
#: of an identifier (``ID_MAX``).
MEMBER_ID_MAX = ID_MAX - len("-20250301-20260228")
# A save of this many members or more reads the stored roster once to tell new members from
# changed ones, rather than one read a member.
_READ_WHOLE_ROSTER = 1000


def _too_long(member: Member) -> tuple[str, str]:
    """Why ``member``'s id is refused: too long to carry a handbook id (vi, en)."""
    shown = member.id if len(member.id) <= 40 else member.id[:40] + "…"
    return (
        f"mã đảng viên '{shown}' ({member.full_name}) dài {len(member.id)} ký tự; tối đa "
        f"{MEMBER_ID_MAX} ký tự, để mã sổ (mã đảng viên và kỳ của sổ) không quá {ID_MAX} ký tự",
        f"the member id '{shown}' ({member.full_name}) is {len(member.id)} characters long; "
        f"at most {MEMBER_ID_MAX}, so that a handbook id (the member id and the handbook's "
        f"period) fits in {ID_MAX}",
    )


#: Who a roster change is recorded as when the caller names nobody (``actor=None``).
UNKNOWN_ACTOR = Actor(id="khong-ro", name="Không rõ người thực hiện")


class RosterFacet:
    """Organisation units and members of the store: import, save and read them.

    Reached as ``handbooks.roster``; it shares the service's store. Inside
    :meth:`operation` the organisation tree is read once and kept for the block (per
    thread), so a bulk operation never reads every unit again per cell.

    Every member or unit a save adds or changes gets an entry in its audit trail
    (:meth:`history`): who saved it — the ``actor`` the embedding system authenticated —,
    when, and what changed (the roster decides who may sign, so who granted an office is
    kept). A save without ``actor`` is recorded as by "Không rõ người thực hiện"
    (``khong-ro``).
    """

    def __init__(self, store: Store, clock: Callable[[], dt.datetime]) -> None:
        self._store = store
        self._clock = clock
        self._local = threading.local()  # per thread: the tree of the open operation

    def import_files(self, paths: Sequence[Path], *, actor: Actor | Member | None = None) -> Roster:
        """Import units and members from CSV/JSON files, all or nothing.

        The combined roster (what is stored plus the files) must form a valid tree and every
        member's cell must exist; otherwise nothing is written. The columns and the JSON
        layout are in the roster guide (docs/roster.md).

        Raises:
            ImportFailed: every problem at once — bad rows (file, row and column), members
                in unknown cells (file and row), units that do not form a tree.
        """
        roster = read_roster(paths, stored_units=self._store.units())
        too_long = [
            _origin_problem(roster.origins.get(m.id), *_too_long(m))
            for m in roster.members
            if len(m.id) > MEMBER_ID_MAX and not self._stored(m.id)
        ]
        if too_long:  # named by file and row, before save would name the list's index
            raise ImportFailed(", ".join(str(p) for p in paths), too_long)
        self.save(roster.units, roster.members, actor=actor)
        return roster

    def save(
        self,
        units: Sequence[OrgUnit],
        members: Sequence[Member],
        *,
        actor: Actor | Member | None = None,
    ) -> None:
        """Insert or replace units and members after checking the tree and the cells; each
        one added or changed is recorded in its :meth:`history` as saved by ``actor``.

        A new member's id may be at most 182 characters (``MEMBER_ID_MAX``), so that
        the ids of their handbooks and nominations fit in 200; a member already stored with
        a longer id keeps it.
        """
        stored = self.tree()
        tree = stored.with_units(units)
        for i, m in enumerate(members):
            if len(m.id) > MEMBER_ID_MAX and not self._stored(m.id):
                raise ValidationFailed(*_too_long(m), field=f"members[{i}].id")
            if m.cell_id not in tree:
                raise ValidationFailed(
                    f"đảng viên {m.full_name} thuộc chi bộ '{m.cell_id}' không có trong danh "
                    "sách tổ chức",
                    f"member {m.id} belongs to an unknown cell '{m.cell_id}'",
                    field=f"members[{i}].cell_id",
                )
            for j, role in enumerate(m.roles):
                # A current office the save adds or changes: one held before, or ended (in
                # the province a member came from), is not this save's to judge.
                if role.unit_id in tree or role.end is not None:
                    continue
                before = self._stored_member(m.id)  # read only then: a save may hold 60,000
                if before is None or role not in before.roles:
                    raise ValidationFailed(
                        *_unknown_unit(m, role), field=f"members[{i}].roles[{j}]"
                    )
        who = UNKNOWN_ACTOR if actor is None else self._recorded(actor)
        at = self._clock()

        def stored_unit(unit_id: str) -> OrgUnit | None:
            return stored.unit(unit_id) if unit_id in stored else None

        trail = [
            *self._changes(RecordType.UNIT, units, stored_unit, who, at),
            *self._changes(RecordType.MEMBER, members, self._member_finder(members), who, at),
        ]
        # A store may append many events at once (``append_record_events``, optional): the
        # JSON-lines store copies its trail on every single append.
        append_many = getattr(self._store, "append_record_events", None)
        with self._store.transaction():
            self._store.save_roster(units, members)
            if append_many is not None:
                append_many(trail)
            else:
                for event in trail:
                    self._store.append_record_event(event)
        if self._cached() is not None:
            self._local.tree = tree  # the operation goes on with the units just saved

    def _stored(self, member_id: str) -> bool:
        return self._stored_member(member_id) is not None

    def _changes(
        self,
        kind: RecordType,
        records: Sequence[OrgUnit] | Sequence[Member],
        stored: Callable[[str], OrgUnit | None] | Callable[[str], Member | None],
        who: Actor,
        at: dt.datetime,
    ) -> list[RecordEvent]:
        """The audit entries of the records a save adds or changes (none for one saved as
        it is stored); ``stored`` finds a record's stored copy (None for a new one)."""
        events: list[RecordEvent] = []
        # a record given twice is saved as the later copy: the later one is judged against
        # the earlier, as if saved one after the other
        earlier: dict[str, tuple[OrgUnit | Member, int | None]] = {}
        for record in records:
            last: int | None = None
            before: OrgUnit | Member | None
            if record.id in earlier:
                before, last = earlier[record.id]
            else:
                before = stored(record.id)
            if before == record:
                earlier[record.id] = (record, last)
                continue
            action = RecordAction.ADDED if before is None else RecordAction.CHANGED
            if before is None:
                version = 1
            elif last is not None:
                version = last + 1
            else:
                version = len(self.history(record.id, kind=kind)) + 1
            earlier[record.id] = (record, version)
            events.append(
                RecordEvent(
                    record_type=kind,
                    record_id=record.id,
                    action=action,
                    actor_id=who.id,
                    actor_name=who.name,
                    at=at,
                    version=version,
                    note=_what_changed(before, record),
                )
            )
        return events

    def history(self, record_id: str, *, kind: RecordType = RecordType.MEMBER) -> list[RecordEvent]:
        """The audit trail of a member (or, with ``kind=RecordType.UNIT``, a unit) of the
        roster, oldest first: who added or changed it, when, and what changed."""
        return self._store.record_events(kind, nfc(record_id))

    def tree(self) -> OrgTree:
        """The stored organisation tree (cây tổ chức).

        Inside :meth:`operation` it is the tree read once when the operation began (with
        the units saved since), so a bulk step never reads every unit again.
        """
        cached = self._cached()
        return cached if cached is not None else OrgTree(self._store.units())

    def _cached(self) -> OrgTree | None:
        tree: OrgTree | None = getattr(self._local, "tree", None)
        return tree

    @contextlib.contextmanager
    def operation(self) -> Iterator[OrgTree]:
        """Read the organisation tree once for the block: :meth:`tree`, :meth:`tree_for`,
        :meth:`save` and the service's steps inside use (and update) that copy. Blocks nest
        (an inner one joins the outer)."""
        cached = self._cached()
        if cached is not None:
            yield cached
            return
        tree = self._local.tree = OrgTree(self._store.units())
        try:
            yield tree
        finally:
            self._local.tree = None

    def tree_for(self, cell_ids: Iterable[str]) -> OrgTree:
        """A tree holding at least the chains above ``cell_ids``: the operation's tree when
        one is open, else just those chains when the store can read one unit (``unit``, an
        optional store method), so a step on one cell never decodes every unit of a
        province; else the whole stored tree."""
        cached = self._cached()
        if cached is not None:
            return cached
        lookup: Callable[[str], OrgUnit] | None = getattr(self._store, "unit", None)
        if lookup is None:
            return self.tree()
        return OrgTree.of_chains(lookup, cell_ids)

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell), in roster order."""
        return self._store.members(cell_id)

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if none."""
        return self._store.member(member_id)

    def actor(self, member_id: str) -> Actor:
        """The stored member ``member_id`` as the actor of a step."""
        return self._store.member(member_id).as_actor()

    def _member_finder(self, members: Sequence[Member]) -> Callable[[str], Member | None]:
        """How a save finds the stored copy of each member it holds (None for a new one):
        a read a member for a small save; for a large one (a province's yearly roster) the
        stored members read once, instead of 60,000 reads most of which find nothing."""
        if len(members) < _READ_WHOLE_ROSTER:
            return self._stored_member
        try:
            return {m.id: m for m in self._store.members()}.get
        except StoreError:  # a damaged row the save may not touch: read only its members
            return self._stored_member

    def _stored_member(self, member_id: str) -> Member | None:
        try:
            return self._store.member(member_id)
        except NotFound:
            return None

    def _recorded(self, actor: Actor | Member) -> Actor:
        """The actor as the audit trail names them: a member of the stored roster by the
        name stored for them, never the name the caller gave (as the lifecycle steps sign);
        someone outside it as given."""
        try:
            return self._store.member(actor.id).as_actor()
        except NotFound:
            return actor.as_actor() if isinstance(actor, Member) else actor


def _unknown_unit(member: Member, role: RoleAssignment) -> tuple[str, str]:
    """Why a member's office in a unit the organisation tree does not hold is refused (the
    office could never be checked, and a typo would leave a cell without its Bí thư)."""
    return (
        f"đảng viên {member.full_name} giữ chức {role.role.label_vi} tại đơn vị "
        f"'{role.unit_id}' không có trong danh sách tổ chức",
        f"member {member.id} holds the office {role.role.label_en} in an unknown unit "
        f"'{role.unit_id}'",
    )


def _what_changed(before: OrgUnit | Member | None, after: OrgUnit | Member) -> str:
    """The fields a save changed, with their new values: "roles: Bí thư chibo-01 từ 01/07/2020"."""
    shown: list[str] = []
    for field in attrs.fields(type(after)):
        new = getattr(after, field.name)
        if before is not None and getattr(before, field.name) == new:
            continue
        if field.name == "roles":
            value = "; ".join(
                f"{r.role.label_vi} {r.unit_id} từ {r.start:%d/%m/%Y}"
                + (f" đến {r.end:%d/%m/%Y}" if r.end else "")
                for r in new
            )
        elif isinstance(new, enum.Enum):
            value = str(new.value)
        elif isinstance(new, tuple):
            value = "; ".join(str(v) for v in new)
        else:
            value = "" if new is None else str(new)
        shown.append(f"{field.name}: {value or '—'}")
    text = " | ".join(shown)
    return text if len(text) <= 2000 else text[:1999] + "…"
