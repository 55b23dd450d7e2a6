"""Batch export (export/batch.py) through a real registry, with a tiny fake exporter.

The fake renders a context to a small zip holding it as JSON, so every written file can be
checked to be a whole, valid archive of the right handbook.
"""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import unicodedata
import warnings
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac import (
    Handbook,
    HandbookStatus,
    PluginError,
    TemplateError,
    ValidationFailed,
    _durable,
    hookimpl,
)
from lamtheoguongbac._storage import SqliteStore
from lamtheoguongbac._storage.base import iter_headings
from lamtheoguongbac.export import (
    Exporter,
    ExportOptions,
    ExportResult,
    _shards,
    _writer,
    export_handbooks,
    file_name,
)
from lamtheoguongbac.export import _batch as batch
from lamtheoguongbac.export._batch import MANIFEST_NAME, TEMP_PREFIX, choose_jobs
from lamtheoguongbac.plugin import (
    HandbookHeading,
    HandbookQuery,
    Registry,
    create_registry,
    parse_store_url,
    store_url,
    trusted_restore,
)
from lamtheoguongbac.testing import creation_event, make_handbook
from strategies import BIDI_CONTROLS, REFUSED_IN_LINE

BROKEN = "Tên Gây Lỗi"  # the fake renderer fails on a member with this name
_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')
_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)),
            *(f"LPT{i}" for i in range(10))}  # fmt: skip


class FakeRenderer:
    """Renders a context as a zip with ``context.json``; merges as a zip of documents."""

    def __init__(self, options: ExportOptions) -> None:
        self.settings = options.settings
        if self.settings.get("warn"):
            warnings.warn("giả lập: đường chậm / fake: slow path", UserWarning, stacklevel=2)

    def render(self, context: Mapping[str, Any]) -> bytes:
        if context["member"]["full_name"] == BROKEN:
            raise TemplateError("mẫu hỏng", "broken template")
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            # A fixed timestamp: the same context must give the same bytes in any process.
            entry = zipfile.ZipInfo("context.json", date_time=(2025, 1, 1, 0, 0, 0))
            archive.writestr(entry, json.dumps(context, ensure_ascii=False))
        return buffer.getvalue()

    def merge(self, documents: Sequence[bytes]) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            for i, data in enumerate(documents):
                archive.writestr(f"{i}.zip", data)
        return buffer.getvalue()


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """This test module is itself the plugin, so worker processes can import it again."""
    register(Exporter(name="fake", suffix=".docx", create_renderer=FakeRenderer))


@pytest.fixture
def fake_registry() -> Registry:
    return create_registry(load_entrypoints=False, extra_plugins=[sys.modules[__name__]])


@pytest.fixture(scope="module")
def handbooks() -> list[Handbook]:
    return [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(12)]


def _context(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        loaded: dict[str, Any] = json.loads(archive.read("context.json"))
        return loaded


def _export(registry: Registry, handbooks: Sequence[Handbook] | HandbookQuery, dest: Path,
            **kwargs: Any) -> ExportResult:  # fmt: skip
    return export_handbooks(dest, handbooks, exporter="fake", registry=registry, **kwargs)


def _leftovers(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{TEMP_PREFIX}*.part"))


def _assert_windows_safe(name: str) -> None:
    assert name == Path(name).name
    assert not (_WINDOWS_FORBIDDEN & set(name))
    # No control, line break or invisible format character (U+202E would show
    # "…\u202excod.exe" as "…exe.docx"), whatever the data held.
    assert all(unicodedata.category(c) not in ("Cc", "Cs", "Cf", "Zl", "Zp") for c in name)
    assert name == name.rstrip(". ")
    assert name.split(".", 1)[0].rstrip(" ").upper() not in _DEVICES
    assert len(name) <= 255
    assert len(name.removesuffix(".docx").encode()) <= 221  # file systems count bytes
    assert unicodedata.is_normalized("NFC", name)


# --- one file per handbook ------------------------------------------------------------------


def test_folder_mode_writes_one_readable_file_per_handbook(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    calls: list[tuple[int, int]] = []
    out = tmp_path / "xuất"
    result = _export(fake_registry, handbooks, out, progress=lambda d, t: calls.append((d, t)))

    assert [p.name for p in result.written] == [file_name(h, ".docx") for h in handbooks]
    first = handbooks[0]
    assert result.written[0].name == (
        f"2025 - {first.cell.name} - {first.member.full_name} ({first.id}).docx"
    )
    assert calls == [(i, len(handbooks)) for i in range(1, len(handbooks) + 1)]
    for handbook, path in zip(handbooks, result.written, strict=True):
        assert _context(path)["handbook"]["id"] == handbook.id
    assert result.skipped == 0
    assert result.notes == ()
    assert _leftovers(out) == []


def test_a_generator_streams_and_progress_still_knows_the_total(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    calls: list[tuple[int, int]] = []
    result = _export(fake_registry, (h for h in handbooks[:3]), tmp_path,
                     progress=lambda d, t: calls.append((d, t)))  # fmt: skip

    assert len(result.written) == 3
    assert calls[-1] == (3, 3)


def test_hostile_names_stay_inside_the_folder_and_valid_on_windows(
    fake_registry: Registry, tmp_path: Path
) -> None:
    base = make_handbook(HandbookStatus.REGISTERED)

    def hostile(ident: str, name: str, cell: str) -> Handbook:
        chain = (*base.organisation[:-1], attrs.evolve(base.cell, name=cell))
        return attrs.evolve(base, id=ident, organisation=chain,
                            member=attrs.evolve(base.member, full_name=name))  # fmt: skip

    books = [
        hostile("../../etc/passwd", "../../etc/passwd", ".."),
        hostile("CON", "CON", "NUL"),
        hostile("a/b\\c", "a/b\\c", "x:y|z?*"),
        hostile("tab", "Lê Văn An\t\n", "<Chi bộ>"),  # a NUL is refused by the model itself
        hostile("dài", "Nguyễn " * 28, "Chi bộ " * 42),
        hostile("..", ". . .", "COM1.txt"),
    ]
    out = tmp_path / "out"
    result = _export(fake_registry, books, out)

    assert len(result.written) == len(books)
    for path in result.written:
        assert path.parent == out.resolve()
        _assert_windows_safe(path.name)
    everything = {p for p in tmp_path.rglob("*") if p.is_file()}
    assert everything == {*result.written, out.resolve() / MANIFEST_NAME}


def _forced(handbook: Handbook, *, ident: str, name: str, cell: str) -> Handbook:
    """``handbook`` holding these texts as they are, past the model's checks: data read some
    other way than through the model (an old store, a plugin's own types) must not be able
    to put anything into a file name either."""
    member = attrs.evolve(handbook.member)
    object.__setattr__(member, "full_name", name)
    unit = attrs.evolve(handbook.cell)
    object.__setattr__(unit, "name", cell)
    forced = attrs.evolve(handbook, organisation=(*handbook.organisation[:-1], unit))
    object.__setattr__(forced, "member", member)
    object.__setattr__(forced, "id", ident)
    return forced


# Any character, with the invisible and line-breaking ones drawn often: Hypothesis seldom
# picks one of the few dozen format characters out of all of Unicode by itself.
_ANY = st.text(
    st.characters(blacklist_categories=("Cs",)) | st.sampled_from(BIDI_CONTROLS + REFUSED_IN_LINE),
    min_size=1,
    max_size=120,
)


@given(ident=_ANY, name=_ANY, cell=_ANY)
def test_any_file_name_is_one_windows_safe_component(ident: str, name: str, cell: str) -> None:
    handbook = _forced(make_handbook(), ident=ident, name=name, cell=cell)

    _assert_windows_safe(file_name(handbook, ".docx"))


@pytest.mark.parametrize(
    "hidden", ["\u202e", "\u202d", "\u2067", "\u200b", "\u200d", "\ufeff", "\u00ad", "\n", "\u2028"]
)
def test_a_bidi_override_or_invisible_character_never_reaches_a_file_name(
    fake_registry: Registry, tmp_path: Path, hidden: str
) -> None:
    """A right-to-left override would make "Nguyễn Văn An\u202excod.exe" show as
    "…exe.docx" (finding F6): file names drop it even when the data holds it."""
    handbook = _forced(
        make_handbook(HandbookStatus.REGISTERED),
        ident=f"sotay{hidden}2025",
        name=f"Nguyễn Văn{hidden}An{hidden}xcod.exe",
        cell=f"Chi bộ{hidden} ấp Đông",
    )
    name = file_name(handbook, ".docx")
    assert hidden not in name
    assert name == "2025 - Chi bộ ấp Đông - Nguyễn Văn" + (
        " An xcod.exe (sotay 2025).docx" if hidden in "\n\u2028" else "Anxcod.exe (sotay2025).docx"
    )
    result = _export(fake_registry, [handbook], tmp_path)
    assert [p.name for p in result.written] == [name]


def test_names_too_long_for_the_disk_in_bytes_are_cut_and_written(
    fake_registry: Registry, tmp_path: Path
) -> None:
    """60 characters of three-byte letters a part: 379 bytes in all before, which Linux
    refused ("File name too long") after rendering every document."""
    long = "Ữ" * 70
    handbook = _forced(
        make_handbook(HandbookStatus.REGISTERED),
        ident="sotay-" + "Đ" * 70,
        name="Nguyễn " + long,
        cell="Chi bộ " + long,
    )
    result = _export(fake_registry, [handbook], tmp_path)
    (written,) = result.written
    assert written.is_file()
    assert written.name == file_name(handbook, ".docx")
    assert len(written.name.encode()) <= 226
    assert written.name.startswith("2025 - Chi bộ ỮỮ")
    assert "- Nguyễn ỮỮ" in written.name
    assert "(sotay-ĐĐ" in written.name


def test_names_that_collide_ignoring_case_are_told_apart(
    fake_registry: Registry, tmp_path: Path
) -> None:
    base = make_handbook()
    books = [attrs.evolve(base, id=i) for i in ("x/1", "x-1", "X-1")]
    result = _export(fake_registry, books, tmp_path)

    names = [p.name for p in result.written]
    assert names[1] == names[0].replace(").docx", ") [2].docx")
    assert names[2] == names[0].replace("x-1", "X-1").replace(").docx", ") [3].docx")
    assert [_context(p)["handbook"]["id"] for p in result.written] == ["x/1", "x-1", "X-1"]


# --- resume and atomic writes ---------------------------------------------------------------


def test_resume_skips_what_is_done_and_redoes_what_changed(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    _export(fake_registry, handbooks, tmp_path)
    again = _export(fake_registry, handbooks, tmp_path, resume=True)
    assert (again.written, again.skipped) == ((), len(handbooks))

    changed = list(handbooks)
    changed[3] = attrs.evolve(changed[3], version=changed[3].version + 1)
    (tmp_path / file_name(handbooks[5], ".docx")).unlink()
    partly = _export(fake_registry, changed, tmp_path, resume=True)
    assert [p.name for p in partly.written] == [
        file_name(changed[3], ".docx"),
        file_name(changed[5], ".docx"),
    ]
    assert partly.skipped == len(handbooks) - 2
    assert _context(partly.written[0])["handbook"]["version"] == changed[3].version

    other_settings = _export(fake_registry, changed, tmp_path, resume=True,
                             options=ExportOptions(settings={"x": 1}))  # fmt: skip
    assert (len(other_settings.written), other_settings.skipped) == (len(handbooks), 0)


@pytest.mark.parametrize(
    "damage",
    [
        "ộ".encode()[:2],  # torn inside a character by a killed run or a full disk
        b"\xff\xfe garbage",
        b'{"file": "\\ud800"}',  # a lone surrogate: no file name
        b"[" * 100_000 + b"]" * 100_000,  # nested past the parser's depth
    ],
)
def test_resume_survives_a_torn_or_damaged_manifest_line(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path, damage: bytes
) -> None:
    _export(fake_registry, handbooks, tmp_path)
    manifest = tmp_path / MANIFEST_NAME
    lines = manifest.read_bytes().splitlines(keepends=True)
    # the last record torn, then the damage: that file is made again, the others skipped
    torn = lines[-1][: len(lines[-1]) // 2]
    manifest.write_bytes(b"".join(lines[:-1]) + torn + b"\n" + damage + b"\n" + torn + damage)
    again = _export(fake_registry, handbooks, tmp_path, resume=True)
    assert [p.name for p in again.written] == [file_name(handbooks[-1], ".docx")]
    assert again.skipped == len(handbooks) - 1


@pytest.mark.parametrize("taken_by", ["link", "folder"])
def test_a_manifest_name_taken_by_a_link_or_a_folder_is_refused_not_followed(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path, taken_by: str
) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere.txt"
    out.mkdir()
    elsewhere.write_text("keep me\n", "utf-8")
    if taken_by == "link":
        (out / MANIFEST_NAME).symlink_to(elsewhere)
    else:
        (out / MANIFEST_NAME).mkdir()
    with pytest.raises(ValidationFailed) as refused:
        _export(fake_registry, handbooks, out)
    assert "manifest" in refused.value.message("en")
    assert MANIFEST_NAME in refused.value.message("vi")
    assert elsewhere.read_text("utf-8") == "keep me\n"
    assert not list(out.glob("*.docx"))


def test_without_resume_everything_is_written_again(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    _export(fake_registry, handbooks[:2], tmp_path)
    result = _export(fake_registry, handbooks[:2], tmp_path)

    assert (len(result.written), result.skipped) == (2, 0)


_CHILD = textwrap.dedent(
    """
    import io, os, sys, time, zipfile
    from pathlib import Path
    from lamtheoguongbac.export import Exporter, export_handbooks
    from lamtheoguongbac import hookimpl
    from lamtheoguongbac.plugin import create_registry
    from lamtheoguongbac.testing import make_handbook

    STOP_AT = int(sys.argv[3])
    renames = 0
    real_replace = os.replace

    def replace(src, dst):
        # The rename that would make file number STOP_AT: tell the parent, then hang there,
        # in the middle of a batch, with its other temporary files written and not renamed.
        global renames
        renames += 1
        if renames == STOP_AT:
            print("stopped", flush=True)
            time.sleep(3600)
        real_replace(src, dst)

    os.replace = replace

    class Slow:
        def render(self, context):
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w") as archive:
                archive.writestr("big.bin", b"x" * 30_000)
                archive.writestr("id.txt", context["handbook"]["id"])
            return buffer.getvalue()

        def merge(self, documents):
            raise NotImplementedError

    class Plugin:
        @hookimpl
        def register_exporters(self, register):
            register(Exporter(name="slow", suffix=".docx", create_renderer=lambda o: Slow()))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Plugin()])
    books = [make_handbook(index=i) for i in range(int(sys.argv[2]))]
    print("start", flush=True)
    export_handbooks(Path(sys.argv[1]), books, exporter="slow", registry=registry)
    print("finished", flush=True)
    """
)


def test_a_killed_run_leaves_only_whole_files_and_the_next_run_cleans_up(
    tmp_path: Path,
) -> None:
    # Killed at a known point, not after a delay: the child stops in the rename of its 70th
    # file and says so; only then is it killed. Nothing here depends on timing or on how
    # many files a batch writes: 69 whole files, and at least the 70th's temporary file.
    out, count, stop_at = tmp_path / "out", 200, 70
    child = subprocess.Popen([sys.executable, "-c", _CHILD, str(out), str(count), str(stop_at)],
                             stdout=subprocess.PIPE, text=True)  # fmt: skip
    assert child.stdout is not None
    # Only a safety net should the child hang elsewhere: then its output ends, and the test
    # fails instead of waiting for ever. It plays no part in when the kill happens.
    watchdog = threading.Timer(300, child.kill)
    watchdog.start()
    try:
        assert child.stdout.readline().strip() == "start"
        assert child.stdout.readline().strip() == "stopped"  # blocks until it is there
    finally:
        watchdog.cancel()
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        child.stdout.close()

    present = sorted(out.glob("*.docx"))
    assert len(present) == stop_at - 1
    for path in present:
        with zipfile.ZipFile(path) as archive:
            assert archive.testzip() is None
    assert _leftovers(out)  # the rest of the batch, written but never renamed
    (out / f"{TEMP_PREFIX}left-by-a-crash.part").write_bytes(b"half")

    class Slow:
        def render(self, context: Mapping[str, Any]) -> bytes:
            return b"PK\x05\x06" + b"\0" * 18  # an empty zip

        def merge(self, documents: Sequence[bytes]) -> bytes:
            raise NotImplementedError

    class Plugin:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="slow", suffix=".docx", create_renderer=lambda o: Slow()))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Plugin()])
    books = [make_handbook(index=i) for i in range(count)]
    result = export_handbooks(out, books, exporter="slow", registry=registry, resume=True)

    assert _leftovers(out) == []
    assert len(result.written) + result.skipped == count
    # Skipped: only files the killed run had both renamed and recorded in its manifest.
    assert 0 < result.skipped <= len(present)
    assert len(list(out.glob("*.docx"))) == count


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("jobs", [1, 2])
def test_exported_files_have_a_new_files_permissions_not_0600(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path, jobs: int
) -> None:
    old = os.umask(0o022)
    try:
        folder = _export(fake_registry, handbooks[:3], tmp_path / "docx", jobs=jobs).written
        (archive,) = _export(fake_registry, handbooks[:3], tmp_path / "a.zip", mode="zip").written
        (merged,) = _export(
            fake_registry, handbooks[:3], tmp_path / "m.docx", mode="merged"
        ).written
    finally:
        os.umask(old)

    for path in (*folder, tmp_path / "docx" / MANIFEST_NAME, archive, merged):
        assert oct(path.stat().st_mode & 0o777) == oct(0o644), path.name


def test_a_failing_render_leaves_no_temporary_file(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    broken = attrs.evolve(handbooks[1], member=attrs.evolve(handbooks[1].member,
                                                            full_name=BROKEN))  # fmt: skip
    with pytest.raises(TemplateError) as caught:
        _export(fake_registry, [handbooks[0], broken, handbooks[2]], tmp_path)

    assert caught.value.message_en == "broken template"
    assert _leftovers(tmp_path) == []
    assert [p.name for p in tmp_path.glob("*.docx")] == [file_name(handbooks[0], ".docx")]


# --- zip, merged, workers -------------------------------------------------------------------


def test_zip_mode_writes_one_archive_of_the_documents(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    dest = tmp_path / "sub" / "sổ tay.zip"
    result = _export(fake_registry, handbooks, dest, mode="zip")

    assert result.written == (dest.resolve(),)
    with zipfile.ZipFile(dest) as archive:
        assert archive.namelist() == [file_name(h, ".docx") for h in handbooks]
        inner = zipfile.ZipFile(io.BytesIO(archive.read(archive.namelist()[4])))
        assert json.loads(inner.read("context.json"))["handbook"]["id"] == handbooks[4].id
    assert sorted(p.name for p in dest.parent.iterdir()) == ["sổ tay.zip"]


def test_merged_mode_asks_the_renderer_to_merge(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    dest = tmp_path / "gộp.docx"
    result = _export(fake_registry, handbooks[:3], dest, mode="merged")

    assert result.written == (dest.resolve(),)
    with zipfile.ZipFile(dest) as archive:
        assert archive.namelist() == ["0.zip", "1.zip", "2.zip"]
    assert _export(fake_registry, [], tmp_path / "none.docx", mode="merged").written == ()


@pytest.fixture(scope="module")
def pool() -> Iterator[cf.ProcessPoolExecutor]:
    """Two real worker processes, started as the built-in pool starts them."""
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as workers:
        yield workers


def test_workers_write_the_same_files_and_report_warnings(
    fake_registry: Registry, pool: cf.Executor, tmp_path: Path
) -> None:
    # Enough handbooks for several shards, so both workers get some.
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(150)]
    options = ExportOptions(settings={"warn": True})
    one = _export(fake_registry, books, tmp_path / "one", options=options)
    calls: list[tuple[int, int]] = []
    two = _export(fake_registry, books, tmp_path / "two", options=options, executor=pool,
                  progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    handbooks = books

    assert [p.name for p in two.written] == [p.name for p in one.written]
    for a, b in zip(one.written, two.written, strict=True):
        assert a.read_bytes() == b.read_bytes()
    assert one.notes == two.notes == ("giả lập: đường chậm / fake: slow path",)
    assert calls[-1] == (len(handbooks), len(handbooks))
    assert _leftovers(tmp_path / "two") == []


def test_a_worker_error_comes_back_bilingual(
    fake_registry: Registry, handbooks: list[Handbook], pool: cf.Executor, tmp_path: Path
) -> None:
    broken = attrs.evolve(handbooks[0], member=attrs.evolve(handbooks[0].member,
                                                            full_name=BROKEN))  # fmt: skip
    with pytest.raises(TemplateError) as caught:
        _export(fake_registry, [broken], tmp_path / "z.zip", mode="zip", executor=pool)

    assert (caught.value.message_vi, caught.value.message_en) == ("mẫu hỏng", "broken template")
    assert not (tmp_path / "z.zip").exists()
    assert _leftovers(tmp_path) == []


def test_zip_mode_in_workers_keeps_the_input_order(
    fake_registry: Registry, pool: cf.Executor, tmp_path: Path
) -> None:
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(150)]
    _export(fake_registry, books, tmp_path / "here.zip", mode="zip")
    _export(fake_registry, books, tmp_path / "there.zip", mode="zip", executor=pool)

    here = zipfile.ZipFile(tmp_path / "here.zip")
    there = zipfile.ZipFile(tmp_path / "there.zip")
    with here, there:
        assert there.namelist() == here.namelist() == [file_name(h, ".docx") for h in books]
        assert all(here.read(n) == there.read(n) for n in here.namelist())


def test_a_zip_export_removes_the_temporary_file_a_killed_one_left(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    (tmp_path / f"{TEMP_PREFIX}killed-zip.part").write_bytes(b"PK half an archive")
    (tmp_path / ".lamtheoguongbac-pdf-x1y2").mkdir()
    (tmp_path / ".lamtheoguongbac-pdf-x1y2" / "half.pdf").write_bytes(b"%PDF")
    _export(fake_registry, handbooks[:2], tmp_path / "a.zip", mode="zip")

    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.zip"]


# --- one disk sync per chunk, and the manifest after it ------------------------------------


def test_one_disk_sync_per_chunk_and_files_on_disk_before_the_manifest_names_them(
    fake_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(150)]
    flushes: list[tuple[int, int]] = []  # (files flushed, files the manifest named then)
    real_flush = _durable.flush

    def flush(fds: Sequence[int]) -> None:
        manifest = tmp_path / MANIFEST_NAME
        named = len(manifest.read_text().splitlines()) if manifest.exists() else 0
        flushes.append((len(fds), named))
        real_flush(fds)

    fsyncs: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(_durable, "flush", flush)
    monkeypatch.setattr(os, "fsync", lambda fd: (fsyncs.append(fd), real_fsync(fd))[1])
    # Every chunk written in this process, where the calls can be counted (the writer
    # process does the same: tests/test_export_writer.py).
    monkeypatch.setattr(_writer, "PROCESS_AFTER", len(books))
    _export(fake_registry, books, tmp_path)

    # 150 files in shards of 64: three data flushes, not 150.
    assert [n for n, _ in flushes] == [64, 64, 22]
    # Each shard's files were flushed before the manifest named any of them.
    assert [named for _, named in flushes] == [0, 64, 128]
    # Besides syncfs: one folder flush per shard and the manifest's own atomic write.
    if _durable.syncfs() is not None:
        assert len(fsyncs) <= 3 + 2


def test_an_error_in_a_later_chunk_leaves_every_file_before_it_written_and_recorded(
    fake_registry: Registry, tmp_path: Path
) -> None:
    # Chunks are written in the background while the next one renders: an error in the
    # second chunk still finds the first written and recorded, then the second's files
    # rendered before it, as when each chunk was written in line.
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(100)]
    books[80] = attrs.evolve(books[80], member=attrs.evolve(books[80].member, full_name=BROKEN))
    with pytest.raises(TemplateError):
        _export(fake_registry, books, tmp_path)

    names = [file_name(b, ".docx") for b in books[:80]]
    assert sorted(p.name for p in tmp_path.glob("*.docx")) == sorted(names)
    lines = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    recorded = [json.loads(line)["file"] for line in lines]
    assert recorded == names
    assert _leftovers(tmp_path) == []


def test_a_failed_write_in_the_background_stops_the_run_and_is_not_recorded(
    fake_registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(150)]
    real_write = _shards.write_chunk
    calls: list[int] = []

    def write_chunk(folder: Path, items: Sequence[tuple[str, bytes]]) -> None:
        calls.append(len(items))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_write(folder, items)

    monkeypatch.setattr(_shards, "write_chunk", write_chunk)
    monkeypatch.setattr(_writer, "PROCESS_AFTER", len(books))  # every chunk counted here
    with pytest.raises(OSError, match="No space left"):
        _export(fake_registry, books, tmp_path)

    assert calls == [64, 64]  # the third chunk never started once the second failed
    lines = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    recorded = [json.loads(line)["file"] for line in lines]
    assert recorded == [file_name(b, ".docx") for b in books[:64]]


# --- a query of a store ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[Handbook]]:
    """A SQLite store of handbooks for several shards, and them in the store's order."""
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(150)]
    path = tmp_path_factory.mktemp("store") / "sổ tay.db"
    with SqliteStore(path) as store:
        with trusted_restore():  # assessed by recorders of no roster: the export only reads
            store.add_many((b, creation_event(b)) for b in books)
        return store_url("sqlite", path), store.query(HandbookQuery())


def _refuse_decoding(*_: object) -> None:
    raise AssertionError("the caller decoded the handbooks its workers read by id")


def test_a_query_exports_what_its_handbooks_export(
    fake_registry: Registry,
    pool: cf.Executor,
    stored: tuple[str, list[Handbook]],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, books = stored
    reference = _export(fake_registry, books, tmp_path / "list")
    query = HandbookQuery(year=2025)
    here = _export(fake_registry, query, tmp_path / "here", store=url)
    with SqliteStore(parse_store_url(url).path or "") as store:
        # The workers read the handbooks by id: this process lists their headings only.
        monkeypatch.setattr(SqliteStore, "iter_query", _refuse_decoding)
        calls: list[tuple[int, int]] = []
        workers = _export(fake_registry, query, tmp_path / "workers", store=store,
                          executor=pool, progress=lambda d, t: calls.append((d, t)))  # fmt: skip
    for result in (here, workers):
        assert [p.name for p in result.written] == [p.name for p in reference.written]
        for a, b in zip(reference.written, result.written, strict=True):
            assert a.read_bytes() == b.read_bytes()
    assert calls[-1] == (len(books), len(books))
    # resumed from the manifest the headings wrote: nothing is written again
    again = _export(fake_registry, query, tmp_path / "workers", store=url, executor=pool,
                    resume=True)  # fmt: skip
    assert (len(again.written), again.skipped) == (0, len(books))


@pytest.mark.parametrize("store", [None, "memory:", "sqlite:///{tmp}/tpyo.db"])
def test_a_query_without_its_store_is_refused(
    fake_registry: Registry, tmp_path: Path, store: str | None
) -> None:
    url = None if store is None else store.format(tmp=tmp_path)
    with pytest.raises(ValidationFailed) as caught:
        _export(fake_registry, HandbookQuery(), tmp_path / "x", store=url)
    assert caught.value.field == "store"
    assert " / " in str(caught.value)
    assert not (tmp_path / "x").exists()
    assert not (tmp_path / "tpyo.db").exists()  # a mistyped store is not created


def test_a_store_without_headings_is_listed_through_its_query(
    stored: tuple[str, list[Handbook]],
) -> None:
    url, books = stored

    class Plain:  # a third-party store: iter_query, and no iter_headings
        def __init__(self, inner: SqliteStore) -> None:
            self.iter_query = inner.iter_query

    with SqliteStore(parse_store_url(url).path or "") as store:
        listed = list(iter_headings(Plain(store), HandbookQuery()))
    assert listed == [HandbookHeading.of(b) for b in books]


@pytest.mark.parametrize(
    ("jobs", "count", "cores", "expected"),
    [
        (1, 1_000_000, 8, 1),  # asked for one
        (2, 1_000, 8, 1),  # too little work to pay for a worker's start-up
        (4, 4_500, 8, 3),
        (8, 1_000_000, 2, 2),  # never more workers than cores
        (4, None, 8, 4),  # count unknown: trust the caller
    ],
)
def test_jobs_are_chosen_from_the_work_and_the_cores(
    monkeypatch: pytest.MonkeyPatch, jobs: int, count: int | None, cores: int, expected: int
) -> None:
    monkeypatch.setattr(batch, "_usable_cores", lambda: cores)
    assert choose_jobs(jobs, count) == expected


# --- bad arguments --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"mode": "pdf"}, "mode"),
        ({"jobs": 0}, "jobs"),
        ({"resume": True, "mode": "zip"}, "resume"),
        ({"pdf": True, "mode": "zip"}, "pdf"),
    ],
)
def test_bad_arguments_are_refused_bilingually(
    fake_registry: Registry, tmp_path: Path, kwargs: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _export(fake_registry, [], tmp_path / "x.zip", **kwargs)

    assert caught.value.field == field
    assert " / " in str(caught.value)


def test_an_unknown_exporter_is_a_plugin_error(fake_registry: Registry, tmp_path: Path) -> None:
    with pytest.raises(PluginError, match="no exporter 'odt'"):
        export_handbooks(tmp_path, [], exporter="odt", registry=fake_registry)


def test_an_exporter_with_a_bad_suffix_is_refused(tmp_path: Path) -> None:
    class Plugin:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="evil", suffix="/../x", create_renderer=FakeRenderer))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Plugin()])
    with pytest.raises(PluginError, match="invalid file suffix"):
        export_handbooks(tmp_path, [], exporter="evil", registry=registry)


def test_pdf_without_libreoffice_is_refused_before_any_document_is_made(
    fake_registry: Registry,
    handbooks: list[Handbook],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every document was rendered and written first, then the conversion failed and left
    them unrecorded."""
    from lamtheoguongbac.export import PdfConversionError

    monkeypatch.setenv("LAMTHEOGUONGBAC_SOFFICE", str(tmp_path / "khong-co-soffice"))
    with pytest.raises(PdfConversionError, match="soffice"):
        _export(fake_registry, handbooks, tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("case", ["a file", "under a file", "zip to a folder", "folder at a name"])
def test_a_destination_that_cannot_be_one_is_named_not_a_raw_os_error(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path, case: str
) -> None:
    """FileExistsError, NotADirectoryError, IsADirectoryError (from the writer thread, naming
    a temporary file) reached the caller; the CLI named the temporary file."""
    (tmp_path / "tep").write_text("x", "utf-8")
    (tmp_path / "thu-muc.zip").mkdir()
    kwargs: dict[str, Any] = {}
    if case == "a file":
        dest = tmp_path / "tep"
    elif case == "under a file":
        dest = tmp_path / "tep" / "con"
    elif case == "zip to a folder":
        dest, kwargs = tmp_path / "thu-muc.zip", {"mode": "zip"}
    else:
        dest = tmp_path / "out"
        (dest / file_name(handbooks[1], ".docx")).mkdir(parents=True)
    with pytest.raises(ValidationFailed) as refused:
        _export(fake_registry, handbooks, dest, **kwargs)
    assert refused.value.field == "dest"
    assert ".part" not in str(refused.value)
    assert str(dest) in refused.value.message("en")


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"jobs": "2"}, "jobs"),
        ({"jobs": True}, "jobs"),
        ({"options": {"template": "mau.docx"}}, "options"),
    ],
)
def test_an_argument_of_the_wrong_type_is_named(
    fake_registry: Registry,
    handbooks: list[Handbook],
    tmp_path: Path,
    kwargs: dict[str, Any],
    field: str,
) -> None:
    """``jobs="2"`` was a TypeError from a comparison; the options reached the exporter."""
    with pytest.raises(ValidationFailed) as refused:
        _export(fake_registry, handbooks, tmp_path, **kwargs)
    assert refused.value.field == field
    assert not list(tmp_path.iterdir())


def test_an_item_that_is_not_a_handbook_is_named_by_its_position(
    fake_registry: Registry, handbooks: list[Handbook], tmp_path: Path
) -> None:
    with pytest.raises(ValidationFailed, match="item 2 is a str, not a Handbook"):
        _export(fake_registry, [handbooks[0], "sotay-2025"], tmp_path)  # type: ignore[list-item]


@pytest.mark.parametrize("template", [5, b"/tmp/mau.docx", ""])
def test_a_template_that_is_no_path_is_the_callers_mistake_not_the_plugins(
    template: object,
) -> None:
    """It reached the exporter and was reported as the plugin's failure."""
    with pytest.raises(ValidationFailed) as refused:
        ExportOptions(template=template)  # type: ignore[arg-type]
    assert refused.value.field == "template"
    assert ExportOptions(template="mau.docx").template == Path("mau.docx")
    assert ExportOptions(template=PurePosixPath("mau.docx")).template == Path("mau.docx")
