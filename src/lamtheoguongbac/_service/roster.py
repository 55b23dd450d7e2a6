"""The roster facet of the service (danh sách tổ chức và đảng viên): ``handbooks.roster``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._model import Actor, Member, OrgUnit
from lamtheoguongbac._orgtree import OrgTree
from lamtheoguongbac._roster import Roster, read_roster

if TYPE_CHECKING:
    from lamtheoguongbac._storage.base import Store

__all__ = ["RosterFacet"]


class RosterFacet:
    """Organisation units and members of the store: import, save and read them.

    Reached as ``handbooks.roster``; it shares the service's store.
    """

    def __init__(self, store: Store) -> None:
        self._store = store

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
        self.save(roster.units, roster.members)
        return roster

    def save(self, units: Sequence[OrgUnit], members: Sequence[Member]) -> None:
        """Insert or replace units and members after checking the tree and the cells."""
        merged = {u.id: u for u in self._store.units()}
        merged.update((u.id, u) for u in units)
        tree = OrgTree(merged.values())
        for i, m in enumerate(members):
            if m.cell_id not in tree:
                raise ValidationFailed(
                    f"đảng viên {m.full_name} thuộc chi bộ '{m.cell_id}' không có trong danh "
                    "sách tổ chức",
                    f"member {m.id} belongs to an unknown cell '{m.cell_id}'",
                    field=f"members[{i}].cell_id",
                )
        self._store.save_roster(units, members)

    def tree(self) -> OrgTree:
        """The stored organisation tree."""
        return OrgTree(self._store.units())

    def members(self, cell_id: str | None = None) -> list[Member]:
        """Members (of one cell), in roster order."""
        return self._store.members(cell_id)

    def member(self, member_id: str) -> Member:
        """One member; ``NotFound`` if none."""
        return self._store.member(member_id)

    def actor(self, member_id: str) -> Actor:
        """The stored member ``member_id`` as the actor of a step."""
        return self._store.member(member_id).as_actor()
