"""Batch export on a real Dask cluster (export/_dask.py, export/batch.py, the CLI).

One ``distributed.LocalCluster`` with two worker *processes* serves the whole module (a
cluster takes seconds to start); a separate test starts ``dask scheduler`` and two ``dask
worker`` processes as a user would and drives the CLI's ``--scheduler``. The handbooks come
from a SQLite store the workers open themselves; the documents are the real Word exporter's.
"""

from __future__ import annotations

import concurrent.futures as cf
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import distributed
import pytest
from click.testing import CliRunner

from lamtheoguongbac import Handbook, HandbookStatus, PluginError, hookimpl
from lamtheoguongbac.cli import cli
from lamtheoguongbac.export import (
    Exporter,
    ExportOptions,
    dask_executor,
    export_handbooks,
    file_name,
)
from lamtheoguongbac.export._batch import MANIFEST_NAME, TEMP_PREFIX
from lamtheoguongbac.plugin import (
    HandbookQuery,
    Registry,
    Store,
    create_registry,
    trusted_restore,
)
from lamtheoguongbac.testing import creation_event, make_handbook

COUNT = 300  # a few hundred handbooks: several shards per worker

# Dask's own start-up and shutdown chatter is not ours to fail on.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


def _handbooks(count: int) -> Iterator[Handbook]:
    bases = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(20)]
    for i in range(count):
        base = bases[i % len(bases)]
        member = attrs.evolve(base.member, full_name=f"{base.member.full_name} {i}")
        yield attrs.evolve(base, id=f"{base.id}-{i}", member=member)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("store") / "sổ tay.db"
    store = create_registry().open_store(f"sqlite:///{path}")
    # Generated handbooks, assessed by recorders who are in no roster: a restore, not data
    # from users (the export under test only reads them).
    with trusted_restore():
        store.add_many((h, creation_event(h)) for h in _handbooks(COUNT))
    store.close()
    return f"sqlite:///{path}"


@pytest.fixture(scope="module")
def store(store_url: str) -> Iterator[Store]:
    opened = create_registry().open_store(store_url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as local:
        yield local


@pytest.fixture(scope="module")
def local_export(store: Store, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference: the same handbooks exported in this process."""
    out = tmp_path_factory.mktemp("local")
    result = export_handbooks(out, store.iter_query(HandbookQuery()), store=store)
    assert len(result.written) == COUNT
    return out


def _documents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.glob("*.docx")}


def _assert_valid_docx(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        assert b"<w:document" in archive.read("word/document.xml")


def _leftovers(folder: Path) -> list[Path]:
    """Temporary files and PDF work folders: what a run must never leave behind."""
    return sorted(p for p in folder.glob(f"{TEMP_PREFIX}*") if p.name != MANIFEST_NAME)


def _manifest(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# --- a LocalCluster with worker processes --------------------------------------------------


def test_a_cluster_export_equals_a_local_one_byte_for_byte(
    cluster: Any, store: Store, local_export: Path, tmp_path: Path
) -> None:
    calls: list[tuple[int, int]] = []
    with dask_executor(cluster) as executor:
        result = export_handbooks(
            tmp_path,
            store.iter_query(HandbookQuery()),
            store=store,
            executor=executor,
            progress=lambda d, t: calls.append((d, t)),
        )
        # The workers really ran it: each opened the store (not this process's handbooks).
        pids = set(executor._client.run(os.getpid).values())  # type: ignore[attr-defined]

    assert os.getpid() not in pids
    assert len(pids) == 2
    assert len(result.written) == COUNT
    # The rendering date is the run's, the same in this process and on the workers: the
    # documents are identical, bytes and all.
    assert _documents(tmp_path) == _documents(local_export)
    # In input order, whichever worker finished first.
    assert [p.name for p in result.written] == [
        file_name(h, ".docx") for h in store.iter_query(HandbookQuery())
    ]
    assert calls[-1] == (COUNT, COUNT)
    assert not _leftovers(tmp_path)
    # The manifest names every file once, with the shard (of 64) that made it.
    records = _manifest(tmp_path)
    assert sorted(r["file"] for r in records) == sorted(p.name for p in result.written)
    assert {r["shard"] for r in records} == set(range(-(-COUNT // 64)))


class KillingRenderer:
    """The Word renderer, except that the first process to render the handbook named in
    the settings kills itself there (a worker lost mid-shard)."""

    def __init__(self, options: ExportOptions) -> None:
        from lamtheoguongbac_docx import DocxRenderer

        self.inner = DocxRenderer(None)
        self.victim = options.settings["victim"]
        self.marker = Path(options.settings["marker"])

    def render(self, context: Mapping[str, Any]) -> bytes:
        if context["handbook"]["id"] == self.victim:
            try:
                self.marker.open("x").close()  # only the first time, in one process
            except FileExistsError:
                pass
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return self.inner.render(context)

    def merge(self, documents: Sequence[bytes]) -> bytes:
        raise NotImplementedError


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """This module is a plugin the workers import again by name."""
    register(Exporter(name="killing-docx", suffix=".docx", create_renderer=KillingRenderer))


@pytest.fixture(scope="module")
def killing_registry() -> Registry:
    return create_registry(extra_plugins=[sys.modules[__name__]])


def _killing_options(tmp_path: Path, store: Store) -> ExportOptions:
    victim = list(store.iter_query(HandbookQuery()))[COUNT // 2].id
    return ExportOptions(settings={"victim": victim, "marker": str(tmp_path / "killed")})


def test_a_worker_killed_mid_run_still_gives_a_complete_folder_after_resume(
    cluster: Any, store: Store, killing_registry: Registry, local_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    options = _killing_options(tmp_path, store)

    def run() -> Any:
        with dask_executor(cluster) as executor:
            return export_handbooks(
                out,
                store.iter_query(HandbookQuery()),
                exporter="killing-docx",
                options=options,
                store=store,
                executor=executor,
                registry=killing_registry,
                resume=True,
            )

    try:
        first = run()  # Dask gives the lost shard to the other worker …
    except Exception:
        first = None  # … or reports the worker lost: either way, resume finishes it
    assert (tmp_path / "killed").exists()
    second = run()

    assert len(second.written) + second.skipped == COUNT
    if first is not None:
        assert second.skipped == COUNT
    assert _documents(out) == _documents(local_export)
    for path in list(out.glob("*.docx"))[:20]:
        _assert_valid_docx(path)
    assert not _leftovers(out)


def test_a_local_pool_worker_killed_mid_run_is_resumed(
    store: Store, killing_registry: Registry, local_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    options = _killing_options(tmp_path, store)

    def run() -> Any:
        with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
            return export_handbooks(
                out,
                store.iter_query(HandbookQuery()),
                exporter="killing-docx",
                options=options,
                store=store,
                executor=pool,
                registry=killing_registry,
                resume=True,
            )

    with pytest.raises(cf.process.BrokenProcessPool):
        run()
    done_before = len(list(out.glob("*.docx")))
    second = run()

    assert second.skipped >= 1
    assert len(second.written) + second.skipped == COUNT
    assert len(second.written) >= COUNT - done_before
    assert _documents(out) == _documents(local_export)
    assert not _leftovers(out)


def test_an_unreachable_scheduler_is_a_bilingual_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(PluginError) as caught, dask_executor(f"tcp://127.0.0.1:{port}",
                                                             timeout=2):  # fmt: skip
        pass
    assert "Dask" in caught.value.message_vi
    assert "Dask" in caught.value.message_en


# --- `dask scheduler` and `dask worker` processes, driven by the CLI -----------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_for_workers(address: str, count: int, deadline: float) -> None:
    with distributed.Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=max(deadline - time.monotonic(), 1))


@pytest.fixture(scope="module")
def scheduler(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    dask = str(Path(sys.executable).with_name("dask"))
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    logs = tmp_path_factory.mktemp("dask-logs")
    commands = [
        [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        *[
            [
                dask,
                "worker",
                address,
                "--nthreads",
                "1",
                "--nworkers",
                "1",
                "--no-dashboard",
                "--host",
                "127.0.0.1",
            ]
            for _ in range(2)
        ],
    ]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for i, command in enumerate(commands):
            log = (logs / f"{i}.log").open("wb")
            processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
            if i == 0:
                time.sleep(1)
        _wait_for_workers(address, 2, time.monotonic() + 60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_cli_exports_on_a_dask_scheduler_and_a_second_run_skips_everything(
    scheduler: str, store_url: str, tmp_path: Path
) -> None:
    runner = CliRunner()
    out = tmp_path / "xuất"
    args = ["--store", store_url, "--lang", "en", "export", "--out", str(out),
            "--scheduler", scheduler]  # fmt: skip

    first = runner.invoke(cli, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert f"Wrote {COUNT} files, skipped 0" in first.output
    documents = sorted(out.glob("*.docx"))
    assert len(documents) == COUNT
    for path in documents:
        _assert_valid_docx(path)

    second = runner.invoke(cli, [*args, "--resume"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    assert f"Wrote 0 files, skipped {COUNT}" in second.output
    assert not _leftovers(out)


def test_the_cli_reports_an_unreachable_scheduler(store_url: str, tmp_path: Path) -> None:
    import dask

    address = f"tcp://127.0.0.1:{_free_port()}"
    args = ["--store", store_url, "export", "--out", str(tmp_path), "--scheduler", address]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(cli, args)

    assert result.exit_code == 2
    assert "Dask" in result.output
    assert not list(tmp_path.glob("*.docx"))


# --- PDF: each worker converts its own shard -------------------------------------------------


def test_workers_convert_their_own_documents_to_pdf_and_resume_knows_it(
    cluster: Any, tmp_path: Path
) -> None:
    books = list(_handbooks(4))
    with dask_executor(cluster) as executor:
        first = export_handbooks(tmp_path, books, executor=executor, pdf=True)
        pdfs = sorted(tmp_path.glob("*.pdf"))
        assert [p.stem for p in pdfs] == sorted(p.stem for p in first.written)
        for pdf in pdfs:
            assert pdf.read_bytes().startswith(b"%PDF")
        assert all("pdf" in record for record in _manifest(tmp_path))

        pdfs[0].unlink()
        again = export_handbooks(tmp_path, books, executor=executor, pdf=True, resume=True)

    assert again.skipped == 3
    assert [p.stem for p in again.written] == [pdfs[0].stem]
    assert pdfs[0].exists()
    assert not _leftovers(tmp_path)


def test_pdf_on_the_cluster_needs_libreoffice_on_the_workers_not_here(
    cluster: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The up-front check for LibreOffice, meant for a local run, refused a cluster export
    submitted from a machine without it; the workers (started before) have it."""
    monkeypatch.setenv("LAMTHEOGUONGBAC_SOFFICE", str(tmp_path / "khong-co-soffice"))
    with dask_executor(cluster) as executor:
        result = export_handbooks(
            tmp_path / "out", list(_handbooks(1)), executor=executor, pdf=True
        )
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    assert pdf.stem == result.written[0].stem
