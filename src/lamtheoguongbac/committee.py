"""The committee's work (công tác của cấp ủy): exemplars among the people, inspections and the
audit trail of the committee's records.

What ``handbooks.exemplars`` and ``handbooks.inspections`` take and return beyond the root's
:class:`~lamtheoguongbac.Exemplar` and :class:`~lamtheoguongbac.Commendation`:

* the details of an exemplar — :class:`ExemplarDetails` (its :class:`ExemplarField`,
  :class:`Locality`, :class:`Figure` s, proposing body, evidence) — and who may nominate and
  commend (:data:`OFFICER_ROLES`, :func:`authorise_nomination` LTGB-E001,
  :func:`authorise_commendation` LTGB-E002);
* inspections (kiểm tra, giám sát): :class:`Inspection` with its :class:`InspectionScope`,
  :class:`InspectedCell` s, :class:`Finding` s of a :class:`FindingKind`
  (:data:`FINDING_KINDS`, extended by ``Policy.finding_kinds``), :class:`Request` s and
  :class:`FollowUp` s; the draft findings the rules suggest (:func:`suggest_findings`) and
  what a year's inspections add up to (:class:`InspectionSummary`);
* the audit trail of exemplars and inspections: :class:`RecordEvent`.
"""

from lamtheoguongbac._audit import RecordAction, RecordEvent, RecordType
from lamtheoguongbac._exemplars import (
    OFFICER_ROLES,
    ExemplarDetails,
    ExemplarField,
    Figure,
    Locality,
    authorise_commendation,
    authorise_nomination,
    exemplar_order,
    subject_slug,
)
from lamtheoguongbac._inspection_rules import (
    CellInspections,
    InspectionSummary,
    KindCount,
    suggest_findings,
    summarise_inspections,
)
from lamtheoguongbac._inspections import (
    FINDING_KINDS,
    Finding,
    FindingKind,
    FollowUp,
    InspectedCell,
    Inspection,
    InspectionScope,
    Request,
    RequestStatus,
    ScopeKind,
    authorise_follow_up,
    authorise_inspection,
    inspection_order,
    with_follow_up,
)
from lamtheoguongbac._public import publish_namespace

__all__ = [
    "FINDING_KINDS",
    "OFFICER_ROLES",
    "CellInspections",
    "ExemplarDetails",
    "ExemplarField",
    "Figure",
    "Finding",
    "FindingKind",
    "FollowUp",
    "InspectedCell",
    "Inspection",
    "InspectionScope",
    "InspectionSummary",
    "KindCount",
    "Locality",
    "RecordAction",
    "RecordEvent",
    "RecordType",
    "Request",
    "RequestStatus",
    "ScopeKind",
    "authorise_commendation",
    "authorise_follow_up",
    "authorise_inspection",
    "authorise_nomination",
    "exemplar_order",
    "inspection_order",
    "subject_slug",
    "suggest_findings",
    "summarise_inspections",
    "with_follow_up",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
