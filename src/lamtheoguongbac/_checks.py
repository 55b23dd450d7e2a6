"""Construction-time checking shared by every value class of :mod:`lamtheoguongbac._model`.

``checked`` is an attrs ``field_transformer``: from each field's annotation it derives a
converter that NFC-normalises text (also inside tuples; line breaks become LF), turns lists
into tuples, and refuses values of the wrong type — and text XML 1.0 cannot carry (control
characters, lone surrogates, U+FFFE/U+FFFF: :func:`check_text`) — with a
:class:`~lamtheoguongbac._errors.ValidationFailed` that names the field. Doing it once here
keeps the model classes declarative and makes it impossible to forget normalisation on a new
field.

A field declared with ``attrs.field(metadata=LINE)`` is one line of text (a name, an id, a
position): its converter also removes surrounding whitespace, as every importer does with
its cells, so ``Member(full_name=" Lê Văn An ")`` stores what a roster file would.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

import attrs

from lamtheoguongbac._errors import ValidationFailed
from lamtheoguongbac.text import nfc

_TYPE_NAMES_VI: dict[type, tuple[str, str]] = {
    str: ("văn bản", "text"),
    int: ("số nguyên", "an integer"),
    bool: ("đúng/sai", "a boolean"),
    dt.date: ("ngày (date)", "a date"),
    dt.datetime: ("thời điểm (datetime)", "a datetime"),
    Decimal: ("số", "a number"),
}


def fail(field: str, vi: str, en: str) -> typing.NoReturn:
    """Raise :class:`ValidationFailed` for ``field`` with a bilingual message."""
    raise ValidationFailed(vi, en, field=field)


# What XML 1.0 cannot carry (its ``Char`` production): the C0 controls other than tab, line
# feed and carriage return, the surrogates (a lone one cannot even be encoded as UTF-8) and
# the non-characters U+FFFE and U+FFFF. Every document the library writes is XML (.docx,
# .xlsx), so such text is refused where it comes in, not found broken where it goes out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CHAR_NAMES = {0: "NUL", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL"}


def describe_char(char: str) -> str:
    """``"U+0000 (NUL)"``-style name of a character, for messages."""
    code = ord(char)
    name = _CHAR_NAMES.get(code)
    if name is None and 0xD800 <= code <= 0xDFFF:
        name = "lone surrogate"
    elif name is None and code in (0xFFFE, 0xFFFF):
        name = "non-character"
    return f"U+{code:04X}" + (f" ({name})" if name else "")


def text_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be stored as text, as (vi, en); None when it can.

    This is the one text check of the library: model constructors, JSON, CSV, Excel and
    legacy imports all use it, so what is stored can always be written to XML.
    """
    found = _NOT_XML.search(value)
    if found is None:
        return None
    where = found.start()
    shown = describe_char(found.group())
    return (
        f"chứa ký tự không hợp lệ {shown} ở vị trí {where + 1} (ký tự điều khiển hoặc ký tự "
        "không dùng được trong văn bản); hãy xóa ký tự đó",
        f"contains the invalid character {shown} at position {where + 1} (a control or "
        "non-character that documents cannot hold); remove it",
    )


def newlines(value: str) -> str:
    """``value`` with Windows (CR LF) and old Mac (CR) line breaks as LF: XML turns a bare
    CR into LF when it is read, so a stored CR would not come back out of a document."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


def check_text(where: str, value: str) -> str:
    """Return ``value`` if it holds only characters XML 1.0 can carry, else raise
    :class:`ValidationFailed` naming ``where`` and the character (``U+0000``)."""
    problem = text_problem(value)
    if problem is not None:
        fail(where, *problem)
    return value


def _describe(tp: Any) -> tuple[str, str]:
    if tp in _TYPE_NAMES_VI:
        return _TYPE_NAMES_VI[tp]
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        allowed = ", ".join(repr(m.value) for m in tp)
        return (f"một trong {allowed}", f"one of {allowed}")
    name = getattr(tp, "__name__", str(tp))
    return (f"kiểu {name}", f"a {name}")


Convert = Callable[[Any], Any]

#: Field metadata marking one line of text whose surrounding whitespace is removed.
LINE: dict[str, bool] = {"trim": True}


def _converter_for(tp: Any, where: str, trim: bool = False) -> Convert:
    """Build the converter for annotation ``tp``; ``where`` names the field in errors;
    ``trim`` strips surrounding whitespace from text (after NFC, as the importers do)."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        inner = (
            _converter_for(rest[0], where, trim)
            if len(rest) == 1
            else _union_converter(rest, where)
        )

        def convert_optional(value: Any) -> Any:
            if value is None:
                if optional:
                    return None
                fail(where, "thiếu giá trị", "a value is required")
            return inner(value)

        return convert_optional
    if origin is tuple:
        args = typing.get_args(tp)
        item = _converter_for(args[0], where, trim)

        def convert_tuple(value: Any) -> tuple[Any, ...]:
            if isinstance(value, str | bytes) or not isinstance(value, list | tuple):
                fail(where, "phải là một danh sách", "must be a list")
            return tuple(item(v) for v in value)

        return convert_tuple
    if tp is str:

        def convert_str(value: Any) -> str:
            if not isinstance(value, str):
                fail(where, "phải là văn bản", f"must be text, got {type(value).__name__}")
            text = nfc(newlines(check_text(where, value)))
            return text.strip() if trim else text

        return convert_str
    if tp is bool:

        def convert_bool(value: Any) -> bool:
            if not isinstance(value, bool):
                fail(where, "phải là đúng/sai", "must be true or false")
            return value

        return convert_bool
    if tp is int:

        def convert_int(value: Any) -> int:
            if isinstance(value, bool) or not isinstance(value, int):
                fail(where, "phải là số nguyên", "must be an integer")
            return value

        return convert_int
    if tp is Decimal:

        def convert_decimal(value: Any) -> Decimal:
            if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
                fail(where, "phải là số", "must be a number")
            try:
                number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
            except InvalidOperation:
                fail(where, f"'{value}' không phải là số", f"'{value}' is not a number")
            if not number.is_finite():
                fail(where, "phải là số hữu hạn", "must be a finite number")
            return number

        return convert_decimal
    if tp is dt.date:

        def convert_date(value: Any) -> dt.date:
            if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
                fail(where, "phải là một ngày", "must be a date")
            return value

        return convert_date
    if tp is dt.datetime:

        def convert_datetime(value: Any) -> dt.datetime:
            if not isinstance(value, dt.datetime):
                fail(where, "phải là một thời điểm", "must be a datetime")
            if value.tzinfo is None:
                fail(
                    where,
                    "thời điểm phải có múi giờ",
                    "the datetime must be timezone-aware",
                )
            return value

        return convert_datetime
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        enum_type = tp

        def convert_enum(value: Any) -> Any:
            if isinstance(value, enum_type):
                return value
            try:
                return enum_type(value)
            except ValueError:
                vi, en = _describe(enum_type)
                fail(where, f"giá trị {value!r} không hợp lệ, cần {vi}", f"{value!r} is not {en}")

        return convert_enum
    if isinstance(tp, type):
        cls = tp

        def convert_instance(value: Any) -> Any:
            if not isinstance(value, cls):
                vi, en = _describe(cls)
                fail(where, f"phải là {vi}", f"must be {en}, got {type(value).__name__}")
            return value

        return convert_instance
    raise TypeError(f"unsupported annotation {tp!r} on {where}")  # a bug in the model itself


def _union_converter(options: list[Any], where: str) -> Convert:
    def convert_union(value: Any) -> Any:
        if isinstance(value, tuple(options)):
            return value
        names = " | ".join(getattr(o, "__name__", str(o)) for o in options)
        fail(where, f"phải là {names}", f"must be {names}, got {type(value).__name__}")

    return convert_union


def checked(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """attrs ``field_transformer``: add a normalising, type-checking converter to each field."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in fields:
        where = f"{cls.__name__}.{f.name}"
        convert = _converter_for(hints[f.name], where, bool(f.metadata.get("trim")))
        if f.converter is not None:
            previous = f.converter

            def chained(value: Any, _c: Convert = convert, _p: Any = previous) -> Any:
                return _p(_c(value))

            out.append(f.evolve(converter=chained))
        else:
            out.append(f.evolve(converter=convert))
    return out


def require_text(where: str, value: str | None, *, max_len: int = 4000) -> None:
    """Check that required text is not blank and not absurdly long."""
    if value is None:
        return
    if not value.strip():
        fail(where, "không được để trống", "must not be blank")
    if len(value) > max_len:
        fail(where, f"dài quá {max_len} ký tự", f"longer than {max_len} characters")


#: The longest identifier accepted (member, unit, handbook ids …).
ID_MAX = 200
# What no identifier may hold: control characters (tab and line breaks included) and the
# invisible format characters of Unicode (category Cf: zero-width spaces and joiners, the
# bidirectional controls, the soft hyphen, the byte-order mark, tags …). With those, "dv04"
# and "dv\u200b04" — or "dv\u202e40", shown as "dv04" — would be two members who look
# the same. The ranges are Unicode 15's Cf; a test compares them with unicodedata.
_NOT_IN_ID = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def require_id(where: str, value: str) -> None:
    """Check an identifier: not blank, not absurdly long, no control or invisible
    formatting character."""
    if not value.strip():
        fail(where, "mã định danh không được để trống", "the identifier must not be blank")
    if len(value) > ID_MAX:
        fail(
            where,
            f"mã định danh dài quá {ID_MAX} ký tự",
            f"the identifier is longer than {ID_MAX} characters",
        )
    found = _NOT_IN_ID.search(value)
    if found is not None:
        shown, at = describe_char(found.group()), found.start() + 1
        fail(
            where,
            f"mã định danh chứa ký tự điều khiển hoặc ký tự ẩn {shown} ở vị trí {at}; hãy "
            "xóa ký tự đó",
            f"the identifier contains the control or invisible character {shown} at "
            f"position {at}; remove it",
        )
    problem = text_problem(value)
    if problem is not None:
        fail(where, *problem)
