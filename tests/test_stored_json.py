"""Stored JSON text: the fast codec reads and writes what the standard library does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac import Handbook, StoreError
from lamtheoguongbac._storage import _json
from lamtheoguongbac.plugin import read_stored
from lamtheoguongbac.serde import to_dict
from lamtheoguongbac.testing import make_handbook

_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()  # beyond 64 bits too, which orjson refuses
    | st.floats(allow_nan=False, allow_infinity=False)  # serde writes no float at all
    | st.text(),  # lone surrogates too
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_values)
def test_written_text_reads_back_as_the_standard_library_reads_it(value: Any) -> None:
    text = _json.encode_json(value)
    assert _json.decode_json(text) == json.loads(text) == json.loads(json.dumps(value))


@given(_values)
def test_the_utf8_bytes_the_sqlite_store_binds_are_the_written_text(value: Any) -> None:
    text = _json.encode_json(value)
    try:
        expected = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: no store could take it as text either
        with pytest.raises(UnicodeEncodeError):
            _json.encode_json_utf8(value)
    else:
        assert _json.encode_json_utf8(value) == expected


@given(_values)
def test_text_the_standard_library_wrote_reads_the_same(value: Any) -> None:
    for text in (json.dumps(value), json.dumps(value, ensure_ascii=False, indent=1)):
        assert _json.decode_json(text) == json.loads(text)
        assert _json.decode_json(text.encode("utf-8", "surrogatepass")) == json.loads(text)


def test_what_orjson_refuses_falls_back_to_the_standard_library() -> None:
    value = {"lớn": 2**70, "lẻ": "\ud800", "số": [1.5, -0.0]}
    assert _json.decode_json(_json.encode_json(value)) == value
    assert math.isnan(_json.decode_json('{"x": NaN}')["x"])


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "[1,]", b"[1,]", b"\xff"])
def test_text_that_is_not_json_raises_what_the_standard_library_raises(
    text: str | bytes,
) -> None:
    with pytest.raises((json.JSONDecodeError, UnicodeDecodeError)) as expected:
        json.loads(text)
    with pytest.raises(type(expected.value)):
        _json.decode_json(text)


def test_a_store_reads_its_documents_in_either_writer_s_text() -> None:
    book = make_handbook()
    for text in (_json.encode_json(to_dict(book)), json.dumps(to_dict(book), indent=2)):
        assert read_stored(Handbook, text, item_id=book.id, where="kho") == book
    with pytest.raises(StoreError):
        read_stored(Handbook, "{", item_id=book.id, where="kho")


class _Text(str):
    pass


@dataclasses.dataclass
class _Point:
    x: int


@pytest.mark.parametrize(
    "value",
    [dt.date(2025, 1, 2), dt.datetime(2025, 1, 2, 3, 4), _Point(1), {1, 2}, b"bytes"],
    ids=["date", "datetime", "dataclass", "set", "bytes"],
)
def test_what_json_refuses_is_still_refused(value: object) -> None:
    with pytest.raises(TypeError):
        json.dumps(value)
    with pytest.raises(TypeError):
        _json.encode_json({"giá trị": value})


def test_subclasses_of_json_types_are_written_as_json_writes_them() -> None:
    value = {"tên": _Text("Lê Văn Ước"), "số": [True, 3]}
    assert _json.encode_json(value) == json.dumps(value, ensure_ascii=False, separators=(",", ":"))
