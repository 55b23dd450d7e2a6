"""The audit trail of the committee's records (nhật ký): exemplars, inspections, the roster.

A handbook's steps are recorded as :class:`~lamtheoguongbac.Event`; the records a
committee keeps beside the handbooks — an exemplar's nomination and commendation, an
inspection and the follow-ups to its requests, and every change to the roster's members and
units (which decides who may sign) — are recorded as :class:`RecordEvent`: who did what to
which record, when, and the record's version after it. Stores keep them append-only
(:meth:`Store.append_record_event <lamtheoguongbac.plugin.Store.append_record_event>`)
and list them oldest first.
"""

from __future__ import annotations

import datetime as dt

import attrs

from lamtheoguongbac._checks import LINE, checked, fail, require_id, require_text
from lamtheoguongbac._model import LabelledEnum

__all__ = ["RecordAction", "RecordEvent", "RecordType"]


class RecordType(LabelledEnum):
    """Which kind of committee record an event is about (loại hồ sơ).

    Example:
        >>> from lamtheoguongbac.plugin import RecordType
        >>> RecordType("kiem_tra") is RecordType.INSPECTION
        True
    """

    EXEMPLAR = ("guong_dien_hinh", "Gương điển hình", "exemplar")
    INSPECTION = ("kiem_tra", "Kiểm tra, giám sát", "inspection")
    MEMBER = ("dang_vien", "Đảng viên", "member")
    UNIT = ("to_chuc", "Tổ chức đảng", "party unit")


class RecordAction(LabelledEnum):
    """What a :class:`RecordEvent` records (việc đã làm).

    Example:
        >>> from lamtheoguongbac.committee import RecordAction
        >>> [action.value for action in RecordAction]
        ['nominated', 'commended', 'inspected', 'followed_up', 'added', 'changed']
    """

    NOMINATED = ("nominated", "Đề cử gương điển hình", "nominated")
    COMMENDED = ("commended", "Ghi nhận khen thưởng", "recorded the commendation")
    INSPECTED = ("inspected", "Ghi kết quả kiểm tra", "recorded the inspection")
    FOLLOWED_UP = ("followed_up", "Báo cáo khắc phục", "recorded a follow-up")
    ADDED = ("added", "Thêm vào danh sách", "added to the roster")
    CHANGED = ("changed", "Sửa trong danh sách", "changed in the roster")


_ACTIONS = {
    RecordType.EXEMPLAR: frozenset({RecordAction.NOMINATED, RecordAction.COMMENDED}),
    RecordType.INSPECTION: frozenset({RecordAction.INSPECTED, RecordAction.FOLLOWED_UP}),
    RecordType.MEMBER: frozenset({RecordAction.ADDED, RecordAction.CHANGED}),
    RecordType.UNIT: frozenset({RecordAction.ADDED, RecordAction.CHANGED}),
}


@attrs.frozen(kw_only=True, field_transformer=checked)
class RecordEvent:
    """One entry of a committee record's audit trail: who did what, when (nhật ký).

    ``version`` is the record's version after the action; ``note`` a short description
    ("Quyết định số 125-QĐ/ĐU", "yêu cầu y1: đã khắc phục").

    Example:
        >>> from lamtheoguongbac.plugin import RecordType
        >>> from lamtheoguongbac.testing import make_roster
        >>> from lamtheoguongbac import Handbooks
        >>> roster = make_roster(cells=1, members_per_cell=3)
        >>> secretary, member = roster.members[0], roster.members[1]
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     exemplar = service.exemplars.nominate(
        ...         member.id,
        ...         year=2025,
        ...         achievements="Số hóa 100% hồ sơ hộ tịch",
        ...         actor=secretary,
        ...     )
        ...     events = service.store.record_events(RecordType.EXEMPLAR, exemplar.id)
        ...
        >>> [(e.action.value, e.actor_id, e.version) for e in events]
        [('nominated', 'cb-00-0000-dv000', 1)]
    """

    record_type: RecordType
    record_id: str = attrs.field(metadata=LINE)
    action: RecordAction
    actor_id: str = attrs.field(metadata=LINE)
    actor_name: str = attrs.field(metadata=LINE)
    at: dt.datetime
    version: int
    note: str | None = None

    def __attrs_post_init__(self) -> None:
        require_id("RecordEvent.record_id", self.record_id)
        require_id("RecordEvent.actor_id", self.actor_id)
        require_text("RecordEvent.actor_name", self.actor_name, max_len=200)
        require_text("RecordEvent.note", self.note, max_len=2000)
        if self.action not in _ACTIONS[self.record_type]:
            fail(
                "RecordEvent.action",
                f"việc '{self.action.value}' không áp dụng cho {self.record_type.label_vi}",
                f"action '{self.action.value}' does not apply to a {self.record_type.label_en}",
            )
        if self.version < 1:
            fail("RecordEvent.version", "phải từ 1 trở lên", "must be at least 1")
        if self.at.tzinfo is None:
            fail(
                "RecordEvent.at",
                "thời điểm phải có múi giờ",
                "the time must be timezone-aware",
            )
