"""The shared file helpers (fsutil.py): atomic writes, and the limits on untrusted archives."""

from __future__ import annotations

import io
import os
import stat
import struct
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from lamtheoguongbac import _fsutil as fsutil
from lamtheoguongbac.plugin import UnsafeArchive, atomic_write, atomic_write_many, check_zip


@pytest.fixture(params=[0o022, 0o077, 0o002])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    mask: int = request.param
    old = os.umask(mask)
    try:
        yield mask
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- atomic_write --------------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_written_file_has_a_new_files_permissions(tmp_path: Path, umask: int) -> None:
    new, replaced = tmp_path / "moi.docx", tmp_path / "cu.docx"
    replaced.write_bytes(b"old")
    replaced.chmod(0o600)

    atomic_write(new, b"new")
    atomic_write(replaced, lambda f: f.write(b"replaced"))

    assert _mode(new) == 0o666 & ~umask
    assert _mode(replaced) == 0o666 & ~umask
    assert (new.read_bytes(), replaced.read_bytes()) == (b"new", b"replaced")


def test_the_content_is_complete(tmp_path: Path) -> None:
    big = os.urandom(3 * 1024 * 1024 + 17)
    target = tmp_path / "lon.bin"

    atomic_write(target, big)

    assert target.read_bytes() == big
    assert sorted(tmp_path.iterdir()) == [target]


def test_a_writer_function_gets_a_binary_file(tmp_path: Path) -> None:
    seen: list[str] = []

    def write(file: BinaryIO) -> None:
        seen.extend(p.name for p in tmp_path.iterdir())  # the temporary file, during the write
        with zipfile.ZipFile(file, "w") as archive:
            archive.writestr("a.txt", "Làm theo gương Bác")

    atomic_write(tmp_path / "a.zip", write, temp_prefix=".tam-", temp_suffix=".part")

    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert archive.read("a.txt").decode() == "Làm theo gương Bác"
    (temp,) = seen
    assert temp.startswith(".tam-")
    assert temp.endswith(".part")
    assert [p.name for p in tmp_path.iterdir()] == ["a.zip"]


def test_a_failing_writer_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "so-tay.docx"
    target.write_bytes(b"old")

    def half_then_fail(file: BinaryIO) -> None:
        file.write(b"half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        atomic_write(target, half_then_fail)

    assert target.read_bytes() == b"old"
    assert sorted(tmp_path.iterdir()) == [target]


def test_a_failing_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fsutil.os, "replace", disk_full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(tmp_path / "x.bin", b"data")
    monkeypatch.undo()

    assert list(tmp_path.iterdir()) == []


def test_the_temporary_file_never_follows_a_symlink(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    (tmp_path / ".x.bin.fixed.tmp").symlink_to(victim)
    names = iter(["fixed", "other"])
    monkeypatch.setattr(fsutil.secrets, "token_hex", lambda n: next(names))

    atomic_write(tmp_path / "x.bin", b"data")

    assert victim.read_bytes() == b"keep"
    assert (tmp_path / "x.bin").read_bytes() == b"data"


# --- atomic_write_many ---------------------------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_many_files_are_written_whole_with_a_new_files_permissions(
    tmp_path: Path, umask: int
) -> None:
    items = [(tmp_path / f"{i}.docx", f"tài liệu {i}".encode()) for i in range(5)]

    atomic_write_many(items, temp_prefix=".lamtheoguongbac-", temp_suffix=".part")

    for path, data in items:
        assert path.read_bytes() == data
        assert _mode(path) == 0o666 & ~umask
    assert sorted(tmp_path.iterdir()) == sorted(p for p, _ in items)


def test_a_failure_in_a_batch_keeps_the_whole_files_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls = 0

    def fail_third(src: str, dst: str) -> None:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(fsutil.os, "replace", fail_third)
    items = [(tmp_path / f"{i}.docx", bytes([i]) * 1000) for i in range(5)]
    with pytest.raises(OSError, match="No space left"):
        atomic_write_many(items, temp_prefix=".lamtheoguongbac-", temp_suffix=".part")
    monkeypatch.undo()

    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.docx", "1.docx"]
    assert (tmp_path / "1.docx").read_bytes() == b"\x01" * 1000


# --- check_zip -----------------------------------------------------------------------------


def _zip(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_normal_archive_passes_and_its_bytes_come_back(tmp_path: Path) -> None:
    data = _zip({"word/document.xml": b"<w:document/>" * 1000, "a.png": os.urandom(5000)})
    path = tmp_path / "mau.docx"
    path.write_bytes(data)

    assert check_zip(data) == data
    assert check_zip(path) == data


def test_an_entry_that_inflates_too_far_is_a_zip_bomb() -> None:
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"A" * 5_000_000})

    with pytest.raises(UnsafeArchive) as caught:
        check_zip(bomb)

    error = caught.value
    assert error.entry == "word/document.xml"
    assert "phần 'word/document.xml' giải nén ra 4.8 MB" in error.reason_vi
    assert "bom nén" in error.reason_vi
    assert "entry 'word/document.xml' inflates to 4.8 MB" in error.reason_en
    assert "at most 100:1" in error.reason_en
    assert str(error) == f"{error.reason_vi} / {error.reason_en}"


def test_small_entries_may_shrink_as_much_as_they_like() -> None:
    # Under ZIP_RATIO_MIN_SIZE a high ratio is normal (blank XML, repeated styles).
    check_zip(_zip({"styles.xml": b" " * (fsutil.ZIP_RATIO_MIN_SIZE - 1)}))


def test_the_total_inflated_size_is_capped_naming_the_largest_entry() -> None:
    data = _zip({"a.bin": os.urandom(3000), "b.bin": os.urandom(6000), "c.bin": b"x"})

    with pytest.raises(UnsafeArchive) as caught:
        check_zip(data, max_total_size=8000)

    assert caught.value.entry == "b.bin"
    assert "lớn nhất là phần 'b.bin'" in caught.value.reason_vi
    assert "the largest is 'b.bin'" in caught.value.reason_en


def test_too_many_entries_are_refused() -> None:
    data = _zip({f"{i}.xml": b"" for i in range(30)}, zipfile.ZIP_STORED)

    check_zip(data, max_entries=30)
    with pytest.raises(UnsafeArchive, match="more than 29 entries") as caught:
        check_zip(data, max_entries=29)
    assert caught.value.entry is None


def test_entries_are_counted_even_when_the_archive_lies_about_their_number() -> None:
    data = bytearray(_zip({f"{i}.xml": b"" for i in range(30)}, zipfile.ZIP_STORED))
    end = data.rfind(b"PK\x05\x06")
    struct.pack_into("<HH", data, end + 8, 1, 1)  # "1 entry" on this disk and in all

    with pytest.raises(UnsafeArchive, match="more than 5 entries"):
        check_zip(bytes(data), max_entries=5)


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "lon.docx"
    with path.open("wb") as file:
        file.truncate(fsutil.MAX_ZIP_FILE_SIZE + 1)  # sparse: nothing to read

    with pytest.raises(UnsafeArchive, match=r"tệp quá lớn \(20,971,521 B; tối đa 20,971,520 B\)"):
        check_zip(path)
    # A device states no size: what was read up to the limit is not its size.
    with pytest.raises(UnsafeArchive, match=r"more than 20\.0 MB; at most 20\.0 MB"):
        check_zip("/dev/zero")
    with pytest.raises(UnsafeArchive, match="the file is too large"):
        check_zip(b"PK" + b"\0" * 100, max_file_size=50)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not a zip at all",
        _zip({"a.xml": b"<a/>" * 100})[:-30],  # the directory cut off
        b"PK\x05\x06" + b"\0" * 8 + struct.pack("<LL", 500, 0) + b"\0\0",  # directory before 0
    ],
    ids=["empty", "text", "truncated", "bad-offset"],
)
def test_what_is_not_a_zip_archive_is_a_bad_zip_file(data: bytes) -> None:
    with pytest.raises(zipfile.BadZipFile):
        check_zip(data)


def test_a_missing_file_is_an_os_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        check_zip(tmp_path / "khong-co.xlsx")


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_json_lines_store_writes_through_the_same_helper(tmp_path: Path, umask: int) -> None:
    from lamtheoguongbac_jsonl._files import replace_atomically

    target = tmp_path / "data.jsonl"
    replace_atomically(target, b'{"a": 1}\n')

    assert target.read_bytes() == b'{"a": 1}\n'
    assert _mode(target) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir()] == ["data.jsonl"]
