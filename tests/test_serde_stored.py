"""Tests for ``serde.from_stored``: the fast decoding of documents a store wrote.

It must give exactly what :func:`serde.from_dict` gives for every document the library
writes, and for a document whose shape is off in any way it must fail exactly as
``from_dict`` does (same field, same text), because it falls back to it.

And for ``serde.to_dict``'s plain encoder, the other way: it must write exactly what the
checked converter (cattrs) writes, keys, order and values.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hostile import open_cell
from lamtheoguongbac import Event, Handbook, HandbookStatus, StoreError, ValidationFailed
from lamtheoguongbac.serde import SCHEMA_VERSION, from_dict, from_stored, make_converter, to_dict
from lamtheoguongbac.testing import creation_event
from strategies import MEMBER, VALUE_STRATEGIES, YEAR, handbook_in, handbooks

S = HandbookStatus


def same(a: object, b: object) -> None:
    """Equal, and built of the same types (``==`` alone takes Decimal("1.0") for 1)."""
    assert a == b
    assert repr(a) == repr(b)


_CONVERTER = make_converter()


def _checked(value: object) -> str:
    """What the checked converter (cattrs) writes for ``value``, as JSON text (the keys'
    order included): what :func:`to_dict`'s plain encoder must write."""
    data = {"schema_version": SCHEMA_VERSION, **_CONVERTER.unstructure(value)}
    return json.dumps(data, ensure_ascii=False)


def _written(value: object) -> str:
    return json.dumps(to_dict(value), ensure_ascii=False)


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.value)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_stored_handbooks_encode_and_decode_as_the_checked_path_does(
    status: HandbookStatus, data: st.DataObject
) -> None:
    hb = data.draw(handbooks(status))
    assert _written(hb) == _checked(hb)  # to_dict's plain encoder: keys, order, values
    doc = json.loads(json.dumps(to_dict(hb)))  # what a store gives back
    assert repr(to_dict(hb)) == repr(doc)  # lists, not tuples
    same(from_stored(Handbook, doc), hb)
    same(from_stored(Handbook, doc), from_dict(Handbook, doc))


@pytest.mark.parametrize("cls", list(VALUE_STRATEGIES), ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_value_class_encodes_and_decodes_as_the_checked_path_does(
    cls: type, data: st.DataObject
) -> None:
    value = data.draw(VALUE_STRATEGIES[cls])
    assert _written(value) == _checked(value)
    doc = json.loads(json.dumps(to_dict(value)))
    assert from_stored(cls, doc) == value
    same(from_stored(cls, doc), from_dict(cls, doc))


def test_the_stored_document_is_not_changed() -> None:
    doc = to_dict(handbook_in(S.CLOSED))
    before = copy.deepcopy(doc)
    from_stored(Handbook, doc)
    assert doc == before


def test_decoded_values_are_real_model_values() -> None:
    hb = from_stored(Handbook, to_dict(handbook_in(S.ASSESSED)))
    assert hb.status is S.ASSESSED
    assert isinstance(hb.pledges, tuple)
    assert isinstance(hb.organisation, tuple)
    assert hash(hb.member) == hash(handbook_in(S.ASSESSED).member)
    # still frozen: setting an attribute is refused as for any model value
    with pytest.raises(AttributeError):
        hb.version = 9  # type: ignore[misc]


def _damage(change: Any) -> dict[str, Any]:
    doc = to_dict(handbook_in(S.REPORTED))
    change(doc)
    return doc


# Documents whose shape is off: each must fail as from_dict fails, naming the same field.
SHAPE_DAMAGE = [
    lambda d: d["member"].update(ghi_chu="khóa lạ"),
    lambda d: d["pledges"][0]["bases"][0].update(ghi_chu="x"),
    lambda d: d["pledges"][0]["target"].update(amount="một trăm"),
    lambda d: d["pledges"][0]["target"].update(amount=True),
    lambda d: d["pledges"][0]["target"].update(kind="tien"),
    lambda d: d["pledges"][0]["target"].pop("kind"),
    lambda d: d.update(version="2"),
    lambda d: d.update(version=True),
    lambda d: d["member"].update(status="official"),
    lambda d: d["member"].update(status=["chinh_thuc"]),
    lambda d: d["period"].update(start="05/01/2025"),
    lambda d: d["period"].update(start=20250105),
    lambda d: d["pledges"][1].update(deed=12),
    lambda d: d["pledges"][1].pop("deed"),
    lambda d: d["organisation"][2].update(grassroots="x"),
    lambda d: d["member"].update(duties="Tiếpdân"),
    lambda d: d["member"].update(duties=["Tiếp dân", 5]),
    lambda d: d.update(pledges="viec-1"),
    lambda d: d.update(pledges={"0": "viec-1"}),
    lambda d: d.update(member=None),
    lambda d: d.update(member=["a"]),
]


@pytest.mark.parametrize("change", SHAPE_DAMAGE)
def test_a_document_of_the_wrong_shape_fails_as_the_checked_path_does(change: Any) -> None:
    doc = _damage(change)
    with pytest.raises(ValidationFailed) as checked:
        from_dict(Handbook, copy.deepcopy(doc))
    with pytest.raises(ValidationFailed) as fast:
        from_stored(Handbook, doc)
    assert fast.value.field == checked.value.field
    assert fast.value.message("en") == checked.value.message("en")
    assert fast.value.message("vi") == checked.value.message("vi")


def test_an_event_time_without_offset_fails_as_the_checked_path_does() -> None:
    doc = to_dict(creation_event(handbook_in(S.DRAFT)))
    doc["at"] = doc["at"][:19]  # drop the UTC offset
    with pytest.raises(ValidationFailed) as fast:
        from_stored(Event, doc)
    assert fast.value.field == "$.at"


@pytest.mark.parametrize("version", [None, "2", 0, 99, True])
def test_schema_versions_other_than_the_current_one_go_the_checked_way(version: Any) -> None:
    doc = to_dict(handbook_in(S.DRAFT))
    doc["schema_version"] = version
    with pytest.raises(ValidationFailed) as checked:
        from_dict(Handbook, copy.deepcopy(doc))
    with pytest.raises(ValidationFailed) as fast:
        from_stored(Handbook, doc)
    assert fast.value.message("en") == checked.value.message("en")


def test_a_version_1_document_is_migrated() -> None:
    hb = handbook_in(S.CLOSED)
    doc = to_dict(hb)
    doc["schema_version"] = 1
    for key in ("registered_on", "supplements", "reviews"):
        doc.pop(key)
    for unit in doc["organisation"]:
        unit.pop("committee")
    same(from_stored(Handbook, doc), from_dict(Handbook, copy.deepcopy(doc)))


def test_optional_keys_left_out_take_their_defaults() -> None:
    """A writer that omits keys holding their default (another store's layout) is read."""
    hb = handbook_in(S.DRAFT)
    doc = to_dict(hb)
    for key in ("report", "self_assessment", "collective_assessment", "supplements"):
        doc.pop(key)
    doc["member"].pop("duties")
    same(from_stored(Handbook, doc), from_dict(Handbook, copy.deepcopy(doc)))


@pytest.mark.parametrize("data", [None, [], "{}", 3])
def test_a_document_that_is_not_an_object(data: Any) -> None:
    with pytest.raises(ValidationFailed) as fast:
        from_stored(Handbook, data)
    assert fast.value.field == "$"


def test_a_damaged_row_of_a_sqlite_store_is_reported_with_its_field(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    service = open_cell(url)
    book = service.create(MEMBER.id, year=YEAR, actor=MEMBER)
    assert service.get(book.id) == book  # read back through the fast path
    service.close()
    with sqlite3.connect(tmp_path / "so-tay.db") as conn:
        (text,) = conn.execute("SELECT document FROM handbooks WHERE id = ?", (book.id,)).fetchone()
        doc = json.loads(text)
        doc["member"]["duties"] = "Tiếp dân"  # a hand edit: text where a list belongs
        conn.execute("UPDATE handbooks SET document = ? WHERE id = ?", (json.dumps(doc), book.id))
    service = open_cell(url)
    with pytest.raises(StoreError) as damaged:
        service.get(book.id)
    service.close()
    assert book.id in damaged.value.message("en")
    assert "$.member.duties" in damaged.value.message("en")


@settings(max_examples=25, deadline=None)
@given(
    handbook=handbooks(S.REGISTERED),
    pad=st.sampled_from([" ", "  ", "\t", " \u00a0", "\u3000"]),
)
def test_one_line_fields_stored_untrimmed_read_back_trimmed_either_way(
    handbook: Handbook, pad: str
) -> None:
    """A document written before one-line fields were trimmed (0.2 pre-releases) reads back
    the same from every store: trimmed, as the checked decoding trims it."""
    document = to_dict(handbook)
    member = document["member"]
    member["full_name"] = pad + member["full_name"] + pad
    member["duties"] = [pad + duty for duty in member["duties"]]
    if member.get("position") is not None:
        member["position"] = member["position"] + pad
    document["organisation"][0]["name"] += pad
    for pledge in document["pledges"]:
        pledge["id"] = pad + pledge["id"]
    stored = json.loads(json.dumps(document))  # what a store gives back
    same(from_stored(Handbook, stored), handbook)
    same(from_dict(Handbook, stored), handbook)


def test_the_committees_records_are_written_as_the_checked_converter_writes_them() -> None:
    from lamtheoguongbac.testing import make_commendation, make_exemplar, make_inspection

    exemplar = make_exemplar(commended=True)
    values = [exemplar, make_commendation(), make_inspection(), make_inspection(followed_up=True)]
    for value in values:
        assert _written(value) == _checked(value), type(value).__name__


@attrs.frozen
class _Tally:  # a dict field: the plain encoder has no code for it
    name: str
    counts: dict[str, int]


@attrs.frozen
class _Node:  # a class that holds itself
    name: str
    children: tuple[_Node, ...] = ()


@attrs.frozen
class _Derived:  # a field __init__ does not set: the converter leaves it out
    x: int
    y: int = attrs.field(init=False, default=3)


@attrs.frozen
class _Due:  # a datetime in a date field: written as its date
    on: dt.date


for _cls in (_Tally, _Node, _Derived, _Due):
    attrs.resolve_types(_cls)  # the model's classes have their types resolved too


def test_classes_the_plain_encoder_does_not_cover_are_written_by_the_converter() -> None:
    # to_dict is public: any attrs class may come to it, and it must write what the
    # converter writes for it
    from lamtheoguongbac._stored import encoder_for
    from lamtheoguongbac.serde import _TAGGED

    covered = {_Tally: False, _Node: False, _Derived: False, _Due: True}
    for cls, plain in covered.items():
        assert (encoder_for(cls, _TAGGED) is not None) is plain, cls.__name__
    values = [
        _Tally(name="Chi bộ 1", counts={"HTXSNV": 2}),
        _Node(name="tỉnh", children=(_Node(name="xã"),)),
        _Derived(x=1),
        _Due(on=dt.datetime(2025, 1, 2, 5, 0, tzinfo=dt.UTC)),
    ]
    for value in values:
        assert _written(value) == _checked(value), type(value).__name__
    assert to_dict(values[3])["on"] == "2025-01-02"
