"""Exemplars and their commendation (gương điển hình và khen thưởng): values and pure helpers.

Outstanding individuals and collectives are nominated for a year — from a member's assessed
handbook, or by hand — and then commended once by a party committee; the commended ones are
compiled into the yearbook (kỷ yếu). An :class:`Exemplar` keeps everything a yearbook page
needs as it was when nominated: the name, the organisation chain (so the cell and its
superior keep their names after a reform), the achievements and the commendation.

Like :mod:`lamtheoguongbac._model`, every class is an ``attrs`` frozen, keyword-only value,
NFC-normalised and checked at construction; a bad value raises
:class:`~lamtheoguongbac._errors.ValidationFailed` naming the field. The helpers here are pure:
storing and the clock belong to :class:`~lamtheoguongbac._service.core.Handbooks`.
"""

from __future__ import annotations

import datetime as dt

import attrs

from lamtheoguongbac._checks import checked, fail, require_id, require_text
from lamtheoguongbac._errors import TransitionNotAllowed, ValidationFailed
from lamtheoguongbac._model import (
    Actor,
    Handbook,
    HandbookStatus,
    LabelledEnum,
    OrgUnit,
    Outcome,
    RatingLevel,
)
from lamtheoguongbac._public import publish
from lamtheoguongbac.text import collation_key, date_phrase

__all__ = [
    "Commendation",
    "Exemplar",
    "ExemplarKind",
    "achievements_from",
    "exemplar_id",
    "exemplar_order",
    "nomination_from_handbook",
    "with_commendation",
]

_NAME_MAX = 300
_ACHIEVEMENTS_MAX = 20_000


class ExemplarKind(LabelledEnum):
    """Whether the exemplar is a collective or a person (loại gương điển hình).

    Collectives come first, as in commendation decisions and yearbooks.
    """

    COLLECTIVE = ("tap_the", "Tập thể", "collective")
    INDIVIDUAL = ("ca_nhan", "Cá nhân", "individual")

    @property
    def order(self) -> int:
        """Position in listings: 0 for collectives, 1 for individuals."""
        return list(ExemplarKind).index(self)


@attrs.frozen(kw_only=True, field_transformer=checked)
class Commendation:
    """A commendation (khen thưởng): who gave it, by which decision, on which day, in what form.

    ``authority`` is the commending body ("Ban Thường vụ Đảng ủy xã An Phú"),
    ``decision_number`` the decision's number ("125-QĐ/ĐU") and ``form`` what was given
    ("Giấy khen", "Bằng khen"). ``recorded_by``/``recorder_name`` name who entered it in the
    system; :meth:`~lamtheoguongbac._service.core.Handbooks.commend` fills them from its actor.
    """

    authority: str
    decision_number: str
    decided_on: dt.date
    form: str = "Giấy khen"
    recorded_by: str | None = None
    recorder_name: str | None = None

    def __attrs_post_init__(self) -> None:
        require_text("Commendation.authority", self.authority, max_len=_NAME_MAX)
        require_text("Commendation.decision_number", self.decision_number, max_len=100)
        require_text("Commendation.form", self.form, max_len=100)
        if self.recorded_by is not None:
            require_id("Commendation.recorded_by", self.recorded_by)
        require_text("Commendation.recorder_name", self.recorder_name, max_len=200)
        if (self.recorded_by is None) != (self.recorder_name is None):
            fail(
                "Commendation.recorder_name",
                "cần cả mã và họ tên người ghi nhận, hoặc không có cả hai",
                "give both the recorder's id and name, or neither",
            )

    def describe(self) -> str:
        """ "Được Ban Thường vụ Đảng ủy xã An Phú tặng Giấy khen theo Quyết định số 125-QĐ/ĐU
        ngày 05 tháng 01 năm 2026"."""
        return (
            f"Được {self.authority} tặng {self.form} theo Quyết định số {self.decision_number} "
            f"{date_phrase(self.decided_on)}"
        )


@attrs.frozen(kw_only=True, field_transformer=checked)
class Exemplar:
    """An outstanding individual or collective of a year (gương điển hình, người tốt việc tốt).

    ``organisation`` is the chain of units from the root down to the individual's cell, or
    down to the collective itself, as named on nomination. An individual carries its
    ``member_id`` (and ``source_handbook_id`` when nominated from the handbook); a collective
    is the chain's last unit and has neither. ``achievements`` are the deeds and what they
    achieved. ``commendation`` is set once (re-commending is refused, see
    :func:`with_commendation`); ``version`` moves on by one with every stored change.
    """

    id: str
    year: int
    kind: ExemplarKind
    name: str
    organisation: tuple[OrgUnit, ...]
    achievements: str
    nominated_by: str
    nominator_name: str
    nominated_on: dt.date
    member_id: str | None = None
    source_handbook_id: str | None = None
    commendation: Commendation | None = None
    version: int = 1

    def __attrs_post_init__(self) -> None:
        require_id("Exemplar.id", self.id)
        if not 1945 <= self.year <= 2200:
            fail("Exemplar.year", f"năm {self.year} không hợp lệ", f"invalid year {self.year}")
        require_text("Exemplar.name", self.name, max_len=_NAME_MAX)
        require_text("Exemplar.achievements", self.achievements, max_len=_ACHIEVEMENTS_MAX)
        require_id("Exemplar.nominated_by", self.nominated_by)
        require_text("Exemplar.nominator_name", self.nominator_name, max_len=200)
        if self.version < 0:
            fail("Exemplar.version", "không được âm", "must not be negative")
        self._check_organisation()
        self._check_subject()
        self._check_dates()

    def _check_organisation(self) -> None:
        if not self.organisation:
            fail(
                "Exemplar.organisation",
                "cần ít nhất chi bộ (tập thể được đề cử hoặc chi bộ của đảng viên)",
                "at least the cell is required (the collective, or the member's cell)",
            )
        for i in range(1, len(self.organisation)):
            if self.organisation[i].parent_id != self.organisation[i - 1].id:
                fail(
                    f"Exemplar.organisation[{i}]",
                    "chuỗi tổ chức không liền mạch",
                    "each unit must be the child of the one before it",
                )

    def _check_subject(self) -> None:
        if self.kind is ExemplarKind.INDIVIDUAL:
            if self.member_id is None:
                fail(
                    "Exemplar.member_id",
                    "gương điển hình cá nhân cần mã đảng viên",
                    "an individual exemplar needs the member's id",
                )
            require_id("Exemplar.member_id", self.member_id)
            if self.source_handbook_id is not None:
                require_id("Exemplar.source_handbook_id", self.source_handbook_id)
            return
        if self.member_id is not None:
            fail(
                "Exemplar.member_id",
                "gương điển hình tập thể không mang mã đảng viên (tập thể là đơn vị cuối "
                "của chuỗi tổ chức)",
                "a collective exemplar has no member id (the collective is the last unit of "
                "the organisation chain)",
            )
        if self.source_handbook_id is not None:
            fail(
                "Exemplar.source_handbook_id",
                "chỉ đề cử cá nhân mới lấy từ sổ tay",
                "only an individual is nominated from a handbook",
            )

    def _check_dates(self) -> None:
        start = dt.date(self.year, 1, 1)
        if self.nominated_on < start:
            fail(
                "Exemplar.nominated_on",
                f"ngày đề cử {self.nominated_on:%d/%m/%Y} trước năm {self.year}",
                f"nominated on {self.nominated_on.isoformat()}, before the year {self.year}",
            )
        if self.commendation is not None and self.commendation.decided_on < start:
            fail(
                "Exemplar.commendation.decided_on",
                f"quyết định khen thưởng ngày {self.commendation.decided_on:%d/%m/%Y} trước "
                f"năm {self.year}",
                f"the commendation of {self.commendation.decided_on.isoformat()} is dated "
                f"before the year {self.year}",
            )

    @property
    def cell(self) -> OrgUnit:
        """The individual's cell (chi bộ), or the collective itself."""
        return self.organisation[-1]

    @property
    def superior(self) -> OrgUnit | None:
        """The unit directly above :attr:`cell` (cấp ủy cấp trên), if known."""
        return self.organisation[-2] if len(self.organisation) > 1 else None

    @property
    def commended(self) -> bool:
        """Whether the commendation has been recorded."""
        return self.commendation is not None

    def kind_label(self, lang: str = "vi") -> str:
        """ "Cá nhân"/"Tập thể" (or the English label with ``lang="en"``)."""
        return self.kind.label(lang)

    def commendation_text(self) -> str | None:
        """The commendation as the yearbook writes it (see :meth:`Commendation.describe`);
        ``None`` while not commended."""
        return None if self.commendation is None else self.commendation.describe()


def exemplar_id(kind: ExemplarKind, year: int, subject_id: str) -> str:
    """The id the service gives a nomination: ``"<kind>-<year>-<member or cell id>"``, so a
    person or a cell is nominated at most once a year (``"ca_nhan-2025-dv01"``)."""
    return f"{kind.value}-{year}-{subject_id}"


def exemplar_order(exemplar: Exemplar) -> tuple[int, int, bytes, str]:
    """The order stores list exemplars in: (year, kind — collectives first, Vietnamese
    collation of the name, id)."""
    return (exemplar.year, exemplar.kind.order, collation_key(exemplar.name), exemplar.id)


def achievements_from(handbook: Handbook) -> str:
    """The achievements of a handbook: each pledge reported *done*, with what it achieved.

    One numbered line per pledge, "1. <deed> — Kết quả: <achieved>".

    Raises:
        ValidationFailed: no pledge of the handbook was reported done.
    """
    lines: list[str] = []
    for pledge in handbook.pledges:
        result = handbook.result_for(pledge.id)
        if result is not None and result.outcome is Outcome.DONE:
            lines.append(f"{len(lines) + 1}. {pledge.deed} — Kết quả: {result.achieved}")
    if not lines:
        raise ValidationFailed(
            f"sổ '{handbook.id}' không có việc nào được báo cáo đã thực hiện",
            f"handbook '{handbook.id}' has no pledge reported done",
            field="Handbook.report",
        )
    return "\n".join(lines)


def nomination_from_handbook(handbook: Handbook, *, actor: Actor, on: dt.date) -> Exemplar:
    """Nominate the owner of an assessed or closed handbook rated at least "Hoàn thành tốt
    nhiệm vụ"; the achievements are its pledges reported done (:func:`achievements_from`).

    Raises:
        TransitionNotAllowed: the handbook is not assessed or closed, or is rated below
            HTTNV (or not rated).
        ValidationFailed: no pledge was reported done, or a value is invalid.
    """
    if handbook.status not in (HandbookStatus.ASSESSED, HandbookStatus.CLOSED):
        raise TransitionNotAllowed(
            f"Chỉ đề cử gương điển hình từ sổ đã được chi bộ đánh giá hoặc đã khóa; sổ "
            f"'{handbook.id}' đang ở trạng thái '{handbook.status.label_vi}'",
            f"only an assessed or closed handbook can back a nomination; handbook "
            f"'{handbook.id}' is {handbook.status.label_en}",
        )
    assessment = handbook.collective_assessment
    rating = None if assessment is None else assessment.rating
    if rating is None or rating.rank > RatingLevel.GOOD.rank:
        given_vi = "chưa được xếp loại" if rating is None else f"xếp loại {rating.abbreviation}"
        given_en = "is not rated" if rating is None else f"is rated {rating.abbreviation}"
        raise TransitionNotAllowed(
            f"Sổ '{handbook.id}' {given_vi}: chỉ đề cử đảng viên xếp loại từ Hoàn thành tốt "
            "nhiệm vụ (HTTNV) trở lên",
            f"handbook '{handbook.id}' {given_en}: only members rated HTTNV (completed tasks "
            "well) or better can be nominated",
        )
    member = handbook.member
    return Exemplar(
        id=exemplar_id(ExemplarKind.INDIVIDUAL, handbook.year, member.id),
        year=handbook.year,
        kind=ExemplarKind.INDIVIDUAL,
        name=member.full_name,
        organisation=handbook.organisation,
        achievements=achievements_from(handbook),
        nominated_by=actor.id,
        nominator_name=actor.name,
        nominated_on=on,
        member_id=member.id,
        source_handbook_id=handbook.id,
    )


def with_commendation(exemplar: Exemplar, commendation: Commendation, *, actor: Actor) -> Exemplar:
    """``exemplar`` commended, recorded by ``actor``, at the next version.

    Raises:
        TransitionNotAllowed: the exemplar is commended already (a commendation is recorded
            once; a second decision is refused).
        ValidationFailed: the decision is dated before the exemplar's year.
    """
    if exemplar.commendation is not None:
        raise TransitionNotAllowed(
            f"Gương điển hình '{exemplar.id}' ({exemplar.name}) đã được khen thưởng theo "
            f"Quyết định số {exemplar.commendation.decision_number}; không ghi nhận lần nữa",
            f"exemplar '{exemplar.id}' ({exemplar.name}) is already commended by decision "
            f"{exemplar.commendation.decision_number}; it cannot be commended again",
        )
    recorded = attrs.evolve(commendation, recorded_by=actor.id, recorder_name=actor.name)
    return attrs.evolve(exemplar, commendation=recorded, version=exemplar.version + 1)


publish("lamtheoguongbac", ExemplarKind, Commendation, Exemplar)
