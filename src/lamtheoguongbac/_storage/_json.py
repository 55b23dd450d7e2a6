"""The JSON text of stored documents (văn bản JSON của hồ sơ lưu trữ), written and read fast.

Database stores keep each record as compact JSON text. ``orjson`` writes it about ten times
and reads it about twice as fast as the standard library, which is most of a bulk step's
encoding cost. Where ``orjson`` is stricter than :mod:`json` — integers beyond 64 bits and
lone surrogates when writing, ``NaN``/``Infinity`` and lone surrogates when reading — the
standard library takes over, so what a store accepts and how it fails do not change: text
that is not JSON still raises :class:`json.JSONDecodeError` (a :class:`ValueError`).

Differences left, which cannot reach a store: ``orjson`` writes a non-finite float as
``null``, and an enum member or a UUID as its value, where :mod:`json` refuses them. Stored
documents come from :func:`lamtheoguongbac.serde.to_dict`, which writes none of these (the
model has no float field; amounts are :class:`~decimal.Decimal`, written as text).
"""

from __future__ import annotations

import json
from typing import Any

import orjson

_std_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


# orjson writes dates, dataclasses and subclasses of str, int, dict and list itself, each in
# its own way; these go to the standard library instead (which refuses the first two).
_OPTIONS = (
    orjson.OPT_PASSTHROUGH_DATETIME
    | orjson.OPT_PASSTHROUGH_DATACLASS
    | orjson.OPT_PASSTHROUGH_SUBCLASS
)


def _not_json(value: object) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def encode_json(data: Any) -> str:
    """``data`` as compact JSON text, non-ASCII characters kept as they are: how the
    library's database stores write a record's document (văn bản JSON của hồ sơ), for a
    storage plugin to write the same.

    Example:
        >>> from lamtheoguongbac.plugin import encode_json
        >>> encode_json({"ten": "Chi bộ Văn phòng", "so": [1, 2]})
        '{"ten":"Chi bộ Văn phòng","so":[1,2]}'
    """
    try:
        return orjson.dumps(data, default=_not_json, option=_OPTIONS).decode("utf-8")
    except orjson.JSONEncodeError:
        return _std_encode(data)


def encode_json_utf8(data: Any) -> bytes:
    """:func:`encode_json`'s text as UTF-8 bytes, without decoding orjson's output into a
    ``str`` that the database driver would encode again: the SQLite store binds these bytes
    and lets SQLite take them as text."""
    try:
        return orjson.dumps(data, default=_not_json, option=_OPTIONS)
    except orjson.JSONEncodeError:
        return _std_encode(data).encode("utf-8")


def decode_json(text: str | bytes) -> Any:
    """The value of the JSON ``text``; ``json.JSONDecodeError`` if it is not JSON (a
    :class:`ValueError`). :func:`~lamtheoguongbac.plugin.read_stored` reads documents with it.

    Example:
        >>> from lamtheoguongbac.plugin import decode_json
        >>> decode_json('{"ten": "Chi bộ Văn phòng"}')
        {'ten': 'Chi bộ Văn phòng'}
    """
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
