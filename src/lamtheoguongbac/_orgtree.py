"""The organisation tree (cây tổ chức đảng) built from flat units, checked once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from lamtheoguongbac._errors import NotFound, ValidationFailed
from lamtheoguongbac._model import OrgUnit
from lamtheoguongbac._public import publish
from lamtheoguongbac.text import nfc

__all__ = ["OrgTree"]


class OrgTree:
    """Units indexed by id and parent; refuses duplicate ids, unknown parents and cycles.

    Example:
        >>> from lamtheoguongbac.roster import OrgTree
        >>> from lamtheoguongbac.testing import make_organisation, make_unit
        >>> tree = OrgTree([*make_organisation("chibo-01"), make_unit("chibo-02")])
        >>> [unit.id for unit in tree.chain("chibo-02")]
        ['dangbo-tinh-ag', 'dangbo-xa-tb', 'chibo-02']
        >>> [unit.id for unit in tree.subtree("dangbo-xa-tb")]
        ['dangbo-xa-tb', 'chibo-01', 'chibo-02']
    """

    def __init__(self, units: Iterable[OrgUnit]) -> None:
        self._units: dict[str, OrgUnit] = {}
        for unit in units:
            if unit.id in self._units and self._units[unit.id] != unit:
                raise ValidationFailed(
                    f"mã tổ chức '{unit.id}' bị trùng",
                    f"duplicate unit id '{unit.id}'",
                    field="OrgUnit.id",
                )
            self._units[unit.id] = unit
        for unit in self._units.values():
            if unit.parent_id is not None and unit.parent_id not in self._units:
                raise ValidationFailed(
                    f"'{unit.name}' có cấp trên '{unit.parent_id}' không tồn tại",
                    f"'{unit.id}' has an unknown parent '{unit.parent_id}'",
                    field="OrgUnit.parent_id",
                )
        # only once every parent is known: a chain walked earlier could meet a missing
        # grandparent and raise NotFound instead of this ValidationFailed
        for unit in self._units.values():
            self._chain_ids(unit.id)  # raises on a cycle
        self._children: dict[str | None, list[str]] | None = None  # built on first subtree()

    @classmethod
    def of_chains(cls, lookup: Callable[[str], OrgUnit], unit_ids: Iterable[str]) -> OrgTree:
        """The tree of just the chains above ``unit_ids``, each unit read with ``lookup``
        (e.g. a store's ``unit``): a step on one cell reads a few units, not all of them.

        Raises:
            NotFound: a unit or one of its superiors is unknown to ``lookup``.
            ValidationFailed: the chain has a cycle.
        """
        units: dict[str, OrgUnit] = {}
        for unit_id in unit_ids:
            current: str | None = nfc(unit_id)
            while current is not None and current not in units:
                unit = lookup(current)
                units[unit.id] = unit
                current = unit.parent_id
        return cls(units.values())

    def with_units(self, units: Iterable[OrgUnit]) -> OrgTree:
        """This tree with ``units`` added or replaced; the tree itself when they are all
        already in it unchanged (the usual case when a roster file repeats known units, so
        re-importing costs nothing per unit already known).

        Raises:
            ValidationFailed: the result is not a tree (unknown parent, cycle).
        """
        given = list(units)
        if all(self._units.get(u.id) == u for u in given):
            return self
        merged = dict(self._units)
        merged.update((u.id, u) for u in given)
        return OrgTree(merged.values())

    def units(self) -> list[OrgUnit]:
        """Every unit, in the order the tree was given them."""
        return list(self._units.values())

    def __contains__(self, unit_id: object) -> bool:
        return isinstance(unit_id, str) and nfc(unit_id) in self._units

    def __len__(self) -> int:
        return len(self._units)

    def unit(self, unit_id: str) -> OrgUnit:
        """The unit with ``unit_id`` (any Unicode form); ``NotFound`` if none."""
        unit_id = nfc(unit_id)
        try:
            return self._units[unit_id]
        except KeyError:
            raise NotFound(f"Không có tổ chức '{unit_id}'", f"no unit '{unit_id}'") from None

    def _chain_ids(self, unit_id: str) -> list[str]:
        ids: list[str] = []
        current: str | None = unit_id
        while current is not None:
            if current in ids:
                raise ValidationFailed(
                    f"cây tổ chức có vòng lặp tại '{current}'",
                    f"the organisation tree has a cycle at '{current}'",
                    field="OrgUnit.parent_id",
                )
            ids.append(current)
            current = self.unit(current).parent_id
        return ids[::-1]

    def chain(self, unit_id: str, on: dt.date | None = None) -> tuple[OrgUnit, ...]:
        """The units from the root down to ``unit_id``.

        Raises:
            ValidationFailed: ``on`` is given and a unit of the chain is not valid that day.
        """
        unit_id = self.unit(unit_id).id
        units = tuple(self.unit(i) for i in self._chain_ids(unit_id))
        if on is not None:
            for u in units:
                if not u.valid_on(on):
                    raise ValidationFailed(
                        f"'{u.name}' không còn hiệu lực vào ngày {on:%d/%m/%Y}",
                        f"'{u.name}' is not valid on {on.isoformat()}",
                        field="OrgUnit",
                    )
        return units

    def subtree(self, unit_id: str) -> list[OrgUnit]:
        """``unit_id`` and every unit below it, in the order the tree was given them."""
        unit_id = self.unit(unit_id).id
        if self._children is None:  # once per tree, so a call costs O(units), not O(units × depth)
            children: dict[str | None, list[str]] = {}
            for u in self._units.values():
                children.setdefault(u.parent_id, []).append(u.id)
            self._children = children
        below: set[str] = set()
        pending = [unit_id]
        while pending:
            current = pending.pop()
            below.add(current)
            pending.extend(self._children.get(current, []))
        return [u for u in self._units.values() if u.id in below]


publish("lamtheoguongbac.roster", OrgTree)
