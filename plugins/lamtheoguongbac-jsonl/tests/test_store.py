"""What the JSON-lines store promises beyond the conformance suite: URLs, the file layout,
refusing foreign files, atomic writes, the file lock and several writers at once."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from lamtheoguongbac import ConflictError, Handbooks, HandbookStatus, StoreError, serde
from lamtheoguongbac.plugin import HandbookQuery, RecordType, create_registry
from lamtheoguongbac.testing import advance, make_entry, make_roster
from lamtheoguongbac_jsonl import DATA_FILE, FORMAT, JsonLinesStore, _files, path_from_url, url_for

# --- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("jsonl:///du-lieu", "du-lieu"),
        ("jsonl:///so-tay-2025.jsonl", "so-tay-2025.jsonl"),
        ("jsonl:////var/lib/ltgb/so-tay", "/var/lib/ltgb/so-tay"),
        ("jsonl:///chi%20b%E1%BB%99", "chi bộ"),
    ],
)
def test_url_forms(url: str, path: str) -> None:
    assert path_from_url(url) == Path(path)


@pytest.mark.parametrize("url", ["jsonl:", "jsonl://x", "jsonl:///", "jsonl:///x?mode=ro"])
def test_bad_urls_are_refused_in_both_languages(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        path_from_url(url)
    assert "không hợp lệ" in caught.value.message_vi
    assert "invalid store URL" in caught.value.message_en


def test_url_for_round_trips(tmp_path: Path) -> None:
    target = tmp_path / "50% ấp Đông?"
    assert path_from_url(url_for(target)) == target


def test_relative_folder_is_created_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with JsonLinesStore.from_url("jsonl:///du-lieu") as store:
        assert store.url == "jsonl:///du-lieu"
    assert (tmp_path / "du-lieu" / DATA_FILE).is_file()


def test_a_missing_parent_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="không tồn tại"):
        JsonLinesStore(tmp_path / "khong-co" / "du-lieu")


# --- the file ------------------------------------------------------------------------------


def test_the_file_is_readable_json_lines(tmp_path: Path) -> None:
    roster = make_roster(cells=1, members_per_cell=2)
    handbook, event = make_entry()
    with JsonLinesStore(tmp_path / "so-tay.jsonl") as store:
        store.save_roster(roster.units, roster.members)
        store.add(handbook, event)
    text = (tmp_path / "so-tay.jsonl").read_text(encoding="utf-8")
    assert "Đảng bộ tỉnh An Giang" in text  # UTF-8, not \u escapes
    lines = [json.loads(line) for line in text.splitlines()]
    assert lines[0]["format"] == FORMAT
    assert lines[0]["generation"] == 3  # created, roster, handbook
    kinds = [line["type"] for line in lines[1:]]
    assert kinds == ["unit"] * 3 + ["member"] * 2 + ["handbook", "event"]
    assert lines[-1]["data"]["schema_version"] == serde.SCHEMA_VERSION


def test_an_empty_file_is_an_empty_store(tmp_path: Path) -> None:
    (tmp_path / "trong.jsonl").write_bytes(b"")
    with JsonLinesStore(tmp_path / "trong.jsonl") as store:
        assert store.query(HandbookQuery()) == []
        store.add(*make_entry())
        assert len(store.query(HandbookQuery())) == 1


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"Ho va ten,Chi bo\nNguyen Van An,cb-01\n", "tiêu đề"),
        (
            json.dumps({"format": FORMAT, "format_version": 99}).encode() + b"\n",
            "phiên bản 99",
        ),
        (
            json.dumps({"format": FORMAT, "format_version": 1}).encode() + b"\n{not json\n",
            "dòng 2",
        ),
        (
            json.dumps({"format": FORMAT, "format_version": 1}).encode()
            + b'\n{"type": "unit", "data": {"schema_version": 1, "id": "x"}}\n',
            "dòng 2",
        ),
    ],
)
def test_a_foreign_or_corrupt_file_is_refused_and_left_untouched(
    tmp_path: Path, content: bytes, says: str
) -> None:
    path = tmp_path / "khac.jsonl"
    path.write_bytes(content)
    with pytest.raises(StoreError, match=says):
        JsonLinesStore(path)
    assert path.read_bytes() == content


def _lines_of_a_stepped_store(tmp_path: Path) -> tuple[Path, list[str]]:
    """A store holding one handbook taken one step (two events), and its lines."""
    handbook, event = make_entry()
    with JsonLinesStore(tmp_path) as store:
        store.add(handbook, event)
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        path = store.path
    return path, path.read_text("utf-8").splitlines()


def _kind(line: str) -> str:
    return str(json.loads(line).get("type", "")) if line.startswith("{") else ""


@pytest.mark.parametrize(
    ("edit", "says"),
    [
        # an older copy of the handbook appended, which read last won
        (lambda ls: [*ls, next(x for x in ls if _kind(x) == "handbook")], "already on line"),
        # the events swapped, or one repeated
        (
            lambda ls: (
                [x for x in ls if _kind(x) != "event"]
                + [x for x in ls if _kind(x) == "event"][::-1]
            ),
            "out of version order",
        ),
        (lambda ls: [*ls, [x for x in ls if _kind(x) == "event"][-1]], "out of version order"),
        # an event removed: the handbook is ahead of its trail
        (lambda ls: ls[: max(i for i, x in enumerate(ls) if _kind(x) == "event")], "version"),
    ],
)
def test_a_store_file_edited_by_hand_is_refused_naming_the_line(
    tmp_path: Path, edit: object, says: str
) -> None:
    """Edited, duplicated or reordered lines were read last-wins and in file order: an old
    copy of a handbook, a trail out of order or with holes, all silently."""
    path, lines = _lines_of_a_stepped_store(tmp_path)
    edited = "\n".join(edit(lines)) + "\n"  # type: ignore[operator]
    path.write_text(edited, "utf-8")
    with pytest.raises(StoreError, match=says):
        JsonLinesStore(path)
    assert path.read_text("utf-8") == edited  # left untouched


def test_events_are_append_only(tmp_path: Path) -> None:
    handbook, event = make_entry()
    with JsonLinesStore(tmp_path) as store:
        store.add(handbook, event)
        before = _event_lines(store.path)
        step = advance(handbook)
        store.update(step.handbook, step.event, expected_version=handbook.version)
        after = _event_lines(store.path)
    assert after[: len(before)] == before
    assert len(after) == len(before) + 1


def _event_lines(path: Path) -> list[str]:
    return [line for line in path.read_text("utf-8").splitlines() if '"type":"event"' in line]


# --- atomic writes and the lock ------------------------------------------------------------


def test_a_failed_write_changes_nothing_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = JsonLinesStore(tmp_path)
    store.add(*make_entry(index=1))
    before = store.path.read_bytes()

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_files.os, "replace", disk_full)
    with pytest.raises(StoreError, match="dữ liệu cũ được giữ nguyên"):
        store.add(*make_entry(index=2))
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [DATA_FILE, f"{DATA_FILE}.lock"]
    assert [h.member.id for h in store.query(HandbookQuery())] == ["chibo-01-dv001"]
    store.close()


def test_a_held_lock_times_out_with_a_store_error(tmp_path: Path) -> None:
    store = JsonLinesStore(tmp_path, timeout=0.05)
    with (
        _files.exclusive_lock(store.lock_path, timeout=1),
        pytest.raises(StoreError, match="tiến trình khác"),
    ):
        store.add(*make_entry())
    store.close()


def test_a_second_object_sees_writes_and_its_stale_update_conflicts(tmp_path: Path) -> None:
    first, second = JsonLinesStore(tmp_path), JsonLinesStore(tmp_path)
    handbook, event = make_entry(HandbookStatus.REGISTERED)
    first.add(handbook, event)
    seen = second.get(handbook.id)
    step = advance(handbook)
    first.update(step.handbook, step.event, expected_version=handbook.version)
    late = advance(seen)
    with pytest.raises(ConflictError, match="đã được sửa"):
        second.update(late.handbook, late.event, expected_version=seen.version)
    assert second.get(handbook.id) == step.handbook
    first.close()
    second.close()


def test_threads_with_their_own_store_objects_lose_no_write(tmp_path: Path) -> None:
    def work(worker: int) -> None:
        with JsonLinesStore(tmp_path) as store:
            for i in range(10):
                store.add(*make_entry(index=worker * 100 + i))

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with JsonLinesStore(tmp_path) as store:
        assert len(store.query(HandbookQuery())) == 40


_WRITER = """
import sys
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_entry

store = create_registry().open_store(sys.argv[1])
for i in range(15):
    store.add(*make_entry(index=int(sys.argv[2]) * 100 + i))
store.close()
"""


def test_processes_writing_at_once_lose_no_write(tmp_path: Path) -> None:
    url = url_for(tmp_path / "chung.jsonl")
    writers = [
        subprocess.Popen([sys.executable, "-c", textwrap.dedent(_WRITER), url, str(n)])
        for n in range(3)
    ]
    assert [w.wait(timeout=60) for w in writers] == [0, 0, 0]
    with JsonLinesStore.from_url(url) as store:
        assert len(store.query(HandbookQuery())) == 45
        assert all(len(store.events(h.id)) == 1 for h in store.query(HandbookQuery()))


# --- through the library -------------------------------------------------------------------


def test_the_service_runs_a_handbook_through_the_cycle(tmp_path: Path) -> None:
    roster = make_roster(cells=1, members_per_cell=3)
    secretary, member = roster.members[0], roster.members[1]
    url = url_for(tmp_path / "du-lieu")
    with Handbooks.open(url) as service:
        service.roster.save(roster.units, roster.members)
        book = service.create(member.id, year=2025, actor=secretary)
        registered = advance(book).handbook
        service.register_pledges(book.id, registered.pledges, actor=member)
        reported = advance(registered).handbook
        assert reported.report is not None
        service.report_results(
            book.id, reported.report, self_assessment=reported.self_assessment, actor=member
        )
        assessed = advance(reported, secretary=secretary).handbook
        assert assessed.collective_assessment is not None
        service.record_assessment(book.id, assessed.collective_assessment, actor=secretary)
        service.close_handbook(book.id, actor=secretary)
    with Handbooks.open(url) as again:
        assert again.get(book.id).status is HandbookStatus.CLOSED
        assert [e.version for e in again.history(book.id)] == [1, 2, 3, 4, 5]


def test_the_plugin_is_found_through_its_entry_point() -> None:
    registry = create_registry()
    assert "jsonl" in registry.storage_backends()
    info = next(p for p in registry.plugins() if p.name == "jsonl")
    assert (info.distribution, info.status) == ("lamtheoguongbac-jsonl", "active")


# --- the command line's new stores -----------------------------------------------------------


def _cli(url: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lamtheoguongbac", "--lang", "en", "--store", url, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
    )


def _bad_roster(folder: Path) -> tuple[str, str]:
    units, members = folder / "to-chuc.csv", folder / "dang-vien.csv"
    units.write_text("ma,ten,cap,ma_cap_tren\n", encoding="utf-8")
    members.write_text("ma,ho_va_ten,chi_bo\ndv1,Lê Văn An,khong-co\n", encoding="utf-8")
    return str(units), str(members)


@pytest.mark.parametrize("name", ["kho-moi", "kho-moi.jsonl"], ids=["folder", "file"])
def test_a_command_that_fails_on_a_new_store_leaves_no_store(tmp_path: Path, name: str) -> None:
    work = tmp_path / "lam-viec"
    work.mkdir()
    units, members = _bad_roster(tmp_path)
    result = _cli(f"jsonl:///{name}", "import", units, members, cwd=work)
    assert result.returncode == 2, result.stderr
    assert "Removed the new store" in result.stderr
    assert list(work.iterdir()) == []


def test_a_failed_command_keeps_a_store_folder_that_holds_other_files(tmp_path: Path) -> None:
    folder = tmp_path / "kho"
    folder.mkdir()
    (folder / "ghi-chu.txt").write_text("của người dùng", encoding="utf-8")
    units, members = _bad_roster(tmp_path)
    result = _cli(url_for(folder), "import", units, members, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["ghi-chu.txt"]


def test_a_failed_command_keeps_a_store_that_was_there(tmp_path: Path) -> None:
    folder = tmp_path / "kho"
    with Handbooks.open(url_for(folder)) as service:
        roster = make_roster(cells=1, members_per_cell=2)
        service.roster.save(roster.units, roster.members)
    before = (folder / DATA_FILE).read_bytes()
    units, members = _bad_roster(tmp_path)
    result = _cli(url_for(folder), "import", units, members, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "Removed" not in result.stderr
    assert (folder / DATA_FILE).read_bytes() == before


def test_a_roster_save_appends_its_audit_trail_at_once(tmp_path: Path) -> None:
    store = JsonLinesStore(tmp_path / "kho")
    roster = make_roster(cells=2, members_per_cell=3)
    with Handbooks(store) as service:
        service.roster.save(roster.units, roster.members, actor=roster.members[0])
        for member in roster.members:
            (event,) = service.roster.history(member.id)
            assert (event.action.value, event.actor_id) == ("added", roster.members[0].id)
    # the trail is in the file, as the store reopened reads it
    again = JsonLinesStore(tmp_path / "kho")
    trail = again.record_events(RecordType.MEMBER, roster.members[1].id)
    assert [e.version for e in trail] == [1]
