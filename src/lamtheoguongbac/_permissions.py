"""Who acts is who signs (người thực hiện là người ký): the checks every write path shares.

The lifecycle's own permissions (who may register, report, assess, close, reopen) live in
the lifecycle and the rules (LTGB-T002…T006, LTGB-A001). The checks here
guard the paths where *data* could speak for someone — a workbook, a JSON file, a bulk
import, a low-level :class:`~lamtheoguongbac.plugin.Store` write — so that the person
recorded as acting is always the caller the embedding system authenticated:

=========  ==================================================================================
code       rule
=========  ==================================================================================
LTGB-G001  a recorder named in the data (a workbook's ``ma_nguoi_ghi``, a JSON assessment's
           ``recorded_by``, a commendation's ``recorded_by``/``recorder_name``) must be the
           caller: nobody signs for someone else
LTGB-G002  roles are never taken from a workbook that also records lifecycle steps
LTGB-G003  nobody changes their own roles through a workbook
LTGB-G004  a stored collective assessment's recorder held the cell's Bí thư or Phó Bí thư
           office on the meeting date, per the stored roster (checked by every store)
LTGB-G005  the event that records an assessment is the recorder's own (checked by every store)
LTGB-G006  a stored event records the state the handbook is stored in (checked by every store)
LTGB-G007  a workbook changes the roles of a member already in the roster only when the
           caller holds a role in a unit above the member's cell (the superior committee);
           new members may arrive with their roles (a first roster), the roster import
           itself (``Handbooks.import_roster``) is the administrator's path
LTGB-G008  a workbook adds or changes a unit or a member (a name, a standing, a cell …)
           only when the caller holds a role in a unit above it (for a member: above its
           cell, the old one and the new), or when the store holds no roster yet (a first
           roster); rows that match the stored roster are no change
=========  ==================================================================================

``docs/permissions.md`` is the one-page model for users. The one delegation is the bulk
folder import (``lamtheoguongbac.bulk``): a committee officer enters the cells' steps, each
run as the cell's own officer, and the event names both (``actor_id`` and
``on_behalf_of``); a workbook's recorder must still be that officer (LTGB-G001).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from lamtheoguongbac._errors import NotAuthorised
from lamtheoguongbac._model import Actor, Member, OrgUnit, RoleAssignment
from lamtheoguongbac._orgtree import OrgTree

__all__ = [
    "changed_roles",
    "require_may_change_roles",
    "require_may_change_roster",
    "require_no_role_change_with_steps",
    "require_not_own_roles",
    "require_signer",
]


def require_signer(caller: Actor, signer_id: str, *, what_vi: str, what_en: str) -> None:
    """Refuse data that names ``signer_id`` as the one who signs ``what`` unless the
    authenticated ``caller`` is that person (LTGB-G001).

    Raises:
        NotAuthorised: the data names someone else.
    """
    if signer_id != caller.id:
        raise NotAuthorised(
            f"{what_vi} ghi người ký là '{signer_id}' nhưng người thực hiện là {caller.name} "
            f"('{caller.id}'): không ai được ký thay người khác; người ghi phải tự nhập",
            f"{what_en} names '{signer_id}' as the one who signs, but the caller is "
            f"{caller.name} ('{caller.id}'): nobody signs for someone else; the recorder must "
            "enter it themselves",
            code="LTGB-G001",
        )


def _role_key(roles: Iterable[RoleAssignment]) -> frozenset[RoleAssignment]:
    return frozenset(roles)


def changed_roles(stored: dict[str, Member], given: Iterable[Member]) -> list[Member]:
    """The members of ``given`` whose roles differ from the stored ones (a new member with a
    role counts as a change)."""
    out = []
    for member in given:
        before = stored.get(member.id)
        old = _role_key(before.roles) if before is not None else frozenset()
        if _role_key(member.roles) != old:
            out.append(member)
    return out


def require_no_role_change_with_steps(changed: list[Member], records_steps: bool) -> None:
    """Refuse a workbook that changes roles and also records lifecycle steps (LTGB-G002):
    the steps would be checked against roles the same file just granted.

    Raises:
        NotAuthorised: naming the members whose roles would change.
    """
    if changed and records_steps:
        names = ", ".join(f"{m.full_name} ('{m.id}')" for m in changed[:5])
        names += " …" if len(changed) > 5 else ""
        raise NotAuthorised(
            f"bảng tính vừa đổi chức vụ ({names}) vừa ghi các bước của sổ tay: hãy nhập "
            "danh sách (có chức vụ mới) riêng trước, rồi mới nhập nội dung sổ",
            f"the workbook changes roles ({names}) and also records handbook steps: import "
            "the roster (with the new roles) on its own first, then the handbooks",
            code="LTGB-G002",
        )


def require_not_own_roles(caller: Actor, changed: list[Member]) -> None:
    """Refuse a role change of the caller's own (LTGB-G003).

    Raises:
        NotAuthorised: the caller's own roles would change.
    """
    if any(m.id == caller.id for m in changed):
        raise NotAuthorised(
            f"{caller.name} không được tự thay đổi chức vụ của mình",
            f"{caller.name} may not change their own roles",
            code="LTGB-G003",
        )


def require_may_change_roles(
    caller: Actor, changed: list[Member], tree: OrgTree, day: dt.date, stored: set[str]
) -> None:
    """Refuse role changes of members in the roster (ids ``stored``) unless ``caller``
    holds, on ``day``, a role in a unit above each changed member's cell (LTGB-G007):
    offices in a cell are decided above it, and the offices decide who may sign the cell's
    assessment. New members may arrive with their roles (a first roster).

    Raises:
        NotAuthorised: naming the first member the caller may not change.
    """
    held = {r.unit_id for r in caller.roles if r.holds_on(day)}
    for member in changed:
        if member.id not in stored:
            continue  # a new member's first roles: a first roster, not a change of office
        above = {u.id for u in tree.chain(member.cell_id)[:-1]} if member.cell_id in tree else set()
        if not held & above:
            raise NotAuthorised(
                f"{caller.name} không được đổi chức vụ của {member.full_name} ('{member.id}'): "
                "chỉ cấp ủy cấp trên của chi bộ mới được; hãy nhờ cấp ủy nhập danh sách",
                f"{caller.name} may not change the roles of {member.full_name} ('{member.id}'):"
                " only the cell's superior committee may; have the committee import the roster",
                code="LTGB-G007",
            )


def require_may_change_roster(
    caller: Actor,
    units: Iterable[OrgUnit],
    members: Iterable[Member],
    *,
    stored_tree: OrgTree,
    stored_members: dict[str, Member],
    tree: OrgTree,
    day: dt.date,
) -> None:
    """Refuse a workbook's roster rows that add or change a unit or a member unless
    ``caller`` holds, on ``day``, a role in a unit above it (LTGB-G008).

    The roster is where offices, standings and cells come from — what decides who may sign
    a cell's assessment — so a member may not add a Bí thư to their cell, move the one they
    have, or suspend a colleague by editing the workbook they hand in. Rows equal to the
    stored records are no change (a workbook exported from the store and filled in comes
    back with them). A store with no unit yet takes a first roster from anyone the
    embedding system lets import.

    Args:
        stored_tree: the stored organisation tree; ``tree``: with the workbook's units.
        stored_members: the stored records of the workbook's members (by id).

    Raises:
        NotAuthorised: naming the first unit or member the caller may not change.
    """
    if not len(stored_tree):
        return
    held = {r.unit_id for r in caller.roles if r.holds_on(day)}

    def above(unit_id: str) -> set[str]:
        found: set[str] = set()
        for known in (stored_tree, tree):
            if unit_id in known:
                found.update(u.id for u in known.chain(unit_id)[:-1])
        return found

    def entitled(unit_id: str) -> bool:
        """A role above the unit where it stands now and where the workbook puts it: moving
        a unit under another committee needs offices above both, as moving a member does."""
        return all(
            held & {u.id for u in known.chain(unit_id)[:-1]}
            for known in (stored_tree, tree)
            if unit_id in known
        )

    for unit in units:
        if unit.id in stored_tree and stored_tree.unit(unit.id) == unit:
            continue
        if not entitled(unit.id):
            _refuse_roster_change(
                caller, f"đơn vị {unit.name} ('{unit.id}')", f"the unit {unit.name} ('{unit.id}')"
            )
    for member in members:
        before = stored_members.get(member.id)
        if before == member:
            continue
        cells = {member.cell_id} | ({before.cell_id} if before is not None else set())
        if not all(held & above(cell) for cell in cells):
            _refuse_roster_change(
                caller,
                f"đảng viên {member.full_name} ('{member.id}')",
                f"the member {member.full_name} ('{member.id}')",
            )


def _refuse_roster_change(caller: Actor, what_vi: str, what_en: str) -> None:
    raise NotAuthorised(
        f"{caller.name} không được thêm hay sửa {what_vi} trong danh sách tổ chức, đảng viên: "
        "chỉ cấp ủy cấp trên mới được; hãy để nguyên các dòng danh sách như khi xuất bảng "
        "tính, hoặc nhờ cấp ủy nhập danh sách",
        f"{caller.name} may not add or change {what_en} in the roster: only the superior "
        "committee may; leave the roster rows as the exported workbook has them, or have the "
        "committee import the roster",
        code="LTGB-G008",
    )
