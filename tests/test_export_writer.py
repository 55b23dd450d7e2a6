"""Where a single-process export writes its files: the writer process (export/_writer.py)
and the chunk protocol it speaks (_durable.py), through a real export and a real process."""

from __future__ import annotations

import io
import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import HandbookStatus, ValidationFailed, _durable, hookimpl
from lamtheoguongbac.export import (
    Exporter,
    ExportOptions,
    _shards,
    _writer,
    export_handbooks,
    file_name,
)
from lamtheoguongbac.export._batch import MANIFEST_NAME, TEMP_PREFIX
from lamtheoguongbac.plugin import Registry, create_registry
from lamtheoguongbac.testing import make_handbook

pytestmark = pytest.mark.skipif(
    _writer.writer_command() is None or not sys.platform.startswith("linux"),
    reason="the writer process is POSIX; these tests find it through Linux's /proc",
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


def _writer_pids(marker: bytes = b"_durable.py") -> list[int]:
    """The writer processes this process started: children whose command holds ``marker``."""
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
        if parent == os.getpid() and marker in command:
            found.append(int(entry))
    return found


def _slow(n: int) -> None:
    """After the first chunk, a few milliseconds a document, as a real template's rendering
    takes: time for the writer process to start and say who it is before its first chunk."""
    if n > _CHUNK:
        time.sleep(0.005)


@pytest.fixture
def here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the chunks written in this process (by the thread, or again after the
    writer process failed), in order."""
    written: list[int] = []
    real_write = _shards.write_chunk

    def write_chunk(folder: Path, items: Sequence[tuple[str, bytes]]) -> None:
        written.append(len(items))
        real_write(folder, items)

    monkeypatch.setattr(_shards, "write_chunk", write_chunk)
    return written


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
    where = os.fsencode(folder)
    names = [os.fsencode(name) for name, _ in files]
    sizes = [[len(name), len(data)] for name, (_, data) in zip(names, files, strict=True)]
    header = json.dumps({"folder": len(where), "files": sizes}).encode() + b"\n"
    return header + where + b"".join(n + data for n, (_, data) in zip(names, files, strict=True))


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
    second = [("Nguyễn Văn Ánh.docx", b"")]
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

    folder, absent, ok = _answers(out.getvalue())
    assert folder["error"].startswith("FolderInTheWay: ")
    assert str(tmp_path / "b.docx") in folder["error"]
    assert absent["error"].startswith("FileNotFoundError: ")
    assert ok == {"ok": True}
    # The file renamed before the error stays whole; none after it; no temporary file.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx", "e.docx"]
    assert (tmp_path / "a.docx").read_bytes() == b"A"
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_a_chunk_gets_no_names_once_the_caller_has_died(tmp_path: Path) -> None:
    # Where no PR_SET_PDEATHSIG killed it: its parent is no longer the caller that started it.
    out = io.BytesIO()
    request = _request(tmp_path, [("a.docx", b"A"), ("b.docx", b"B")])
    with pytest.raises(_durable.CallerGone):
        _durable.serve(io.BytesIO(request), out, caller=os.getppid() + 1)
    assert out.getvalue() == b""
    assert list(tmp_path.iterdir()) == []  # no name, no temporary file
    _durable.serve(io.BytesIO(request), out, caller=os.getppid())  # its own parent: written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx"]


def test_the_writer_runs_by_itself_on_the_standard_library(tmp_path: Path) -> None:
    # python -I -S: no site-packages, no PYTHONPATH, nothing of the library importable.
    command = _writer.writer_command()
    assert command is not None
    files = [("Trần Thị B.docx", b"PK" * 1000)]
    done = subprocess.run([*command, str(os.getpid())], input=_request(tmp_path, files),
                          capture_output=True, check=True, timeout=60)  # fmt: skip
    assert done.stdout.startswith(_durable.HELLO)
    assert _answers(done.stdout[len(_durable.HELLO) :]) == [{"ok": True}]
    assert done.stderr == b""
    assert (tmp_path / "Trần Thị B.docx").read_bytes() == b"PK" * 1000
    # Its input cut short (the caller stopped mid-chunk): it ends quietly, writing nothing.
    for cut in (_request(tmp_path, [("cut.docx", b"x" * 100)])[:-10], b'{"folder": '):
        stopped = subprocess.run([*command, str(os.getpid())], input=cut,
                                 capture_output=True, timeout=60)  # fmt: skip
        assert (stopped.returncode, stopped.stdout, stopped.stderr) == (1, _durable.HELLO, b"")
    assert not (tmp_path / "cut.docx").exists()
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


# --- through an export ---------------------------------------------------------------------


def test_after_the_first_chunks_the_writer_process_writes_them(
    books: list[Any], tmp_path: Path, here: list[int]
) -> None:
    seen: list[list[int]] = []

    def look(n: int) -> None:
        if n % _CHUNK == 1:
            seen.append(_writer_pids())
        _slow(n)

    result = export_handbooks(tmp_path, books, exporter="zip", registry=_registry(look))

    assert len(result.written) == len(books)
    # The first chunks here; the rest by the writer process, started as the first was sent.
    assert here == [_CHUNK] * _writer.PROCESS_AFTER
    assert [bool(pids) for pids in seen] == [False, True, True, True, True]
    _assert_whole(tmp_path, books)
    assert _recorded(tmp_path) == [file_name(b, ".docx") for b in books]
    assert _writer_pids() == []  # ended with the run
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_a_writer_process_killed_has_its_chunk_written_here(
    books: list[Any], tmp_path: Path, here: list[int]
) -> None:
    killed: list[int] = []

    def kill_the_writer(n: int) -> None:
        _slow(n)
        if n == 3 * _CHUNK + 10:  # the fourth chunk renders; the third is on its way
            for pid in _writer_pids():
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

    result = export_handbooks(tmp_path, books, exporter="zip", registry=_registry(kill_the_writer))

    assert len(result.written) == len(books)
    assert len(killed) == 1
    # The third chunk: written by it before it died (then 4 and 5 here), or again here.
    assert here in ([_CHUNK] * 4, [_CHUNK] * 5)
    _assert_whole(tmp_path, books)
    assert _recorded(tmp_path) == [file_name(b, ".docx") for b in books]
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def test_a_program_that_restored_sigpipe_writes_from_the_thread(
    books: list[Any], tmp_path: Path, here: list[int]
) -> None:
    # Writing to a dead writer process would kill such a program, not raise.
    previous = signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        result = export_handbooks(tmp_path, books, exporter="zip", registry=_registry())
    finally:
        signal.signal(signal.SIGPIPE, previous)
    assert len(result.written) == len(books)
    assert here == [_CHUNK] * 5


def test_a_write_error_in_the_writer_process_stops_the_run_named(
    books: list[Any], tmp_path: Path, here: list[int]
) -> None:
    blocked = books[3 * _CHUNK + 5]
    (tmp_path / file_name(blocked, ".docx")).mkdir()
    with pytest.raises(ValidationFailed) as refused:
        export_handbooks(tmp_path, books, exporter="zip", registry=_registry(_slow))

    # The writer process met it first; the chunk written again here met it too.
    assert here == [_CHUNK] * 3
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
    import os, signal, sys, time
    sys.path[:0] = sys.argv[3:]
    import test_export_writer as t
    from lamtheoguongbac.export import export_handbooks
    from lamtheoguongbac.testing import make_handbook

    from lamtheoguongbac.export import _shards
    here = []
    real_write = _shards.write_chunk
    _shards.write_chunk = lambda folder, items: (here.append(1), real_write(folder, items))

    def interrupt(n):
        t._slow(n)
        if n == int(sys.argv[2]):
            print(len(here), *t._writer_pids(), flush=True)
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
    here, *writers = (int(n) for n in child.stdout.split())
    assert here == _writer.PROCESS_AFTER  # the third chunk went to the writer process
    assert len(writers) == 1
    # The chunk the writer process had (the third) was written whole and recorded.
    recorded = _recorded(tmp_path)
    assert len(recorded) == 3 * _CHUNK
    for name in recorded:
        with zipfile.ZipFile(tmp_path / name) as archive:
            assert archive.testzip() is None
    assert not Path(f"/proc/{writers[0]}").exists()  # it ended with its input


_KILLED = textwrap.dedent(
    """
    import os, signal, sys, time
    sys.path[:0] = sys.argv[3:]
    import test_export_writer as t
    from lamtheoguongbac.export import export_handbooks
    from lamtheoguongbac import HandbookStatus
    from lamtheoguongbac.testing import make_handbook

    def die(n):
        t._slow(n)
        if n == int(sys.argv[2]):
            print(*t._writer_pids(), flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(5 * t._CHUNK)]
    export_handbooks(sys.argv[1], books, exporter="zip", registry=t._registry(die))
    """
)


def test_the_writer_process_dies_with_a_killed_export_which_then_resumes(
    books: list[Any], tmp_path: Path
) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _KILLED, str(tmp_path), str(4 * _CHUNK + 3),
         str(Path(__file__).parent), *sys.path],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert child.returncode == -signal.SIGKILL
    (writer,) = (int(pid) for pid in child.stdout.split())
    assert _ends(writer)

    result = export_handbooks(tmp_path, books, exporter="zip", registry=_registry(), resume=True)
    assert len(result.written) + result.skipped == len(books)
    assert result.skipped >= 2 * _CHUNK  # the chunks it had recorded
    _assert_whole(tmp_path, books)
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*.part"))


def _ends(pid: int, within: float = 30) -> bool:
    """Whether process ``pid`` ends (or is a zombie: killed, not yet reaped) within
    ``within`` seconds."""
    deadline = time.monotonic() + within
    while True:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)


def test_the_writer_process_is_killed_when_its_caller_dies(tmp_path: Path) -> None:
    # Its input stays open (held here), so only the caller's death can end it.
    command = _writer.writer_command()
    assert command is not None
    read_end, write_end = os.pipe()
    caller = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import os, subprocess, sys, time
            writer = subprocess.Popen({command!r} + [str(os.getpid())], stdin={read_end},
                                      stdout=subprocess.DEVNULL)
            print(writer.pid, flush=True)
            time.sleep(120)
        """)],
        stdout=subprocess.PIPE, text=True, pass_fds=(read_end,),
    )  # fmt: skip
    try:
        assert caller.stdout is not None
        writer = int(caller.stdout.readline())
        time.sleep(0.2)  # it has started and waits for its input
        assert not _ends(writer, within=0)
        caller.kill()
        caller.wait()
        assert _ends(writer)
    finally:
        os.close(read_end)
        os.close(write_end)
        caller.kill()
        if caller.stdout is not None:
            caller.stdout.close()


def test_the_writer_process_writes_files_with_the_callers_umask(
    books: list[Any], tmp_path: Path, here: list[int]
) -> None:
    old = os.umask(0o027)
    try:
        export_handbooks(tmp_path, books, exporter="zip", registry=_registry(_slow))
    finally:
        os.umask(old)
    assert here == [_CHUNK] * _writer.PROCESS_AFTER  # the rest by the writer process
    modes = {stat.S_IMODE(p.stat().st_mode) for p in tmp_path.glob("*.docx")}
    assert modes == {0o640}


# --- a writer that is not one, or fails ------------------------------------------------------

_HELLO = _durable.HELLO.decode().strip()
_FAKE = b"ltgb-fake-writer"  # in each fake's command line, to find it
_READ_CHUNK = """
# ltgb-fake-writer
import json, os, signal, sys, time
source, sink = sys.stdin.buffer, sys.stdout.buffer
def chunk():
    request = json.loads(source.readline())
    folder = source.read(request["folder"])
    files = [(source.read(n), source.read(d)) for n, d in request["files"]]
    with open(os.environ["LTGB_FAKE_WRITER_MARK"], "a") as mark:
        print(len(files), file=mark)
    return folder, files
"""
_FAKE_WRITERS = {
    # An application server embedding Python, say: it is no writer, and says so.
    "says something else": _READ_CHUNK + "print('xin chào', flush=True); time.sleep(30)",
    "never speaks": _READ_CHUNK + "time.sleep(30)",
    "dies in its first chunk": _READ_CHUNK
    + f"""
print({_HELLO!r}, flush=True)
folder, files = chunk()
name, data = files[0]
with open(os.path.join(folder, name), "wb") as out:
    out.write(data[: len(data) // 2])  # torn, under the final name: the worst it can do
sys.exit(3)
""",
    "cannot write": _READ_CHUNK
    + f"""
print({_HELLO!r}, flush=True)
while True:
    chunk()
    print(json.dumps({{"error": "OSError: giả lập / simulated"}}), flush=True)
""",
    "stops answering": _READ_CHUNK
    + f"""
print({_HELLO!r}, flush=True)
chunk()
os.kill(os.getpid(), signal.SIGSTOP)
""",
}
_NEVER_SENT = ("says something else", "never speaks")


@pytest.mark.parametrize("fake", sorted(_FAKE_WRITERS))
def test_a_writer_that_is_not_one_or_fails_leaves_the_chunks_to_this_process(
    books: list[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, here: list[int], fake: str
) -> None:
    mark = tmp_path / "mark.txt"
    out = tmp_path / "out"
    monkeypatch.setenv("LTGB_FAKE_WRITER_MARK", str(mark))
    command = [sys.executable, "-c", _FAKE_WRITERS[fake]]  # its own site: slower to start
    monkeypatch.setattr(_writer, "writer_command", lambda: command)
    if fake == "never speaks":
        monkeypatch.setattr(_writer, "_HELLO_WAIT", 0.3)
    monkeypatch.setattr(_writer, "_ANSWER_WAIT", 2.0)
    result = export_handbooks(out, books, exporter="zip", registry=_registry(_slow))

    assert len(result.written) == len(books)
    _assert_whole(out, books)
    assert _recorded(out) == [file_name(b, ".docx") for b in books]
    assert not list(out.glob(f"{TEMP_PREFIX}*.part"))
    # Only a writer that said who it is was sent a chunk: one; this process wrote them all.
    sent = mark.read_text().split() if mark.exists() else []
    assert sent == ([] if fake in _NEVER_SENT else [str(_CHUNK)])
    assert here == [_CHUNK] * 5
    assert _writer_pids(_FAKE) == []  # none left running
