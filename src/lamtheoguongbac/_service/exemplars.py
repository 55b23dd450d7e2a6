"""The exemplars facet of the service (gương điển hình): ``handbooks.exemplars``.

Nominations and commendations are authorised by the roster (rules LTGB-E001, LTGB-E002 of
:mod:`lamtheoguongbac._exemplars`), stored with an event of the audit trail each
(:class:`~lamtheoguongbac.committee.RecordEvent`), and fire the ``exemplar_changed`` hook.
"""

from __future__ import annotations

import builtins
import datetime as dt
from typing import TYPE_CHECKING

import attrs

from lamtheoguongbac._audit import RecordAction, RecordEvent, RecordType
from lamtheoguongbac._errors import ConflictError, ValidationFailed
from lamtheoguongbac._exemplars import (
    Commendation,
    Exemplar,
    ExemplarDetails,
    ExemplarKind,
    authorise_commendation,
    authorise_nomination,
    exemplar_id,
    nomination_from_handbook,
    subject_slug,
    with_commendation,
)
from lamtheoguongbac._model import Actor, Member, MemberStatus, RoleAssignment
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac.text import nfc

if TYPE_CHECKING:
    from lamtheoguongbac._service.core import Handbooks

__all__ = ["ExemplarsFacet"]


class ExemplarsFacet:
    """Nominate, commend and list exemplars; reached as ``handbooks.exemplars``."""

    def __init__(self, handbooks: Handbooks) -> None:
        self._hb = handbooks

    def nominate_from_handbook(
        self,
        handbook_id: str,
        *,
        actor: Actor | Member,
        on: dt.date | None = None,
        details: ExemplarDetails | None = None,
    ) -> Exemplar:
        """Nominate a handbook's owner as an exemplar (đề cử gương điển hình).

        Only from an assessed or closed handbook rated at least HTTNV; the achievements are
        its pledges reported done, the organisation chain the handbook's. ``on`` (the
        nomination date) defaults to the clock's date. The nomination is an event of the
        audit trail (:meth:`history`) and fires ``exemplar_changed``.

        Raises:
            NotFound: no such handbook.
            NotAuthorised: ``actor`` is no officer of a unit of the member's chain (LTGB-E001).
            TransitionNotAllowed: the handbook is not assessed or closed, or rated below HTTNV.
            ValidationFailed: no pledge of the handbook was reported done.
            ConflictError: the member is already nominated for that year.
        """
        handbook = self._hb.store.get(handbook_id)
        who, roles = self._hb._rostered(actor)
        exemplar = nomination_from_handbook(handbook, actor=who, on=on or self._hb._today())
        if details is not None:
            exemplar = attrs.evolve(exemplar, details=details)
        return self._add(exemplar, who, roles)

    def nominate(
        self,
        member_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None = None,
        details: ExemplarDetails | None = None,
    ) -> Exemplar:
        """Nominate a member by hand, with the ``achievements`` written out.

        Raises:
            NotFound: no such member, or the member's cell is not in the stored tree.
            NotAuthorised: ``actor`` is no officer of a unit of the member's chain (LTGB-E001).
            ValidationFailed: a value is invalid (the error names the field).
            ConflictError: the member is already nominated for ``year``.
        """
        member = self._hb.store.member(member_id)
        if member.status is MemberStatus.SUSPENDED:
            # A suspended member is not rated (DOMAIN §4): nor held up as an example.
            raise ValidationFailed(
                f"đảng viên {member.full_name} đang bị đình chỉ sinh hoạt đảng: không đề cử "
                "gương điển hình",
                f"{member.full_name} is suspended from party activities: not nominated as an "
                "exemplar",
                field="member_id",
            )
        return self._nominate(
            ExemplarKind.INDIVIDUAL,
            member.full_name,
            member.cell_id,
            year=year,
            achievements=achievements,
            actor=actor,
            on=on,
            member_id=member.id,
            details=details,
        )

    def nominate_collective(
        self,
        cell_id: str,
        *,
        year: int,
        achievements: str,
        actor: Actor | Member,
        on: dt.date | None = None,
        details: ExemplarDetails | None = None,
    ) -> Exemplar:
        """Nominate a collective — a cell (chi bộ) or another stored unit — by hand.

        Raises:
            NotFound: no such unit in the stored tree.
            NotAuthorised: ``actor`` is no officer of the unit or a unit above (LTGB-E001).
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
            details=details,
        )

    def nominate_outside_party(
        self,
        name: str,
        *,
        kind: ExemplarKind,
        organisation_id: str,
        year: int,
        achievements: str,
        actor: Actor | Member,
        details: ExemplarDetails | None = None,
        on: dt.date | None = None,
        exemplar_id: str | None = None,
    ) -> Exemplar:
        """Nominate an exemplar among the people (gương điển hình trong Nhân dân): a citizen
        (``kind=INDIVIDUAL``) or a household, school, cooperative … (``COLLECTIVE``) who is
        not a party member, under the party unit ``organisation_id`` responsible for where it
        lives (the hamlet's cell, the commune's đảng bộ).

        The id defaults to ``"<kind>-<year>-<unit id>-<name without accents>"``
        (:func:`~lamtheoguongbac.committee.subject_slug`); give ``exemplar_id`` for two
        namesakes under one unit.

        Raises:
            NotFound: no such unit in the stored tree.
            NotAuthorised: ``actor`` is no officer of the unit or a unit above (LTGB-E001).
            ValidationFailed: a value is invalid (the error names the field).
            ConflictError: the id is taken (nominated already).
        """
        unit = self._hb.roster.tree().unit(nfc(organisation_id))
        return self._nominate(
            kind,
            name,
            unit.id,
            year=year,
            achievements=achievements,
            actor=actor,
            on=on,
            details=details,
            party=False,
            subject_id=subject_slug(unit.id, nfc(name)),
            given_id=exemplar_id,
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
        details: ExemplarDetails | None = None,
        party: bool = True,
        subject_id: str | None = None,
        given_id: str | None = None,
    ) -> Exemplar:
        who, roles = self._hb._rostered(actor)
        exemplar = Exemplar(
            id=given_id or exemplar_id(kind, year, subject_id or member_id or cell_id),
            year=year,
            kind=kind,
            name=name,
            organisation=self._hb.roster.tree().chain(cell_id),
            achievements=achievements,
            nominated_by=who.id,
            nominator_name=who.name,
            nominated_on=on or self._hb._today(),
            member_id=member_id,
            party=party,
            details=details if details is not None else ExemplarDetails(),
        )
        return self._add(exemplar, who, roles)

    def _add(self, exemplar: Exemplar, who: Actor, roles: tuple[RoleAssignment, ...]) -> Exemplar:
        authorise_nomination(exemplar, who, roles)
        with self._hb.transaction():
            self._hb.store.add_exemplar(exemplar)
            self._hb._record(exemplar, RecordAction.NOMINATED, who, None)
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
        who entered it. Returns the commended exemplar at its next version. The awarding
        body is ``commendation.body_id``, or else the highest unit of the exemplar's chain
        where ``actor`` is an officer; the commendation is an event of the audit trail and
        fires ``exemplar_changed``.

        Raises:
            NotFound: no such exemplar.
            NotAuthorised: ``actor`` is no officer of the awarding body (LTGB-E002), or the
                commendation names someone else as its recorder (``recorded_by``,
                ``recorder_name``: LTGB-G001).
            ConflictError: ``expected_version`` is not the stored version, or another writer
                changed the exemplar meanwhile.
            TransitionNotAllowed: the exemplar is commended already.
            ValidationFailed: the decision is dated before the exemplar's year, or the body
                is not in the exemplar's chain (LTGB-E003).
        """
        current = self._hb.store.get_exemplar(exemplar_id)
        if expected_version is not None and expected_version != current.version:
            raise ConflictError(
                f"Gương điển hình {current.id} đã thay đổi (phiên bản {current.version}, bạn "
                f"đang sửa phiên bản {expected_version}); hãy tải lại",
                f"exemplar {current.id} changed (version {current.version}, you edited "
                f"{expected_version}); reload it",
            )
        who, roles = self._hb._rostered(actor)
        given = authorise_commendation(current, commendation, who, roles, self._hb._today())
        commended = with_commendation(current, given, actor=who)
        with self._hb.transaction():
            self._hb.store.update_exemplar(commended, expected_version=current.version)
            note = f"Quyết định số {given.decision_number} ({given.authority})"
            self._hb._record(commended, RecordAction.COMMENDED, who, note)
        return commended

    def get(self, exemplar_id: str) -> Exemplar:
        """One exemplar; ``NotFound`` if none."""
        return self._hb.store.get_exemplar(exemplar_id)

    def history(self, exemplar_id: str) -> builtins.list[RecordEvent]:
        """The exemplar's audit trail (nomination, commendation), oldest first."""
        return self._hb.store.record_events(RecordType.EXEMPLAR, nfc(exemplar_id))

    def list(
        self, year: int | None = None, organisation_id: str | None = None
    ) -> builtins.list[Exemplar]:
        """Exemplars of a year and/or an organisation subtree: by year, collectives first,
        then in Vietnamese order of the name — people by given name, then middle and family
        name — as in the yearbook."""
        # Checked as a handbook query's are: a year given as text matched nothing.
        query = HandbookQuery(year=year, organisation_id=organisation_id)
        return self._hb.store.exemplars(year=query.year, organisation_id=query.organisation_id)
