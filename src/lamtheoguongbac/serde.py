"""JSON for every value class: one cattrs converter, a schema version, migrations.

Documents carry ``"schema_version"`` at their top level. :func:`from_dict` runs the
registered migrations (dict → dict, one version step each) *before* structuring, refuses
unknown keys, and reports every bad field with its JSON path
(``$.pledges[2].target.amount``) in a :class:`~lamtheoguongbac.ValidationFailed`.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import typing
from collections.abc import Callable, Mapping
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, TypeVar

import cattrs
from cattrs.strategies import configure_tagged_union

from lamtheoguongbac._checks import text_problem
from lamtheoguongbac._errors import LamTheoGuongBacError, Problem, ValidationFailed
from lamtheoguongbac._model import DeliverableTarget, QuantityTarget
from lamtheoguongbac._stored import Untrusted, decoder_for, encoder_for
from lamtheoguongbac.text import nfc

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "dumps",
    "from_dict",
    "from_stored",
    "loads",
    "make_converter",
    "parse_json",
    "to_dict",
]

T = TypeVar("T")

#: The version of the JSON layout this release writes.
SCHEMA_VERSION = 2

Migration = Callable[[dict[str, Any]], dict[str, Any]]


def _unit_v1_to_v2(unit: Any) -> Any:
    if isinstance(unit, dict) and "level" in unit and "committee" not in unit:
        return {**unit, "committee": None}
    return unit


def _v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added the unit's committee name (``OrgUnit.committee``) and, to a handbook,
    the registration date, yearly supplements and interim reviews. A version-1 document has
    none of them: units get no committee name (it is derived from the level), a handbook
    no registration date (printed as a blank to fill in), no supplements, no reviews.
    Version 2 also added optional keys that take their defaults: an event's
    ``on_behalf_of``, ``on_behalf_of_name`` and ``cleared`` (what a reopening took out), an
    exemplar's ``party`` and ``details``, a commendation's ``body_id``, the inspection
    documents."""
    doc = _unit_v1_to_v2(doc)
    if isinstance(doc.get("organisation"), list) and "period" in doc:
        doc = {
            "registered_on": None,
            "supplements": [],
            "reviews": [],
            **doc,
            "organisation": [_unit_v1_to_v2(u) for u in doc["organisation"]],
        }
    units = doc.get("units")
    if isinstance(units, list):  # a roster document
        doc = {**doc, "units": [_unit_v1_to_v2(u) for u in units]}
    return doc


#: ``MIGRATIONS[n]`` turns a version-``n`` document into a version-``n+1`` one; each layout
#: change adds one step here.
MIGRATIONS: dict[int, Migration] = {1: _v1_to_v2}

_TARGET_TAGS: dict[type, str] = {QuantityTarget: "quantity", DeliverableTarget: "deliverable"}


class _BadValue(ValueError):
    """A JSON value of the wrong kind, said in Vietnamese and English (cattrs' own messages
    are English only, so the structure hooks raise this instead)."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


_JSON_KINDS = {
    "str": ("văn bản", "text"),
    "int": ("số nguyên", "int"),
    "float": ("số thực", "float"),
    "bool": ("true/false", "bool"),
    "list": ("danh sách", "list"),
    "dict": ("đối tượng", "dict"),
    "NoneType": ("null", "NoneType"),
}


def _kind(value: Any) -> tuple[str, str]:
    """What a JSON value is, in Vietnamese and English ("danh sách" / "list")."""
    name = type(value).__name__
    return _JSON_KINDS.get(name, (name, name))


def _structure_date(value: Any, _: type) -> dt.date:
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _BadValue(
        f"cần ngày dạng YYYY-MM-DD, nhận được {value!r}",
        f"expected a date as YYYY-MM-DD, got {value!r}",
    )


def _structure_datetime(value: Any, _: type) -> dt.datetime:
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            if parsed.tzinfo is not None:
                return parsed
    raise _BadValue(
        f"cần thời điểm dạng ISO có độ lệch múi giờ, nhận được {value!r}",
        f"expected an ISO datetime with a UTC offset, got {value!r}",
    )


def _structure_str(value: Any, _: type) -> str:
    if not isinstance(value, str):
        vi, en = _kind(value)
        raise _BadValue(f"cần văn bản, nhận được {vi}", f"expected text, got {en}")
    problem = text_problem(value)
    if problem is not None:
        raise ValidationFailed(*problem)  # the JSON path is added by from_dict
    return nfc(value)


def _structure_int(value: Any, _: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _BadValue(
            f"cần số nguyên, nhận được {value!r}", f"expected an integer, got {value!r}"
        )
    return value


def _structure_bool(value: Any, _: type) -> bool:
    if not isinstance(value, bool):
        raise _BadValue(
            f"cần true hoặc false, nhận được {value!r}", f"expected true or false, got {value!r}"
        )
    return value


def _structure_decimal(value: Any, _: type) -> Decimal:
    if not isinstance(value, bool) and isinstance(value, int | float | str):
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            pass
    raise _BadValue(f"cần một số, nhận được {value!r}", f"expected a number, got {value!r}")


def _is_sequence(type_: Any) -> bool:
    """``list[X]`` or the homogeneous ``tuple[X, ...]`` of the model's fields."""
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    return origin is list or (origin is tuple and len(args) == 2 and args[1] is Ellipsis)


def _sequence_hook(conv: cattrs.Converter) -> Callable[[Any, Any], Any]:
    """Structure ``tuple[X, ...]``/``list[X]`` from a JSON array only.

    cattrs would iterate any iterable, so ``"duties": "Tiếp dân"`` became a tuple of letters
    and an object became a tuple of its keys. Item errors keep their index for the path.
    """

    def structure(value: Any, type_: Any) -> Any:
        if not isinstance(value, list | tuple):
            vi, en = _kind(value)
            raise _BadValue(f"cần danh sách, nhận được {vi}", f"expected a list, got {en}")
        item_type = (typing.get_args(type_) or (Any,))[0]
        items, errors = [], []
        for i, v in enumerate(value):
            try:
                items.append(conv.structure(v, item_type))
            except Exception as exc:
                note = f"Structuring {type_!r} @ index {i}"
                exc.add_note(cattrs.errors.IterableValidationNote(note, i, item_type))
                errors.append(exc)
        if errors:
            raise cattrs.IterableValidationError(f"While structuring {type_!r}", errors, type_)
        return list(items) if typing.get_origin(type_) is list else tuple(items)

    return structure


def make_converter() -> cattrs.Converter:
    """The converter for every value class of the package root (and events).

    Example:
        >>> from lamtheoguongbac import RatingLevel, RegulationRef
        >>> from lamtheoguongbac.serde import make_converter
        >>> converter = make_converter()
        >>> converter.unstructure(RegulationRef(regulation="37-QĐ/TW", article=4))
        {'regulation': '37-QĐ/TW', 'article': 4, 'clause': None}
        >>> converter.structure("HTTNV", RatingLevel)
        <RatingLevel.GOOD: 'HTTNV'>
    """
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.datetime, dt.datetime.isoformat)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(Decimal, lambda d: format(d, "f"))
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook(int, _structure_int)
    conv.register_structure_hook(bool, _structure_bool)
    conv.register_structure_hook_func(_is_sequence, _sequence_hook(conv))
    target: Any = QuantityTarget | DeliverableTarget  # a union, not a class, for mypy
    configure_tagged_union(
        target, conv, tag_generator=lambda cls: _TARGET_TAGS[cls], tag_name="kind"
    )
    # An optional target must keep its tag too; cattrs would otherwise fall back to its
    # untagged union handling for ``Target | None``.
    conv.register_structure_hook(
        target | None, lambda v, _: None if v is None else conv.structure(v, target)
    )
    conv.register_unstructure_hook(
        target | None, lambda v: None if v is None else conv.unstructure(v, unstructure_as=target)
    )
    return conv


@cache
def _converter() -> cattrs.Converter:
    return make_converter()


def to_dict(value: object) -> dict[str, Any]:
    """A JSON-ready dict of ``value`` with ``schema_version`` at the top.

    Example:
        >>> from lamtheoguongbac import Basis, BasisKind
        >>> from lamtheoguongbac.serde import to_dict
        >>> to_dict(Basis(kind=BasisKind.STUDY_THEME, text="Chuyên đề năm 2025"))
        {'schema_version': 2, 'kind': 'chuyen_de', 'reference': None, 'text': 'Chuyên đề năm 2025'}
    """
    encode = encoder_for(type(value), _TAGGED)  # type: ignore[arg-type]  # classes hash
    # None: not a class of the model, or one the plain encoder does not cover
    data = _converter().unstructure(value) if encode is None else encode(value)
    if not isinstance(data, dict):
        raise TypeError(f"{type(value).__name__} is not a document class")
    return {"schema_version": SCHEMA_VERSION, **data}


def dumps(value: object, *, indent: int | None = None) -> str:
    """``value`` as JSON text (UTF-8 safe, Vietnamese kept readable).

    Example:
        >>> from lamtheoguongbac import QuantityTarget
        >>> from lamtheoguongbac.serde import dumps
        >>> print(dumps(QuantityTarget(amount=6, unit="buổi")))
        {"schema_version": 2, "amount": "6", "unit": "buổi"}
    """
    return json.dumps(to_dict(value), ensure_ascii=False, indent=indent)


def _migrate(data: Mapping[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValidationFailed(
            "thiếu hoặc sai 'schema_version' (phải là số nguyên)",
            "'schema_version' is missing or not an integer",
            field="$.schema_version",
        )
    if version > SCHEMA_VERSION:
        raise ValidationFailed(
            f"tài liệu dùng phiên bản lược đồ {version}, mới hơn bản thư viện hỗ trợ "
            f"({SCHEMA_VERSION}); hãy nâng cấp lamtheoguongbac",
            f"the document's schema version {version} is newer than this release supports "
            f"({SCHEMA_VERSION}); upgrade lamtheoguongbac",
            field="$.schema_version",
        )
    doc = {k: v for k, v in data.items() if k != "schema_version"}
    for step in range(version, SCHEMA_VERSION):
        if step not in MIGRATIONS:
            raise ValidationFailed(
                f"không có bước chuyển đổi từ phiên bản {step}",
                f"no migration from schema version {step}",
                field="$.schema_version",
            )
        doc = MIGRATIONS[step](doc)
    return doc


def _describe(exc: BaseException, type_: Any) -> tuple[str, str]:
    """(vi, en) text for one leaf error."""
    if isinstance(exc, KeyError):
        return "thiếu trường bắt buộc", "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        keys = ", ".join(sorted(exc.extra_fields))
        return f"trường không được phép: {keys}", f"unknown field(s): {keys}"
    if isinstance(exc, ValidationFailed):
        # the constructor named "Class.attr"; the JSON path already says where
        return exc.reason_vi, exc.reason_en
    if isinstance(exc, LamTheoGuongBacError):
        return exc.message_vi, exc.message_en
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        allowed = ", ".join(repr(m.value) for m in type_)
        return f"cần một trong: {allowed}", f"must be one of: {allowed}"
    if isinstance(exc, _BadValue):
        return f"giá trị không hợp lệ ({exc.vi})", f"invalid value ({exc.en})"
    # An exception of a library below, worded in English only: the Vietnamese says what it
    # is without the foreign text (the English variant carries the detail).
    return "giá trị không hợp lệ", f"invalid value ({exc})"


def _leaf_path(path: str, exc: BaseException) -> str:
    # A constructor's own check names its attribute ("Pledge.deed", "Handbook.report.x"):
    # carry that into the JSON path so the user sees the field, not just the object.
    if isinstance(exc, ValidationFailed) and exc.field and "." in exc.field:
        return path + "." + exc.field.split(".", 1)[1]
    return path


def _problems(exc: BaseException, path: str, type_: Any = None) -> list[tuple[str, str, str]]:
    """Walk cattrs' exception groups into (json path, vi, en) triples."""
    if isinstance(exc, cattrs.ClassValidationError):
        out = []
        with_notes, others = exc.group_exceptions()
        for sub, note in with_notes:
            out += _problems(sub, f"{path}.{note.name}", note.type)
        for sub in others:
            out += _problems(sub, path)
        return out
    if isinstance(exc, cattrs.IterableValidationError):
        out = []
        items, others = exc.group_exceptions()
        for sub, inote in items:
            out += _problems(sub, f"{path}[{inote.index!r}]", inote.type)
        for sub in others:
            out += _problems(sub, path)
        return out
    if isinstance(exc, BaseExceptionGroup):
        return [p for sub in exc.exceptions for p in _problems(sub, path)]
    vi, en = _describe(exc, type_)
    return [(_leaf_path(path, exc), vi, en)]


def from_dict(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build a ``cls`` from a JSON-ready dict after migrating it.

    Raises:
        ValidationFailed: naming the JSON path of every bad field.

    Example:
        >>> from lamtheoguongbac import Pledge
        >>> from lamtheoguongbac.serde import from_dict
        >>> pledge = from_dict(
        ...     Pledge,
        ...     {
        ...         "schema_version": 1,
        ...         "id": "v1",
        ...         "deed": "Số hóa 100% sổ hộ tịch từ năm 2000 đến năm 2010",
        ...         "target": {"kind": "quantity", "amount": "100", "unit": "%"},
        ...     },
        ... )
        >>> pledge.target
        QuantityTarget(amount=Decimal('100'), unit='%')
    """
    if not isinstance(data, Mapping):
        raise ValidationFailed(
            "tài liệu phải là một đối tượng JSON", "the document must be a JSON object", field="$"
        )
    doc = _migrate(data)
    try:
        return _converter().structure(doc, cls)
    except (cattrs.BaseValidationError, ValidationFailed) as exc:
        found = _problems(exc, "$")
        errors = [Problem(vi, en, path=p) for p, vi, en in found]
        if len(found) == 1:
            path, vi, en = found[0]
            raise ValidationFailed(vi, en, field=path, errors=errors) from exc
        failure = ValidationFailed(
            f"dữ liệu không hợp lệ ({len(found)} lỗi): "
            + "; ".join(f"{p}: {vi}" for p, vi, _ in found),
            f"invalid data ({len(found)} problems): "
            + "; ".join(f"{p}: {en}" for p, _, en in found),
            errors=errors,
        )
        failure.field = found[0][0]
        raise failure from exc


#: The tagged unions of the model, for the stored-document decoder: (tag key, ((class, tag), …)).
_TAGGED = (("kind", tuple(_TARGET_TAGS.items())),)


def from_stored(cls: type[T], data: Mapping[str, Any]) -> T:
    """Build a ``cls`` from a document a store wrote with :func:`to_dict` (and kept).

    The same result as :func:`from_dict`, several times faster: a document in the layout this
    release writes is checked for its *shape* — known keys, required keys, JSON types, enum
    values, dates — and its fields are set without re-running the model's text and content
    checks, which the value passed when it was stored. A document in an older layout, or
    one whose shape is off in any way, goes through :func:`from_dict`, so a damaged record is
    still refused with the JSON path of each bad field. Stores read with this; documents
    from outside (files, requests, plugins' data) go through :func:`from_dict`.

    Raises:
        ValidationFailed: the document is not a valid ``cls`` (from :func:`from_dict`).

    Example:
        >>> from lamtheoguongbac import Handbook, serde
        >>> from lamtheoguongbac.testing import make_handbook
        >>> handbook = make_handbook()
        >>> serde.from_stored(Handbook, serde.to_dict(handbook)) == handbook
        True
    """
    if type(data) is dict and data.get("schema_version") == SCHEMA_VERSION:
        try:
            decode = decoder_for(cls, _TAGGED)  # type: ignore[arg-type]  # classes hash
        except TypeError:  # a class with a field type the fast decoder does not know
            pass
        else:
            doc = dict(data)
            del doc["schema_version"]
            try:
                return decode(doc)  # type: ignore[no-any-return]
            except (Untrusted, RecursionError):
                pass
    return from_dict(cls, data)


#: The largest JSON document read (characters): a handbook is a few kB, a roster a few MB.
MAX_JSON_CHARS = 50_000_000


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object's members as a dict, refusing a key given twice: ``json`` would silently keep
    the last value, so what a reader sees and what is stored could differ."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def parse_json(text: str | bytes, *, source: str = "$") -> Any:
    """``json.loads`` for untrusted text: every failure is a
    :class:`~lamtheoguongbac.ValidationFailed` naming ``source`` — bad syntax (line, column), bad
    encoding, absurd size, nesting so deep it would exhaust the stack, an integer too long to
    convert, or a key repeated within one object (JSON leaves that undefined; Python would keep the
    last value).

    Example:
        >>> from lamtheoguongbac import ValidationFailed
        >>> from lamtheoguongbac.serde import parse_json
        >>> parse_json('{"id": "v1"}')
        {'id': 'v1'}
        >>> try:
        ...     parse_json('{"id": "v1", "id": "v2"}', source="dang-ky.json")
        ... except ValidationFailed as error:
        ...     print(error.message("en"))
        ...
        dang-ky.json: the JSON repeats the key 'id' within one object (a damaged or hand-edited f...
    """
    if len(text) > MAX_JSON_CHARS:
        raise ValidationFailed(
            f"tài liệu JSON quá lớn (hơn {MAX_JSON_CHARS:,} ký tự)",
            f"the JSON document is too large (over {MAX_JSON_CHARS:,} characters)",
            field=source,
        )
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except _DuplicateKey as exc:
        raise ValidationFailed(
            f"JSON có khóa '{exc.key}' lặp lại trong cùng một đối tượng (tệp hỏng hoặc bị sửa "
            "tay; không biết giá trị nào đúng)",
            f"the JSON repeats the key '{exc.key}' within one object (a damaged or hand-edited "
            "file; which value is meant is unknown)",
            field=source,
        ) from None
    except json.JSONDecodeError as exc:
        raise ValidationFailed(
            # json's own reason is English: the Vietnamese names the place without it
            f"JSON lỗi ở dòng {exc.lineno}, cột {exc.colno}",
            f"bad JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            field=source,
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            f"JSON không phải UTF-8 (byte {exc.start})",
            f"the JSON is not UTF-8 (byte {exc.start})",
            field=source,
        ) from exc
    except RecursionError as exc:
        raise ValidationFailed(
            "JSON lồng nhau quá sâu", "the JSON is nested too deeply", field=source
        ) from exc
    except ValueError as exc:  # e.g. an integer longer than Python converts
        raise ValidationFailed(
            f"JSON có giá trị không đọc được: {exc}", f"unreadable JSON value: {exc}", field=source
        ) from exc


def loads(cls: type[T], text: str | bytes) -> T:
    """Parse JSON text into a ``cls`` (see :func:`from_dict`).

    Example:
        >>> from lamtheoguongbac import Period, ValidationFailed
        >>> from lamtheoguongbac.serde import loads
        >>> loads(Period, '{"schema_version": 1, "start": "2025-01-01", "end": "2025-12-31"}').end
        datetime.date(2025, 12, 31)
        >>> try:
        ...     loads(Period, '{"schema_version": 1, "start": "2025-01-01", "end": "31/12/2025"}')
        ... except ValidationFailed as error:
        ...     print(error.message("en"))
        ...
        $.end: invalid value (expected a date as YYYY-MM-DD, got '31/12/2025')
    """
    return from_dict(cls, parse_json(text))
