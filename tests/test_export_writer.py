"""Where a single-process export writes its files: the writer process (export/_writer.py)
and the chunk protocol it speaks (_durable.py), through a real export and a real process."""

from __future__ import annotations

import errno
import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import HandbookStatus, ValidationFailed, hookimpl
from lamtheoguongbac import _durable
from lamtheoguongbac.export import Exporter, ExportOptions, export_handbooks, file_name
from lamtheoguongbac.export import _shards, _writer
from lamtheoguongbac.export._batch import MANIFEST_NAME, TEMP_PREFIX
from lamtheoguongbac.plugin import Registry, create_registry
from lamtheoguongbac.testing import make_handbook

pytestmark = pytest.mark.skipif(
    _writer.writer_command() is None, reason="no writer process on this platform (not POSIX)"
)

_CHUNK = 64  # the export's chunk of files (one sync each)


def _document(context: Mapping[str, Any]) -> bytes:
    """A whole zip naming its handbook: a torn file would not open."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        entry = zipfile.ZipInfo("id.txt", date_time=(2025, 1, 1, 0, 0, 0))
        archive.writestr(entry, context["handbook"]["id"])
    return buffer.getvalue()


def _registry(on_render: Callable[[int], None] = lambda n: None) -> Registry:
    """A registry whose "zip" exporter renders :func:`_document`, calling ``on_render`` with
    the number of each document it renders."""
    rendered = [0]

    class Renderer:
        def render(self, context: Mapping[str, Any]) -> bytes:
            rendered[0] += 1
            on_render(rendered[0])
            return _document(context)

        def merge(self, documents: Sequence[bytes]) -> bytes:
            raise NotImplementedError

    class Plugin:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="zip", suffix=".docx", create_renderer=_make(Renderer)))

    return create_registry(load_entrypoints=False, extra_plugins=[Plugin()])


def _make(cls: type) -> Callable[[ExportOptions], Any]:
    return lambda options: cls()


def _writer_pids() -> list[int]:
    """The writer processes this process started (children running _durable.py)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == os.getpid() and b"_durable.py" in command:
            found.append(int(entry))
    return found


def _recorded(folder: Path) -> list[str]:
    lines = (folder / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["file"] for line in lines]


def _assert_whole(folder: Path, books: Sequence[Any]) -> None:
    for book in books:
        with zipfile.ZipFile(folder / file_name(book, ".docx")) as archive:
            assert archive.read("id.txt").decode() == book.id


@pytest.fixture(scope="module")
def books() -> list[Any]:
    return [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(5 * _CHUNK)]


# --- the protocol -------------------------------------------------------------------------


def _request(folder: Path, files: Sequence[tuple[str, bytes]]) -> bytes:
    header = {"folder": str(folder), "files": [[name, len(data)] for name, data in files]}
    return json.dumps(header).encode() + b"\n" + b"".join(data for _, data in files)


def _answers(output: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in output.splitlines()]


def test_each_chunk_is_answered_once_its_files_are_on_disk_with_one_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flushed: list[list[str]] = []  # the files present under their names at each flush
    real_flush = _durable.flush

    def flush(fds: Sequence[int]) -> None:
        flushed.append(sorted(p.name for p in tmp_path.glob("*.docx")))
        real_flush(fds)

    monkeypatch.setattr(_durable, "flush", flush)
    first = [(f"{i}.docx", f"tệp {i}".encode() * 500) for i in range(3)]
    second = [("Nguyễn Văn A.docx", b"")]
    out = io.BytesIO()
    _durable.serve(io.BytesIO(_request(tmp_path, first) + _request(tmp_path, second)), out)

    assert _answers(out.getvalue()) == [{"ok": True}, {"ok": True}]
    assert flushed == [[], ["0.docx", "1.docx", "2.docx"]]  # one sync a chunk, before renames
    for name, data in first + second:
        assert (tmp_path / name).read_bytes() == data
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_a_chunk_that_cannot_be_written_is_answered_with_its_error(tmp_path: Path) -> None:
    (tmp_path / "b.docx").mkdir()
    missing = tmp_path / "không có"
    out = io.BytesIO()
    requests = _request(tmp_path, [("a.docx", b"A"), ("b.docx", b"B"), ("c.docx", b"C")])
    requests += _request(missing, [("d.docx", b"D")])
    requests += _request(tmp_path, [("e.docx", b"E")])  # the process goes on
    _durable.serve(io.BytesIO(requests), out)

    folder, os_error, ok = _answers(out.getvalue())
    assert folder == {"error": "folder", "path": str(tmp_path / "b.docx")}
    assert os_error["error"] == "os"
    assert os_error["errno"] == errno.ENOENT
    assert ok == {"ok": True}
    # The file renamed before the error stays whole; none after it; no temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx", "e.docx"]
    assert (tmp_path / "a.docx").read_bytes() == b"A"
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_the_writer_runs_by_itself_on_the_standard_library(tmp_path: Path) -> None:
    # python -I -S: no site-packages, no PYTHONPATH, nothing of the library importable.
    command = _writer.writer_command()
    assert command is not None
    files = [("Trần Thị B.docx", b"PK" * 1000)]
    done = subprocess.run(command, input=_request(tmp_path, files), capture_output=True,
                          check=True, timeout=60)  # fmt: skip
    assert _answers(done.stdout) == [{"ok": True}]
    assert done.stderr == b""
    assert (tmp_path / "Trần Thị B.docx").read_bytes() == b"PK" * 1000
    # Its input cut short (the caller killed): it stops without writing a partial chunk.
    cut = _request(tmp_path, [("cut.docx", b"x" * 100)])[:-10]
    stopped = subprocess.run(command, input=cut, capture_output=True, timeout=60)
    assert stopped.stdout == b""
    assert not (tmp_path / "cut.docx").exists()
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


# --- through an export ---------------------------------------------------------------------


def test_after_the_first_chunks_the_writer_process_writes_them(
    books: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    here: list[int] = []  # the chunks written in this process
    real_write = _shards.write_chunk

    def write_chunk(folder: Path, items: Sequence[tuple[str, bytes]]) -> None:
        here.append(len(items))
        real_write(folder, items)

    monkeypatch.setattr(_shards, "write_chunk", write_chunk)
    seen: list[list[int]] = []
    registry = _registry(lambda n: seen.append(_writer_pids()) if n % _CHUNK == 1 else None)
    result = export_handbooks(tmp_path, books, exporter="zip", registry=registry)

    assert len(result.written) == len(books)
    assert here == [_CHUNK] * _writer.PROCESS_AFTER  # the rest went to the writer process
    assert [bool(pids) for pids in seen] == [False, False, True, True, True]
    _assert_whole(tmp_path, books)
    assert _recorded(tmp_path) == [file_name(b, ".docx") for b in books]
    assert _writer_pids() == []  # ended with the run
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_a_writer_process_that_dies_has_its_chunk_written_here(
    books: list[Any], tmp_path: Path
) -> None:
    def kill_the_writer(n: int) -> None:
        if n == 3 * _CHUNK + 10:  # the fourth chunk renders; the third is on its way
            for pid in _writer_pids():
                os.kill(pid, signal.SIGKILL)

    result = export_handbooks(tmp_path, books, exporter="zip", registry=_registry(kill_the_writer))

    assert len(result.written) == len(books)
    _assert_whole(tmp_path, books)
    assert _recorded(tmp_path) == [file_name(b, ".docx") for b in books]
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_a_write_error_in_the_writer_process_stops_the_run_named(
    books: list[Any], tmp_path: Path
) -> None:
    blocked = books[3 * _CHUNK + 5]
    (tmp_path / file_name(blocked, ".docx")).mkdir()
    with pytest.raises(ValidationFailed) as refused:
        export_handbooks(tmp_path, books, exporter="zip", registry=_registry())

    assert refused.value.field == "dest"
    assert file_name(blocked, ".docx") in refused.value.message("en")
    assert file_name(blocked, ".docx") in refused.value.message("vi")
    # The chunks before it are written and recorded; nothing of it is recorded.
    assert _recorded(tmp_path) == [file_name(b, ".docx") for b in books[: 3 * _CHUNK]]
    _assert_whole(tmp_path, books[: 3 * _CHUNK])
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))
    assert _writer_pids() == []


_INTERRUPTED = textwrap.dedent(
    """
    import os, signal, sys
    sys.path[:0] = sys.argv[3:]
    import test_export_writer as t
    from lamtheoguongbac.export import export_handbooks
    from lamtheoguongbac.testing import make_handbook

    def interrupt(n):
        if n == int(sys.argv[2]):
            print(*t._writer_pids(), flush=True)
            os.killpg(os.getpgrp(), signal.SIGINT)  # Ctrl-C in the terminal

    books = [make_handbook(index=i) for i in range(5 * t._CHUNK)]
    export_handbooks(sys.argv[1], books, exporter="zip", registry=t._registry(interrupt))
    """
)


def test_ctrl_c_stops_the_rendering_not_the_chunk_on_its_way_to_disk(
    books: list[Any], tmp_path: Path
) -> None:
    # SIGINT to the whole process group of a terminal's program (its own session here).
    stop_at = 3 * _CHUNK + 20
    child = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED, str(tmp_path), str(stop_at),
         str(Path(__file__).parent), *sys.path],
        capture_output=True, text=True, start_new_session=True, timeout=300,
    )  # fmt: skip
    assert child.returncode != 0
    assert "KeyboardInterrupt" in child.stderr
    writers = [int(pid) for pid in child.stdout.split()]
    assert len(writers) == 1
    # The chunk the writer process had (the third) was written whole and recorded.
    recorded = _recorded(tmp_path)
    assert len(recorded) == 3 * _CHUNK
    for name in recorded:
        with zipfile.ZipFile(tmp_path / name) as archive:
            assert archive.testzip() is None
    assert not Path(f"/proc/{writers[0]}").exists()  # it ended with its input
