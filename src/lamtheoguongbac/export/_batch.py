"""Export many handbooks at once (xuất hàng loạt sổ tay).

:func:`export_handbooks` does everything around rendering, whatever the exporter:

* **file names** ``"{year} - {cell} - {member} ({handbook id}).docx"`` that keep Vietnamese
  letters, are valid on Windows and can never leave the destination folder (each part goes
  through :func:`~lamtheoguongbac.text.slugify_filename`, and the final path is checked to be
  directly inside ``dest``); two handbooks that would get the same name (ignoring case, as
  Windows and macOS do) are told apart by " [2]", " [3]", … in input order;
* **atomic writes, one disk sync per chunk**: the documents are made in shards (64 files;
  200 with PDFs); each shard's files go to temporary files ``.lamtheoguongbac-*.part`` in the
  folder, the file system is flushed once (``syncfs`` on Linux, else an ``fsync`` per file),
  then each file is renamed over its target and the folder flushed once — so a killed run
  leaves whole files or none, each with a new file's permissions (``0o666`` less the umask).
  The next run into the folder removes what a killed run left (so run one export at a time
  into a folder). In one process (``jobs=1``) a chunk is written while the next one
  renders, from the third chunk on by a small writer process that runs nothing of the
  caller's program (:mod:`lamtheoguongbac.export._writer`);
* **resume**: a sidecar manifest (``.lamtheoguongbac-export.jsonl``) records, for each file,
  the handbook id and version, the exporter, template and settings, the PDF beside it and
  the shard that made it — appended only once the shard's files are on disk, so a file the
  manifest records is there; with ``resume=True`` a file that exists and matches is skipped;
* **workers**: the shards run on any :class:`concurrent.futures.Executor` — a local process
  pool by default (``jobs=N``, :func:`choose_jobs` uses fewer when the work is small), or a
  Dask cluster (:func:`~lamtheoguongbac.export.dask_executor`). A shard carries handbook
  ids, the store's URL, the exporter's name and the options, never handbooks; each worker
  opens the store and makes its renderer once, writes its own files (names are given out
  here, so two workers never write the same file), converts them to PDF when asked, and
  returns names and sizes (:mod:`lamtheoguongbac.export._shards`). At most two shards per
  worker are in flight, so memory stays flat however many handbooks there are;
* **one zip** (``mode="zip"``, ``dest`` is the .zip file) or **one merged document**
  (``mode="merged"``, ``dest`` is the document, made by ``Renderer.merge``), both atomic;
* **progress**: ``progress(done, total)`` after each document written or skipped (to know
  ``total``, handbooks without a ``len()`` are listed first when progress is asked for).

Warnings a renderer gives (e.g. the docx exporter falling back to plain docxtpl for a
template) are collected into :attr:`ExportResult.notes`.
"""

from __future__ import annotations

import array
import concurrent.futures as cf
import contextlib
import datetime as dt
import functools
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import urllib.parse
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal, TextIO, overload

import attrs

from lamtheoguongbac import _fsutil as fsutil
from lamtheoguongbac._checks import NOT_IN_LINE
from lamtheoguongbac._errors import LamTheoGuongBacError, PluginError, ValidationFailed
from lamtheoguongbac._model import Handbook
from lamtheoguongbac._storage.base import HandbookHeading, HandbookQuery, iter_headings
from lamtheoguongbac.export._base import DocumentKind, Exporter, ExportOptions, PluginCode, Renderer
from lamtheoguongbac.export._context import CONTEXT_VERSION, build_context
from lamtheoguongbac.export._result import ExportResult, destination_first
from lamtheoguongbac.export._shards import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    ShardJob,
    ShardResult,
    new_renderer,
    rebuild,
    render,
    render_item,
    run_shard,
)
from lamtheoguongbac.export._writer import ChunkWriter, Files, Written
from lamtheoguongbac.rules._base import local_today
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy
from lamtheoguongbac.text import slugify_filename

if TYPE_CHECKING:
    from lamtheoguongbac._registry import Registry
    from lamtheoguongbac._storage.base import Store

__all__ = [
    "MANIFEST_NAME",
    "TEMP_PREFIX",
    "ExportResult",
    "WrittenFiles",
    "atomic_write",
    "choose_jobs",
    "export_handbooks",
    "file_name",
]

Mode = Literal["folder", "merged", "zip"]

#: The resume manifest kept in an export folder (one JSON object per line).
MANIFEST_NAME = ".lamtheoguongbac-export.jsonl"
_TEMP_SUFFIX = TEMP_SUFFIX
_PDF_TEMP_PREFIX = ".lamtheoguongbac-pdf-"  # convert_to_pdf's private folders
# Documents per shard: one disk sync and one task each; small enough for a steady progress
# bar and little lost work when a worker dies, large enough that neither costs much.
_SHARD = 64
# With PDFs, one LibreOffice start (1-2 s) per shard: more documents to spread it over.
_PDF_SHARD = 200
# A local worker pays its start-up back after this many documents (see choose_jobs).
_DOCS_PER_WORKER = 1500
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,16}")


class WrittenFiles(Sequence[Path]):
    """The files a folder export wrote, in input order (tệp đã ghi): a read-only sequence of
    paths, equal to the tuple of the same paths.

    The names are kept as one block of UTF-8 text, not as path objects: a national export
    writes millions of files, and a list of paths would grow the coordinator's memory by
    over half a kilobyte a file.
    """

    __slots__ = ("_blob", "_ends", "_folder")

    def __init__(self, folder: Path, names: Iterable[str] = ()) -> None:
        self._folder = folder
        self._blob = bytearray()
        self._ends = array.array("Q")
        for name in names:
            self._add(name)

    def _add(self, name: str) -> None:
        self._blob += name.encode("utf-8")
        self._ends.append(len(self._blob))

    def __len__(self) -> int:
        return len(self._ends)

    @overload
    def __getitem__(self, index: int) -> Path: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Path, ...]: ...

    def __getitem__(self, index: int | slice) -> Path | tuple[Path, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        start = self._ends[index - 1] if index else 0
        return self._folder / self._blob[start : self._ends[index]].decode("utf-8")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str | bytes):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=False))

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"WrittenFiles({self._folder!r}, {len(self)} files)"


@attrs.frozen
class _Task:
    """One document to make: its file name and path, the handbook and what resume compares."""

    name: str
    path: str
    # a heading only when the workers read the handbooks themselves (by id)
    handbook: Handbook | HandbookHeading
    key: tuple[Any, ...]

    def whole(self) -> Handbook:
        """The handbook, for a document made from it here."""
        if not isinstance(self.handbook, Handbook):  # pragma: no cover - headings go by id
            raise AssertionError("a handbook listed by its heading is read by its worker")
        return self.handbook


# The parts of a file name, in characters and in UTF-8 bytes: with the year, the separators,
# a suffix and a " [n]" that tells apart names colliding, the whole stays under the 255 bytes
# a file system allows a name (a Vietnamese letter takes two or three bytes).
_PART_CHARS = 60
_NAME_BYTES = 72  # the cell's name, the member's name
_ID_BYTES = 64


@functools.lru_cache(maxsize=4096)
def _slug(text: str) -> str:
    # Cached: a batch repeats the same cell name for every member of the cell.
    return slugify_filename(text, max_len=_PART_CHARS, max_bytes=_NAME_BYTES)


def file_name(handbook: Handbook, suffix: str) -> str:
    """The readable, Windows-valid file name of ``handbook``'s document.

    ``"2025 - Chi bộ ấp Đông - Nguyễn Văn An (sotay-2025-001).docx"``: every part is
    slugified (separators, device names, control characters, line breaks and invisible format
    characters — zero-width ones, the byte-order mark, bidirectional controls such as U+202E —
    cannot get through, whatever the data holds), the name
    starts with the year and ends with ")" so the whole is valid too, and it stays under 200
    characters and, before its suffix, 221 bytes in UTF-8 (file systems allow a name 255
    bytes), however long the names and the id are.

    Example:
        >>> from lamtheoguongbac.export import file_name
        >>> from lamtheoguongbac.testing import make_handbook
        >>> file_name(make_handbook(year=2025), ".docx")
        '2025 - Chi bộ ấp Tân Lợi (chibo-01) - Trần Văn Sơn (sotay-2025-chibo-01-dv001).docx'
    """
    return _file_name(HandbookHeading.of(handbook), suffix)


def _file_name(heading: HandbookHeading, suffix: str) -> str:
    cell = _slug(heading.cell_name)
    # Not cached: each member and id comes once, and would only fill the cache.
    member = slugify_filename(heading.member_name, max_len=_PART_CHARS, max_bytes=_NAME_BYTES)
    ident = slugify_filename(heading.id, max_len=_PART_CHARS, max_bytes=_ID_BYTES)
    return f"{heading.year} - {cell} - {member} ({ident}){suffix}"


def _inside(dest: Path, name: str) -> str:
    """``dest / name`` as text, refusing any name that would not be a file directly in ``dest``
    (already resolved), or that holds a line break or an invisible format character.

    The final component is normalised, not resolved: a symlink of that name is replaced by
    the atomic rename, never followed, so resolving it would add a check without a reason.
    Text, not a :class:`~pathlib.Path`: building a path object per document interns its
    name, and the interpreter's table of interned strings never shrinks.
    """
    folder = str(dest)
    if (
        name in ("", ".", "..")
        or any(c in name for c in "/\\\0")
        # A line break or an invisible character: file_name never makes one, so a name
        # holding one was built some other way, and is refused rather than written.
        or NOT_IN_LINE.search(name) is not None
        or os.path.dirname(os.path.normpath(os.path.join(folder, name))) != folder
    ):
        raise ValidationFailed(
            f"tên tệp không an toàn: {name!r}", f"unsafe file name: {name!r}", field="file_name"
        )
    return os.path.join(folder, name)


class _Names:
    """Tells apart names that collide ignoring case (" [2]", " [3]", … in input order).

    Keeps an 8-byte digest per name, not the name: a province-wide export holds hundreds of
    thousands of them.
    """

    def __init__(self) -> None:
        self._seen: set[bytes] = set()

    def unique(self, name: str) -> str:
        stem, dot, suffix = name.rpartition(".")
        candidate, n = name, 1
        while (digest := _digest(candidate)) in self._seen:
            n += 1
            candidate = f"{stem} [{n}]{dot}{suffix}"
        self._seen.add(digest)
        return candidate


def _digest(name: str) -> bytes:
    return hashlib.blake2b(name.casefold().encode(), digest_size=8).digest()


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``path`` whole or not at all: :func:`lamtheoguongbac._fsutil.atomic_write` with
    the export's temporary names (``.lamtheoguongbac-*.part``, removed by the next run).

    ``data`` is the bytes, or a function that writes the content to the open binary file.
    """
    fsutil.atomic_write(path, data, temp_prefix=TEMP_PREFIX, temp_suffix=_TEMP_SUFFIX)


def _remove_leftovers(folder: Path) -> None:
    """Remove what a killed export left in ``folder``: temporary files and the private
    folders of a PDF conversion."""
    # The folder is read as a stream, not listed: Path.glob lists a whole folder first, and
    # after a province's export that list of tens of thousands of entries set the run's
    # peak memory (issue 11).
    temporary: list[str] = []
    conversions: list[str] = []
    shortest = len(TEMP_PREFIX) + len(_TEMP_SUFFIX)
    try:
        entries = os.scandir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    with entries:
        for entry in entries:
            name = entry.name
            if not name.startswith(TEMP_PREFIX):
                continue
            if name.endswith(_TEMP_SUFFIX) and len(name) >= shortest:
                temporary.append(name)
            elif name.startswith(_PDF_TEMP_PREFIX) and entry.is_dir(follow_symlinks=False):
                conversions.append(name)
    for name in temporary:
        (folder / name).unlink(missing_ok=True)
    for name in conversions:
        shutil.rmtree(folder / name, ignore_errors=True)


def _fingerprint(exporter: Exporter, options: ExportOptions, policy: Policy) -> str:
    """What else must match for resume to keep a file: exporter, template, settings."""
    digest = hashlib.sha256()
    digest.update(f"{exporter.name}\0{CONTEXT_VERSION}\0".encode())
    # What the policy changes in a handbook's document: whether the rating is printed.
    digest.update(f"{policy.rating_in_handbook}\0{policy.exempt_rating}\0".encode())
    if options.template is not None:
        try:
            # Streamed: this runs before the renderer checks (and may refuse) the template,
            # so a huge file must not be read into memory here.
            with open(options.template, "rb") as template:
                for chunk in iter(lambda: template.read(1 << 20), b""):
                    digest.update(chunk)
        except OSError:
            digest.update(str(options.template).encode())
    digest.update(repr(sorted((str(k), repr(v)) for k, v in options.settings.items())).encode())
    return digest.hexdigest()[:32]


def _key(record: dict[str, Any]) -> tuple[Any, ...]:
    """What resume compares of a manifest record (not the shard it came from)."""
    return (
        record.get("id"),
        record.get("version"),
        record.get("exporter"),
        record.get("fingerprint"),
        record.get("pdf"),
    )


def _read_manifest(folder: Path) -> dict[bytes, bytes]:
    """The manifest's records as digests, ``file name → what resume compares``; the last
    line for a file wins. Digests, not the records: a national run has millions of them."""
    manifest: dict[bytes, bytes] = {}
    try:
        fd = os.open(folder / MANIFEST_NAME, os.O_RDONLY | _NOFOLLOW)
    except OSError:
        return manifest  # none yet, or not a file of this folder (refused when appended to)
    with os.fdopen(fd, "rb") as file:
        for line in file:  # line by line: the manifest of a national run is large
            try:
                record = json.loads(line.decode("utf-8"))
                if isinstance(record, dict) and isinstance(record.get("file"), str):
                    manifest[_digest(record["file"])] = _key_digest(_key(record))
            except (ValueError, RecursionError):
                # A line torn by a killed run (even inside a character), or damaged: that
                # file is simply made again.
                continue
    return manifest


# Not followed: the manifest is a file of the export's folder, never one a link points to.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _open_manifest(folder: Path) -> TextIO:
    """The manifest of ``folder``, opened to append (created if need be).

    Raises:
        ValidationFailed: its name is taken by a symbolic link or a folder: the export would
            write outside the folder, or not at all.
    """
    path = folder / MANIFEST_NAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | _NOFOLLOW, 0o666)
    except OSError as exc:
        if not (path.is_symlink() or path.is_dir()):
            raise
        raise ValidationFailed(
            f"'{path}' là liên kết hoặc thư mục, không phải tệp ghi dấu của lần xuất; hãy xóa "
            "nó hoặc xuất ra thư mục khác",
            f"'{path}' is a link or a folder, not the export's manifest; remove it or export "
            "to another folder",
            field="manifest",
        ) from exc
    return os.fdopen(fd, "a", encoding="utf-8")


def _key_digest(key: tuple[Any, ...]) -> bytes:
    return hashlib.blake2b(repr(key).encode(), digest_size=12).digest()


class _Manifest:
    """The resume manifest, appended as each shard is done (after its files are on disk).

    Each line names the file, the handbook id and version, the exporter, the fingerprint of
    template and settings, the PDF made beside it (if any) and the shard that made it. The
    file only grows, by one line per document written; a reader keeps the last line of each
    file. Nothing of this run is kept in memory: only, for resume, the digests of what the
    manifest held when the run began.
    """

    _FIELDS = ("id", "version", "exporter", "fingerprint", "pdf")

    def __init__(self, folder: Path, resume: bool) -> None:
        self.folder = folder
        self.records = _read_manifest(folder) if resume else {}
        self._new = not (folder / MANIFEST_NAME).exists()
        self._added = 0
        self._log = _open_manifest(folder)

    def done(self, task: _Task) -> bool:
        """Whether the manifest records ``task``'s file as made, the same way."""
        return self.records.get(_digest(task.name)) == _key_digest(task.key)

    def add(self, name: str, key: tuple[Any, ...], shard: int) -> None:
        record: dict[str, Any] = {"file": name}
        record.update((f, v) for f, v in zip(self._FIELDS, key, strict=True) if v is not None)
        record["shard"] = shard
        self._log.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._added += 1

    def flush(self) -> None:
        self._log.flush()

    def close(self) -> None:
        self._log.close()

    def discard_if_unused(self) -> None:
        """Remove the manifest this run made and recorded nothing in (a run that failed
        before any file was written leaves nothing behind)."""
        if self._new and not self._added:
            with contextlib.suppress(OSError):
                (self.folder / MANIFEST_NAME).unlink()


# --- where the work runs --------------------------------------------------------------------


def _store_url(store: Store | str | None) -> str | None:
    """The URL a worker opens, or None when workers cannot open it (no store, or in memory).

    A relative SQLite path is made absolute: a worker may run in another folder.
    """
    if store is None:
        return None
    url = store if isinstance(store, str) else store.url
    if url.startswith("memory:"):
        return None
    prefix = "sqlite:///"
    if url.startswith(prefix):
        path = urllib.parse.unquote(url[len(prefix) :])
        if not os.path.isabs(path):
            absolute = os.path.abspath(path).replace("%", "%25").replace("?", "%3F")
            url = prefix + absolute
    return url


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def choose_jobs(jobs: int, count: int | None) -> int:
    """How many worker processes make ``count`` documents fastest, at most ``jobs``.

    A worker costs a start-up (a new interpreter, the plugins, the template compiled:
    about a second of a core) and the parent still lists every handbook to name its file,
    so workers pay only when each gets thousands of documents; never more workers than
    cores. 1 means: render in this process. ``count`` None (unknown) trusts ``jobs``.

    Example:
        >>> from lamtheoguongbac.export import choose_jobs
        >>> choose_jobs(8, 40)  # too few documents to pay for starting workers
        1
        >>> 1 <= choose_jobs(8, None) <= 8  # unknown count: as many as asked, up to the cores
        True
    """
    if jobs <= 1:
        return 1
    workers = min(jobs, _usable_cores())
    if count is not None:
        workers = min(workers, count // _DOCS_PER_WORKER)
    return max(workers, 1)


def _slots(executor: cf.Executor, fallback: int) -> int:
    """How many shards ``executor`` runs at once: a process or thread pool's workers, a
    Dask client's worker threads, else ``fallback``."""
    workers = getattr(executor, "_max_workers", None)
    if isinstance(workers, int) and workers > 0:
        return workers
    client = getattr(executor, "_client", None)
    if client is not None:
        with contextlib.suppress(Exception):
            threads: dict[str, int] = client.nthreads()
            return max(1, sum(threads.values()))
    return max(fallback, 1)


class _Scheduler:
    """Sends shards to an executor, at most ``limit`` in flight so memory stays flat, and
    hands back their results (in shard order when ``ordered``, else as they finish)."""

    def __init__(self, executor: cf.Executor, job: ShardJob, limit: int, ordered: bool) -> None:
        self.executor, self.job, self.limit, self.ordered = executor, job, limit, ordered
        self.in_flight: dict[cf.Future[ShardResult], tuple[int, Any]] = {}

    def run(
        self, shards: Iterator[tuple[int, list[tuple[str, Any]], Any]]
    ) -> Iterator[tuple[Any, ShardResult | BaseException]]:
        """Yields (what came with the shard, its result or the exception that lost it).

        After the first failure no new shard is sent; the ones in flight are waited for
        and yielded too, so the caller records every file that was made.
        """
        waiting: dict[int, cf.Future[ShardResult]] = {}
        failed = False
        exhausted = False
        next_out = 0
        try:
            while True:
                while not (failed or exhausted) and len(self.in_flight) < self.limit:
                    item = next(shards, None)
                    if item is None:
                        exhausted = True
                        break
                    index, items, extra = item
                    future = self.executor.submit(run_shard, self.job, index, items)
                    self.in_flight[future] = (index, extra)
                    waiting[index] = future
                if not self.in_flight:
                    return
                if self.ordered:
                    # A shard not yet sent can only be a later one: index next_out is here.
                    ready = [waiting[next_out]]
                    cf.wait(ready)
                    next_out += 1
                else:
                    ready = list(cf.wait(self.in_flight, return_when=cf.FIRST_COMPLETED).done)
                for future in ready:
                    index, extra = self.in_flight.pop(future)
                    del waiting[index]
                    outcome = _outcome(future)
                    failed = failed or isinstance(outcome, BaseException)
                    failed = failed or outcome.error is not None  # type: ignore[union-attr]
                    yield extra, outcome
        finally:
            for future in self.in_flight:
                future.cancel()


def _outcome(future: cf.Future[ShardResult]) -> ShardResult | BaseException:
    try:
        return future.result()
    except Exception as exc:  # a lost worker, a broken pool: reported after the others
        return exc


# --- the public entry point ----------------------------------------------------------------


def export_handbooks(
    dest: Path | str,
    handbooks: Iterable[Handbook] | HandbookQuery,
    *,
    exporter: str | None = None,
    mode: Literal["folder", "merged", "zip"] = "folder",
    options: ExportOptions | None = None,
    jobs: int = 1,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    registry: Registry | None = None,
    executor: cf.Executor | None = None,
    store: Store | str | None = None,
    pdf: bool = False,
    policy: Policy = DEFAULT_POLICY,
) -> ExportResult:
    """Export ``handbooks`` to ``dest`` with the exporter called ``exporter`` (by default the
    first registered exporter of kind ``handbook``).

    Args:
        dest: the folder (``mode="folder"``, created if needed) or the file to write (the
            .zip for ``"zip"``, the document for ``"merged"``).
        handbooks: the handbooks, streamed one by one (a generator keeps memory flat; with
            ``progress`` and no ``len()``, they are listed first to know the total); or, with
            ``store``, a :class:`~lamtheoguongbac.plugin.HandbookQuery` of that store. A
            query is counted by the store, and when the workers read the handbooks
            themselves, this process lists only their headings
            (:class:`~lamtheoguongbac.plugin.HandbookHeading`, from the store's
            ``iter_headings`` if it has one) and decodes none of them.
        exporter: the registered exporter's name (None: the default handbook exporter); an
            exporter of another kind is refused.
        mode: one file per handbook, one merged document, or one zip of per-handbook files.
        options: the template and settings (None: the exporter's defaults); the settings
            are checked by the exporter (:meth:`Exporter.configure`).
        jobs: at most this many local worker processes; fewer when the work is too small
            to pay for their start-up (:func:`choose_jobs`), and 1 renders in this process.
            Ignored when ``executor`` is given.
        resume: skip files already written for the same handbook version, exporter,
            template and settings (``"folder"`` mode only).
        progress: called as ``progress(done, total)`` after each document.
        registry: where to find the exporter (default: a new
            :func:`~lamtheoguongbac.plugin.create_registry`). Workers build their own registry,
            adding the plugin modules registered directly here.
        executor: any :class:`concurrent.futures.Executor` to run the shards on — a Dask
            cluster's (:func:`~lamtheoguongbac.export.dask_executor`), a process pool of
            your own. Its workers must be able to import lamtheoguongbac and the exporter's
            plugin, reach the store and, in folder mode, write to ``dest`` under the same
            path. The caller keeps it (it is not shut down).
        store: the store ``handbooks`` came from, or its URL (opened here for a query, and
            closed after). With it, workers receive only handbook ids and read the
            handbooks themselves; without it (or with a ``memory:`` store) they receive the
            template contexts.
        pdf: also convert each document to PDF beside it (``"folder"`` mode only), in the
            worker that made it, one LibreOffice call per shard
            (:func:`~lamtheoguongbac.export.convert_to_pdf`).

    Raises:
        ValidationFailed: a bad argument (``dest`` not a path or ``handbooks`` a path, as
            in 0.1's order; a query without ``store``; mode, jobs, resume or pdf outside
            folder mode; a setting the exporter refuses; an item that is no handbook), or a
            destination that cannot be one (a file where the folder goes, a folder at a
            document's name, a manifest name taken by a link or a folder).
        PluginError: no such exporter, one of another kind, an invalid file suffix, or an
            object exporter that cannot be sent to worker processes.
        TemplateError: the template is invalid or failed on a handbook.
        PdfConversionError: LibreOffice is missing or failed.
        OSError: the disk refused a write (full, read-only, no permission).
        Exception: what the executor raised for a lost shard (a worker killed): the files
            of every other shard are recorded, so ``resume=True`` finishes the rest.

    Returns:
        the files written (:attr:`ExportResult.written`; the one zip or merged document is
        also :attr:`ExportResult.path`), those ``resume`` skipped and the renderer's notes.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.export import export_handbooks
        >>> from lamtheoguongbac.testing import make_handbook
        >>> folder = Path(tempfile.mkdtemp())
        >>> result = export_handbooks(folder / "so-tay", [make_handbook()])
        >>> [path.suffix for path in result.written]
        ['.docx']
        >>> export_handbooks(folder / "so-tay.zip", [make_handbook()], mode="zip").path.name
        'so-tay.zip'

        A cell's handbooks, straight from a store:

        >>> from lamtheoguongbac import Handbooks
        >>> from lamtheoguongbac.plugin import HandbookQuery
        >>> from lamtheoguongbac.testing import make_roster
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> with Handbooks.open(f"sqlite:///{folder / 'so-tay.db'}") as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     _ = service.create_for_cell(roster.members[0].cell_id, year=2025,
        ...                                 actor=roster.members[0])
        ...     query = HandbookQuery(cell_id=roster.members[0].cell_id, year=2025)
        ...     result = export_handbooks(folder / "chi-bo", query, store=service.store)
        ...
        >>> len(result.written)
        2
    """
    dest = destination_first("export_handbooks(dest, handbooks, …)", dest, handbooks, "handbooks")
    query = handbooks if isinstance(handbooks, HandbookQuery) else None
    books: Iterable[Handbook | HandbookHeading] = (
        () if isinstance(handbooks, HandbookQuery) else handbooks
    )
    if query is not None and store is None:
        raise ValidationFailed(
            "xuất theo truy vấn cần kho để đọc sổ: hãy cho store=",
            "a query needs the store to read the handbooks from: pass store=",
            field="store",
        )
    if query is None and (isinstance(handbooks, Handbook) or not isinstance(handbooks, Iterable)):
        raise ValidationFailed(
            f"cần một danh sách sổ tay (list, kết quả truy vấn …), không phải "
            f"{type(handbooks).__name__}; một sổ thì đặt trong danh sách: [sổ]",
            f"expected handbooks to export (a list, a query …), not "
            f"{type(handbooks).__name__}; put a single handbook in a list: [handbook]",
            field="handbooks",
        )
    if mode not in ("folder", "merged", "zip"):
        raise ValidationFailed(
            f"chế độ xuất không hợp lệ: {mode!r}", f"invalid export mode: {mode!r}", field="mode"
        )
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValidationFailed(
            f"số tiến trình phải là số nguyên ≥ 1, không phải {jobs!r}",
            f"jobs must be a whole number >= 1, not {jobs!r}",
            field="jobs",
        )
    if options is not None and not isinstance(options, ExportOptions):
        raise ValidationFailed(
            f"options phải là ExportOptions, không phải {type(options).__name__}",
            f"options must be an ExportOptions, not {type(options).__name__}",
            field="options",
        )
    if resume and mode != "folder":
        raise ValidationFailed(
            "chỉ xuất tiếp được ở chế độ thư mục",
            "resume works in folder mode only",
            field="resume",
        )
    if pdf and mode != "folder":
        raise ValidationFailed(
            "chỉ chuyển sang PDF được ở chế độ thư mục",
            "PDF conversion works in folder mode only",
            field="pdf",
        )
    if pdf and executor is None:
        # Before any document is made: without LibreOffice, all would be made for nothing.
        # With an executor the workers convert, on their own machines (their LibreOffice).
        from lamtheoguongbac.export._pdf import require_soffice

        require_soffice()
    if registry is None:
        from lamtheoguongbac._registry import create_registry

        registry = create_registry()
    found = registry.exporter_for(DocumentKind.HANDBOOK, exporter)
    exporter = found.name
    if not _SUFFIX.fullmatch(found.suffix):
        raise PluginError(
            f"Bộ xuất '{exporter}' có đuôi tệp không hợp lệ: {found.suffix!r}",
            f"exporter '{exporter}' has an invalid file suffix: {found.suffix!r}",
        )
    who = PluginCode(found.name, registry.exporter_provider(found.name))
    options = found.configure(options, plugin=who.plugin)
    with contextlib.ExitStack() as stack:
        if query is not None:
            source = _opened_store(store, registry, stack)
            total: int | None = sum(source.count_by_status(query).values())
        else:
            if progress is not None and not isinstance(books, Sized):
                books = list(books)
            total = len(books) if isinstance(books, Sized) else None
        folder = dest if mode == "folder" else dest.parent
        made = _missing_folders(folder)
        _make_destination(dest, folder, mode)
        folder = folder.resolve()
        if mode != "folder":
            dest = folder / dest.name
        run = _Export(found, options, registry, folder, progress, total or 0)
        run.who = who
        run.pdf = pdf
        run.policy = policy
        run.fingerprint = _fingerprint(found, options, policy)
        run.store_url = _store_url(store)
        if executor is not None or jobs > 1:
            # Refused now, with the reason, not in a worker — whatever the count, so that
            # the same call does not fail only once the selection grows.
            run.plugins = registry.worker_plugins(found.name)
        if executor is not None:
            run.executor, run.slots = executor, _slots(executor, jobs)
        elif (workers := choose_jobs(jobs, total)) > 1:
            run.executor = stack.enter_context(
                cf.ProcessPoolExecutor(
                    max_workers=workers, mp_context=multiprocessing.get_context("spawn")
                )
            )
            # Whatever ends the run (an error, Ctrl-C), shards not yet started never start.
            stack.callback(run.executor.shutdown, wait=True, cancel_futures=True)
            run.slots = workers
        if query is not None:
            # Workers that read the handbooks by id need only their headings from here.
            by_id = run.executor is not None and run.store_url is not None
            books = iter_headings(source, query) if by_id else source.iter_query(query)
        try:
            return run.run(books, dest, mode, resume)
        except BaseException:
            # A run that wrote nothing leaves nothing: not the folders it made (an export
            # that wrote some files keeps them and its manifest, to resume).
            for made_folder in made:
                with contextlib.suppress(OSError):
                    made_folder.rmdir()  # only when empty
            raise
    raise AssertionError("unreachable")  # pragma: no cover - mypy: ExitStack may swallow


def _opened_store(
    store: Store | str | None, registry: Registry, stack: contextlib.ExitStack[Any]
) -> Store:
    """``store``, or the store at that URL opened for this export and closed after it (a
    URL naming no store is refused, not created: a typo must not export nothing)."""
    if isinstance(store, str):
        scheme = store.split(":", 1)[0] if ":" in store else ""
        backend = registry.storage_backends().get(scheme)
        exists = backend is None or backend.exists is None or backend.exists(store)
        if not exists or scheme == "memory":
            raise ValidationFailed(
                f"không có kho '{store}' để đọc sổ của truy vấn (sai địa chỉ?)",
                f"there is no store at '{store}' to read the query's handbooks from (a typo?)",
                field="store",
            )
        opened = registry.open_store(store)
        stack.callback(opened.close)
        return opened
    if store is None:  # pragma: no cover - a query without a store is refused first
        raise ValidationFailed("thiếu kho", "the store is missing", field="store")
    return store


def _make_destination(dest: Path, folder: Path, mode: str) -> None:
    """Make ``folder`` (the destination, or the folder of a file destination).

    Raises:
        ValidationFailed: the destination cannot be one — a file where the folder should be,
            a folder where the file should be, a folder that cannot be made — naming it, in
            both languages (the operating system's words are in English only).
    """
    if mode != "folder" and dest.is_dir():
        raise ValidationFailed(
            f"'{dest}' là một thư mục; cần tên tệp để ghi văn bản vào",
            f"'{dest}' is a folder; a file name is needed to write the document to",
            field="dest",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        what_vi, what_en = (
            ("đã có một tệp hoặc liên kết mang tên này", "a file or link of that name is there")
            if folder.exists() or folder.is_symlink()
            else ("không tạo được", "it cannot be made")
        )
        raise ValidationFailed(
            f"không ghi được vào thư mục '{folder}': {what_vi} ({exc.strerror})",
            f"cannot write into the folder '{folder}': {what_en} ({exc.strerror})",
            field="dest",
        ) from exc


def _missing_folders(folder: Path) -> list[Path]:
    """The folders ``folder.mkdir(parents=True)`` would make, the deepest first."""
    missing: list[Path] = []
    for candidate in (folder, *folder.parents):
        if candidate.exists():
            break
        missing.append(candidate)
    return missing


class _Export:
    """One run of :func:`export_handbooks` (state shared by its steps)."""

    def __init__(
        self,
        exporter: Exporter,
        options: ExportOptions,
        registry: Registry,
        folder: Path,
        progress: Callable[[int, int], None] | None,
        total: int,
    ) -> None:
        self.exporter = exporter
        self.options = options
        self.registry = registry
        self.folder = folder
        self.progress = progress
        self.total = total
        self.done = 0
        self.notes: list[str] = []
        self.policy = DEFAULT_POLICY
        self.fingerprint = _fingerprint(exporter, options, DEFAULT_POLICY)
        self.today = local_today()
        self.pdf = False
        self.store_url: str | None = None
        self.executor: cf.Executor | None = None
        self.slots = 1
        self.plugins: tuple[str | object, ...] = ()
        #: the exporter and its plugin, blamed for what its code raises
        self.who = PluginCode(exporter.name)

    def tick(self, count: int = 1) -> None:
        for _ in range(count):
            self.done += 1
            if self.progress is not None:
                self.progress(self.done, self.total)

    def job(self, folder: Path | None) -> ShardJob:
        return ShardJob(
            exporter=self.exporter.name,
            suffix=self.exporter.suffix,
            options=self.options,
            plugin_modules=self.plugins,
            store_url=self.store_url,
            folder=None if folder is None else str(folder),
            today=self.today,
            pdf=self.pdf,
            rating_in_handbook=self.policy.rating_in_handbook,
            exempt_rating=self.policy.exempt_rating,
        )

    def tasks(self, handbooks: Iterable[Handbook | HandbookHeading]) -> Iterator[_Task]:
        names = _Names()
        pdf = None
        for i, handbook in enumerate(handbooks):
            if isinstance(handbook, HandbookHeading):
                heading = handbook
            elif isinstance(handbook, Handbook):
                heading = HandbookHeading.of(handbook)
            else:
                raise ValidationFailed(
                    f"mục thứ {i + 1} là {type(handbook).__name__}, không phải sổ tay (Handbook)",
                    f"item {i + 1} is a {type(handbook).__name__}, not a Handbook",
                    field="handbooks",
                )
            name = names.unique(_file_name(heading, self.exporter.suffix))
            path = _inside(self.folder, name)
            if self.pdf:
                pdf = f"{os.path.splitext(name)[0]}.pdf"
            key = (heading.id, heading.version, self.exporter.name, self.fingerprint, pdf)
            yield _Task(name, path, handbook, key)

    def shards(
        self, tasks: Iterable[_Task], size: int
    ) -> Iterator[tuple[int, list[tuple[str, Any]], list[_Task]]]:
        """(index, items for the worker, the tasks) per shard of ``size`` tasks."""
        by_id = self.store_url is not None
        for index, chunk in enumerate(_chunks(tasks, size)):
            items: list[tuple[str, Any]] = [
                (
                    t.name,
                    t.handbook.id
                    if by_id
                    else build_context(t.whole(), today=self.today, policy=self.policy),
                )
                for t in chunk
            ]
            yield index, items, chunk

    def shard_size(self) -> int:
        if not self.pdf:
            return _SHARD
        # Large shards spread LibreOffice's start-up, but every worker should get some.
        if self.total and self.executor is not None:
            return max(_SHARD // 4, min(_PDF_SHARD, -(-self.total // self.slots)))
        return _PDF_SHARD

    def rendered(self, tasks: Iterable[_Task]) -> Iterator[tuple[_Task, bytes]]:
        """(task, bytes) in input order, for the zip and merged modes."""
        if self.executor is None:
            renderer = new_renderer(
                self.exporter.create_renderer, self.options, self.notes, self.who
            )
            for task in tasks:
                context = build_context(task.whole(), today=self.today, policy=self.policy)
                yield task, render(renderer, context, self.notes)
            return
        scheduler = _Scheduler(self.executor, self.job(None), 2 * self.slots, ordered=True)
        for chunk, outcome in scheduler.run(self.shards(tasks, _SHARD)):
            result = _raise_lost(outcome)
            self.notes.extend(result.notes)
            yield from zip(chunk, result.data, strict=False)
            if result.error is not None:
                raise rebuild(result.error)

    def run(
        self, handbooks: Iterable[Handbook | HandbookHeading], dest: Path, mode: Mode, resume: bool
    ) -> ExportResult:
        if mode == "folder":
            return self.to_folder(handbooks, resume)
        # A zip or merged document killed half-way leaves its temporary file: remove it.
        _remove_leftovers(self.folder)
        if mode == "zip":
            return self.to_zip(handbooks, dest)
        return self.merged(handbooks, dest)

    def result(self, written: Sequence[Path], skipped: int = 0) -> ExportResult:
        if not isinstance(written, WrittenFiles):
            written = tuple(written)
        return ExportResult(
            written=written, skipped=skipped, notes=tuple(dict.fromkeys(self.notes))
        )

    def to_folder(
        self, handbooks: Iterable[Handbook | HandbookHeading], resume: bool
    ) -> ExportResult:
        _remove_leftovers(self.folder)
        manifest = _Manifest(self.folder, resume)
        skipped = 0

        def todo() -> Iterator[_Task]:
            nonlocal skipped
            for task in self.tasks(handbooks):
                if (
                    resume
                    and manifest.done(task)
                    and os.path.isfile(task.path)
                    and (task.key[4] is None or os.path.isfile(self.folder / task.key[4]))
                ):
                    skipped += 1
                    self.tick()
                    continue
                yield task

        written = WrittenFiles(self.folder)
        # Shards finish in any order; their names join `written` in input order, each as
        # soon as every shard before it is in (at most the shards in flight wait here).
        waiting: dict[int, list[str]] = {}
        next_shard = 0

        def in_order(index: int, names: list[str]) -> None:
            nonlocal next_shard
            waiting[index] = names
            while next_shard in waiting:
                for name in waiting.pop(next_shard):
                    written._add(name)
                next_shard += 1

        def finished(index: int, tasks: Sequence[_Task], result: ShardResult) -> None:
            # The shard's files are on disk (its worker flushed them): only now record them.
            made = dict.fromkeys(name for name, _, _ in result.files)
            versions = {name: version for name, _, version in result.files}
            names: list[str] = []
            for task in tasks:
                if task.name in made:
                    key = task.key
                    if versions[task.name] and versions[task.name] != key[1]:
                        # The worker read a newer version than the one listed: record that.
                        key = (key[0], versions[task.name], *key[2:])
                    manifest.add(task.name, key, index)
                    names.append(task.name)
            in_order(index, names)
            manifest.flush()
            self.notes.extend(result.notes)
            self.tick(len(made))

        error: BaseException | None = None
        try:
            if self.executor is None:
                error = self.folder_here(self.shards_here(todo()), finished)
            else:
                limit = 2 * self.slots
                scheduler = _Scheduler(self.executor, self.job(self.folder), limit, False)
                for chunk, outcome in scheduler.run(self.shards(todo(), self.shard_size())):
                    if isinstance(outcome, BaseException):
                        error = error or outcome
                        continue
                    finished(outcome.index, chunk, outcome)
                    if outcome.error is not None:
                        error = error or rebuild(outcome.error)
        except BaseException:
            manifest.close()
            manifest.discard_if_unused()
            raise
        manifest.close()
        if error is not None:
            manifest.discard_if_unused()
            raise error
        # Every shard is done: a temporary file now can only be a lost worker's.
        _remove_leftovers(self.folder)
        return self.result(written, skipped)

    def shards_here(self, tasks: Iterable[_Task]) -> Iterator[tuple[int, list[_Task]]]:
        yield from enumerate(_chunks(tasks, self.shard_size()))

    def folder_here(
        self,
        shards: Iterator[tuple[int, list[_Task]]],
        finished: Callable[[int, Sequence[_Task], ShardResult], None],
    ) -> BaseException | None:
        """The folder export in this process: the same chunks, one sync each.

        A chunk's files are written, synced and renamed beside the rendering of the next
        chunk (:class:`~lamtheoguongbac.export._writer.ChunkWriter`: a thread, then a writer
        process); a chunk is still recorded (``finished``) only once its files are on disk,
        in order, and after an error the files rendered before it are written and recorded
        first."""
        renderer = new_renderer(self.exporter.create_renderer, self.options, self.notes, self.who)
        pending: list[_Pending] = []  # at most one: the chunk being written

        def settle() -> None:
            while pending:
                written, record = pending[-1]
                try:
                    files = [] if written is None else written.result()
                except KeyboardInterrupt:
                    raise  # still pending: the handler below waits for it again
                except BaseException:
                    pending.pop()
                    raise
                pending.pop()  # recorded once, even should a Ctrl-C stop the recording
                record(files)

        total, size = self.total, self.shard_size()
        with ChunkWriter(self.folder, pdf=self.pdf, total=total, chunk_size=size) as writer:
            try:
                return self._folder_chunks(renderer, shards, finished, writer, pending, settle)
            except BaseException:
                # Stopped while rendering (Ctrl-C …): the chunk already on its way to disk
                # is still recorded, as it was before the next one began.
                with contextlib.suppress(Exception):
                    settle()
                raise

    def _folder_chunks(
        self,
        renderer: Renderer,
        shards: Iterator[tuple[int, list[_Task]]],
        finished: Callable[[int, Sequence[_Task], ShardResult], None],
        writer: ChunkWriter,
        pending: list[_Pending],
        settle: Callable[[], None],
    ) -> BaseException | None:
        for index, chunk in shards:
            notes: list[str] = []
            made: list[tuple[str, bytes]] = []
            versions: list[int] = []
            error: LamTheoGuongBacError | None = None
            try:
                for task in chunk:
                    data, version = render_item(
                        renderer, task.whole(), today=self.today, policy=self.policy,
                        notes=notes,
                    )  # fmt: skip
                    made.append((task.name, data))
                    versions.append(version)
            except LamTheoGuongBacError as exc:
                error = exc
            settle()  # the chunk before this one first: the manifest keeps their order
            written = writer.submit(made, versions) if made else None
            pending.append((written, functools.partial(_record, finished, index, chunk, notes)))
            if error is not None:
                settle()
                return error
        settle()
        return None

    def to_zip(self, handbooks: Iterable[Handbook | HandbookHeading], dest: Path) -> ExportResult:
        stamp = dt.datetime.now().timetuple()[:6]

        def write(file: BinaryIO) -> None:
            with zipfile.ZipFile(file, "w") as archive:
                for task, data in self.rendered(self.tasks(handbooks)):
                    info = zipfile.ZipInfo(task.name, date_time=stamp)
                    info.external_attr = 0o644 << 16
                    # Documents such as .docx are already compressed: store them as they are.
                    archive.writestr(info, data, compress_type=zipfile.ZIP_STORED)
                    self.tick()

        atomic_write(dest, write)
        return self.result([dest])

    def merged(self, handbooks: Iterable[Handbook | HandbookHeading], dest: Path) -> ExportResult:
        documents = []
        for _, data in self.rendered(self.tasks(handbooks)):
            documents.append(data)
            self.tick()
        if not documents:
            return self.result([])
        merger = new_renderer(self.exporter.create_renderer, self.options, self.notes, self.who)
        atomic_write(dest, merger.merge(documents))
        return self.result([dest])


def _record(
    finished: Callable[[int, Sequence[_Task], ShardResult], None],
    index: int,
    chunk: Sequence[_Task],
    notes: list[str],
    files: Files,
) -> None:
    """Record a chunk written beside the rendering, once its files are on disk."""
    finished(index, chunk, ShardResult(index=index, files=tuple(files), notes=tuple(notes)))


#: A chunk on its way to disk, and how it is recorded once there.
_Pending = tuple[Written | None, Callable[[Files], None]]


def _raise_lost(outcome: ShardResult | BaseException) -> ShardResult:
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome


def _chunks(tasks: Iterable[_Task], size: int) -> Iterator[list[_Task]]:
    chunk: list[_Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
