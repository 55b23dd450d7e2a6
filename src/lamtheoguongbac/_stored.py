"""Decoding documents a store kept (tài liệu đã lưu), without re-running the checks.

A store writes only values that passed every check of the model: their text is NFC, their
identifiers and dates are valid, their content agrees with their status. Reading them back
through :func:`lamtheoguongbac.serde.from_dict` re-runs all of that — the text checks, the
normalisation, each class's ``__attrs_post_init__`` — and costs about ten times the JSON
parsing itself; a province export reads every handbook at least once.

This module builds, once per class, a plain decoder that checks the *shape* of the document
(every key known, every required key present, every value of the JSON type its field
expects, enum values known, dates parseable) and sets the fields of a new instance directly,
without calling ``__init__``. Anything it does not expect makes it give up
(:class:`Untrusted`); the caller then falls back to the full decoding, which either accepts
the document or names each bad field. So a damaged row is still reported precisely; only
the content checks are trusted to the write that stored it.

The other way, :func:`encoder_for` builds, once per class, a plain encoder that writes
exactly the dict the checked converter (cattrs) writes — same keys, same order, same JSON
values — without its per-value dispatch: every step of the bulk operations encodes the
handbook it stores, and cattrs' generic hooks for optional and repeated fields cost about
three times as much (issue 11).
"""

from __future__ import annotations

import datetime as dt
import enum
import inspect
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from functools import cache
from types import NoneType, UnionType
from typing import Any, TypeVar

import attrs

__all__ = ["Untrusted", "decoder_for", "encoder_for"]

T = TypeVar("T")

Decode = Callable[[Any], Any]
#: for each tagged union, its member classes → (tag key, class → tag)
Tables = dict[frozenset[type], tuple[str, dict[type, str]]]


class Untrusted(Exception):
    """The document is not in the shape this release writes; decode it the checked way."""


def _str(value: Any) -> str:
    if type(value) is not str:
        raise Untrusted
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise Untrusted
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise Untrusted
    return value


def _date(value: Any) -> dt.date:
    if type(value) is not str:
        raise Untrusted
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise Untrusted from None


def _datetime(value: Any) -> dt.datetime:
    if type(value) is not str:
        raise Untrusted
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Untrusted from None
    if parsed.tzinfo is None:
        raise Untrusted
    return parsed


def _decimal(value: Any) -> Decimal:
    # the writer stores a Decimal as its fixed-point text; the checked path also reads
    # numbers, which a hand-made document may hold: leave those to it
    if type(value) is not str:
        raise Untrusted
    try:
        return Decimal(value)
    except InvalidOperation:
        raise Untrusted from None


def _enum(cls: type[enum.Enum]) -> Decode:
    members = cls._value2member_map_

    def decode(value: Any) -> Any:
        try:
            return members[value]
        except (KeyError, TypeError):  # unknown, or unhashable (a list …)
            raise Untrusted from None

    return decode


def _optional(inner: Decode) -> Decode:
    def decode(value: Any) -> Any:
        return None if value is None else inner(value)

    return decode


def _sequence(item: Decode, make: type) -> Decode:
    def decode(value: Any) -> Any:
        if type(value) is not list:
            raise Untrusted
        return make([item(v) for v in value])

    return decode


def _tagged(tags: dict[str, Decode], tag_name: str) -> Decode:
    """A union of classes told apart by a tag key, as ``serde`` writes ``Pledge.target``."""

    def decode(value: Any) -> Any:
        if type(value) is not dict:
            raise Untrusted
        try:
            inner = tags[value[tag_name]]
        except (KeyError, TypeError):
            raise Untrusted from None
        return inner({k: v for k, v in value.items() if k != tag_name})

    return decode


_SCALARS: dict[Any, Decode | None] = {
    str: _str,
    int: _int,
    bool: _bool,
    dt.date: _date,
    dt.datetime: _datetime,
    Decimal: _decimal,
}


def _field_decoder(type_: Any, tagged: Tables) -> Decode:
    """The decoder for one field's type; :class:`Untrusted` for a type it does not know."""
    if type_ in _SCALARS:
        found = _SCALARS[type_]
        assert found is not None
        return found
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return _enum(type_)
    if isinstance(type_, type) and attrs.has(type_):
        return _class_decoder(type_, tagged)
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    if origin in (list, tuple) and (origin is list or (len(args) == 2 and args[1] is Ellipsis)):
        item = args[0] if args else Any
        return _sequence(_field_decoder(item, tagged), origin)
    if origin in (typing.Union, UnionType):
        members = [a for a in args if a is not NoneType]
        inner: Decode
        if len(members) == 1:
            inner = _field_decoder(members[0], tagged)
        else:
            key = frozenset(members)
            if key not in tagged:
                raise TypeError(f"no decoder for the union {type_!r}")
            tag_name, tags = tagged[key]
            inner = _tagged(
                {tag: _class_decoder(cls, tagged) for cls, tag in tags.items()}, tag_name
            )
        return _optional(inner) if NoneType in args else inner
    raise TypeError(f"no decoder for the type {type_!r}")


_MISSING = object()
_INLINE = (str, int, bool)  # tested in place: ``type(v) is str``


def _class_decoder(cls: type[T], tagged: Tables) -> Callable[[Any], T]:
    """Set each attribute of a new ``cls`` from its key, as the checked decoding would.

    The decoder is generated as Python source, one block per field, the way attrs builds
    ``__init__``: a loop over a field table costs twice as much, and this runs for every
    object of every stored document.
    """
    namespace: dict[str, Any] = {
        "cls": cls,
        "new": object.__new__,
        "set_": object.__setattr__,
        "MISSING": _MISSING,
        "Untrusted": Untrusted,
    }
    lines = [
        "def decode(value):",
        "    if type(value) is not dict:",
        "        raise Untrusted",
        "    obj = new(cls)",
        "    n = 0",
    ]
    for i, field in enumerate(attrs.fields(cls)):  # type: ignore[arg-type]  # an attrs class
        if not field.init:
            raise TypeError(f"{cls.__name__}.{field.name} is not set by __init__")
        type_ = field.type
        args = typing.get_args(type_)
        optional = typing.get_origin(type_) in (typing.Union, UnionType) and NoneType in args
        if optional:
            rest = [a for a in args if a is not NoneType]
            type_ = rest[0] if len(rest) == 1 else typing.Union[tuple(rest)]  # noqa: UP007
        lines.append(f"    v = value.get({field.name!r}, MISSING)")
        lines.append("    if v is MISSING:")
        default = field.default
        if default is attrs.NOTHING:
            lines.append("        raise Untrusted")
        elif isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            if default.takes_self:
                raise TypeError(f"{cls.__name__}.{field.name} has a default that takes self")
            namespace[f"f{i}"] = default.factory
            lines.append(f"        v = f{i}()")
        else:
            namespace[f"d{i}"] = default
            lines.append(f"        v = d{i}")
        lines.append("    else:")
        lines.append("        n += 1")
        guard = "v is not None and " if optional else ""
        if type_ in _INLINE:
            namespace[f"t{i}"] = type_
            lines.append(f"        if {guard}type(v) is not t{i}:")
            lines.append("            raise Untrusted")
        else:
            namespace[f"c{i}"] = _field_decoder(type_, tagged)
            if optional:
                lines.append("        if v is not None:")
                lines.append(f"            v = c{i}(v)")
            else:
                lines.append(f"        v = c{i}(v)")
        if field.metadata.get("trim"):
            # One line of text (``_checks.LINE``): trimmed as the checked decoding trims it,
            # so a document stored before trimming reads back the same from either.
            if type_ is str and optional:
                lines.append("        if v is not None:")
                lines.append("            v = v.strip()")
            elif type_ is str:
                lines.append("        v = v.strip()")
            elif typing.get_origin(type_) is tuple and typing.get_args(type_)[0] is str:
                lines.append("        v = tuple(s.strip() for s in v)")
            else:
                raise TypeError(f"{cls.__name__}.{field.name} is trimmed but not text")
        slot = inspect.getattr_static(cls, field.name, None)
        if isinstance(slot, types.MemberDescriptorType):  # a slotted class: set the slot
            namespace[f"s{i}"] = slot.__set__  # itself, without the lookup by name
            lines.append(f"    s{i}(obj, v)")
        else:
            lines.append(f"    set_(obj, {field.name!r}, v)")
    lines += [
        "    if n != len(value):  # a key no field has",
        "        raise Untrusted",
        "    return obj",
    ]
    # the source holds only field names (identifiers) and names bound in ``namespace``
    exec(compile("\n".join(lines), f"<stored decoder {cls.__qualname__}>", "exec"), namespace)
    decode: Callable[[Any], T] = namespace["decode"]
    return decode


@cache
def decoder_for(
    cls: type[T], tagged: tuple[tuple[str, tuple[tuple[type, str], ...]], ...]
) -> Callable[[Any], T]:
    """The shape-checking decoder of ``cls`` (built once per class).

    Args:
        cls: an attrs class of the model.
        tagged: for each tagged union in the model, ``(tag key, ((class, tag), …))``.

    Raises:
        TypeError: ``cls`` has a field whose type this module does not decode; the caller
            keeps to the checked decoding for it.
    """
    tables = {frozenset(c for c, _ in pairs): (name, dict(pairs)) for name, pairs in tagged}
    return _class_decoder(cls, tables)


# --- encoding ----------------------------------------------------------------------------------

Encode = Callable[[Any], Any]
#: each member class of a tagged union → (its tag key, its tag)
Tags = dict[type, tuple[str, str]]


def _value_expression(
    type_: Any, name: str, v: str, namespace: dict[str, Any], tags: Tags, building: frozenset[type]
) -> str:
    """A Python expression writing the value ``v`` of the declared type ``type_`` as the
    checked converter writes it; helpers it needs are bound in ``namespace`` under names
    starting with ``name``. TypeError for a type it does not know."""
    if type_ in (str, int, bool):
        return v
    if type_ in (dt.date, dt.datetime):
        # the declared type's method, as the converter's hook: a datetime in a date field
        # is written as its date
        namespace[f"{name}_iso"] = type_.isoformat
        return f"{name}_iso({v})"
    if type_ is Decimal:
        namespace["fmt"] = format
        return f"fmt({v}, 'f')"
    if isinstance(type_, type) and issubclass(type_, enum.Enum):
        return f"{v}.value"
    if isinstance(type_, type) and attrs.has(type_):
        namespace[name] = _class_encoder(type_, tags, building)
        return f"{name}({v})"
    origin, args = typing.get_origin(type_), typing.get_args(type_)
    if origin in (list, tuple) and (origin is list or (len(args) == 2 and args[1] is Ellipsis)):
        if not args:
            raise TypeError(f"no encoder for the type {type_!r}")
        item = _value_expression(args[0], name + "_i", "x", namespace, tags, building)
        return f"[{item} for x in {v}]"
    if origin in (typing.Union, UnionType):
        members = [a for a in args if a is not NoneType]
        if len(members) == 1:
            inner = _value_expression(members[0], name, v, namespace, tags, building)
        elif all(m in tags for m in members):
            namespace[name] = _tagged_encoder(members, tags, building)
            inner = f"{name}({v})"
        else:
            raise TypeError(f"no encoder for the union {type_!r}")
        if NoneType not in args:
            return inner
        return inner if inner == v else f"(None if {v} is None else {inner})"
    raise TypeError(f"no encoder for the type {type_!r}")


def _tagged_encoder(members: list[type], tags: Tags, building: frozenset[type]) -> Encode:
    """A union of classes told apart by a tag key, written with the tag last, as cattrs'
    ``configure_tagged_union`` writes it."""
    by_class = {cls: (_class_encoder(cls, tags, building), *tags[cls]) for cls in members}

    def encode(value: Any) -> Any:
        encode_class, tag_name, tag = by_class[type(value)]  # KeyError: not a member
        data = encode_class(value)
        data[tag_name] = tag
        return data

    return encode


def _class_encoder(
    cls: type, tags: Tags, building: frozenset[type] = frozenset()
) -> Callable[[Any], dict[str, Any]]:
    """The dict of an instance of ``cls``: one key per field, in the fields' order, each
    value written by its declared type. Generated as source, like the decoder.

    TypeError for a class that holds itself (``building``: the classes whose encoders are
    being built around this one) or has a field ``__init__`` does not set, which the
    converter leaves out."""
    if cls in building:
        raise TypeError(f"{cls.__qualname__} holds itself")
    building |= {cls}
    namespace: dict[str, Any] = {}
    items = []
    for i, field in enumerate(attrs.fields(cls)):
        if not field.init:
            raise TypeError(f"{cls.__qualname__}.{field.name} is not set by __init__")
        expression = _value_expression(
            field.type, f"e{i}", f"o.{field.name}", namespace, tags, building
        )
        items.append(f"        {field.name!r}: {expression},")
    lines = ["def encode(o):", "    return {", *items, "    }"]
    # the source holds only field names (identifiers) and names bound in ``namespace``
    exec(compile("\n".join(lines), f"<stored encoder {cls.__qualname__}>", "exec"), namespace)
    encode: Callable[[Any], dict[str, Any]] = namespace["encode"]
    return encode


@cache
def encoder_for(
    cls: type, tagged: tuple[tuple[str, tuple[tuple[type, str], ...]], ...]
) -> Callable[[Any], dict[str, Any]] | None:
    """The plain encoder of ``cls`` (built once per class): the dict the checked converter
    writes for an instance of it, field by field by declared type; ``None`` (remembered
    too) when ``cls`` is not an attrs class, or has a field this module does not encode
    (a type it does not know, a field ``__init__`` does not set, a class holding itself):
    the caller keeps to the converter for it.

    Args:
        cls: an attrs class of the model.
        tagged: for each tagged union in the model, ``(tag key, ((class, tag), …))``.
    """
    if not (isinstance(cls, type) and attrs.has(cls)):
        return None
    tags = {member: (tag_name, tag) for tag_name, pairs in tagged for member, tag in pairs}
    try:
        return _class_encoder(cls, tags)
    except TypeError:
        return None
