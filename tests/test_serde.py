"""Tests for lamtheoguongbac.serde: JSON round trips, paths in errors, schema versions."""

from __future__ import annotations

import copy
import datetime as dt
import json
import unicodedata
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtheoguongbac import (
    DeliverableTarget,
    Event,
    EventKind,
    Handbook,
    HandbookStatus,
    Member,
    OrgUnit,
    Pledge,
    QuantityTarget,
    ValidationFailed,
    serde,
)
from lamtheoguongbac.serde import dumps, from_dict, loads, make_converter, to_dict
from strategies import (
    VALUE_STRATEGIES,
    handbook_in,
    handbooks,
)

S = HandbookStatus


def handbook_doc(status: HandbookStatus = S.REPORTED) -> dict[str, Any]:
    return to_dict(handbook_in(status))


def load_error(doc: Any) -> ValidationFailed:
    with pytest.raises(ValidationFailed) as info:
        from_dict(Handbook, doc)
    return info.value


# --- round trips -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(S), ids=lambda s: s.value)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_handbooks_round_trip_in_every_status(status: HandbookStatus, data: st.DataObject) -> None:
    hb = data.draw(handbooks(status))
    text = dumps(hb)
    assert loads(Handbook, text) == hb
    assert loads(Handbook, text.encode("utf-8")) == hb
    assert loads(Handbook, dumps(hb, indent=2)) == hb


@pytest.mark.parametrize("cls", list(VALUE_STRATEGIES), ids=lambda c: c.__name__)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_every_value_class_round_trips(cls: type, data: st.DataObject) -> None:
    value = data.draw(VALUE_STRATEGIES[cls])
    doc = to_dict(value)
    assert doc["schema_version"] == serde.SCHEMA_VERSION
    assert json.loads(json.dumps(doc)) == doc  # plain JSON types only
    assert loads(cls, dumps(value)) == value


def test_the_json_is_readable_vietnamese() -> None:
    hb = handbook_in(S.ASSESSED)
    text = dumps(hb)
    assert "Nguyễn Văn An" in text
    assert "\\u" not in text
    doc = json.loads(text)
    assert doc["schema_version"] == serde.SCHEMA_VERSION
    assert doc["status"] == "assessed"
    assert doc["member"]["status"] == "chinh_thuc"
    assert doc["collective_assessment"]["rating"] == "HTTNV"
    assert doc["collective_assessment"]["recorder_role"] == "bi_thu"
    assert doc["period"] == {"start": "2025-01-01", "end": "2025-12-31"}
    assert doc["pledges"][0]["target"]["amount"] == "100"
    assert doc["pledges"][0]["deadline"] == "2025-11-30"


def test_targets_carry_their_kind() -> None:
    q = QuantityTarget(amount=12, unit="buổi")
    d = DeliverableTarget(description="01 sáng kiến", due=dt.date(2025, 11, 30))
    base = handbook_in(S.REGISTERED).pledges[0]
    for target in (q, d, None):
        p = Pledge(id="viec-1", deed=base.deed, target=target, bases=base.bases)
        back = loads(Pledge, dumps(p))
        assert back == p
        assert type(back.target) is type(target)


def test_event_times_keep_their_offset_and_instant() -> None:
    ict = dt.timezone(dt.timedelta(hours=7))
    e = Event(
        handbook_id="sotay-1",
        kind=EventKind.ASSESSED,
        actor_id="dv-binh",
        actor_name="Trần Thị Bình",
        at=dt.datetime(2025, 12, 20, 15, 30, 5, 123, tzinfo=ict),
        from_status=S.REPORTED,
        to_status=S.ASSESSED,
        version=3,
    )
    doc = to_dict(e)
    assert doc["at"] == "2025-12-20T15:30:05.000123+07:00"
    back = loads(Event, dumps(e))
    assert back == e
    assert back.at.utcoffset() == dt.timedelta(hours=7)


def test_nfd_in_json_is_normalised() -> None:
    doc = handbook_doc()
    doc["member"]["full_name"] = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    doc["pledges"][0]["deed"] = unicodedata.normalize("NFD", doc["pledges"][0]["deed"])
    hb = from_dict(Handbook, doc)
    assert hb.member.full_name == "Nguyễn Thị Ánh"
    assert unicodedata.is_normalized("NFC", hb.pledges[0].deed)


def test_make_converter_builds_independent_converters() -> None:
    a, b = make_converter(), make_converter()
    assert a is not b
    hb = handbook_in(S.CLOSED)
    assert a.structure(a.unstructure(hb), Handbook) == hb


def test_to_dict_refuses_non_documents() -> None:
    with pytest.raises(TypeError):
        to_dict(["không phải tài liệu"])


# --- errors with JSON paths --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "path"),
    [
        (lambda d: d, "$"),
        (lambda d: d["member"], "$.member"),
        (lambda d: d["pledges"][1], "$.pledges[1]"),
        (lambda d: d["pledges"][0]["bases"][0], "$.pledges[0].bases[0]"),
        (lambda d: d["report"]["results"][0], "$.report.results[0]"),
        (lambda d: d["organisation"][2], "$.organisation[2]"),
    ],
)
def test_unknown_keys_are_refused_with_their_path(where: Any, path: str) -> None:
    doc = handbook_doc()
    where(doc)["ghi_chu"] = "khóa lạ"
    err = load_error(doc)
    assert err.field == path
    assert "ghi_chu" in err.message_vi
    assert "unknown field" in err.message_en


@pytest.mark.parametrize(
    ("change", "path", "en"),
    [
        (
            lambda d: d["pledges"][0]["target"].update(amount="một trăm"),
            "$.pledges[0].target.amount",
            "number",
        ),
        (
            lambda d: d["pledges"][0]["target"].update(amount=True),
            "$.pledges[0].target.amount",
            "number",
        ),
        (
            lambda d: d["pledges"][0]["target"].update(amount="1e999999999"),
            "$.pledges[0].target.amount",
            "10^15",
        ),
        (
            lambda d: d["pledges"][0]["target"].update(amount="-5"),
            "$.pledges[0].target.amount",
            "negative",
        ),
        (lambda d: d.update(version="2"), "$.version", "integer"),
        (lambda d: d.update(version=-1), "$.version", "negative"),
        (lambda d: d["member"].update(status="official"), "$.member.status", "chinh_thuc"),
        (lambda d: d["period"].update(start="05/01/2025"), "$.period.start", "YYYY-MM-DD"),
        (lambda d: d["period"].update(end="2024-01-01"), "$.period.end", "before"),
        (lambda d: d["pledges"][1].update(deed=" "), "$.pledges[1].deed", "blank"),
        (lambda d: d["pledges"][1].update(deed=12), "$.pledges[1].deed", "text"),
        (lambda d: d["pledges"][1].pop("deed"), "$.pledges[1].deed", "required"),
        (
            lambda d: d["organisation"][2].update(grassroots="x"),
            "$.organisation[2].grassroots",
            "true or false",
        ),
        (lambda d: d["member"].update(duties="Tiếpdân"), "$.member.duties", "expected a list"),
        (lambda d: d["member"].update(duties={"a": 1}), "$.member.duties", "expected a list"),
        (lambda d: d["member"].update(duties=["Tiếp dân", 5]), "$.member.duties[1]", "text"),
        (lambda d: d.update(pledges="viec-1"), "$.pledges", "expected a list"),
        (
            lambda d: d["pledges"][1].update(id=d["pledges"][0]["id"]),
            "$.pledges[1].id",
            "duplicate",
        ),
        (
            lambda d: d["report"]["results"][0].update(pledge_id="viec-9"),
            "$.report.results[0].pledge_id",
            "viec-9",
        ),
        (lambda d: d.update(report=None), "$.report", "missing"),
    ],
)
def test_bad_values_name_their_path(change: Any, path: str, en: str) -> None:
    doc = handbook_doc()
    change(doc)
    err = load_error(doc)
    assert err.field == path
    assert err.message_vi.startswith(path)
    assert en in err.message_en
    assert err.errors
    assert err.errors[0].startswith(path)


def test_every_bad_field_is_reported_at_once() -> None:
    doc = handbook_doc()
    doc["version"] = "hai"
    doc["pledges"][0]["target"]["amount"] = "nhiều"
    doc["member"]["full_name"] = None
    err = load_error(doc)
    paths = sorted(e.split(":", 1)[0] for e in err.errors)
    assert paths == ["$.member.full_name", "$.pledges[0].target.amount", "$.version"]
    assert "3" in err.message_vi
    assert err.field in paths


def test_an_unknown_target_kind_is_refused_at_the_target() -> None:
    doc = handbook_doc()
    doc["pledges"][0]["target"]["kind"] = "chi_tieu"
    err = load_error(doc)
    assert err.field is not None
    assert err.field.startswith("$.pledges[0].target")


def test_naive_event_time_is_refused() -> None:
    doc = to_dict(
        Event(
            handbook_id="sotay-1",
            kind=EventKind.CREATED,
            actor_id="dv-an",
            actor_name="Nguyễn Văn An",
            at=dt.datetime(2025, 1, 2, 8, tzinfo=dt.UTC),
            from_status=S.DRAFT,
            to_status=S.DRAFT,
            version=0,
        )
    )
    doc["at"] = "2025-01-02T08:00:00"
    with pytest.raises(ValidationFailed) as info:
        from_dict(Event, doc)
    assert info.value.field == "$.at"
    assert "offset" in info.value.message_en


# --- schema versions and migrations ------------------------------------------------------------


@pytest.mark.parametrize("version", [None, "1", 1.0, True])
def test_missing_or_non_integer_schema_version(version: Any) -> None:
    doc = handbook_doc()
    if version is None:
        del doc["schema_version"]
    else:
        doc["schema_version"] = version
    err = load_error(doc)
    assert err.field == "$.schema_version"
    assert "schema_version" in err.message_en


def test_too_new_schema_version() -> None:
    doc = handbook_doc()
    doc["schema_version"] = serde.SCHEMA_VERSION + 1
    err = load_error(doc)
    assert err.field == "$.schema_version"
    assert "nâng cấp" in err.message_vi
    assert "newer" in err.message_en


def test_old_version_without_a_migration() -> None:
    doc = handbook_doc()
    doc["schema_version"] = 0
    err = load_error(doc)
    assert err.field == "$.schema_version"
    assert "no migration from schema version 0" in err.message_en


def test_migrations_run_before_structuring(monkeypatch: pytest.MonkeyPatch) -> None:
    """Layout 1 called the member ``dang_vien``; layout 2 renamed it; layout 3 the period."""
    calls: list[int] = []

    def v1_to_v2(doc: dict[str, Any]) -> dict[str, Any]:
        calls.append(1)
        doc = dict(doc)
        doc["member"] = doc.pop("dang_vien")
        return doc

    def v2_to_v3(doc: dict[str, Any]) -> dict[str, Any]:
        calls.append(2)
        doc = dict(doc)
        doc["period"] = doc.pop("ky")
        return doc

    monkeypatch.setattr(serde, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(serde, "MIGRATIONS", {1: v1_to_v2, 2: v2_to_v3})
    hb = handbook_in(S.ASSESSED)
    current = to_dict(hb)
    assert current["schema_version"] == 3
    old = copy.deepcopy(current)
    old["schema_version"] = 1
    old["dang_vien"] = old.pop("member")
    old["ky"] = old.pop("period")
    assert from_dict(Handbook, old) == hb
    assert calls == [1, 2]
    calls.clear()
    middle = copy.deepcopy(current)
    middle["schema_version"] = 2
    middle["ky"] = middle.pop("period")
    assert loads(Handbook, json.dumps(middle)) == hb
    assert calls == [2]
    calls.clear()
    assert from_dict(Handbook, current) == hb
    assert calls == []


def test_a_gap_in_the_migrations_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serde, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(serde, "MIGRATIONS", {2: lambda d: d})
    doc = handbook_doc()
    doc["schema_version"] = 1
    err = load_error(doc)
    assert "no migration from schema version 1" in err.message_en


def test_the_callers_document_is_not_changed() -> None:
    doc = handbook_doc()
    before = copy.deepcopy(doc)
    from_dict(Handbook, doc)
    assert doc == before


# --- not JSON at all ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        '{"schema_version": 1,}',
        "không phải JSON",
        b"\xff\xfe\x00",
    ],
)
def test_malformed_json(text: str | bytes) -> None:
    with pytest.raises(ValidationFailed) as info:
        loads(Handbook, text)
    assert info.value.field == "$"
    assert "JSON" in info.value.message_vi
    assert "JSON" in info.value.message_en


def test_malformed_json_says_where() -> None:
    with pytest.raises(ValidationFailed) as info:
        loads(Member, '{\n  "schema_version": 1,\n  "id": "dv-1",,\n}')
    assert "dòng 3" in info.value.message_vi


@pytest.mark.parametrize("text", ["[]", "null", '"sổ tay"', "42"])
def test_a_document_must_be_an_object(text: str) -> None:
    with pytest.raises(ValidationFailed) as info:
        loads(OrgUnit, text)
    assert info.value.field == "$"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[" * 100_000, "lồng nhau quá sâu"),
        ('{"amount": ' + "9" * 5000 + "}", "không đọc được"),
        ("{\n  'x': 1}", "dòng 2"),
        (b'{"a": "\x80"}', "UTF-8"),
    ],
)
def test_untrusted_json_fails_with_a_library_error(text: str | bytes, fragment: str) -> None:
    with pytest.raises(ValidationFailed, match=fragment):
        loads(Handbook, text)
