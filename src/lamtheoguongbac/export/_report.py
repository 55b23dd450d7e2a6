"""The committee's summary report of a roll-up (báo cáo tổng hợp gửi cấp ủy): its template
context and its export.

:func:`~lamtheoguongbac.export.export_rollup_report` writes a
:class:`~lamtheoguongbac.supervision.Rollup` as one document through a registered exporter of kind
``report`` (:class:`~lamtheoguongbac.export.DocumentKind`): the figures per cell, the rating
distribution with a chart of it per cell, and the top-rating cap check. A custom template (e.g. a
docxtpl template for the Word exporter) sees the context
:func:`~lamtheoguongbac.export.build_report_context` builds.

The context is plain data (``str``, ``int``, ``list``, ``dict``; every string NFC) and
versioned by :data:`~lamtheoguongbac.export.REPORT_CONTEXT_VERSION` under the same rule as
the handbook context (:func:`~lamtheoguongbac.export.build_context`): keys may be added within a
version, never renamed or removed. :data:`~lamtheoguongbac.export.REPORT_SCHEMA` describes the same
shape as data.

**Charts.** ``charts`` describes each chart as data — categories, and series of values with
a name and a colour. A template shows a chart by printing its ``placeholder`` (e.g.
``{{ charts.ratings.placeholder }}``) in a paragraph of its own; the exporter puts the chart
there (the docx exporter: a native, editable Word chart). A template without the placeholder
has no chart.

A *row* (``cells[]`` and ``total``) has these keys: ``number`` (int, 1-based; 0 for the
total), ``id`` ("" for the total), ``name`` (the cell, or "Tổng cộng"), the int counts
``members``, ``handbooks``, ``registered``, ``reported``, ``assessed``,
``overdue_registration``, ``overdue_report``, ``overdue_assessment``, ``overdue`` (their
sum), ``pledges``, ``specific_pledges``, the text ``specific_share`` ("85%", "—" without
pledges) and ``ratings`` (int counts ``HTXSNV``, ``HTTNV``, ``HTNV``, ``KHTNV``,
``not_rated`` — every member without a rating — and its three parts ``not_rated_by_rule``
(suspended, or exempt and left unrated: not rated by rule), ``not_assessed`` (not yet
assessed by the cell) and ``assessed_unrated`` (assessed, no rating recorded); see
:class:`~lamtheoguongbac.supervision.RatingCounts`). ``registered``, ``reported`` and
``assessed`` count handbooks that reached at least that step (see
:class:`~lamtheoguongbac.supervision.Figures`).

The heading and signature are the committee's
(:class:`~lamtheoguongbac.export.CommitteeHeading`, shared with the yearbook): the report is issued
by "ĐẢNG ỦY XÃ AN PHÚ" under "ĐẢNG BỘ TỈNH AN GIANG", numbered "Số 12-BC/ĐU", signed "T/M ĐẢNG ỦY" /
"BÍ THƯ" and the name, with "Nơi nhận". Its keys (``committee``, ``superior``, ``document``,
``signature``, ``recipients``) are listed in :class:`~lamtheoguongbac.export.CommitteeHeading`.

================================================  ==============================================
key                                               value
================================================  ==============================================
``context_version``                               int,
                                                  :data:`~lamtheoguongbac.export.REPORT_CONTEXT_VERSION`
                                                  (1)
``report.title``                                  "BÁO CÁO"
``report.subject``                                "Tổng hợp kết quả thực hiện Sổ tay Làm theo
                                                  gương Bác năm 2025"
``report.year``                                   int, the handbooks' year
``report.as_of``                                  "05/01/2026", the day deadlines were judged on
``report.as_of_phrase``                           "ngày 05 tháng 01 năm 2026"
``organisation.id``                               the organisation rolled up
``organisation.name``                             "Đảng bộ xã Tịnh Biên"
``organisation.name_upper``                       the same in capitals, for the header
``superior.name``                                 the body above it, "" when not given
``superior.name_upper``                           the same in capitals
``superior.name_upper_lines``                     list of str, broken between phrases
``committee.*``, ``document.*``, ``signature.*``  the committee's heading and signature (see
                                                  above)
``recipients``                                    list of str, the "Nơi nhận" lines
``policy.name``                                   the rating policy's internal name (for
                                                  software; the default report prints none)
``policy.version``                                its version
``place``                                         the place name of the place-date line, or ""
``place_date``                                    "Tịnh Biên, ngày 05 tháng 01 năm 2026" (the
                                                  ``as_of`` day); without a place, "Ngày 05
                                                  tháng 01 năm 2026"
``summary``                                       list of str, sentences on the totals
                                                  (members, progress, overdue, specific
                                                  pledges, ratings)
``cells``                                         list of rows, one per cell (chi bộ), in
                                                  Vietnamese order of their names
``total``                                         the row of every cell added up
``rating_levels``                                 list: ``code`` ("HTXSNV", …, then
                                                  "not_rated_by_rule", "not_assessed",
                                                  "assessed_unrated"), ``abbreviation``,
                                                  ``label`` ("Hoàn thành xuất sắc nhiệm vụ",
                                                  …, "Không xếp loại theo quy định", "Chưa
                                                  được chi bộ đánh giá", "Đã đánh giá, chưa
                                                  ghi xếp loại"), ``count`` (int, total)
``caps``                                          list, the top-rating cap per grassroots
                                                  organisation:
``caps[].organisation_id``                        the grassroots organisation's id
``caps[].organisation_name``                      its name
``caps[].top_count``                              int, members with the top rating
``caps[].base_count``                             int, the members the cap is a share of
``caps[].allowed``                                int, the most the cap allows
``caps[].status_code``                            "exceeded" / "within"
``caps[].status``                                 "Vượt tỷ lệ cho phép" / "Trong tỷ lệ cho
                                                  phép"
``caps[].text``                                   the whole finding as a sentence
``caps_exceeded``                                 int, organisations over the cap
``caps_note``                                     a sentence when ``caps`` is empty, else ""
``charts.ratings.placeholder``                    "[[chart:ratings]]": print it alone in a
                                                  paragraph where the chart goes
``charts.ratings.title``                          "Kết quả xếp loại đảng viên theo chi bộ năm
                                                  2025" (also the chart's alternative text)
``charts.ratings.value_axis_title``               "Số đảng viên"
``charts.ratings.categories``                     list of str, the cells' names (as ``cells``)
``charts.ratings.series``                         list, one per rating level and "not rated":
                                                  ``code``, ``name`` (the level's label),
                                                  ``color`` ("1B5E20", RGB hex), ``values``
                                                  (list of int, one per category)
``inspection.count``                              int, inspections of the year (kiểm tra, giám
                                                  sát) covering the organisation's cells
``inspection.cells``                              int, distinct cells inspected
``inspection.handbooks``                          int, distinct handbooks inspected
``inspection.findings``                           int, findings in those cells
``inspection.requests``                           int, requests to fix something
``inspection.requests_done``                      int, of them reported done
``inspection.requests_open``                      int, not done yet (overdue ones included)
``inspection.requests_overdue``                   int, not done and past their deadline
``inspection.summary``                            list of str, sentences on the figures
``inspection.note``                               "Trong năm chưa có cuộc kiểm tra nào." when
                                                  there is none, else ""
``inspection.kinds``                              list, every finding kind: ``code``,
                                                  ``label``, ``count``
``inspection.items``                              list, the inspections: ``number``, ``id``,
                                                  ``date`` ("05/06/2025"), ``body`` (who
                                                  inspected), ``cells`` (their names, joined),
                                                  ``findings``, ``requests``,
                                                  ``requests_done`` (ints), ``conclusion``
``inspection.rows``                               list, per inspected cell: ``number``,
                                                  ``id``, ``name``, ``inspections``,
                                                  ``handbooks``, ``findings``, ``requests``,
                                                  ``requests_done``, ``requests_open``,
                                                  ``requests_overdue``
``inspection.entries``                            list, every finding in the organisation:
                                                  ``number``, ``date``, ``cell``, ``kind``
                                                  (label), ``kind_code``, ``text``,
                                                  ``requests`` (list: ``id``, ``text``,
                                                  ``due`` "dd/mm/yyyy", ``status`` ("Đã
                                                  khắc phục", "Đang khắc phục", "Quá hạn
                                                  khắc phục"), ``status_code``,
                                                  ``follow_up`` (the last follow-up's text
                                                  with its date and who recorded it, or ""))
``charts.findings``                               a chart as ``charts.ratings``: findings by
                                                  kind (the kinds found), one series
``charts.requests``                               a chart: requests per inspected cell, series
                                                  "done", "open", "overdue"
================================================  ==============================================
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._inspection_rules import InspectionSummary, summarise_inspections
from lamtheoguongbac._inspections import RequestStatus
from lamtheoguongbac._model import RatingLevel
from lamtheoguongbac._rollup import Figures, RatingCounts, Rollup
from lamtheoguongbac.export._base import DocumentKind, ExportOptions
from lamtheoguongbac.export._committee import CommitteeHeading
from lamtheoguongbac.export._context import Schema
from lamtheoguongbac.export._result import ExportResult, destination_first
from lamtheoguongbac.export._values import short_date, upper
from lamtheoguongbac.export._yearbook import write_document
from lamtheoguongbac.rules._aggregate import CapCheck
from lamtheoguongbac.text import date_phrase, place_date_line

if TYPE_CHECKING:
    from lamtheoguongbac._registry import Registry

__all__ = [
    "REPORT_CONTEXT_VERSION",
    "REPORT_SCHEMA",
    "CommitteeHeading",
    "build_report_context",
    "export_rollup_report",
]

#: The version of the report context's layout; bumped when a key is renamed or removed.
REPORT_CONTEXT_VERSION = 1

_NOT_RATED = "not_rated"
# The parts of "not rated" the report tells apart: code, abbreviation, label, colour. Grey
# for "not rated by rule" (nothing to do), light blue for "not assessed yet" (work pending),
# pale green for "assessed, no rating recorded".
_UNRATED: tuple[tuple[str, str, str, str], ...] = (
    ("not_rated_by_rule", "Không XL", "Không xếp loại theo quy định", "9E9E9E"),
    ("not_assessed", "Chưa ĐG", "Chưa được chi bộ đánh giá", "90CAF9"),
    ("assessed_unrated", "Chưa ghi XL", "Đã đánh giá, chưa ghi xếp loại", "C5E1A5"),
)
# Dark to light green for the good levels, amber and red below, grey for "not rated": the
# colours say how good a level is before the legend is read.
_COLOURS = {
    RatingLevel.EXCELLENT: "1B5E20",
    RatingLevel.GOOD: "66BB6A",
    RatingLevel.COMPLETED: "FBC02D",
    RatingLevel.NOT_COMPLETED: "C62828",
}
_NOT_RATED_COLOUR = "BDBDBD"

_RATINGS: dict[str, Schema] = {
    **{level.abbreviation: int for level in RatingLevel},
    _NOT_RATED: int,
    **{code: int for code, *_ in _UNRATED},
}
_ROW: dict[str, Schema] = {
    "number": int, "id": str, "name": str, "members": int, "handbooks": int,
    "registered": int, "reported": int, "assessed": int, "overdue_registration": int,
    "overdue_report": int, "overdue_assessment": int, "overdue": int, "pledges": int,
    "specific_pledges": int, "specific_share": str, "ratings": _RATINGS,
}  # fmt: skip

_CHART: dict[str, Schema] = {
    "placeholder": str, "title": str, "value_axis_title": str, "categories": [str],
    "series": [{"code": str, "name": str, "color": str, "values": [int]}],
}  # fmt: skip
_INSPECTION: dict[str, Schema] = {
    "count": int, "cells": int, "handbooks": int, "findings": int, "requests": int,
    "requests_done": int, "requests_open": int, "requests_overdue": int, "summary": [str],
    "note": str,
    "kinds": [{"code": str, "label": str, "count": int}],
    "items": [
        {"number": int, "id": str, "date": str, "body": str, "cells": str, "findings": int,
         "requests": int, "requests_done": int, "conclusion": str},
    ],
    "rows": [
        {"number": int, "id": str, "name": str, "inspections": int, "handbooks": int,
         "findings": int, "requests": int, "requests_done": int, "requests_open": int,
         "requests_overdue": int},
    ],
    "entries": [
        {"number": int, "date": str, "cell": str, "kind": str, "kind_code": str, "text": str,
         "requests": [
             {"id": str, "text": str, "due": str, "status": str, "status_code": str,
              "follow_up": str},
         ]},
    ],
}  # fmt: skip

#: The shape of :func:`build_report_context`'s result, for tools that check templates.
REPORT_SCHEMA: dict[str, Schema] = {
    "context_version": int,
    "report": {"title": str, "subject": str, "year": int, "as_of": str, "as_of_phrase": str},
    "organisation": {"id": str, "name": str, "name_upper": str},
    "superior": {"name": str, "name_upper": str, "name_upper_lines": [str]},
    "committee": {
        "name": str, "name_upper": str, "name_upper_lines": [str], "kind": str,
        "kind_upper": str, "abbreviation": str,
    },
    "document": {"number": str, "number_line": str},
    "signature": {"on_behalf": str, "title": str, "title_upper": str, "name": str},
    "recipients": [str],
    "policy": {"name": str, "version": str},
    "place": str,
    "place_date": str,
    "summary": [str],
    "cells": [_ROW],
    "total": _ROW,
    "rating_levels": [{"code": str, "abbreviation": str, "label": str, "count": int}],
    "caps": [
        {
            "organisation_id": str, "organisation_name": str, "top_count": int,
            "base_count": int, "allowed": int, "status_code": str, "status": str, "text": str,
        }
    ],
    "caps_exceeded": int,
    "caps_note": str,
    "charts": {
        "ratings": {
            "placeholder": str, "title": str, "value_axis_title": str, "categories": [str],
            "series": [{"code": str, "name": str, "color": str, "values": [int]}],
        },
        "findings": _CHART,
        "requests": _CHART,
    },
    "inspection": _INSPECTION,
}  # fmt: skip


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "—"


def _row(number: int, cell_id: str, name: str, f: Figures) -> dict[str, Any]:
    return {
        "number": number,
        "id": cell_id,
        "name": name,
        "members": f.members,
        "handbooks": f.handbooks,
        "registered": f.registered,
        "reported": f.reported,
        "assessed": f.assessed,
        "overdue_registration": f.overdue_registration,
        "overdue_report": f.overdue_report,
        "overdue_assessment": f.overdue_assessment,
        "overdue": f.overdue,
        "pledges": f.pledges,
        "specific_pledges": f.specific_pledges,
        "specific_share": _percent(f.specific_pledges, f.pledges),
        "ratings": f.ratings.to_dict(),
    }


def _summary(r: Rollup, total: Figures, as_of: str) -> list[str]:
    m = total.members

    def of_members(n: int) -> str:
        return f"{n}/{m} đảng viên ({_percent(n, m)})"

    lines = [
        f"{r.organisation_name} có {len(r.cells)} chi bộ với {m} đảng viên; {total.handbooks} "
        f"đảng viên đã lập sổ tay năm {r.year}.",
        f"Đã đăng ký việc làm theo gương Bác: {of_members(total.registered)}; đã báo cáo kết "
        f"quả: {of_members(total.reported)}; đã được chi bộ nhận xét, đánh giá: "
        f"{of_members(total.assessed)}.",
    ]
    if total.overdue:
        lines.append(
            f"Trễ hạn (tính đến {as_of}): {total.overdue_registration} đảng viên chưa đăng ký, "
            f"{total.overdue_report} chưa báo cáo kết quả, {total.overdue_assessment} chưa được "
            "chi bộ đánh giá."
        )
    else:
        lines.append(f"Tính đến {as_of}, không có đảng viên nào trễ hạn.")
    if total.pledges:
        lines.append(
            f"Việc đăng ký cụ thể, lượng hóa được: {total.specific_pledges}/{total.pledges} việc "
            f"({_percent(total.specific_pledges, total.pledges)})."
        )
    else:
        lines.append("Chưa có việc làm theo nào được đăng ký.")
    lines.append(_ratings_sentence(total.ratings))
    return lines


def _ratings_sentence(r: RatingCounts) -> str:
    """The rating results, with the members not rated by rule told apart from those the
    cell has not assessed yet."""
    counts = ", ".join(f"{r.count(v)} {v.abbreviation}" for v in RatingLevel)
    parts = [
        f"{r.not_rated_by_rule} đảng viên không xếp loại theo quy định (đình chỉ sinh hoạt "
        "đảng; miễn công tác và sinh hoạt đảng)",
        f"{r.not_assessed} đảng viên chưa được chi bộ nhận xét, đánh giá",
    ]
    if r.assessed_unrated:
        parts.append(f"{r.assessed_unrated} đảng viên đã được đánh giá, chưa ghi mức xếp loại")
    return f"Kết quả xếp loại: {counts}; {'; '.join(parts)}."


def _cap(c: CapCheck) -> dict[str, Any]:
    status = "Vượt tỷ lệ cho phép" if c.exceeded else "Trong tỷ lệ cho phép"
    return {
        "organisation_id": c.organisation_id,
        "organisation_name": c.organisation_name,
        "top_count": c.top_count,
        "base_count": c.base_count,
        "allowed": c.allowed,
        "status_code": "exceeded" if c.exceeded else "within",
        "status": status,
        "text": f"{c.organisation_name}: {c.top_count} đảng viên xếp loại Hoàn thành xuất sắc "
        f"nhiệm vụ, tối đa được {c.allowed} (căn cứ tính: {c.base_count} đảng viên) — "
        f"{status[:1].lower()}{status[1:]}.",
    }


def _chart(r: Rollup) -> dict[str, Any]:
    series = [
        {
            "code": level.abbreviation,
            "name": level.label_vi,
            "color": _COLOURS[level],
            "values": [c.figures.ratings.count(level) for c in r.cells],
        }
        for level in RatingLevel
    ]
    for code, _, label, colour in _UNRATED:
        values = [getattr(c.figures.ratings, code) for c in r.cells]
        if code == "assessed_unrated" and not any(values):
            continue  # only when some assessments have no rating recorded
        series.append({"code": code, "name": label, "color": colour, "values": values})
    return {
        "placeholder": "[[chart:ratings]]",
        "title": f"Kết quả xếp loại đảng viên theo chi bộ năm {r.year}",
        "value_axis_title": "Số đảng viên",
        "categories": [c.cell_name for c in r.cells],
        "series": series,
    }


# --- inspection (kiểm tra, giám sát) --------------------------------------------------------

_STATUS_COLOURS = {
    RequestStatus.DONE: "2E7D32",
    RequestStatus.OPEN: "FBC02D",
    RequestStatus.OVERDUE: "C62828",
}


def _empty_summary(rollup: Rollup) -> InspectionSummary:
    return summarise_inspections((), today=rollup.today)


def _inspection(rollup: Rollup) -> dict[str, Any]:
    s = rollup.inspection if rollup.inspection is not None else _empty_summary(rollup)
    inside = {c.cell_id for c in s.per_cell}
    labels = {k.code: k.label_vi for k in s.by_kind}
    entries: list[dict[str, Any]] = []
    for insp in s.inspections:
        names = {c.cell.id: c.cell.name for c in insp.cells}
        for f in insp.findings:
            if f.cell_id not in inside:
                continue
            entries.append(
                {
                    "number": len(entries) + 1,
                    "date": short_date(insp.on),
                    "cell": names.get(f.cell_id, f.cell_id),
                    "kind": labels.get(f.kind, f.kind),
                    "kind_code": f.kind,
                    "text": f.text,
                    "requests": [_request(r, rollup) for r in f.requests],
                }
            )
    found = [k for k in s.by_kind if k.count]
    summary: list[str] = []
    if s.inspections:
        summary.append(
            f"Trong năm {rollup.year} đã kiểm tra, giám sát {s.cells} chi bộ với {s.handbooks} "
            f"sổ tay ({len(s.inspections)} cuộc); phát hiện {s.findings} nội dung"
            + (": " + ", ".join(f"{k.label_vi.lower()} {k.count}" for k in found) if found else "")
            + "."
        )
        summary.append(
            f"Đã yêu cầu khắc phục {s.requests} nội dung: {s.requests_done} đã khắc phục, "
            f"{s.requests_open} chưa khắc phục xong (trong đó {s.requests_overdue} quá hạn)."
        )
    return {
        "count": len(s.inspections),
        "cells": s.cells,
        "handbooks": s.handbooks,
        "findings": s.findings,
        "requests": s.requests,
        "requests_done": s.requests_done,
        "requests_open": s.requests_open,
        "requests_overdue": s.requests_overdue,
        "summary": summary,
        "note": "" if s.inspections else "Trong năm chưa có cuộc kiểm tra nào.",
        "kinds": [{"code": k.code, "label": k.label_vi, "count": k.count} for k in s.by_kind],
        "items": [
            {
                "number": n,
                "id": insp.id,
                "date": short_date(insp.on),
                "body": insp.inspector,
                "cells": ", ".join(c.cell.name for c in insp.cells if c.cell.id in inside),
                "findings": sum(1 for f in insp.findings if f.cell_id in inside),
                "requests": sum(len(f.requests) for f in insp.findings if f.cell_id in inside),
                "requests_done": sum(
                    1 for f in insp.findings if f.cell_id in inside for r in f.requests if r.done
                ),
                "conclusion": insp.conclusion or "",
            }
            for n, insp in enumerate(s.inspections, start=1)
        ],
        "rows": [
            {
                "number": n,
                "id": c.cell_id,
                "name": c.cell_name,
                "inspections": c.inspections,
                "handbooks": c.handbooks,
                "findings": c.findings,
                "requests": c.requests,
                "requests_done": c.requests_done,
                "requests_open": c.requests_open,
                "requests_overdue": c.requests_overdue,
            }
            for n, c in enumerate(s.per_cell, start=1)
        ],
        "entries": entries,
    }


def _request(r: Any, rollup: Rollup) -> dict[str, Any]:
    status = r.status(rollup.today)
    last = r.follow_ups[-1] if r.follow_ups else None
    follow = (
        ""
        if last is None
        else f"{last.text} ({short_date(last.on)}, {last.recorder_role.label_vi} "
        f"{last.recorder_name})"
    )
    return {
        "id": r.id,
        "text": r.text,
        "due": short_date(r.due),
        "status": status.label_vi,
        "status_code": str(status.value),
        "follow_up": follow,
    }


def _inspection_charts(rollup: Rollup) -> dict[str, Any]:
    s = rollup.inspection if rollup.inspection is not None else _empty_summary(rollup)
    found = [k for k in s.by_kind if k.count]
    findings = {
        "placeholder": "[[chart:findings]]",
        "title": f"Kết quả kiểm tra, giám sát năm {rollup.year}: nội dung phát hiện theo loại",
        "value_axis_title": "Số nội dung",
        "categories": [k.label_vi for k in found],
        "series": [
            {
                "code": "findings",
                "name": "Số nội dung phát hiện",
                "color": "1565C0",
                "values": [k.count for k in found],
            }
        ],
    }
    cells = [c for c in s.per_cell if c.requests]
    values = {
        RequestStatus.DONE: [c.requests_done for c in cells],
        RequestStatus.OPEN: [c.requests_open - c.requests_overdue for c in cells],
        RequestStatus.OVERDUE: [c.requests_overdue for c in cells],
    }
    requests = {
        "placeholder": "[[chart:requests]]",
        "title": f"Yêu cầu khắc phục sau kiểm tra theo chi bộ năm {rollup.year}",
        "value_axis_title": "Số yêu cầu",
        "categories": [c.cell_name for c in cells],
        "series": [
            {
                "code": str(status.value),
                "name": status.label_vi,
                "color": _STATUS_COLOURS[status],
                "values": values[status],
            }
            for status in (RequestStatus.DONE, RequestStatus.OPEN, RequestStatus.OVERDUE)
        ],
    }
    return {"findings": findings, "requests": requests}


def build_report_context(
    rollup: Rollup,
    *,
    superior_name: str = "",
    place: str = "",
    heading: CommitteeHeading | None = None,
) -> dict[str, Any]:
    """The documented report context of ``rollup`` (see the module docstring).

    Args:
        rollup: the roll-up, e.g. from :func:`lamtheoguongbac.supervision.Rollup`.
        superior_name: the body above the organisation, printed over the committee in the
            header (when no ``heading`` is given).
        place: the place name of the place-date line; "" for none (likewise).
        heading: the committee's heading and signature, e.g. from
            :meth:`CommitteeHeading.of_unit` (the roster's Bí thư signs); by default the
            committee's name is derived from the organisation's, unnumbered and unsigned.

    Raises:
        ValidationFailed: ``rollup`` is not a :class:`~lamtheoguongbac.supervision.Rollup`.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.export import build_report_context
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=3)
        >>> with Handbooks.open("memory:") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     rollup = service.supervision.rollup(
        ...         organisation_id="db-00", year=2025, today=dt.date(2025, 3, 31)
        ...     )
        ...
        >>> context = build_report_context(rollup, place="An Giang")
        >>> context["organisation"]["name"], len(context["cells"])
        ('Đảng bộ xã số 1', 2)
    """
    if not isinstance(rollup, Rollup):
        raise ValidationFailed(
            "cần một bảng tổng hợp (Rollup)", "a Rollup is required", field="rollup"
        )
    if heading is None:
        heading = CommitteeHeading.of_name(
            rollup.organisation_name, superior=superior_name, place=place
        )
    where = heading.place
    as_of = date_phrase(rollup.today)
    total = rollup.total
    caps = [_cap(c) for c in rollup.caps]
    levels = [
        {
            "code": v.abbreviation,
            "abbreviation": v.abbreviation,
            "label": v.label_vi,
            "count": total.ratings.count(v),
        }
        for v in RatingLevel
    ]
    levels += [
        {"code": code, "abbreviation": short, "label": label, "count": getattr(total.ratings, code)}
        for code, short, label, _ in _UNRATED
    ]
    committee = heading.context(document_type="BC")
    return {
        "context_version": REPORT_CONTEXT_VERSION,
        "report": {
            "title": "BÁO CÁO",
            "subject": f"Tổng hợp kết quả thực hiện Sổ tay Làm theo gương Bác năm {rollup.year}",
            "year": rollup.year,
            "as_of": f"{rollup.today:%d/%m/%Y}",
            "as_of_phrase": as_of,
        },
        "organisation": {
            "id": rollup.organisation_id,
            "name": rollup.organisation_name,
            "name_upper": upper(rollup.organisation_name),
        },
        **committee,
        "policy": {"name": rollup.policy_name, "version": rollup.policy_version},
        "place": where,
        "place_date": place_date_line(where or None, rollup.today),
        "summary": _summary(rollup, total, as_of),
        "cells": [
            _row(n, c.cell_id, c.cell_name, c.figures) for n, c in enumerate(rollup.cells, 1)
        ],
        "total": _row(0, "", "Tổng cộng", total),
        "rating_levels": levels,
        "caps": caps,
        "caps_exceeded": sum(1 for c in caps if c["status_code"] == "exceeded"),
        "caps_note": ""
        if caps
        else "Chưa có số liệu để kiểm tra tỷ lệ xếp loại Hoàn thành xuất sắc nhiệm vụ.",
        "charts": {"ratings": _chart(rollup), **_inspection_charts(rollup)},
        "inspection": _inspection(rollup),
    }


def export_rollup_report(
    dest: Path | str,
    rollup: Rollup,
    *,
    superior_name: str = "",
    place: str = "",
    heading: CommitteeHeading | None = None,
    exporter: str | None = None,
    options: ExportOptions | None = None,
    registry: Registry | None = None,
) -> ExportResult:
    """Write the committee's summary report of ``rollup`` to ``dest`` (atomically).

    The document is rendered by ``exporter``'s renderer with ``options``: its default
    report template, or ``options.template``.

    Args:
        dest: the document to write; its folder is created if needed.
        rollup: the roll-up to report.
        superior_name, place, heading: as for :func:`build_report_context`.
        exporter: the exporter's name (None: the default exporter of kind ``report``).
        options: a custom template and the exporter's settings, checked by the exporter
            (None: its default template, no settings) — as for :func:`export_handbooks`.
        registry: where to find the exporter (default: a new
            :func:`~lamtheoguongbac.plugin.create_registry`).

    Returns:
        the document written (:attr:`ExportResult.path`) and the renderer's notes.

    Raises:
        ValidationFailed: ``rollup`` is not a roll-up; ``dest`` is not a path or ``rollup``
            is a path (the wrong order).
        PluginError: no exporter of kind ``report`` (install an exporter plugin), or
            ``exporter`` renders another kind.
        TemplateError: the template is invalid or failed to render.
        OSError: ``dest`` cannot be written.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.export import export_rollup_report
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=2, members_per_cell=3)
        >>> with Handbooks.open("memory:") as handbooks:
        ...     handbooks.roster.save(roster.units, roster.members)
        ...     rollup = handbooks.supervision.rollup(organisation_id="db-00", year=2025)
        >>> dest = Path(tempfile.mkdtemp()) / "bao-cao-tong-hop-2025.docx"
        >>> export_rollup_report(dest, rollup, place="An Giang").path == dest
        True
    """
    dest = destination_first("export_rollup_report(dest, rollup, …)", dest, rollup, "rollup")
    context = build_report_context(
        rollup, superior_name=superior_name, place=place, heading=heading
    )
    return write_document(
        context,
        dest,
        kind=DocumentKind.REPORT,
        exporter=exporter,
        options=options,
        registry=registry,
    )
