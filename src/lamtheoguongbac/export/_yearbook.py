"""The yearbook of exemplars (kỷ yếu gương điển hình): its template context and its export.

:func:`export_yearbook` compiles exemplars — individuals and collectives — into one document
through the exporter registered as :data:`YEARBOOK_EXPORTER` (``"docx-yearbook"``, from the
``lamtheoguongbac-docx`` plugin, whose default template has the cover, the contents list and
one page per exemplar). A custom template is a docxtpl template like the handbook's, given
with ``template=``; it sees the context :func:`build_yearbook_context` builds.

The context is plain data (``str``, ``int``, ``list``, ``dict``; every string NFC) and
versioned by :data:`YEARBOOK_CONTEXT_VERSION` under the same rule as the handbook context
(:mod:`lamtheoguongbac.export._context`): keys may be added within a version, never renamed
or removed. :data:`YEARBOOK_SCHEMA` describes the same shape as data.

Exemplars are printed individuals first, then collectives; individuals in roster order
(given name, then middle and family name, by Vietnamese collation), collectives by the
Vietnamese collation of their names, and numbered 1, 2, … through the whole book.

================================================  ==============================================
key                                               value
================================================  ==============================================
``context_version``                               int, :data:`YEARBOOK_CONTEXT_VERSION` (1)
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
``organisation.name``                             the organisation compiling the yearbook
``organisation.name_upper``                       the same in capitals, for the document header
``superior.name``                                 the body above it, "" when not given
``superior.name_upper``                           the same in capitals
``place``                                         the place name of the place-date line, or ""
``place_date``                                    "Tịnh Biên, ngày 05 tháng 01 năm 2026";
                                                  without a place, "Ngày 05 tháng 01 năm 2026"
``today.date``                                    "05/01/2026", the date of the yearbook
``today.phrase``                                  "ngày 05 tháng 01 năm 2026"
``today.year``                                    int
``parts``                                         list, the non-empty parts in order
                                                  (individuals, then collectives):
``parts[].number``                                "I", "II"
``parts[].title``                                 "Gương điển hình cá nhân" / "Gương điển hình
                                                  tập thể"
``parts[].title_upper``                           the same in capitals
``parts[].kind_code``                             "ca_nhan" / "tap_the"
``parts[].exemplars``                             list of exemplars (below)
``exemplars``                                     every exemplar in book order; each one:
``exemplars[].number``                            int, 1-based through the whole book
``exemplars[].anchor``                            "_GDH_0001", a bookmark name for the contents'
                                                  page numbers
``exemplars[].id``                                the exemplar's id
``exemplars[].year``                              int, the year of the deeds
``exemplars[].kind``                              "Cá nhân" / "Tập thể"
``exemplars[].kind_code``                         "ca_nhan" / "tap_the"
``exemplars[].name``                              "Nguyễn Văn An", or the collective's name
``exemplars[].name_upper``                        the same in capitals
``exemplars[].heading``                           "Đồng chí Nguyễn Văn An"; a collective's name
                                                  as it is
``exemplars[].cell``                              the individual's cell, or the collective
                                                  itself: ``id``, ``name``, ``name_upper``,
                                                  ``level``, ``place``
``exemplars[].superior``                          the unit above ``cell`` (same keys), all ""
                                                  when none
``exemplars[].organisation``                      list of units (same keys), root first
``exemplars[].unit_label``                        "Đơn vị" (individual) / "Trực thuộc"
                                                  (collective)
``exemplars[].unit_line``                         "Chi bộ ấp Đông, Đảng bộ xã Tịnh Biên" (the
                                                  cell and the unit above it); for a collective
                                                  the unit above it, or ""
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
``individuals``                                   the individual exemplars (the same dicts)
``collectives``                                   the collective exemplars (the same dicts)
================================================  ==============================================
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac._exemplars import Exemplar, ExemplarKind
from lamtheoguongbac._fsutil import atomic_write
from lamtheoguongbac._model import OrgUnit
from lamtheoguongbac.export._base import ExportOptions
from lamtheoguongbac.export._context import Schema
from lamtheoguongbac.export._values import clean, short_date, upper
from lamtheoguongbac.text import (
    collation_key,
    date_phrase,
    name_sort_key,
    place_date_line,
)

if TYPE_CHECKING:
    from lamtheoguongbac._registry import Registry

__all__ = [
    "YEARBOOK_CONTEXT_VERSION",
    "YEARBOOK_EXPORTER",
    "YEARBOOK_SCHEMA",
    "build_yearbook_context",
    "export_yearbook",
    "write_document",
    "yearbook_order",
]

#: The version of the yearbook context's layout; bumped when a key is renamed or removed.
YEARBOOK_CONTEXT_VERSION = 1
#: The exporter that renders yearbook contexts (registered by ``lamtheoguongbac-docx``).
YEARBOOK_EXPORTER = "docx-yearbook"

# Broken by sense, as a cover sets it (never inside "tư tưởng" or "Hồ Chí Minh").
_SUBJECT_LINES = (
    "GƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO",
    "TƯ TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH",
)
_SUBJECT = " ".join(_SUBJECT_LINES)
_PART_TITLES = {
    ExemplarKind.INDIVIDUAL: "Gương điển hình cá nhân",
    ExemplarKind.COLLECTIVE: "Gương điển hình tập thể",
}
_ROMAN = ("I", "II")

_UNIT: dict[str, Schema] = {
    "id": str, "name": str, "name_upper": str, "level": str, "place": str,
}  # fmt: skip
_EXEMPLAR: dict[str, Schema] = {
    "number": int, "anchor": str, "id": str, "year": int, "kind": str, "kind_code": str,
    "name": str, "name_upper": str, "heading": str, "cell": _UNIT, "superior": _UNIT,
    "organisation": [_UNIT], "unit_label": str, "unit_line": str, "achievements": str,
    "achievements_lines": [str],
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
    },
    "organisation": {"name": str, "name_upper": str},
    "superior": {"name": str, "name_upper": str},
    "place": str,
    "place_date": str,
    "today": {"date": str, "phrase": str, "year": int},
    "parts": [
        {"number": str, "title": str, "title_upper": str, "kind_code": str,
         "exemplars": [_EXEMPLAR]},
    ],
    "exemplars": [_EXEMPLAR],
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
    """``exemplars`` in the yearbook's order: individuals by given, middle and family name,
    then collectives by name, both by Vietnamese collation (the id breaks ties)."""

    def key(e: Exemplar) -> tuple[int, tuple[bytes, ...], str]:
        individual = e.kind is ExemplarKind.INDIVIDUAL
        name = name_sort_key(e.name) if individual else (collation_key(e.name),)
        return (0 if individual else 1, name, e.id)

    return sorted(exemplars, key=key)


def _exemplar(number: int, e: Exemplar) -> dict[str, Any]:
    individual = e.kind is ExemplarKind.INDIVIDUAL
    superior = e.superior
    if individual:
        unit_line = e.cell.name if superior is None else f"{e.cell.name}, {superior.name}"
    else:
        unit_line = "" if superior is None else superior.name
    c = e.commendation
    return {
        "number": number,
        "anchor": f"_GDH_{number:04d}",
        "id": e.id,
        "year": e.year,
        "kind": e.kind.label_vi,
        "kind_code": str(e.kind.value),
        "name": e.name,
        "name_upper": upper(e.name),
        "heading": f"Đồng chí {e.name}" if individual else e.name,
        "cell": _unit(e.cell),
        "superior": _unit(superior),
        "organisation": [_unit(u) for u in e.organisation],
        "unit_label": "Đơn vị" if individual else "Trực thuộc",
        "unit_line": unit_line,
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
) -> dict[str, Any]:
    """The documented yearbook context (see the module docstring).

    Args:
        exemplars: the exemplars to print, in any order (they are put in the book's order).
        title_year: the year in the title ("… NĂM 2025").
        organisation_name: the organisation compiling the yearbook (the issuing body).
        superior_name: the body above it, printed over it in the header; "" for none.
        place: the place name of the place-date line; "" for none.
        today: the date of the yearbook; the current date when None.

    Raises:
        ValidationFailed: no exemplar, an item that is not an :class:`Exemplar`, the same
            exemplar twice, an invalid year or an empty organisation name.
    """
    found, name = _checked(exemplars, title_year, organisation_name)
    superior = clean(superior_name)
    where = clean(place)
    day = dt.date.today() if today is None else today
    phrase = date_phrase(day)
    entries = [_exemplar(n, e) for n, e in enumerate(yearbook_order(found), start=1)]
    kinds = (ExemplarKind.INDIVIDUAL, ExemplarKind.COLLECTIVE)
    by_kind = {k: [x for x in entries if x["kind_code"] == k.value] for k in kinds}
    parts: list[dict[str, Any]] = []
    for kind in kinds:
        if by_kind[kind]:
            title = _PART_TITLES[kind]
            parts.append(
                {
                    "number": _ROMAN[len(parts)],
                    "title": title,
                    "title_upper": upper(title),
                    "kind_code": str(kind.value),
                    "exemplars": by_kind[kind],
                }
            )
    individuals, collectives = by_kind[ExemplarKind.INDIVIDUAL], by_kind[ExemplarKind.COLLECTIVE]
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
        },
        "organisation": {"name": name, "name_upper": upper(name)},
        "superior": {"name": superior, "name_upper": upper(superior)},
        "place": where,
        "place_date": place_date_line(where or None, day),
        "today": {"date": short_date(day), "phrase": phrase, "year": day.year},
        "parts": parts,
        "exemplars": entries,
        "individuals": individuals,
        "collectives": collectives,
    }


def export_yearbook(
    exemplars: Iterable[Exemplar],
    dest: Path,
    *,
    title_year: int,
    organisation_name: str,
    superior_name: str = "",
    place: str = "",
    today: dt.date | None = None,
    registry: Registry | None = None,
    template: Path | None = None,
    exporter: str = YEARBOOK_EXPORTER,
) -> Path:
    """Write the yearbook of ``exemplars`` to ``dest`` (atomically: whole or not at all).

    The document is rendered by ``exporter``'s renderer with ``ExportOptions(template=…)``:
    its default yearbook template, or ``template``. Pass only the exemplars to print — the
    command line keeps the commended ones unless asked for all.

    Args:
        exemplars: the exemplars, in any order.
        dest: the document to write; its folder is created if needed.
        title_year, organisation_name, superior_name, place, today: as for
            :func:`build_yearbook_context`.
        registry: where to find the exporter (default: :func:`create_registry`).
        template: a custom yearbook template (None: the exporter's default).
        exporter: the exporter's name.

    Returns:
        ``dest``.

    Raises:
        ValidationFailed: bad arguments (see :func:`build_yearbook_context`).
        PluginError: no such exporter (install ``lamtheoguongbac-docx``).
        TemplateError: the template is invalid or failed to render.
        OSError: ``dest`` cannot be written.
    """
    context = build_yearbook_context(
        exemplars,
        title_year=title_year,
        organisation_name=organisation_name,
        superior_name=superior_name,
        place=place,
        today=today,
    )
    return write_document(context, dest, exporter=exporter, registry=registry, template=template)


def write_document(
    context: Mapping[str, Any],
    dest: Path,
    *,
    exporter: str,
    registry: Registry | None = None,
    template: Path | None = None,
) -> Path:
    """Render one ``context`` with ``exporter`` and write it to ``dest`` atomically (the
    shared last step of the yearbook and the report).

    Args:
        context: the template context.
        dest: the document to write; its folder is created if needed.
        exporter: the registered exporter's name.
        registry: where to find the exporter (default: :func:`create_registry`).
        template: a custom template (None: the exporter's default).

    Returns:
        ``dest``.

    Raises:
        PluginError: no such exporter.
        TemplateError: the template is invalid or failed to render.
        OSError: ``dest`` cannot be written.
    """
    if registry is None:
        from lamtheoguongbac._registry import create_registry

        registry = create_registry()
    renderer = registry.exporter(exporter).create_renderer(ExportOptions(template=template))
    data = renderer.render(context)
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, data)
    return dest
