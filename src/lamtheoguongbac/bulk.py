"""Bulk steps for an organisation subtree (thao tác hàng loạt): what ``handbooks.bulk`` takes
and returns.

Per cell, a :class:`CellBatch` names the year, the officer the embedding system
authenticated as **submitter**, and one entry per member — :class:`MemberRegistration`,
:class:`MemberReport`, :class:`MemberAssessment` or :class:`MemberClosing`; filled cell
workbooks come as :class:`WorkbookSubmission`. Every step answers with a
:class:`BulkResult` of one :class:`MemberOutcome` per member (:class:`BulkOutcome`: done,
failed with its problem and :class:`Source`, or rolled back with its cell)::

    from lamtheoguongbac.bulk import CellBatch, MemberRegistration

    result = handbooks.bulk.register(
        [CellBatch(cell_id="cb-vanphong", year=2025, submitter=secretary,
                   entries=[MemberRegistration(member_id="dv06", pledges=pledges)])]
    )
"""

from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac._service.bulk import (
    BulkOutcome,
    BulkResult,
    BulkSteps,
    CellBatch,
    MemberAssessment,
    MemberClosing,
    MemberOutcome,
    MemberRegistration,
    MemberReport,
    Progress,
    Source,
    WorkbookSubmission,
)

__all__ = [
    "BulkOutcome",
    "BulkResult",
    "BulkSteps",
    "CellBatch",
    "MemberAssessment",
    "MemberClosing",
    "MemberOutcome",
    "MemberRegistration",
    "MemberReport",
    "Progress",
    "Source",
    "WorkbookSubmission",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
