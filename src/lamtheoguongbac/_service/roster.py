"""The roster facet of the service (danh sách tổ chức và đảng viên): ``handbooks.roster``."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lamtheoguongbac._checks import ID_MAX
from lamtheoguongbac._errors import ImportFailed, NotFound, ValidationFailed
from lamtheoguongbac._model import Actor, Member, OrgUnit
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._roster import Roster, _origin_problem, read_roster

if TYPE_CHECKING:
    from lamtheoguongbac._storage.base import Store

__all__ = ["MEMBER_ID_MAX", "RosterFacet"]

#: The longest member id the roster takes: a handbook's id is the member id and its period
#: (``"-2025"``, ``"-2021-2025"``, at most ``"-20250301-20260228"``: 18 characters) and an
#: exemplar's ``"ca_nhan-2025-"`` and the member id, so both stay within the 200 characters
#: of an identifier (``ID_MAX``).
MEMBER_ID_MAX = ID_MAX - len("-20250301-20260228")


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


class RosterFacet:
    """Organisation units and members of the store: import, save and read them.

    Reached as ``handbooks.roster``; it shares the service's store. Inside
    :meth:`operation` the organisation tree is read once and kept for the block (per
    thread), so a bulk operation never reads every unit again per cell.
    """

    def __init__(self, store: Store) -> None:
        self._store = store
        self._local = threading.local()  # per thread: the tree of the open operation

    def import_files(self, paths: Sequence[Path]) -> Roster:
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
        self.save(roster.units, roster.members)
        return roster

    def save(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace units and members after checking the tree and the cells.

        A new member's id may be at most :data:`MEMBER_ID_MAX` (182) characters, so that
        the ids of their handbooks and nominations fit in 200; a member already stored with
        a longer id keeps it.
        """
        tree = self.tree().with_units(units)
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
        self._store.save_roster(units, members)
        if self._cached() is not None:
            self._local.tree = tree  # the operation goes on with the units just saved

    def _stored(self, member_id: str) -> bool:
        try:
            self._store.member(member_id)
        except NotFound:
            return False
        return True

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
