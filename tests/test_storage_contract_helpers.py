"""The contract helpers a database backend builds on (``lamtheoguongbac.plugin``): reading a
stored record back, and checking a large batch chunk by chunk."""

from __future__ import annotations

import json
from collections.abc import Iterator

import attrs
import pytest

from lamtheoguongbac import ConflictError, Event, Handbook, Member, StoreError, ValidationFailed
from lamtheoguongbac.plugin import checked_chunks, read_stored
from lamtheoguongbac.serde import to_dict
from lamtheoguongbac.testing import creation_event, make_handbook, make_member


def test_a_stored_record_reads_back_from_text_bytes_or_a_parsed_dict() -> None:
    handbook = make_handbook()
    document = to_dict(handbook)
    text = json.dumps(document, ensure_ascii=False)
    for stored in (text, text.encode(), document):
        assert read_stored(Handbook, stored, item_id=handbook.id, where="kho") == handbook


@pytest.mark.parametrize(
    ("cls", "document", "kind"),
    [
        (Handbook, "{not json", "sổ tay"),
        (Member, json.dumps({"schema_version": 2, "id": ""}), "đảng viên"),
        (Event, b"[1, 2]", "nhật ký của sổ tay"),
    ],
)
def test_a_damaged_record_names_itself_and_the_store(
    cls: type, document: str | bytes, kind: str
) -> None:
    with pytest.raises(StoreError) as caught:
        read_stored(cls, document, item_id="mã-1", where="kho-thử")
    assert f"Không đọc được {kind} 'mã-1' trong kho kho-thử" in caught.value.message_vi
    assert "'mã-1' in the store kho-thử" in caught.value.message_en


def _entries(n: int, prefix: str = "sổ") -> Iterator[tuple[Handbook, Event]]:
    base = make_handbook()
    for i in range(n):
        handbook = attrs.evolve(base, id=f"{prefix}-{i:04d}")
        yield handbook, creation_event(handbook)


def test_a_batch_comes_in_chunks_read_lazily() -> None:
    read: list[int] = []

    def items() -> Iterator[tuple[Handbook, Event]]:
        for i, entry in enumerate(_entries(25)):
            read.append(i)
            yield entry

    chunks = checked_chunks(items(), "kho", size=10)
    first = next(chunks)
    assert [h.id for h, _ in first] == [f"sổ-{i:04d}" for i in range(10)]
    assert len(read) == 10  # the rest of the import is not in memory yet
    assert [len(c) for c in chunks] == [10, 5]


def test_an_id_repeated_in_the_batch_is_a_conflict_even_across_chunks() -> None:
    entries = [*_entries(12), *_entries(1)]  # the last repeats the first, in another chunk
    with pytest.raises(ConflictError, match="sổ-0000"):
        list(checked_chunks(entries, "kho", size=5))


def test_an_event_of_another_handbook_is_refused() -> None:
    (handbook, _), (_, other) = list(_entries(2))
    with pytest.raises(ValidationFailed):
        list(checked_chunks([(handbook, other)], "kho"))


def test_a_member_reads_back_through_the_same_helper() -> None:
    member = make_member(3)
    assert read_stored(Member, to_dict(member), item_id=member.id, where="kho") == member
