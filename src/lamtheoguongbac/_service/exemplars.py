"""The exemplars facet of the service (gương điển hình): ``handbooks.exemplars``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from lamtheoguongbac._errors import ConflictError
from lamtheoguongbac._exemplars import (
    Commendation,
    Exemplar,
    ExemplarKind,
    exemplar_id,
    nomination_from_handbook,
    with_commendation,
)
from lamtheoguongbac._model import Actor, Member
from lamtheoguongbac.text import nfc

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks

__all__ = ["ExemplarsFacet"]


class ExemplarsFacet:
    """Nominate, commend and list exemplars; reached as ``handbooks.exemplars``."""

    def __init__(self, handbooks: Handbooks) -> None:
        self._hb = handbooks

    def nominate_from_handbook(
        self, handbook_id: str, *, actor: Actor | Member, on: dt.date | None = None
    ) -> Exemplar:
        """Nominate a handbook's owner as an exemplar (đề cử gương điển hình).

        Only from an assessed or closed handbook rated at least HTTNV; the achievements are
        its pledges reported done, the organisation chain the handbook's. ``on`` (the
        nomination date) defaults to the clock's date.

        Raises:
            NotFound: no such handbook.
            TransitionNotAllowed: the handbook is not assessed or closed, or rated below HTTNV.
            ValidationFailed: no pledge of the handbook was reported done.
            ConflictError: the member is already nominated for that year.
        """
        handbook = self._hb.store.get(handbook_id)
        exemplar = nomination_from_handbook(
            handbook, actor=self._hb._trusted(actor), on=on or self._hb.clock().date()
        )
        self._hb.store.add_exemplar(exemplar)
        return exemplar

    def nominate(
        self,
        member_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None = None,
    ) -> Exemplar:
        """Nominate a member by hand, with the ``achievements`` written out.

        Raises:
            NotFound: no such member, or the member's cell is not in the stored tree.
            ValidationFailed: a value is invalid (the error names the field).
            ConflictError: the member is already nominated for ``year``.
        """
        member = self._hb.store.member(member_id)
        return self._nominate(
            ExemplarKind.INDIVIDUAL,
            member.full_name,
            member.cell_id,
            year=year,
            achievements=achievements,
            actor=actor,
            on=on,
            member_id=member.id,
        )

    def nominate_collective(
        self,
        cell_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None = None,
    ) -> Exemplar:
        """Nominate a collective — a cell (chi bộ) or another stored unit — by hand.

        Raises:
            NotFound: no such unit in the stored tree.
            ValidationFailed: a value is invalid (the error names the field).
            ConflictError: the unit is already nominated for ``year``.
        """
        unit = self._hb.roster.tree().unit(nfc(cell_id))
        return self._nominate(
            ExemplarKind.COLLECTIVE,
            unit.name,
            unit.id,
            year=year,
            achievements=achievements,
            actor=actor,
            on=on,
        )

    def _nominate(
        self,
        kind: ExemplarKind,
        name: str,
        cell_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None,
        member_id: str | None = None,
    ) -> Exemplar:
        who = self._hb._trusted(actor)
        exemplar = Exemplar(
            id=exemplar_id(kind, year, member_id or cell_id),
            year=year,
            kind=kind,
            name=name,
            organisation=self._hb.roster.tree().chain(cell_id),
            achievements=achievements,
            nominated_by=who.id,
            nominator_name=who.name,
            nominated_on=on or self._hb.clock().date(),
            member_id=member_id,
        )
        self._hb.store.add_exemplar(exemplar)
        return exemplar

    def commend(
        self,
        exemplar_id: str,
        commendation: Commendation,
        *,
        actor: Actor | Member,
        expected_version: int | None = None,
    ) -> Exemplar:
        """Record the exemplar's commendation (ghi nhận khen thưởng); ``actor`` is recorded as
        who entered it. Returns the commended exemplar at its next version.

        Raises:
            NotFound: no such exemplar.
            ConflictError: ``expected_version`` is not the stored version, or another writer
                changed the exemplar meanwhile.
            TransitionNotAllowed: the exemplar is commended already.
            ValidationFailed: the decision is dated before the exemplar's year.
        """
        current = self._hb.store.get_exemplar(exemplar_id)
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(
                f"Gương điển hình {current.id} đã thay đổi (phiên bản {current.version}, bạn "
                f"đang sửa phiên bản {expected_version}); hãy tải lại",
                f"exemplar {current.id} changed (version {current.version}, you edited "
                f"{expected_version}); reload it",
            )
        commended = with_commendation(current, commendation, actor=self._hb._trusted(actor))
        self._hb.store.update_exemplar(commended, expected_version=current.version)
        return commended

    def get(self, exemplar_id: str) -> Exemplar:
        """One exemplar; ``NotFound`` if none."""
        return self._hb.store.get_exemplar(exemplar_id)

    def list(self, year: int | None = None, organisation_id: str | None = None) -> list[Exemplar]:
        """Exemplars of a year and/or an organisation subtree: by year, collectives first,
        then in Vietnamese alphabetical order of the name."""
        return self._hb.store.exemplars(year=year, organisation_id=organisation_id)
