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
its cells, so ``Member(full_name=" Lê Văn An ")`` stores what a roster file would, and
refuses what one line of Vietnamese never holds — a line break inside, a control character,
or an invisible format character (zero-width spaces and joiners, the byte-order mark, the
bidirectional controls: :func:`line_problem`). Every text, one line or many, refuses the
bidirectional embeddings, overrides and isolates (:func:`text_problem`): they make a text
show in another order than it is stored ("Trojan Source").

Every date must lie in :data:`EARLIEST`–:data:`LATEST` (a field declared with
``metadata=BIRTH`` from :data:`EARLIEST_BIRTH`): a date outside is a typing or conversion
slip (9999-12-31, 01/01/0001, Excel's day 1 of 1900), refused naming the field rather than
carried into the rules, which would blame someone for it.
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
_CHAR_NAMES = {
    0: "NUL",
    0x09: "TAB",
    0x0A: "LF",
    0x0B: "VT",
    0x0C: "FF",
    0x0D: "CR",
    0x1B: "ESC",
    0x7F: "DEL",
    0x85: "NEL",
    0xAD: "SOFT HYPHEN",
    0x200B: "ZERO WIDTH SPACE",
    0x200C: "ZERO WIDTH NON-JOINER",
    0x200D: "ZERO WIDTH JOINER",
    0x200E: "LEFT-TO-RIGHT MARK",
    0x200F: "RIGHT-TO-LEFT MARK",
    0x2028: "LINE SEPARATOR",
    0x2029: "PARAGRAPH SEPARATOR",
    0x202A: "LEFT-TO-RIGHT EMBEDDING",
    0x202B: "RIGHT-TO-LEFT EMBEDDING",
    0x202C: "POP DIRECTIONAL FORMATTING",
    0x202D: "LEFT-TO-RIGHT OVERRIDE",
    0x202E: "RIGHT-TO-LEFT OVERRIDE",
    0x2060: "WORD JOINER",
    0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE",
    0x2068: "FIRST STRONG ISOLATE",
    0x2069: "POP DIRECTIONAL ISOLATE",
    0xFEFF: "BYTE ORDER MARK",
}


def describe_char(char: str) -> str:
    """``"U+0000 (NUL)"``-style name of a character, for messages."""
    code = ord(char)
    name = _CHAR_NAMES.get(code)
    if name is None and 0xD800 <= code <= 0xDFFF:
        name = "lone surrogate"
    elif name is None and code in (0xFFFE, 0xFFFF):
        name = "non-character"
    return f"U+{code:04X}" + (f" ({name})" if name else "")


# The bidirectional embeddings, overrides and isolates (LRE, RLE, PDF, LRO, RLO; LRI, RLI,
# FSI, PDI). They reorder what is shown: "Nguyễn \u202eVăn An" displays "Nguyễn nA năV", and a
# file name ending "\u202excod.exe" displays as "…exe.docx". Vietnamese never needs them,
# in one line or in many, so no text of the library holds one: a signed deed must read as
# it is stored. (The marks LRM/RLM/ALM reorder nothing but neutral characters; they are
# refused in one-line text with the other invisible characters, below.)
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Every character text_problem refuses, in one class: nearly all text holds none, and one
# search then stands for both (they run only to name what was found). Every string of
# every record passes here, 60,000 members' names and duties in a province import.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


def text_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be stored as text, as (vi, en); None when it can.

    This is the one text check of the library: model constructors, JSON, CSV, Excel and
    legacy imports all use it, so what is stored can always be written to XML and reads in
    the order it is stored (no bidirectional override or isolate).
    """
    if _NOT_TEXT.search(value) is None:
        return None
    found = _NOT_XML.search(value)
    if found is not None:
        where = found.start()
        shown = describe_char(found.group())
        return (
            f"chứa ký tự không hợp lệ {shown} ở vị trí {where + 1} (ký tự điều khiển hoặc ký "
            "tự không dùng được trong văn bản); hãy xóa ký tự đó",
            f"contains the invalid character {shown} at position {where + 1} (a control or "
            "non-character that documents cannot hold); remove it",
        )
    found = _BIDI_CONTROLS.search(value)
    if found is not None:
        where = found.start()
        shown = describe_char(found.group())
        return (
            f"chứa ký tự điều khiển hướng viết {shown} ở vị trí {where + 1} (ký tự ẩn làm văn "
            "bản hiện ra theo thứ tự khác với nội dung thật); hãy xóa ký tự đó",
            f"contains the bidirectional control {shown} at position {where + 1} (an "
            "invisible character that makes text display in another order than it holds); "
            "remove it",
        )
    return None


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

#: Field metadata marking one line of text: its surrounding whitespace is removed, and a line
#: break, control or invisible format character left inside is refused (:func:`line_problem`).
LINE: dict[str, bool] = {"trim": True}

#: Field metadata marking a date of birth, which may be before the Party's founding (1930).
BIRTH: dict[str, bool] = {"birth": True}

#: The range of every date of the model: from the Party's founding to the last year a
#: handbook may be of (:data:`lamtheoguongbac._model.LAST_YEAR`).
EARLIEST, LATEST = dt.date(1930, 1, 1), dt.date(2200, 12, 31)
#: The earliest date of birth (a member who joined in 1930 was born after 1900).
EARLIEST_BIRTH = dt.date(1900, 1, 1)


def date_problem(value: dt.date, *, birth: bool = False) -> tuple[str, str] | None:
    """Why ``value`` cannot be a date of the model, as (vi, en); None when it can.

    A date outside :data:`EARLIEST` (:data:`EARLIEST_BIRTH` for a date of birth) –
    :data:`LATEST` is a slip — 9999-12-31, 01/01/0001, Excel's day 1 of 1900 — and is
    refused as out of range, not passed on to rules that would blame a person for it.
    """
    day = value.date() if isinstance(value, dt.datetime) else value
    first = EARLIEST_BIRTH if birth else EARLIEST
    if first <= day <= LATEST:
        return None
    return (
        f"ngày {day:%d/%m}/{day.year:04d} nằm ngoài khoảng cho phép "
        f"{first:%d/%m/%Y}–{LATEST:%d/%m/%Y}",
        f"the date {day.year:04d}-{day:%m-%d} is out of range "
        f"({first.isoformat()} to {LATEST.isoformat()})",
    )


def line_problem(value: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be one line of text (a name, an id, a position …), as (vi, en);
    None when it can.

    Besides what :func:`text_problem` refuses: a line break (LF, CR, NEL, U+2028/U+2029),
    any other control character (tab included), and the invisible format characters of
    Unicode (category Cf: zero-width spaces and joiners, the soft hyphen, the byte-order
    mark, the bidirectional marks and controls, tags …). Vietnamese names never hold them,
    and with them two names that look the same would differ ("Nguyễn Văn An" and
    "Nguyễn" + U+200B + " Văn An"), and a name could show in another order than it is stored.
    Surrounding whitespace is trimmed before the check.
    """
    if _NOT_LINE.search(value) is None:
        return None
    problem = text_problem(value)
    if problem is not None:
        return problem
    found = NOT_IN_LINE.search(value)
    if found is None:
        return None
    shown, at = describe_char(found.group()), found.start() + 1
    return (
        f"chứa ký tự xuống dòng, ký tự điều khiển hoặc ký tự ẩn {shown} ở vị trí {at}; văn "
        "bản một dòng (mã, tên, chức vụ …) không được chứa ký tự đó, hãy xóa nó",
        f"contains the line break, control or invisible character {shown} at position "
        f"{at}; one-line text (an id, a name, a position …) cannot hold it: remove it",
    )


def _converter_for(tp: Any, where: str, trim: bool = False, birth: bool = False) -> Convert:
    """Build the converter for annotation ``tp``; ``where`` names the field in errors;
    ``trim`` makes text one line (:data:`LINE`): surrounding whitespace stripped (after NFC,
    as the importers do) and :func:`line_problem` refused; ``birth`` lets a date be as early
    as :data:`EARLIEST_BIRTH`."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        optional = type(None) in args
        rest = [a for a in args if a is not type(None)]
        inner = (
            _converter_for(rest[0], where, trim, birth)
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
        item = _converter_for(args[0], where, trim, birth)

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
            if not trim:
                return text
            text = text.strip()
            problem = line_problem(text)
            if problem is not None:
                fail(where, *problem)
            return text

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
            problem = date_problem(value, birth=birth)
            if problem is not None:
                fail(where, *problem)
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
            problem = date_problem(value)
            if problem is not None:
                fail(where, *problem)
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
        convert = _converter_for(
            hints[f.name], where, bool(f.metadata.get("trim")), bool(f.metadata.get("birth"))
        )
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
# The line and paragraph separators U+2028/U+2029 are line breaks too. One-line text (LINE)
# refuses the same characters: see line_problem.
_NOT_IN_ID = NOT_IN_LINE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)
# What line_problem refuses, in one class (as _NOT_TEXT): NOT_IN_LINE and the rest of
# text_problem's characters, the surrogates and the two non-characters
_NOT_LINE = re.compile(f"{NOT_IN_LINE.pattern[:-1]}\ud800-\udfff\ufffe\uffff]")


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
    if _NOT_LINE.search(value) is None:  # all it refuses below, in one search
        return
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
