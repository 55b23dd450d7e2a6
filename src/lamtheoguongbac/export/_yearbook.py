"""The yearbook of exemplars (kỷ yếu gương điển hình): its template context and its export.

:func:`~lamtheoguongbac.export.export_yearbook` compiles exemplars — party members and cells,
and people and collectives outside the party — into one document through a registered exporter of
kind ``yearbook`` (:class:`~lamtheoguongbac.export.DocumentKind`), as a committee compiles it: the
cover, a foreword (lời giới thiệu), the contents, the exemplars grouped by field (lĩnh vực) and,
within a field, collectives first, then people, each with the decision that commended it, the
committee's signature, and an index of names in Vietnamese order. The Word exporter plugin's default
template sets the entries one after another (a compact layout, not a page each). A custom template
(for the Word exporter, a docxtpl template like the handbook's) is given with ``template=``; it sees
the context :func:`~lamtheoguongbac.export.build_yearbook_context` builds.

The context is plain data (``str``, ``int``, ``list``, ``dict``; every string NFC) and
versioned by :data:`~lamtheoguongbac.export.YEARBOOK_CONTEXT_VERSION` under the same rule as
the handbook context (:func:`~lamtheoguongbac.export.build_context`): keys may be added within a
version, never renamed or removed. Version 2 groups ``parts`` by field (version 1 grouped them by
kind). :data:`~lamtheoguongbac.export.YEARBOOK_SCHEMA` describes the same shape as data.

Within a field, collectives come first, then individuals; people in roster order (given
name, then middle and family name, by Vietnamese collation), collectives by the Vietnamese
collation of their names; exemplars are numbered 1, 2, … through the whole book, and
``Handbooks.exemplars`` / ``exemplar list`` use the same order within a year.

================================================  ==============================================
key                                               value
================================================  ==============================================
``context_version``                               int,
                                                  :data:`~lamtheoguongbac.export.YEARBOOK_CONTEXT_VERSION`
                                                  (2)
``yearbook.year``                                 int, the year in the title
``yearbook.title``                                "KỶ YẾU GƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO TƯ
                                                  TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH NĂM
                                                  2025" (the whole title)
``yearbook.heading``                              "KỶ YẾU"
``yearbook.subject``                              "GƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO TƯ TƯỞNG,
                                                  ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH"
``yearbook.subject_lines``                        list of str, the subject in the two lines a
                                                  cover sets it in
``yearbook.year_line``                            "NĂM 2025"
``yearbook.count``                                int, exemplars in the book
``yearbook.individual_count``                     int, individuals
``yearbook.collective_count``                     int, collectives
``yearbook.commended_count``                      int, exemplars with a commendation
``yearbook.people_count``                         int, exemplars outside the party (quần chúng)
``yearbook.field_count``                          int, fields with an exemplar
``organisation.name``                             the organisation compiling the yearbook
``organisation.name_upper``                       the same in capitals
``committee.name``                                its committee, the issuing body: "Đảng ủy xã
                                                  Tịnh Biên" (given, or derived from the
                                                  organisation's name: Đảng bộ → Đảng ủy, Chi
                                                  bộ → Chi ủy)
``committee.name_upper``                          the same in capitals, for the document header
``superior.name``                                 the body above it, "" when not given
``superior.name_upper``                           the same in capitals
``place``                                         the place name of the place-date line, or ""
``place_date``                                    "Tịnh Biên, ngày 05 tháng 01 năm 2026";
                                                  without a place, "Ngày 05 tháng 01 năm 2026"
``today.date``                                    "05/01/2026", the date of the yearbook
``today.phrase``                                  "ngày 05 tháng 01 năm 2026"
``today.year``                                    int
``foreword.title``                                "LỜI GIỚI THIỆU"
``foreword.paragraphs``                           list of str: the text given, or a default
                                                  naming the year, the committee, the counts
                                                  and the fields
``signature.on_behalf``                           "T/M ĐẢNG ỦY" (from the committee's name)
``signature.title``                               "BÍ THƯ" (or as given: "PHÓ BÍ THƯ")
``signature.name``                                the signer's full name, "" when not given
``parts``                                         list, one per field with exemplars, in the
                                                  order of
                                                  :class:`~lamtheoguongbac.committee.ExemplarField`:
``parts[].number``                                "I", "II", … (Roman)
``parts[].title``                                 the field: "Phát triển kinh tế"
``parts[].title_upper``                           the same in capitals
``parts[].field_code``                            "kinh_te", …
``parts[].anchor``                                "_GDH_P01", a bookmark name
``parts[].count``                                 int
``parts[].groups``                                list: ``number`` ("1", "2"), ``title``
                                                  ("Tập thể" / "Cá nhân"), ``kind_code``,
                                                  ``anchor`` ("_GDH_P01_1"), ``exemplars``
``parts[].exemplars``                             the part's exemplars (below)
``exemplars``                                     every exemplar in book order; each one:
``exemplars[].number``                            int, 1-based through the whole book
``exemplars[].anchor``                            "_GDH_0001", a bookmark name for page numbers
``exemplars[].id``                                the exemplar's id
``exemplars[].year``                              int, the year of the deeds
``exemplars[].kind``                              "Cá nhân" / "Tập thể"
``exemplars[].kind_code``                         "ca_nhan" / "tap_the"
``exemplars[].party_code``                        "dang" (a party member or unit) / "quan_chung"
                                                  (outside the party)
``exemplars[].standing``                          "Đảng viên", "Tổ chức đảng", "Quần chúng"
                                                  (a person outside the party) or "Tập thể"
``exemplars[].field``                             "Phát triển kinh tế", …
``exemplars[].field_code``                        "kinh_te", …
``exemplars[].name``                              "Nguyễn Văn An", or the collective's name
``exemplars[].name_upper``                        the same in capitals
``exemplars[].heading``                           "Đồng chí Nguyễn Văn An" for a party member;
                                                  anyone else's name as it is
``exemplars[].cell``                              the individual's cell, the collective itself,
                                                  or the party unit an exemplar outside the
                                                  party was nominated under: ``id``, ``name``,
                                                  ``name_upper``, ``level``, ``place``
``exemplars[].superior``                          the unit above ``cell`` (same keys), all ""
                                                  when none
``exemplars[].organisation``                      list of units (same keys), root first
``exemplars[].unit_label``                        "Đơn vị" (a member) / "Trực thuộc" (a party
                                                  collective) / "Địa bàn" (outside the party)
``exemplars[].unit_line``                         "Chi bộ ấp Đông, Đảng bộ xã Tịnh Biên" (the
                                                  cell and the unit above it); for a party
                                                  collective the unit above it, or ""; outside
                                                  the party the locality, else the unit
``exemplars[].locality``                          "Ấp 3, xã An Phú" or ""
``exemplars[].proposed_by``                       the proposing body, or ""
``exemplars[].figures``                           list of str: "50.000.000 đồng tiền mặt"
``exemplars[].figures_line``                      the figures joined by "; ", or ""
``exemplars[].evidence``                          list of str
``exemplars[].achievements``                      thành tích, the text as nominated
``exemplars[].achievements_lines``                list of str, its non-empty lines
``exemplars[].commendation.text``                 "Được Ban Thường vụ … tặng Giấy khen theo
                                                  Quyết định số 125-QĐ/ĐU ngày 05 tháng 01 năm
                                                  2026", "" when not commended
``exemplars[].commendation.authority``            the commending body, or ""
``exemplars[].commendation.form``                 "Giấy khen", "Bằng khen", … or ""
``exemplars[].commendation.decision_number``      "125-QĐ/ĐU" or ""
``exemplars[].commendation.decided_on``           "05/01/2026" or ""
``exemplars[].commendation.decided_on_phrase``    "ngày 05 tháng 01 năm 2026" or ""
``index``                                         list, every exemplar by name in Vietnamese
                                                  order (people by given name): ``name``,
                                                  ``number``, ``anchor``, ``kind``, ``field``
``individuals``                                   the individual exemplars (the same dicts)
``collectives``                                   the collective exemplars (the same dicts)
================================================  ==============================================
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._exemplars import Exemplar, ExemplarField, ExemplarKind, exemplar_order
from lamtheoguongbac._fsutil import atomic_write
from lamtheoguongbac._model import OrgUnit
from lamtheoguongbac.export._base import DocumentKind, ExportOptions, PluginCode, guarded_renderer
from lamtheoguongbac.export._context import Schema
from lamtheoguongbac.export._result import ExportResult, destination_first
from lamtheoguongbac.export._values import clean, short_date, upper
from lamtheoguongbac.rules._base import local_today
from lamtheoguongbac.text import (
    collation_key,
    date_phrase,
    name_sort_key,
    nfc,
    place_date_line,
)

if TYPE_CHECKING:
    from lamtheoguongbac._registry import Registry

__all__ = [
    "YEARBOOK_CONTEXT_VERSION",
    "YEARBOOK_SCHEMA",
    "build_yearbook_context",
    "committee_of",
    "export_yearbook",
    "write_document",
    "yearbook_order",
]

#: The version of the yearbook context's layout; bumped when a key is renamed or removed.
YEARBOOK_CONTEXT_VERSION = 2

# Broken by sense, as a cover sets it (never inside "tư tưởng" or "Hồ Chí Minh").
_SUBJECT_LINES = (
    "GƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO",
    "TƯ TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH",
)
_SUBJECT = " ".join(_SUBJECT_LINES)
_GROUP_TITLES = {ExemplarKind.COLLECTIVE: "Tập thể", ExemplarKind.INDIVIDUAL: "Cá nhân"}
_ROMAN = (
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
)  # fmt: skip

_UNIT: dict[str, Schema] = {
    "id": str, "name": str, "name_upper": str, "level": str, "place": str,
}  # fmt: skip
_EXEMPLAR: dict[str, Schema] = {
    "number": int, "anchor": str, "id": str, "year": int, "kind": str, "kind_code": str,
    "party_code": str, "standing": str, "field": str, "field_code": str,
    "name": str, "name_upper": str, "heading": str, "cell": _UNIT, "superior": _UNIT,
    "organisation": [_UNIT], "unit_label": str, "unit_line": str, "locality": str,
    "proposed_by": str, "figures": [str], "figures_line": str, "evidence": [str],
    "achievements": str, "achievements_lines": [str],
    "commendation": {
        "text": str, "authority": str, "form": str, "decision_number": str, "decided_on": str,
        "decided_on_phrase": str,
    },
}  # fmt: skip

#: The shape of :func:`build_yearbook_context`'s result, for tools that check templates.
YEARBOOK_SCHEMA: dict[str, Schema] = {
    "context_version": int,
    "yearbook": {
        "year": int, "title": str, "heading": str, "subject": str, "subject_lines": [str],
        "year_line": str,
        "count": int, "individual_count": int, "collective_count": int, "commended_count": int,
        "people_count": int, "field_count": int,
    },
    "organisation": {"name": str, "name_upper": str},
    "committee": {"name": str, "name_upper": str},
    "superior": {"name": str, "name_upper": str},
    "place": str,
    "place_date": str,
    "today": {"date": str, "phrase": str, "year": int},
    "foreword": {"title": str, "paragraphs": [str]},
    "signature": {"on_behalf": str, "title": str, "name": str},
    "parts": [
        {"number": str, "title": str, "title_upper": str, "field_code": str, "anchor": str,
         "count": int,
         "groups": [
             {"number": str, "title": str, "kind_code": str, "anchor": str,
              "exemplars": [_EXEMPLAR]},
         ],
         "exemplars": [_EXEMPLAR]},
    ],
    "exemplars": [_EXEMPLAR],
    "index": [{"name": str, "number": int, "anchor": str, "kind": str, "field": str}],
    "individuals": [_EXEMPLAR],
    "collectives": [_EXEMPLAR],
}  # fmt: skip


def _unit(unit: OrgUnit | None) -> dict[str, Any]:
    if unit is None:
        return dict.fromkeys(_UNIT, "")
    return {
        "id": unit.id,
        "name": unit.name,
        "name_upper": upper(unit.name),
        "level": unit.level,
        "place": unit.place or "",
    }


def yearbook_order(exemplars: Iterable[Exemplar]) -> list[Exemplar]:
    """``exemplars`` in the yearbook's order: by field (the order of
    :class:`~lamtheoguongbac.exemplars.ExemplarField`), then collectives before individuals,
    people by given, middle and family name and collectives by name, both by Vietnamese
    collation (the id breaks ties) — within a field, the order of
    :func:`~lamtheoguongbac.exemplars.exemplar_order`."""

    def key(e: Exemplar) -> tuple[int, tuple[int, int, tuple[bytes, ...], str]]:
        return (e.details.field.order, exemplar_order(attrs.evolve(e, year=2000)))

    return sorted(exemplars, key=key)


def _standing(e: Exemplar) -> str:
    if e.party:
        return "Đảng viên" if e.kind is ExemplarKind.INDIVIDUAL else "Tổ chức đảng"
    return "Quần chúng" if e.kind is ExemplarKind.INDIVIDUAL else "Tập thể"


def _exemplar(number: int, e: Exemplar) -> dict[str, Any]:
    individual = e.kind is ExemplarKind.INDIVIDUAL
    superior = e.superior
    chain_line = e.cell.name if superior is None else f"{e.cell.name}, {superior.name}"
    locality = "" if e.details.locality is None else e.details.locality.describe()
    if not e.party:
        unit_label, unit_line = "Địa bàn", locality or chain_line
    elif individual:
        unit_label, unit_line = "Đơn vị", chain_line
    else:
        unit_label, unit_line = "Trực thuộc", "" if superior is None else superior.name
    figures = [f.describe() for f in e.details.figures]
    c = e.commendation
    return {
        "number": number,
        "anchor": f"_GDH_{number:04d}",
        "id": e.id,
        "year": e.year,
        "kind": e.kind.label_vi,
        "kind_code": str(e.kind.value),
        "party_code": "dang" if e.party else "quan_chung",
        "standing": _standing(e),
        "field": e.details.field.label_vi,
        "field_code": str(e.details.field.value),
        "name": e.name,
        "name_upper": upper(e.name),
        "heading": f"Đồng chí {e.name}" if individual and e.party else e.name,
        "cell": _unit(e.cell),
        "superior": _unit(superior),
        "organisation": [_unit(u) for u in e.organisation],
        "unit_label": unit_label,
        "unit_line": unit_line,
        "locality": locality,
        "proposed_by": e.details.proposed_by or "",
        "figures": figures,
        "figures_line": "; ".join(figures),
        "evidence": list(e.details.evidence),
        "achievements": e.achievements,
        "achievements_lines": [s for s in map(str.strip, e.achievements.splitlines()) if s],
        "commendation": {
            "text": e.commendation_text() or "",
            "authority": "" if c is None else c.authority,
            "form": "" if c is None else c.form,
            "decision_number": "" if c is None else c.decision_number,
            "decided_on": "" if c is None else short_date(c.decided_on),
            "decided_on_phrase": "" if c is None else date_phrase(c.decided_on),
        },
    }


_COMMITTEES = (("Đảng bộ", "Đảng ủy"), ("Chi bộ", "Chi ủy"))


def committee_of(organisation_name: str) -> str:
    """The committee of an organisation, as a document it issues names it: "Đảng bộ xã An
    Phú" → "Đảng ủy xã An Phú", "Chi bộ …" → "Chi ủy …"; anything else as it is."""
    name = clean(organisation_name)
    for body, committee in _COMMITTEES:
        if name[: len(body)].lower() == body.lower():
            return committee + name[len(body) :]
    return name


def _on_behalf(committee: str) -> str:
    for _, kind in _COMMITTEES:
        if committee.startswith(kind):
            return f"T/M {upper(kind)}"
    return f"T/M {upper(committee)}"


def _foreword(
    given: str | None,
    committee: str,
    year: int,
    entries: list[dict[str, Any]],
    fields: list[str],
) -> list[str]:
    if given is not None and given.strip():
        return [" ".join(p.split()) for p in nfc(given).split("\n\n") if p.strip()]
    people = sum(1 for e in entries if e["party_code"] == "quan_chung")
    collectives = sum(1 for e in entries if e["kind_code"] == "tap_the")
    listed = ", ".join(f.lower() for f in fields)
    return [
        "Thực hiện Kết luận số 01-KL/TW ngày 18/5/2021 của Bộ Chính trị về tiếp tục thực hiện "
        "Chỉ thị số 05-CT/TW về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ "
        f"Chí Minh, năm {year} {committee} đã lãnh đạo, chỉ đạo các tổ chức đảng, cán bộ, đảng "
        "viên và Nhân dân gắn việc học tập và làm theo gương Bác với nhiệm vụ chính trị của "
        "từng cơ quan, đơn vị, địa phương, bằng những việc làm cụ thể, thiết thực.",
        "Từ phong trào đó đã xuất hiện nhiều tập thể, cá nhân tiêu biểu, có cách làm hay, hiệu "
        f"quả. Kỷ yếu này giới thiệu {len(entries)} gương điển hình ({collectives} tập thể, "
        f"{len(entries) - collectives} cá nhân, trong đó {people} gương điển hình trong Nhân "
        f"dân) thuộc {len(fields)} lĩnh vực: {listed}.",
        f"{committee} trân trọng giới thiệu cuốn kỷ yếu đến các tổ chức đảng, cán bộ, đảng viên "
        "và Nhân dân để học tập, nhân rộng, góp phần lan tỏa sâu rộng việc học tập và làm theo "
        "tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
    ]


def _checked(
    exemplars: Iterable[Exemplar], title_year: int, organisation_name: str
) -> tuple[list[Exemplar], str]:
    found = list(exemplars)
    if not found:
        raise ValidationFailed(
            "kỷ yếu cần ít nhất một gương điển hình",
            "a yearbook needs at least one exemplar",
            field="exemplars",
        )
    seen: set[str] = set()
    for i, e in enumerate(found):
        if not isinstance(e, Exemplar):
            raise ValidationFailed(
                f"phần tử thứ {i + 1} không phải gương điển hình (Exemplar)",
                f"item {i + 1} is not an Exemplar",
                field=f"exemplars[{i}]",
            )
        if e.id in seen:
            raise ValidationFailed(
                f"gương điển hình '{e.id}' có hai lần",
                f"exemplar '{e.id}' is given twice",
                field=f"exemplars[{i}]",
            )
        seen.add(e.id)
    if (
        isinstance(title_year, bool)
        or not isinstance(title_year, int)
        or not (1945 <= title_year <= 2200)
    ):
        raise ValidationFailed(
            f"năm {title_year!r} không hợp lệ", f"invalid year {title_year!r}", field="title_year"
        )
    name = clean(organisation_name) if isinstance(organisation_name, str) else ""
    if not name:
        raise ValidationFailed(
            "cần tên tổ chức biên soạn kỷ yếu",
            "the compiling organisation's name is required",
            field="organisation_name",
        )
    return found, name


def build_yearbook_context(
    exemplars: Iterable[Exemplar],
    *,
    title_year: int,
    organisation_name: str,
    superior_name: str = "",
    place: str = "",
    today: dt.date | None = None,
    committee_name: str = "",
    signer_name: str = "",
    signer_title: str = "BÍ THƯ",
    foreword: str | None = None,
) -> dict[str, Any]:
    """The documented yearbook context (see the module docstring).

    Args:
        exemplars: the exemplars to print, in any order (they are put in the book's order).
        title_year: the year in the title ("… NĂM 2025").
        organisation_name: the organisation compiling the yearbook.
        superior_name: the body above it, printed over it in the header; "" for none.
        place: the place name of the place-date line; "" for none.
        today: the date of the yearbook; the current date when None.
        committee_name: the issuing committee ("Đảng ủy xã Tịnh Biên"); "" derives it from
            ``organisation_name`` ("Đảng bộ …" → "Đảng ủy …", "Chi bộ …" → "Chi ủy …").
        signer_name: who signs for the committee; "" leaves the line to be signed by hand.
        signer_title: the signer's office ("BÍ THƯ", "PHÓ BÍ THƯ").
        foreword: the foreword's text (paragraphs separated by a blank line); None for the
            default.

    Raises:
        ValidationFailed: no exemplar, an item that is not an
            :class:`~lamtheoguongbac.Exemplar`, the same exemplar twice, an invalid year or an empty
            organisation name.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.export import build_yearbook_context
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> exemplars = [make_exemplar(index=i, commended=True) for i in (1, 2)]
        >>> context = build_yearbook_context(
        ...     exemplars,
        ...     title_year=2025,
        ...     organisation_name="Đảng bộ xã Tịnh Biên",
        ...     today=dt.date(2026, 1, 15),
        ... )
        >>> len(context["exemplars"]), len(context["individuals"]), context["organisation"]
        (2, 2, {'name': 'Đảng bộ xã Tịnh Biên', 'name_upper': 'ĐẢNG BỘ XÃ TỊNH BIÊN'})
    """
    found, name = _checked(exemplars, title_year, organisation_name)
    superior = clean(superior_name)
    committee = clean(committee_name) or committee_of(name)
    where = clean(place)
    day = local_today() if today is None else today
    phrase = date_phrase(day)
    ordered = yearbook_order(found)
    entries = [_exemplar(n, e) for n, e in enumerate(ordered, start=1)]
    parts: list[dict[str, Any]] = []
    for field in ExemplarField:
        inside = [x for x, e in zip(entries, ordered, strict=True) if e.details.field is field]
        if not inside:
            continue
        number = len(parts) + 1
        groups: list[dict[str, Any]] = []
        for kind in (ExemplarKind.COLLECTIVE, ExemplarKind.INDIVIDUAL):
            members = [x for x in inside if x["kind_code"] == kind.value]
            if members:
                groups.append(
                    {
                        "number": str(len(groups) + 1),
                        "title": _GROUP_TITLES[kind],
                        "kind_code": str(kind.value),
                        "anchor": f"_GDH_P{number:02d}_{len(groups) + 1}",
                        "exemplars": members,
                    }
                )
        parts.append(
            {
                "number": _ROMAN[number - 1] if number <= len(_ROMAN) else str(number),
                "title": field.label_vi,
                "title_upper": upper(field.label_vi),
                "field_code": str(field.value),
                "anchor": f"_GDH_P{number:02d}",
                "count": len(inside),
                "groups": groups,
                "exemplars": inside,
            }
        )
    index = sorted(
        zip(entries, ordered, strict=True),
        key=lambda pair: (
            name_sort_key(pair[1].name)
            if pair[1].kind is ExemplarKind.INDIVIDUAL
            else (collation_key(pair[1].name),),
            pair[0]["number"],
        ),
    )
    individuals = [x for x in entries if x["kind_code"] == ExemplarKind.INDIVIDUAL.value]
    collectives = [x for x in entries if x["kind_code"] == ExemplarKind.COLLECTIVE.value]
    return {
        "context_version": YEARBOOK_CONTEXT_VERSION,
        "yearbook": {
            "year": title_year,
            "title": f"KỶ YẾU {_SUBJECT} NĂM {title_year}",
            "heading": "KỶ YẾU",
            "subject": _SUBJECT,
            "subject_lines": list(_SUBJECT_LINES),
            "year_line": f"NĂM {title_year}",
            "count": len(entries),
            "individual_count": len(individuals),
            "collective_count": len(collectives),
            "commended_count": sum(1 for e in found if e.commended),
            "people_count": sum(1 for e in found if not e.party),
            "field_count": len(parts),
        },
        "organisation": {"name": name, "name_upper": upper(name)},
        "committee": {"name": committee, "name_upper": upper(committee)},
        "superior": {"name": superior, "name_upper": upper(superior)},
        "place": where,
        "place_date": place_date_line(where or None, day),
        "today": {"date": short_date(day), "phrase": phrase, "year": day.year},
        "foreword": {
            "title": "LỜI GIỚI THIỆU",
            "paragraphs": _foreword(
                foreword, committee, title_year, entries, [p["title"] for p in parts]
            ),
        },
        "signature": {
            "on_behalf": _on_behalf(committee),
            "title": upper(clean(signer_title)) or "BÍ THƯ",
            "name": clean(signer_name),
        },
        "parts": parts,
        "exemplars": entries,
        "index": [
            {
                "name": x["name"],
                "number": x["number"],
                "anchor": x["anchor"],
                "kind": x["kind"],
                "field": x["field"],
            }
            for x, _ in index
        ],
        "individuals": individuals,
        "collectives": collectives,
    }


def export_yearbook(
    dest: Path | str,
    exemplars: Iterable[Exemplar],
    *,
    title_year: int,
    organisation_name: str,
    superior_name: str = "",
    place: str = "",
    today: dt.date | None = None,
    exporter: str | None = None,
    options: ExportOptions | None = None,
    registry: Registry | None = None,
    committee_name: str = "",
    signer_name: str = "",
    signer_title: str = "BÍ THƯ",
    foreword: str | None = None,
) -> ExportResult:
    """Write the yearbook of ``exemplars`` to ``dest`` (atomically: whole or not at all).

    The document is rendered by ``exporter``'s renderer with ``options``: its default
    yearbook template, or ``options.template``. Pass only the exemplars to print — the
    command line keeps the commended ones unless asked for all.

    The signature block prints ``signer_title`` and ``signer_name`` as given: a yearbook
    the committee issues names its signer — take them from the roster with
    :func:`~lamtheoguongbac.export.committee_signer`, as ``lamtheoguongbac yearbook``
    does (left empty, the name line stays blank, to be signed and written by hand).

    Args:
        dest: the document to write; its folder is created if needed.
        exemplars: the exemplars, in any order.
        title_year: as for :func:`build_yearbook_context`, like ``organisation_name``,
            ``superior_name``, ``place``, ``today``, ``committee_name``, ``signer_name``,
            ``signer_title`` and ``foreword``.
        exporter: the exporter's name (None: the default exporter of kind ``yearbook``).
        options: a custom template and the exporter's settings, checked by the exporter
            (None: its default template, no settings) — as for :func:`export_handbooks`.
        registry: where to find the exporter (default: a new
            :func:`~lamtheoguongbac.plugin.create_registry`).

    Returns:
        the document written (:attr:`ExportResult.path`) and the renderer's notes.

    Raises:
        ValidationFailed: bad arguments (see :func:`build_yearbook_context`), ``dest`` not
            a path or ``exemplars`` a path (the wrong order).
        PluginError: no exporter of kind ``yearbook`` (install an exporter plugin), or
            ``exporter`` renders another kind.
        TemplateError: the template is invalid or failed to render.
        OSError: ``dest`` cannot be written.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.export import export_yearbook
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> dest = Path(tempfile.mkdtemp()) / "ky-yeu-2025.docx"
        >>> result = export_yearbook(
        ...     dest,
        ...     [make_exemplar()],
        ...     title_year=2025,
        ...     organisation_name="Đảng bộ xã An Bình",
        ...     signer_name="Nguyễn Văn Hùng",  # from committee_signer(unit_id, members, on)
        ... )
        >>> result.path == dest and dest.stat().st_size > 0
        True
    """
    dest = destination_first("export_yearbook(dest, exemplars, …)", dest, exemplars, "exemplars")
    context = build_yearbook_context(
        exemplars,
        title_year=title_year,
        organisation_name=organisation_name,
        superior_name=superior_name,
        place=place,
        today=today,
        committee_name=committee_name,
        signer_name=signer_name,
        signer_title=signer_title,
        foreword=foreword,
    )
    return write_document(
        context,
        dest,
        kind=DocumentKind.YEARBOOK,
        exporter=exporter,
        options=options,
        registry=registry,
    )


def write_document(
    context: Mapping[str, Any],
    dest: Path,
    *,
    kind: DocumentKind | str,
    exporter: str | None = None,
    options: ExportOptions | None = None,
    registry: Registry | None = None,
) -> ExportResult:
    """Render one ``context`` with ``exporter`` and write it to ``dest`` atomically (the
    shared last step of the yearbook and the report).

    Args:
        context: the template context, of ``kind``.
        dest: the document to write; its folder is created if needed.
        kind: the kind of document ``context`` is.
        exporter: the registered exporter's name (None: the default exporter of ``kind``).
        options: a custom template and the exporter's settings (None: the defaults).
        registry: where to find the exporter (default: a new
            :func:`~lamtheoguongbac.plugin.create_registry`).

    Returns:
        ``dest`` as :attr:`ExportResult.path`, with the renderer's warnings as notes.

    Raises:
        PluginError: no such exporter, or one of another kind.
        ValidationFailed: the exporter refuses a setting.
        TemplateError: the template is invalid or failed to render.
        OSError: ``dest`` cannot be written.
    """
    if registry is None:
        from lamtheoguongbac._registry import create_registry

        registry = create_registry()
    chosen = registry.exporter_for(kind, exporter)
    who = PluginCode(chosen.name, registry.exporter_provider(chosen.name))
    options = chosen.configure(options or ExportOptions(), plugin=who.plugin)
    # Warnings are the renderer's notes (a template falling back to a slower path), as in
    # a batch export: returned to the caller, not printed.
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = guarded_renderer(chosen.create_renderer, options, who).render(context)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, data)
    return ExportResult(written=(dest,), notes=tuple(str(w.message) for w in caught))
