"""The template context: what every document template sees (ngữ cảnh mẫu văn bản).

:func:`~lamtheoguongbac.export.build_context` turns a :class:`~lamtheoguongbac.Handbook` into
plain data — only ``str``, ``int``, ``list`` and ``dict``, every string NFC — so a context
pickles, dumps to JSON and renders the same in any template engine. It is the same for every
template and versioned by :data:`~lamtheoguongbac.export.CONTEXT_VERSION`: keys may be added
within a version, and a key is never renamed or removed without a new version. A part the handbook
does not have yet (no report, no assessment, no superior unit) is there with empty strings and
lists, never ``None``, so a template can print any key at any stage.
:data:`~lamtheoguongbac.export.CONTEXT_SCHEMA` describes the same shape as data (checkers use it to
find misspelt names). Strings are NFC because model values are normalised when they are constructed
and joining NFC text with ASCII keeps it NFC; the one operation that can break it, ``str.upper()``,
is normalised again here.

Dates are written two ways: ``dd/mm/yyyy`` and the party-document phrase
"ngày 05 tháng 01 năm 2015" (keys ending in ``_phrase``).

==============================================  ====================================================
key                                             value
==============================================  ====================================================
``context_version``                             int,
                                                :data:`~lamtheoguongbac.export.CONTEXT_VERSION` (1)
``handbook.id``                                 the handbook's id
``handbook.year``                               int, the year the period starts in
``handbook.period``                             "01/01/2025 – 31/12/2025"
``handbook.period_start``                       "01/01/2025"
``handbook.period_end``                         "31/12/2025"
``handbook.period_text``                        "năm 2025" / "nhiệm kỳ 2021–2025" (see
                                                :meth:`~lamtheoguongbac.Period.label`)
``handbook.period_label``                       "NĂM 2025" / "NHIỆM KỲ 2021–2025", for the cover
``handbook.is_term``                            int, 1 for a term book (several years), else 0
``handbook.years``                              list of int, the years the period touches
``handbook.registered_on``                      "dd/mm/yyyy" the pledges were registered, or ""
``handbook.registered_on_phrase``               the same as a phrase, or ""
``handbook.registration_place_date``            "Tịnh Biên, ngày 05 tháng 01 năm 2025", or ""
``handbook.status``                             status label, "Đã được chi bộ đánh giá"
``handbook.status_code``                        status code, "assessed"
``handbook.version``                            int, the stored version
``member.id``                                   the member's id
``member.full_name``                            "Nguyễn Văn An"
``member.full_name_upper``                      "NGUYỄN VĂN AN"
``member.status``                               standing label, "Đảng viên chính thức"
``member.status_code``                          "chinh_thuc" / "du_bi" / "mien_sinh_hoat" /
                                                "dinh_chi"
``member.position``                             chức vụ, "" when unknown
``member.duties``                               list of str, nhiệm vụ được giao
``member.duties_text``                          the duties joined with "; "
``member.workplace``                            nơi công tác
``member.date_of_birth``                        "05/01/1980", "" when unknown
``member.date_of_birth_phrase``                 "ngày 05 tháng 01 năm 1980", "" when unknown
``member.joined_on``                            ngày vào Đảng, "dd/mm/yyyy" or ""
``member.official_on``                          ngày chính thức, "dd/mm/yyyy" or ""
``member.party_card_number``                    số thẻ đảng viên (opaque), "" when unknown
``cell.id``                                     the member's party cell (chi bộ)
``cell.name``                                   "Chi bộ ấp Đông"
``cell.name_upper``                             "CHI BỘ ẤP ĐÔNG", for the document header
``cell.level``                                  "Chi bộ"
``cell.place``                                  the cell's place name, "" when unknown
``cell.name_upper_lines``                       list of str, ``name_upper`` in lines that break
                                                between phrases, for a narrow header column
``cell.committee``                              its committee's name, "Chi ủy ấp Đông"
``superior.*``                                  the unit above the cell, same keys as ``cell``; all
                                                "" when the handbook names no superior
``organisation``                                list of units (same keys as ``cell``), root first,
                                                the cell last
``theme.code``                                  the study theme's code, "" without a theme
``theme.title``                                 chuyên đề, "" without a theme
``pledges``                                     list, one dict per registered deed, in order:
``pledges[].number``                            int, 1-based
``pledges[].id``                                the pledge id
``pledges[].deed``                              việc làm đăng ký
``pledges[].bases``                             list of str, căn cứ ("Điều 3 37-QĐ/TW", …)
``pledges[].bases_text``                        the bases joined with "; "
``pledges[].target``                            chỉ tiêu, "100%", "01 sáng kiến (trước 30/11/2025)"
``pledges[].deadline``                          thời hạn, "30/11/2025" or ""
``pledges[].task``                              the assigned task the deed serves
``pledges[].shortcoming``                       the shortcoming it corrects (tự soi, tự sửa)
``pledges[].checkpoints``                       list of str, "30/06/2025: sơ kết 6 tháng"
``pledges[].supplement_year``                   "" for a pledge registered at the start, else the
                                                year of the supplement that added it ("2023")
``pledges[].result.outcome``                    "Đã thực hiện" / "Thực hiện một phần" / "Chưa
                                                thực hiện", "" when not reported
``pledges[].result.outcome_code``               "hoan_thanh" / "mot_phan" / "chua_thuc_hien" or ""
``pledges[].result.achieved``                   đã làm được
``pledges[].result.not_done``                   chưa làm được
``pledges[].result.direction``                  hướng phấn đấu
``initial_pledges``                             the pledges registered at the start (same dicts)
``supplements``                                 list, the yearly supplements of a term book:
``supplements[].year``                          int
``supplements[].registered_on``                 "dd/mm/yyyy"
``supplements[].place_date``                    "Tịnh Biên, ngày 20 tháng 01 năm 2023"
``supplements[].pledges``                       the pledges it added (same dicts as ``pledges``)
``reviews``                                     list, the interim reviews in date order:
``reviews[].number``                            int, 1-based
``reviews[].title``                             "Kiểm điểm năm 2022" / "Sơ kết đến ngày 30/06/2025"
``reviews[].checkpoint``                        "dd/mm/yyyy"
``reviews[].report_date``                       "dd/mm/yyyy" the member reported
``reviews[].results``                           list, one per pledge reported at the checkpoint:
``reviews[].results[].number``                  int, the pledge's number in ``pledges``
``reviews[].results[].deed``                    the pledge's deed
``reviews[].results[].outcome``                 as ``pledges[].result.outcome``, at the checkpoint
``reviews[].results[].outcome_code``            likewise
``reviews[].results[].achieved``                likewise
``reviews[].results[].not_done``                likewise
``reviews[].results[].direction``               likewise
``reviews[].self_assessment.text``              the member's self-assessment at the checkpoint, or
                                                ""
``reviews[].self_assessment.date``              "dd/mm/yyyy" or ""
``reviews[].self_assessment.place_date``        "Tịnh Biên, ngày 10 tháng 12 năm 2022" or ""
``reviews[].collective.text``                   the cell's interim assessment, "" until it meets
``reviews[].collective.rating_line``            as ``collective.rating_line``
``reviews[].collective.meeting_date``           "dd/mm/yyyy" or ""
``reviews[].collective.place_date``             "Tịnh Biên, ngày 20 tháng 12 năm 2022" or ""
``reviews[].collective.recorder_name``          the Secretary's (or Deputy's) name, or ""
``reviews[].collective.recorder_role_upper``    "BÍ THƯ" / "PHÓ BÍ THƯ", or ""
``reviews[].collective.on_behalf``              "T/M CHI BỘ", or "" until assessed
``report.submitted_on``                         "dd/mm/yyyy" the results were reported, or ""
``report.submitted_on_phrase``                  the same as a phrase, or ""
``self_assessment.text``                        tự nhận xét, đánh giá
``self_assessment.date``                        "dd/mm/yyyy" or ""
``self_assessment.date_phrase``                 "ngày 05 tháng 12 năm 2025" or ""
``self_assessment.place_date``                  "Tịnh Biên, ngày 05 tháng 12 năm 2025" or ""
``collective.text``                             tập thể chi bộ nhận xét, đánh giá
``collective.rating``                           "Hoàn thành tốt nhiệm vụ"; "" when not rated or when
                                                the policy does not print the rating in the book
``collective.rating_abbreviation``              "HTTNV"; "" likewise
``collective.rating_shown``                     int, 1 when the policy prints the rating in the book
                                                (``Policy.rating_in_handbook``), else 0
``collective.rating_line``                      what the rating line says when shown: "Hoàn thành
                                                tốt nhiệm vụ (HTTNV)", or for a member not rated by
                                                standing "Không xếp loại (đảng viên bị đình chỉ sinh
                                                hoạt đảng)"; "" when not shown or not yet rated
``collective.meeting_date``                     "dd/mm/yyyy" or ""
``collective.meeting_date_phrase``              "ngày 20 tháng 12 năm 2025" or ""
``collective.place_date``                       "Tịnh Biên, ngày 20 tháng 12 năm 2025" or ""
``collective.recorder_name``                    the Secretary's (or Deputy's) full name, or ""
``collective.recorder_role``                    "Bí thư" / "Phó Bí thư", or ""
``collective.recorder_role_upper``              "BÍ THƯ" / "PHÓ BÍ THƯ", or ""
``collective.on_behalf``                        "T/M CHI BỘ" (party style, with a slash, never
                                                "TM.")
``place``                                       the nearest place name from the cell up, or ""
``place_date``                                  "Tịnh Biên, ngày 05 tháng 01 năm 2026" (today);
                                                without a place, "Ngày 05 tháng 01 năm 2026" (the
                                                default handbook prints it nowhere: a personal
                                                book's cover has no place-date line; each part has
                                                its own date)
``today.date``                                  "05/01/2026", the export date
``today.phrase``                                "ngày 05 tháng 01 năm 2026"
``today.year``                                  int
==============================================  ====================================================
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from typing import Any, TypeAlias

from lamtheoguongbac._model import (
    CollectiveAssessment,
    Handbook,
    MemberStatus,
    OrgUnit,
    Pledge,
    PledgeResult,
    Review,
)
from lamtheoguongbac.export._values import header_lines, short_date, upper
from lamtheoguongbac.rules._base import local_today
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy
from lamtheoguongbac.text import date_phrase, place_date_line

__all__ = ["CONTEXT_SCHEMA", "CONTEXT_VERSION", "Schema", "build_context"]

#: The version of the context layout; bumped when a key is renamed or removed.
CONTEXT_VERSION = 1

#: A shape: ``str``/``int`` for a leaf, a dict of shapes, or a one-element list of a shape.
Schema: TypeAlias = type | dict[str, "Schema"] | list["Schema"]

_UNIT: dict[str, Schema] = {
    "id": str, "name": str, "name_upper": str, "level": str, "place": str,
    "name_upper_lines": [str], "committee": str,
}  # fmt: skip
_RESULT: dict[str, Schema] = {
    "outcome": str, "outcome_code": str, "achieved": str, "not_done": str, "direction": str,
}  # fmt: skip
_PLEDGE: dict[str, Schema] = {
    "number": int, "id": str, "deed": str, "bases": [str], "bases_text": str,
    "target": str, "deadline": str, "task": str, "shortcoming": str,
    "checkpoints": [str], "supplement_year": str, "result": _RESULT,
}  # fmt: skip

#: The shape of :func:`build_context`'s result, for tools that check templates.
CONTEXT_SCHEMA: dict[str, Schema] = {
    "context_version": int,
    "handbook": {
        "id": str, "year": int, "period": str, "period_start": str, "period_end": str,
        "period_text": str, "period_label": str, "is_term": int, "years": [int],
        "registered_on": str, "registered_on_phrase": str, "registration_place_date": str,
        "status": str, "status_code": str, "version": int,
    },
    "member": {
        "id": str, "full_name": str, "full_name_upper": str, "status": str,
        "status_code": str, "position": str,
        "duties": [str], "duties_text": str, "workplace": str, "date_of_birth": str,
        "date_of_birth_phrase": str, "joined_on": str, "official_on": str,
        "party_card_number": str,
    },
    "cell": _UNIT,
    "superior": _UNIT,
    "organisation": [_UNIT],
    "theme": {"code": str, "title": str},
    "pledges": [_PLEDGE],
    "initial_pledges": [_PLEDGE],
    "supplements": [
        {"year": int, "registered_on": str, "place_date": str, "pledges": [_PLEDGE]}
    ],
    "reviews": [
        {
            "number": int, "title": str, "checkpoint": str, "report_date": str,
            "results": [{"number": int, "deed": str, **_RESULT}],
            "self_assessment": {"text": str, "date": str, "place_date": str},
            "collective": {
                "text": str, "rating_line": str, "meeting_date": str, "place_date": str,
                "recorder_name": str, "recorder_role_upper": str, "on_behalf": str,
            },
        }
    ],
    "report": {"submitted_on": str, "submitted_on_phrase": str},
    "self_assessment": {"text": str, "date": str, "date_phrase": str, "place_date": str},
    "collective": {
        "text": str, "rating": str, "rating_abbreviation": str, "rating_shown": int,
        "rating_line": str, "meeting_date": str,
        "meeting_date_phrase": str, "place_date": str, "recorder_name": str,
        "recorder_role": str, "recorder_role_upper": str, "on_behalf": str,
    },
    "place": str,
    "place_date": str,
    "today": {"date": str, "phrase": str, "year": int},
}  # fmt: skip

# Party style: "T/M" with a slash (Hướng dẫn 36-HD/VPTW); the state style "TM." is not used.
_ON_BEHALF_OF_CELL = "T/M CHI BỘ"


def _phrase(d: dt.date | None) -> str:
    return "" if d is None else date_phrase(d)


def _place_date(place: str, d: dt.date | None) -> str:
    return "" if d is None else place_date_line(place or None, d)


def _text(value: str | None) -> str:
    return "" if value is None else value


def _unit(unit: OrgUnit | None) -> dict[str, Any]:
    if unit is None:
        return dict.fromkeys(_UNIT, "") | {"name_upper_lines": []}
    return _copy(_unit_values(unit))


# Every handbook of a province prints the same few units (its own cell, its grassroots
# organisation, the province): their values, whose header lines and committee name cost
# more than a pledge's, are made once and copied for each handbook (issue 11).
@functools.lru_cache(maxsize=4096)
def _unit_values(unit: OrgUnit) -> dict[str, Any]:
    return {
        "id": unit.id,
        "name": unit.name,
        "name_upper": upper(unit.name),
        "level": unit.level,
        "place": _text(unit.place),
        "name_upper_lines": header_lines(upper(unit.name)),
        "committee": unit.committee_name,
    }


def _copy(unit: dict[str, Any]) -> dict[str, Any]:
    return unit | {"name_upper_lines": list(unit["name_upper_lines"])}


def _result(result: PledgeResult | None) -> dict[str, Any]:
    if result is None:
        return {"outcome": "", "outcome_code": "", "achieved": "", "not_done": "",
                "direction": ""}  # fmt: skip
    return {
        "outcome": result.outcome.label_vi,
        "outcome_code": str(result.outcome.value),
        "achieved": _text(result.achieved),
        "not_done": _text(result.not_done),
        "direction": _text(result.direction),
    }


def _joined(items: Iterable[str]) -> str:
    return "; ".join(items)


def _pledge(number: int, pledge: Pledge, handbook: Handbook) -> dict[str, Any]:
    bases = [b.describe() for b in pledge.bases]
    added = handbook.supplement_of(pledge.id)
    checkpoints = [
        f"{short_date(c.due)}: {c.description}" if c.description else short_date(c.due)
        for c in pledge.checkpoints
    ]
    return {
        "number": number,
        "id": pledge.id,
        "deed": pledge.deed,
        "bases": bases,
        "bases_text": _joined(bases),
        "target": "" if pledge.target is None else pledge.target.describe(),
        "deadline": short_date(pledge.deadline),
        "task": _text(pledge.task),
        "shortcoming": _text(pledge.shortcoming),
        "checkpoints": checkpoints,
        "supplement_year": "" if added is None else str(added.year),
        "result": _result(handbook.result_for(pledge.id)),
    }


# Why a member gets no rating, in the words the book prints (Policy.rating_rule "none" or an
# exempt member left unrated under "optional").
_NOT_RATED_BECAUSE = {
    MemberStatus.SUSPENDED: "Không xếp loại (đảng viên đang bị đình chỉ sinh hoạt đảng)",
    MemberStatus.EXEMPT: "Không xếp loại (đảng viên được miễn công tác và sinh hoạt đảng)",
}


def _rating_line(handbook: Handbook, ca: CollectiveAssessment | None, policy: Policy) -> str:
    if not policy.rating_in_handbook or ca is None:
        return ""
    if ca.rating is not None:
        return f"{ca.rating.label_vi} ({ca.rating.abbreviation})"
    if policy.rating_rule(handbook.member.status) != "required":
        return _NOT_RATED_BECAUSE.get(handbook.member.status, "Không xếp loại")
    return ""


def _review(
    number: int, review: Review, handbook: Handbook, place: str, policy: Policy
) -> dict[str, Any]:
    numbers = {p.id: i for i, p in enumerate(handbook.pledges, start=1)}
    sa, ca = review.self_assessment, review.assessment
    return {
        "number": number,
        "title": review.heading,
        "checkpoint": short_date(review.checkpoint),
        "report_date": short_date(review.report.submitted_on),
        "results": [
            {"number": numbers[r.pledge_id], "deed": handbook.pledge(r.pledge_id).deed} | _result(r)
            for r in review.report.results
        ],
        "self_assessment": {
            "text": "" if sa is None else sa.text,
            "date": short_date(sa.written_on if sa else None),
            "place_date": _place_date(place, sa.written_on if sa else None),
        },
        "collective": {
            "text": "" if ca is None else ca.text,
            "rating_line": _rating_line(handbook, ca, policy),
            "meeting_date": short_date(ca.meeting_date if ca else None),
            "place_date": _place_date(place, ca.meeting_date if ca else None),
            "recorder_name": "" if ca is None else ca.recorder_name,
            "recorder_role_upper": "" if ca is None else upper(ca.recorder_role.label_vi),
            "on_behalf": "" if ca is None else _ON_BEHALF_OF_CELL,
        },
    }


def _place(handbook: Handbook) -> str:
    for unit in reversed(handbook.organisation):
        if unit.place and unit.place.strip():
            return " ".join(unit.place.split())
    return ""


def build_context(
    handbook: Handbook, *, today: dt.date | None = None, policy: Policy = DEFAULT_POLICY
) -> dict[str, Any]:
    """The documented template context of ``handbook`` (see the module docstring).

    Args:
        handbook: the handbook to render.
        today: the export date for ``today`` and ``place_date``; the current date when None.
            Pass one date for a whole batch so every document carries the same one.
        policy: says whether the book prints the rating (``rating_in_handbook``, off by
            default) and which members are not rated by their standing.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.export import build_context
        >>> from lamtheoguongbac.testing import make_handbook
        >>> context = build_context(
        ...     make_handbook(HandbookStatus.CLOSED), today=dt.date(2026, 1, 10)
        ... )
        >>> context["member"]["full_name"], context["handbook"]["status"], len(context["pledges"])
        ('Trần Văn Sơn', 'Đã khóa sổ', 2)
        >>> context["handbook"]["period_text"]
        'năm 2025'
    """
    today = local_today() if today is None else today
    period = handbook.period
    pledges = [_pledge(i, p, handbook) for i, p in enumerate(handbook.pledges, start=1)]
    by_id = {d["id"]: d for d in pledges}
    registered = handbook.registered_on
    member = handbook.member
    place = _place(handbook)
    sa = handbook.self_assessment
    ca = handbook.collective_assessment
    duties = list(member.duties)
    units = [_unit(u) for u in handbook.organisation]
    # The rating belongs to the rating process: printed only where the policy says so.
    rating = ca.rating if ca is not None and policy.rating_in_handbook else None
    context: dict[str, Any] = {
        "context_version": CONTEXT_VERSION,
        "handbook": {
            "id": handbook.id,
            "year": handbook.year,
            "period": f"{short_date(handbook.period.start)} – {short_date(handbook.period.end)}",
            "period_start": short_date(handbook.period.start),
            "period_end": short_date(handbook.period.end),
            "period_text": period.label(),
            "period_label": upper(period.label()),
            "is_term": int(period.is_term),
            "years": list(period.years),
            "registered_on": short_date(registered),
            "registered_on_phrase": _phrase(registered),
            "registration_place_date": _place_date(place, registered),
            "status": handbook.status.label_vi,
            "status_code": str(handbook.status.value),
            "version": handbook.version,
        },
        "member": {
            "id": member.id,
            "full_name": member.full_name,
            "full_name_upper": upper(member.full_name),
            "status": member.status.label_vi,
            "status_code": str(member.status.value),
            "position": _text(member.position),
            "duties": duties,
            "duties_text": _joined(duties),
            "workplace": _text(member.workplace),
            "date_of_birth": short_date(member.date_of_birth),
            "date_of_birth_phrase": _phrase(member.date_of_birth),
            "joined_on": short_date(member.joined_on),
            "official_on": short_date(member.official_on),
            "party_card_number": _text(member.party_card_number),
        },
        # Each unit is worked out once (its header lines are the costly part); ``cell`` and
        # ``superior`` are copies of the chain's last two, so no two keys share a dict or list.
        "cell": _copy(units[-1]),
        "superior": _copy(units[-2]) if len(units) > 1 else _unit(None),
        "organisation": units,
        "theme": {
            "code": "" if handbook.theme is None else handbook.theme.code,
            "title": "" if handbook.theme is None else handbook.theme.title,
        },
        "pledges": pledges,
        "initial_pledges": [d for d in pledges if not d["supplement_year"]],
        "supplements": [
            {
                "year": s.year,
                "registered_on": short_date(s.registered_on),
                "place_date": _place_date(place, s.registered_on),
                "pledges": [by_id[pid] for pid in s.pledge_ids],
            }
            for s in handbook.supplements
        ],
        "reviews": [
            _review(i, r, handbook, place, policy) for i, r in enumerate(handbook.reviews, 1)
        ],
        "report": {
            "submitted_on": short_date(handbook.report.submitted_on if handbook.report else None),
            "submitted_on_phrase": _phrase(
                handbook.report.submitted_on if handbook.report else None
            ),
        },
        "self_assessment": {
            "text": "" if sa is None else sa.text,
            "date": short_date(sa.written_on if sa else None),
            "date_phrase": _phrase(sa.written_on if sa else None),
            "place_date": _place_date(place, sa.written_on if sa else None),
        },
        "collective": {
            "text": "" if ca is None else ca.text,
            "rating": "" if rating is None else rating.label_vi,
            "rating_abbreviation": "" if rating is None else rating.abbreviation,
            "rating_shown": int(policy.rating_in_handbook),
            "rating_line": _rating_line(handbook, ca, policy),
            "meeting_date": short_date(ca.meeting_date if ca else None),
            "meeting_date_phrase": _phrase(ca.meeting_date if ca else None),
            "place_date": _place_date(place, ca.meeting_date if ca else None),
            "recorder_name": "" if ca is None else ca.recorder_name,
            "recorder_role": "" if ca is None else ca.recorder_role.label_vi,
            "recorder_role_upper": "" if ca is None else upper(ca.recorder_role.label_vi),
            "on_behalf": _ON_BEHALF_OF_CELL,
        },
        "place": place,
        "place_date": _place_date(place, today),
        "today": {"date": short_date(today), "phrase": date_phrase(today), "year": today.year},
    }
    return context
