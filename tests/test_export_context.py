"""The template context (export/context.py): documented, versioned, plain, NFC, never None."""

from __future__ import annotations

import datetime as dt
import json
import pickle
import re
import unicodedata
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac import (
    CollectiveAssessment,
    Handbook,
    HandbookStatus,
    MemberStatus,
    OrgUnit,
    Outcome,
    Period,
    PledgeResult,
    RatingLevel,
    ResultReport,
    Role,
)
from lamtheoguongbac import _workflow as workflow
from lamtheoguongbac.export import CONTEXT_SCHEMA, CONTEXT_VERSION, build_context
from lamtheoguongbac.export import _context as context_module
from lamtheoguongbac.rules import Policy
from lamtheoguongbac.rules._base import local_today
from lamtheoguongbac.testing import make_handbook, make_member, make_organisation

TODAY = dt.date(2026, 1, 5)


def _paths(schema: Any, prefix: str = "") -> set[str]:
    """Every leaf and list key path: "handbook.id", "pledges", "pledges[].result.outcome"."""
    if isinstance(schema, dict):
        found: set[str] = set()
        for key, sub in schema.items():
            found |= _paths(sub, f"{prefix}.{key}" if prefix else key)
        return found
    if isinstance(schema, list):
        inner = _paths(schema[0], prefix + "[]") if isinstance(schema[0], dict) else set()
        return {prefix} | inner
    return {prefix}


def _conforms(value: Any, schema: Any, where: str = "$") -> None:
    if isinstance(schema, dict):
        assert type(value) is dict, where
        assert set(value) == set(schema), f"{where}: {set(value) ^ set(schema)}"
        for key, sub in schema.items():
            _conforms(value[key], sub, f"{where}.{key}")
    elif isinstance(schema, list):
        assert type(value) is list, where
        for i, item in enumerate(value):
            _conforms(item, schema[0], f"{where}[{i}]")
    else:
        assert type(value) is schema, f"{where}: {type(value).__name__} is not {schema.__name__}"


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@pytest.mark.parametrize("status", list(HandbookStatus))
def test_every_status_gives_the_documented_shape(status: HandbookStatus) -> None:
    context = build_context(make_handbook(status), today=TODAY)

    _conforms(context, CONTEXT_SCHEMA)
    assert context["context_version"] == CONTEXT_VERSION == 1
    assert json.loads(json.dumps(context, ensure_ascii=False)) == context
    assert pickle.loads(pickle.dumps(context)) == context


def test_every_key_is_in_the_module_docstring_table() -> None:
    doc = context_module.__doc__ or ""
    documented = set(re.findall(r"^``([a-z_.\[\]*]+)`` {2,}", doc, flags=re.MULTILINE))
    unit_keys = {f"superior.{k}" for k in CONTEXT_SCHEMA["superior"]}  # type: ignore[union-attr]
    # Lists documented as "the same dicts as" another key's.
    same = ("organisation[].", "initial_pledges[].", "supplements[].pledges[].")
    organisation = {p for p in _paths(CONTEXT_SCHEMA) if p.startswith(same)}
    expected = _paths(CONTEXT_SCHEMA) - unit_keys - organisation

    assert expected - documented == set()
    assert documented - expected == {"superior.*"}


def test_no_key_shadows_a_dict_method() -> None:
    # Templates write member.items-style lookups; a key named like a dict method would be
    # ambiguous ("items", "keys", "get", …).
    keys = {p.rsplit(".", 1)[-1] for p in _paths(CONTEXT_SCHEMA)}
    assert keys & set(dir({})) == set()


def test_a_draft_has_empty_parts_never_none() -> None:
    handbook = make_handbook(HandbookStatus.DRAFT)
    handbook = attrs.evolve(handbook, organisation=(attrs.evolve(handbook.cell, parent_id=None),))
    context = build_context(handbook, today=TODAY)

    _conforms(context, CONTEXT_SCHEMA)
    assert context["pledges"] == []
    empty_unit = dict.fromkeys(CONTEXT_SCHEMA["superior"], "") | {"name_upper_lines": []}  # type: ignore[arg-type]
    assert context["superior"] == empty_unit
    assert context["handbook"]["registered_on"] == ""
    assert context["handbook"]["registration_place_date"] == ""
    assert (context["supplements"], context["reviews"], context["initial_pledges"]) == ([], [], [])
    assert context["self_assessment"] == {"text": "", "date": "", "date_phrase": "",
                                          "place_date": ""}  # fmt: skip
    collective = context["collective"]
    assert collective["rating"] == collective["recorder_role_upper"] == ""
    assert collective["on_behalf"] == "T/M CHI BỘ"
    assert context["place"] == ""
    assert context["place_date"] == "Ngày 05 tháng 01 năm 2026"


def test_an_assessed_handbook_reads_as_the_party_form() -> None:
    handbook = make_handbook(HandbookStatus.ASSESSED)
    context = build_context(handbook, today=TODAY)

    assert context["handbook"]["year"] == 2025
    assert context["handbook"]["status"] == "Đã được chi bộ đánh giá"
    assert context["member"]["full_name_upper"] == handbook.member.full_name.upper()
    assert context["superior"]["name"] == handbook.organisation[-2].name
    assert context["cell"]["name_upper"] == handbook.cell.name.upper()
    assert context["place"] == "Tịnh Biên"
    assert context["place_date"] == "Tịnh Biên, ngày 05 tháng 01 năm 2026"
    assert context["today"] == {"date": "05/01/2026", "phrase": "ngày 05 tháng 01 năm 2026",
                                "year": 2026}  # fmt: skip
    first, second = context["pledges"]
    assert (first["number"], second["number"]) == (1, 2)
    assert first["deadline"] == "30/11/2025"
    assert first["bases"][1] == "Điều 3 Quy định 37-QĐ/TW"
    assert first["bases_text"] == "; ".join(first["bases"])
    assert first["result"]["outcome"] == "Thực hiện một phần"
    assert first["result"]["not_done"]
    assert second["result"]["outcome_code"] == "hoan_thanh"
    assert context["handbook"]["period_label"] == "NĂM 2025"
    assert context["handbook"]["period_text"] == "năm 2025"
    assert context["handbook"]["is_term"] == 0
    assert context["handbook"]["registration_place_date"].startswith("Tịnh Biên, ngày ")
    assert context["member"]["status"] == "Đảng viên chính thức"
    assert context["member"]["status_code"] == "chinh_thuc"
    assert context["cell"]["committee"] == "Chi ủy" + handbook.cell.name[len("Chi bộ") :]
    collective = context["collective"]
    # The rating is the rating process's: not printed unless the policy says so.
    assert (collective["rating"], collective["rating_shown"], collective["rating_line"]) == (
        "",
        0,
        "",
    )
    printed = build_context(handbook, today=TODAY, policy=Policy(rating_in_handbook=True))
    assert printed["collective"]["rating"] == "Hoàn thành tốt nhiệm vụ"
    assert printed["collective"]["rating_abbreviation"] == "HTTNV"
    assert printed["collective"]["rating_line"] == "Hoàn thành tốt nhiệm vụ (HTTNV)"
    assert printed["collective"]["rating_shown"] == 1
    assert collective["recorder_role_upper"] == "BÍ THƯ"
    assert collective["meeting_date_phrase"] == "ngày 20 tháng 12 năm 2025"
    assert collective["place_date"] == "Tịnh Biên, ngày 20 tháng 12 năm 2025"
    assert context["self_assessment"]["date"] == "05/12/2025"


def test_a_deputy_secretary_signs_as_pho_bi_thu() -> None:
    handbook = make_handbook(HandbookStatus.ASSESSED)
    assessment = attrs.evolve(handbook.collective_assessment, recorder_role=Role.DEPUTY_SECRETARY,
                              rating=RatingLevel.EXCELLENT)  # fmt: skip
    context = build_context(
        attrs.evolve(handbook, collective_assessment=assessment),
        today=TODAY,
        policy=Policy(rating_in_handbook=True),
    )

    assert context["collective"]["recorder_role"] == "Phó Bí thư"
    assert context["collective"]["recorder_role_upper"] == "PHÓ BÍ THƯ"
    assert context["collective"]["rating_abbreviation"] == "HTXSNV"


def test_an_unrated_member_has_an_empty_rating() -> None:
    handbook = make_handbook(HandbookStatus.ASSESSED)
    ca = handbook.collective_assessment
    assert isinstance(ca, CollectiveAssessment)
    context = build_context(
        attrs.evolve(handbook, collective_assessment=attrs.evolve(ca, rating=None)), today=TODAY
    )

    assert context["collective"]["rating"] == context["collective"]["rating_abbreviation"] == ""


@pytest.mark.parametrize(
    ("status", "exempt_rating", "line"),
    [
        (
            MemberStatus.SUSPENDED,
            "optional",
            "Không xếp loại (đảng viên đang bị đình chỉ sinh hoạt đảng)",
        ),
        (
            MemberStatus.EXEMPT,
            "optional",
            "Không xếp loại (đảng viên được miễn công tác và sinh hoạt đảng)",
        ),
        (
            MemberStatus.EXEMPT,
            "none",
            "Không xếp loại (đảng viên được miễn công tác và sinh hoạt đảng)",
        ),
        (MemberStatus.EXEMPT, "required", ""),  # a blank to fill in
        (MemberStatus.OFFICIAL, "optional", ""),
    ],
)
def test_a_member_not_rated_by_standing_gets_the_reason(
    status: MemberStatus, exempt_rating: str, line: str
) -> None:
    handbook = make_handbook(HandbookStatus.ASSESSED)
    ca = handbook.collective_assessment
    assert isinstance(ca, CollectiveAssessment)
    unrated = attrs.evolve(
        handbook,
        member=attrs.evolve(handbook.member, status=status),
        collective_assessment=attrs.evolve(ca, rating=None),
    )
    policy = Policy(rating_in_handbook=True, exempt_rating=exempt_rating)
    assert build_context(unrated, today=TODAY, policy=policy)["collective"]["rating_line"] == line
    assert build_context(unrated, today=TODAY)["collective"]["rating_line"] == ""


def test_a_term_book_reads_as_a_term_with_its_supplements_and_reviews() -> None:
    handbook = make_handbook(HandbookStatus.REGISTERED)
    term = Period.term(2025, 2027)
    handbook = attrs.evolve(handbook, id="term", period=term)
    member = handbook.member.as_actor()
    added = attrs.evolve(handbook.pledges[0], id="bs-1", deadline=dt.date(2026, 11, 30))
    handbook = workflow.supplement(
        handbook, [added], year=2026, actor=member, at=dt.datetime(2026, 1, 20, 8, tzinfo=dt.UTC)
    ).handbook
    report = ResultReport(
        submitted_on=dt.date(2025, 12, 10),
        results=(
            PledgeResult(pledge_id=handbook.pledges[0].id, outcome=Outcome.DONE, achieved="Xong"),
        ),
    )
    handbook = workflow.interim_report(
        handbook,
        report,
        checkpoint=dt.date(2025, 12, 31),
        actor=member,
        at=dt.datetime(2025, 12, 10, 8, tzinfo=dt.UTC),
    ).handbook

    context = build_context(handbook, today=TODAY)

    _conforms(context, CONTEXT_SCHEMA)
    assert context["handbook"]["period_label"] == "NHIỆM KỲ 2025–2027"
    assert context["handbook"]["is_term"] == 1
    assert context["handbook"]["years"] == [2025, 2026, 2027]
    assert [p["id"] for p in context["initial_pledges"]] == [p.id for p in handbook.pledges[:2]]
    [supplement] = context["supplements"]
    assert supplement["year"] == 2026
    assert supplement["registered_on"] == "20/01/2026"
    assert [p["id"] for p in supplement["pledges"]] == ["bs-1"]
    assert context["pledges"][-1]["supplement_year"] == "2026"
    [review] = context["reviews"]
    assert review["title"] == "Kiểm điểm năm 2025"
    assert review["results"][0]["number"] == 1
    assert review["results"][0]["outcome"] == "Đã thực hiện"
    assert review["collective"]["on_behalf"] == ""


def test_today_defaults_to_the_current_date() -> None:
    context = build_context(make_handbook())

    assert context["today"]["year"] == local_today().year


def _nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


def _decomposed_handbook(name: str, cell_name: str) -> Handbook:
    chain = make_organisation()
    cell = OrgUnit(id=chain[-1].id, name=_nfd(cell_name), level=_nfd("Chi bộ"),
                   parent_id=chain[-1].parent_id, place=_nfd("Tịnh Biên"))  # fmt: skip
    member = make_member(full_name=_nfd(name))
    return make_handbook(HandbookStatus.ASSESSED, member=member, organisation=(*chain[:-1], cell))


def test_decomposed_input_comes_out_nfc() -> None:
    context = build_context(_decomposed_handbook("Đỗ Thị Ánh Nguyệt", "Chi bộ ấp Hòa Bình"))

    assert all(unicodedata.is_normalized("NFC", s) for s in _strings(context))
    assert context["member"]["full_name"] == "Đỗ Thị Ánh Nguyệt"
    assert context["member"]["full_name_upper"] == "ĐỖ THỊ ÁNH NGUYỆT"
    assert context["cell"]["name_upper"] == "CHI BỘ ẤP HÒA BÌNH"


_VIETNAMESE = st.text(
    alphabet=st.sampled_from("aăâeêioôơuưyđĐAĂÂÊÔƠƯ\u0300\u0301\u0303\u0309\u0323 ǰ"),
    min_size=1,
    max_size=30,
).filter(lambda s: s.strip() and not unicodedata.combining(s.strip()[0]))


@given(name=_VIETNAMESE, cell_name=_VIETNAMESE)
def test_any_name_gives_nfc_plain_data(name: str, cell_name: str) -> None:
    context = build_context(_decomposed_handbook(name, cell_name), today=TODAY)

    assert all(unicodedata.is_normalized("NFC", s) for s in _strings(context))
    _conforms(context, CONTEXT_SCHEMA)
