"""Exemplars (gương điển hình) in the JSON-lines store: the same contract as handbooks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest

from lamtheoguongbac import (
    Commendation,
    ConflictError,
    Exemplar,
    ExemplarKind,
    NotFound,
    StoreError,
    ValidationFailed,
)
from lamtheoguongbac.testing import make_exemplar, make_organisation, make_secretary
from lamtheoguongbac_jsonl import JsonLinesStore

SECRETARY = make_secretary().as_actor()


def _individual(index: int, year: int = 2025) -> Exemplar:
    return make_exemplar(ExemplarKind.INDIVIDUAL, index=index, year=year)


def _collective(cell: str, year: int = 2025) -> Exemplar:
    chain = make_organisation(cell)
    return Exemplar(
        id=f"tap_the-{year}-{cell}",
        year=year,
        kind=ExemplarKind.COLLECTIVE,
        name=chain[-1].name,
        organisation=chain,
        achievements="1. 100% đảng viên đăng ký việc làm cụ thể, không có đăng ký chung chung",
        nominated_by=SECRETARY.id,
        nominator_name=SECRETARY.name,
        nominated_on=dt.date(year, 12, 30),
    )


@pytest.fixture
def store(tmp_path: Path) -> JsonLinesStore:
    return JsonLinesStore(tmp_path / "du-lieu")


def test_round_trip_survives_reopening(store: JsonLinesStore, tmp_path: Path) -> None:
    person, cell = _individual(1), _collective("chibo-07")
    store.add_exemplar(person)
    store.add_exemplar(cell)
    store.close()
    with JsonLinesStore(tmp_path / "du-lieu") as again:
        assert again.get_exemplar(person.id) == person
        assert again.exemplars(year=2025) == [cell, person]  # collectives first


def test_adding_an_existing_id_conflicts_and_keeps_the_first(store: JsonLinesStore) -> None:
    person = _individual(1)
    store.add_exemplar(person)
    with pytest.raises(ConflictError, match="đã được đề cử"):
        store.add_exemplar(attrs.evolve(person, achievements="Khác"))
    assert store.get_exemplar(person.id) == person


def test_updates_are_optimistic(store: JsonLinesStore) -> None:
    person = _individual(2)
    store.add_exemplar(person)
    decision = Commendation(
        authority="Ban Thường vụ Đảng ủy xã Tịnh Biên",
        decision_number="125-QĐ/ĐU",
        decided_on=dt.date(2026, 1, 15),
    )
    recorded = attrs.evolve(decision, recorded_by=SECRETARY.id, recorder_name=SECRETARY.name)
    commended = attrs.evolve(person, commendation=recorded, version=person.version + 1)
    store.update_exemplar(commended, expected_version=person.version)
    assert store.get_exemplar(person.id).commended
    with pytest.raises(ConflictError):
        store.update_exemplar(commended, expected_version=person.version)
    with pytest.raises(ValidationFailed):
        store.update_exemplar(commended, expected_version=commended.version)
    with pytest.raises(NotFound):
        store.update_exemplar(_individual(3), expected_version=0)
    assert store.get_exemplar(person.id) == commended


def test_selection_by_year_and_subtree(store: JsonLinesStore) -> None:
    items = [_individual(1), _individual(2, year=2024), _collective("chibo-07")]
    for item in items:
        store.add_exemplar(item)
    assert store.exemplars(year=2024) == [items[1]]
    assert store.exemplars(organisation_id="chibo-07") == [items[2]]
    assert len(store.exemplars(organisation_id="dangbo-xa-tb")) == 3
    with pytest.raises(NotFound):
        store.get_exemplar("ca_nhan-2025-khong-co")


def test_use_after_close_raises(store: JsonLinesStore) -> None:
    store.close()
    with pytest.raises(StoreError):
        store.exemplars()
    with pytest.raises(StoreError):
        store.add_exemplar(_individual(1))
