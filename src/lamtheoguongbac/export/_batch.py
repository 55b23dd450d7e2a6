"""Export many handbooks at once (xuất hàng loạt sổ tay).

:func:`export_handbooks` does everything around rendering, whatever the exporter:

* **file names** ``"{year} - {cell} - {member} ({handbook id}).docx"`` that keep Vietnamese
  letters, are valid on Windows and can never leave the destination folder (each part goes
  through :func:`~lamtheoguongbac.text.slugify_filename`, and the final path is checked to be
  directly inside ``dest``); two handbooks that would get the same name (ignoring case, as
  Windows and macOS do) are told apart by " [2]", " [3]", … in input order;
* **atomic writes** (:mod:`lamtheoguongbac._fsutil`): a temporary file
  ``.lamtheoguongbac-*.part`` in the same folder, written, ``fsync``-ed and renamed over the
  target, so a killed run leaves whole files or none, each with a new file's permissions
  (``0o666`` less the umask); 64 files share one disk flush. The next run into the folder
  removes the temporary files a killed run left behind (so run one export at a time into a
  folder);
* **resume**: a sidecar manifest (``.lamtheoguongbac-export.jsonl``) records, for each file
  written, the handbook id and version and the exporter, template and settings; with
  ``resume=True`` a file that exists and matches is skipped;
* **worker processes** (``jobs=N``): each spawned worker builds its own registry with
  :func:`~lamtheoguongbac._registry.create_registry` and its renderer once, then renders
  chunks of template contexts (plain data, built here once per handbook);
* **one zip** (``mode="zip"``, ``dest`` is the .zip file) or **one merged document**
  (``mode="merged"``, ``dest`` is the document, made by ``Renderer.merge``), both atomic;
* **progress**: ``progress(done, total)`` after each document written or skipped (to know
  ``total``, handbooks without a ``len()`` are listed first when progress is asked for).

Warnings a renderer gives (e.g. the docx exporter falling back to plain docxtpl for a
template) are collected into :attr:`ExportResult.notes`.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import datetime as dt
import functools
import hashlib
import importlib
import json
import multiprocessing
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import attrs

from lamtheoguongbac import _errors as errors
from lamtheoguongbac import _fsutil as fsutil
from lamtheoguongbac._errors import LamTheoGuongBacError, PluginError, ValidationFailed
from lamtheoguongbac._model import Handbook
from lamtheoguongbac.export._base import Exporter, ExportOptions, Renderer
from lamtheoguongbac.export._context import CONTEXT_VERSION, build_context
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy
from lamtheoguongbac.text import slugify_filename

if TYPE_CHECKING:
    from lamtheoguongbac._registry import Registry

__all__ = [
    "MANIFEST_NAME",
    "TEMP_PREFIX",
    "ExportResult",
    "atomic_write",
    "export_handbooks",
    "file_name",
]

Mode = Literal["folder", "merged", "zip"]

#: The resume manifest kept in an export folder (one JSON object per line).
MANIFEST_NAME = ".lamtheoguongbac-export.jsonl"
#: Temporary files start with this and end with ".part"; leftovers are removed on the next run.
TEMP_PREFIX = ".lamtheoguongbac-"
_TEMP_SUFFIX = ".part"
_CHUNK = 64  # contexts per worker task: large enough to amortise pickling, small for progress
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,16}")


@attrs.frozen(kw_only=True)
class ExportResult:
    """What an export did: the files ``written`` (in input order; the one zip or merged
    document for those modes), how many were ``skipped`` by ``resume``, and ``notes`` — the
    renderer's warnings, such as a template falling back to a slower path."""

    written: tuple[Path, ...] = ()
    skipped: int = 0
    notes: tuple[str, ...] = ()


@attrs.frozen
class _Task:
    """One document to make: its file name and path, context and manifest record."""

    name: str
    path: Path
    context: dict[str, Any]
    record: dict[str, Any]


@functools.lru_cache(maxsize=4096)
def _slug(text: str, max_len: int) -> str:
    # Cached: a batch repeats the same cell name for every member of the cell.
    return slugify_filename(text, max_len=max_len)


def file_name(handbook: Handbook, suffix: str) -> str:
    """The readable, Windows-valid file name of ``handbook``'s document.

    ``"2025 - Chi bộ ấp Đông - Nguyễn Văn An (sotay-2025-001).docx"``: every part is
    slugified (separators, device names and control characters cannot get through), the name
    starts with the year and ends with ")" so the whole is valid too, and it stays under 200
    characters.
    """
    cell = _slug(handbook.cell.name, 60)
    member = _slug(handbook.member.full_name, 60)
    ident = _slug(handbook.id, 60)
    return f"{handbook.year} - {cell} - {member} ({ident}){suffix}"


def _inside(dest: Path, name: str) -> Path:
    """``dest / name``, refusing any name that would not be a file directly in ``dest``
    (already resolved).

    The final component is normalised, not resolved: a symlink of that name is replaced by
    the atomic rename, never followed, so resolving it would add a check without a reason.
    """
    folder = str(dest)
    if (
        name in ("", ".", "..")
        or any(c in name for c in "/\\\0")
        or os.path.dirname(os.path.normpath(os.path.join(folder, name))) != folder
    ):
        raise ValidationFailed(
            f"tên tệp không an toàn: {name!r}", f"unsafe file name: {name!r}", field="file_name"
        )
    return dest / name


def _unique(name: str, seen: set[str]) -> str:
    stem, dot, suffix = name.rpartition(".")
    candidate, n = name, 1
    while candidate.casefold() in seen:
        n += 1
        candidate = f"{stem} [{n}]{dot}{suffix}"
    seen.add(candidate.casefold())
    return candidate


def atomic_write(path: Path, data: bytes | Callable[[BinaryIO], None]) -> None:
    """Write ``path`` whole or not at all: :func:`lamtheoguongbac._fsutil.atomic_write` with
    the export's temporary names (``.lamtheoguongbac-*.part``, removed by the next run).

    ``data`` is the bytes, or a function that writes the content to the open binary file.
    """
    fsutil.atomic_write(path, data, temp_prefix=TEMP_PREFIX, temp_suffix=_TEMP_SUFFIX)


def _write_batch(items: Sequence[tuple[Path, bytes]]) -> None:
    """Atomic writes of many files at once, one disk flush per batch, not per file
    (:func:`lamtheoguongbac._fsutil.atomic_write_many`). The folder is fsync-ed once, when
    the export ends."""
    fsutil.atomic_write_many(
        items, temp_prefix=TEMP_PREFIX, temp_suffix=_TEMP_SUFFIX, sync_folders=False
    )


class _Pending:
    """Rendered documents waiting to be written, ``size`` at a time by :func:`_write_batch`.

    Written from this thread, not a background one: a writer thread was measured slower and
    less steady (its GIL hand-offs stalled the renderer) than one journal commit per batch.
    """

    def __init__(self, size: int = _CHUNK) -> None:
        self._size = size
        self._items: list[tuple[Any, Path, bytes]] = []

    def add(self, key: Any, path: Path, data: bytes) -> list[Any]:
        """Queue ``data`` for ``path``; returns the keys written if the batch was full."""
        self._items.append((key, path, data))
        return self.flush() if len(self._items) >= self._size else []

    def flush(self) -> list[Any]:
        """Write what is queued; returns its keys in order."""
        items, self._items = self._items, []
        if items:
            _write_batch([(path, data) for _, path, data in items])
        return [key for key, _, _ in items]


def _remove_leftovers(folder: Path) -> None:
    for leftover in folder.glob(f"{TEMP_PREFIX}*{_TEMP_SUFFIX}"):
        leftover.unlink(missing_ok=True)


def _fingerprint(exporter: Exporter, options: ExportOptions, policy: Policy) -> str:
    """What else must match for resume to keep a file: exporter, template, settings, and
    what the policy changes in the document (whether the rating is printed)."""
    digest = hashlib.sha256()
    digest.update(f"{exporter.name}\0{CONTEXT_VERSION}\0".encode())
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


def _read_manifest(folder: Path) -> dict[str, dict[str, Any]]:
    manifest: dict[str, dict[str, Any]] = {}
    try:
        lines = (folder / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return manifest
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue  # a line torn by a killed run: that file is simply made again
        if isinstance(record, dict) and isinstance(record.get("file"), str):
            manifest[record["file"]] = record
    return manifest


class _Manifest:
    """The resume manifest: appended as files are written, compacted at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.records = _read_manifest(folder)
        self._log = (folder / MANIFEST_NAME).open("a", encoding="utf-8")

    def add(self, record: dict[str, Any]) -> None:
        self.records[record["file"]] = record
        self._log.write(json.dumps(record, ensure_ascii=False) + "\n")

    def flush(self) -> None:
        self._log.flush()

    def close(self) -> None:
        self._log.close()
        kept = [r for name, r in sorted(self.records.items()) if (self.folder / name).exists()]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in kept)
        atomic_write(self.folder / MANIFEST_NAME, text.encode("utf-8"))


# --- rendering, in this process or in workers ----------------------------------------------


def _new_renderer(exporter: Exporter, options: ExportOptions, notes: list[str]) -> Renderer:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        renderer = exporter.create_renderer(options)
    notes.extend(str(w.message) for w in caught)
    return renderer


def _render(renderer: Renderer, context: dict[str, Any], notes: list[str]) -> bytes:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = renderer.render(context)
    notes.extend(str(w.message) for w in caught)
    return data


_worker: dict[str, Any] = {}


def _worker_init(exporter: str, options: ExportOptions, plugin_modules: Sequence[str]) -> None:
    """Build this worker's registry and renderer once; keep an error to report per task."""
    from lamtheoguongbac._registry import create_registry

    notes: list[str] = []
    try:
        registry = create_registry(
            extra_plugins=[importlib.import_module(m) for m in plugin_modules]
        )
        _worker["renderer"] = _new_renderer(registry.exporter(exporter), options, notes)
    except LamTheoGuongBacError as exc:
        _worker["error"] = (type(exc).__name__, exc.message_vi, exc.message_en)
    except Exception as exc:  # reported per task: a failing initializer breaks the pool
        _worker["error"] = (
            "PluginError",
            f"Tiến trình phụ không tạo được bộ xuất '{exporter}': {exc!r}",
            f"a worker could not create the exporter '{exporter}': {exc!r}",
        )
    _worker["notes"] = notes


def _worker_run(tasks: list[tuple[str, dict[str, Any]]], folder: str | None) -> tuple[Any, ...]:
    """Render a chunk: write each file into ``folder``, or return the bytes when None.

    Returns ("ok", results, notes) or ("error", class name, message_vi, message_en): the
    library's errors do not pickle (their constructor takes two messages).
    """
    if "error" in _worker:
        return ("error", *_worker["error"])
    notes: list[str] = _worker.pop("notes", [])
    results: list[bytes | None] = []
    pending = _Pending()
    try:
        for name, context in tasks:
            data = _render(_worker["renderer"], context, notes)
            if folder is None:
                results.append(data)
            else:
                pending.add(name, Path(folder) / name, data)
                results.append(None)
        pending.flush()
    except LamTheoGuongBacError as exc:
        return ("error", type(exc).__name__, exc.message_vi, exc.message_en)
    return ("ok", results, notes)


def _raise_from_worker(name: str, message_vi: str, message_en: str) -> None:
    cls = getattr(errors, name, LamTheoGuongBacError)
    try:
        exc = cls(message_vi, message_en)
    except TypeError:
        exc = LamTheoGuongBacError(message_vi, message_en)
    raise exc


def _plugin_modules(registry: Registry) -> list[str]:
    """Plugins registered directly (not from an installed distribution) that workers can
    import again by module name."""
    names = []
    for info in registry.plugins():
        plugin = registry.pm.get_plugin(info.name)
        if info.status == "active" and info.distribution is None and isinstance(plugin, ModuleType):
            names.append(plugin.__name__)
    return names


def _chunks(tasks: Iterable[_Task], size: int) -> Iterator[list[_Task]]:
    chunk: list[_Task] = []
    for task in tasks:
        chunk.append(task)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _in_workers(
    tasks: Iterable[_Task],
    *,
    jobs: int,
    exporter: str,
    options: ExportOptions,
    registry: Registry,
    folder: Path | None,
    notes: list[str],
) -> Iterator[tuple[_Task, bytes | None]]:
    """Render ``tasks`` in ``jobs`` spawned workers; yields in input order."""
    context = multiprocessing.get_context("spawn")
    modules = _plugin_modules(registry)
    pool = cf.ProcessPoolExecutor(
        max_workers=jobs,
        mp_context=context,
        initializer=_worker_init,
        initargs=(exporter, options, modules),
    )
    pending: dict[int, tuple[list[_Task], cf.Future[tuple[Any, ...]]]] = {}
    try:
        chunks = enumerate(_chunks(tasks, _CHUNK))
        next_out = 0
        exhausted = False
        while True:
            # Keep a bounded number of chunks in flight so memory stays flat.
            while not exhausted and len(pending) < 2 * jobs:
                item = next(chunks, None)
                if item is None:
                    exhausted = True
                    break
                index, chunk = item
                payload = [(t.name, t.context) for t in chunk]
                pending[index] = (
                    chunk,
                    pool.submit(_worker_run, payload, None if folder is None else str(folder)),
                )
            if next_out not in pending:
                return
            chunk, future = pending.pop(next_out)
            outcome = future.result()
            if outcome[0] == "error":
                _raise_from_worker(*outcome[1:])
            notes.extend(outcome[2])
            yield from zip(chunk, outcome[1], strict=True)
            next_out += 1
    finally:
        # After an error (or an abandoned generator) do not start the chunks still queued.
        pool.shutdown(wait=True, cancel_futures=True)


# --- the public entry point ----------------------------------------------------------------


def export_handbooks(
    handbooks: Iterable[Handbook],
    dest: Path,
    *,
    exporter: str = "docx",
    mode: Mode = "folder",
    options: ExportOptions | None = None,
    jobs: int = 1,
    resume: bool = False,
    progress: Callable[[int, int], None] | None = None,
    registry: Registry | None = None,
    policy: Policy = DEFAULT_POLICY,
) -> ExportResult:
    """Export ``handbooks`` with the exporter called ``exporter``.

    Args:
        handbooks: the handbooks, streamed one by one (a generator keeps memory flat; with
            ``progress`` and no ``len()``, they are listed first to know the total).
        dest: the folder (``mode="folder"``, created if needed) or the file to write (the
            .zip for ``"zip"``, the document for ``"merged"``).
        exporter: the registered exporter's name.
        mode: one file per handbook, one merged document, or one zip of per-handbook files.
        options: the template and settings (None: the exporter's defaults).
        jobs: worker processes; 1 renders in this process.
        resume: skip files already written for the same handbook version, exporter,
            template and settings (``"folder"`` mode only).
        progress: called as ``progress(done, total)`` after each document.
        registry: where to find the exporter (default: :func:`create_registry`). Workers
            build their own registry, adding the plugin modules registered directly here.
        policy: the policy in force, for what it changes in the documents (whether the
            book prints the rating); pass the service's ``policy``.

    Raises:
        ValidationFailed: a bad argument (mode, jobs, resume outside folder mode).
        PluginError: no such exporter, or it has an invalid file suffix.
        TemplateError: the template is invalid or failed on a handbook.
        OSError: the destination cannot be written.
    """
    if mode not in ("folder", "merged", "zip"):
        raise ValidationFailed(
            f"chế độ xuất không hợp lệ: {mode!r}", f"invalid export mode: {mode!r}", field="mode"
        )
    if jobs < 1:
        raise ValidationFailed("số tiến trình phải ≥ 1", "jobs must be >= 1", field="jobs")
    if resume and mode != "folder":
        raise ValidationFailed(
            "chỉ xuất tiếp được ở chế độ thư mục",
            "resume works in folder mode only",
            field="resume",
        )
    if registry is None:
        from lamtheoguongbac._registry import create_registry

        registry = create_registry()
    found = registry.exporter(exporter)
    if not _SUFFIX.fullmatch(found.suffix):
        raise PluginError(
            f"Bộ xuất '{exporter}' có đuôi tệp không hợp lệ: {found.suffix!r}",
            f"exporter '{exporter}' has an invalid file suffix: {found.suffix!r}",
        )
    options = ExportOptions() if options is None else options
    if progress is not None and not isinstance(handbooks, Sized):
        handbooks = list(handbooks)
    total = len(handbooks) if isinstance(handbooks, Sized) else 0
    dest = Path(dest)
    folder = dest if mode == "folder" else dest.parent
    folder.mkdir(parents=True, exist_ok=True)
    folder = folder.resolve()
    if mode != "folder":
        dest = folder / dest.name
    return _Export(found, options, registry, folder, jobs, progress, total, policy).run(
        handbooks, dest, mode, resume
    )


class _Export:
    """One run of :func:`export_handbooks` (state shared by its steps)."""

    def __init__(
        self,
        exporter: Exporter,
        options: ExportOptions,
        registry: Registry,
        folder: Path,
        jobs: int,
        progress: Callable[[int, int], None] | None,
        total: int,
        policy: Policy = DEFAULT_POLICY,
    ) -> None:
        self.exporter = exporter
        self.options = options
        self.registry = registry
        self.folder = folder
        self.jobs = jobs
        self.progress = progress
        self.total = total
        self.done = 0
        self.notes: list[str] = []
        self.policy = policy
        self.fingerprint = _fingerprint(exporter, options, policy)
        self.today = dt.date.today()

    def tick(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def tasks(self, handbooks: Iterable[Handbook]) -> Iterator[_Task]:
        seen: set[str] = set()
        for handbook in handbooks:
            name = _unique(file_name(handbook, self.exporter.suffix), seen)
            path = _inside(self.folder, name)
            record = {
                "file": name,
                "id": handbook.id,
                "version": handbook.version,
                "exporter": self.exporter.name,
                "fingerprint": self.fingerprint,
            }
            yield _Task(
                name, path, build_context(handbook, today=self.today, policy=self.policy), record
            )

    def rendered(
        self, tasks: Iterable[_Task], folder: Path | None
    ) -> Iterator[tuple[_Task, bytes | None]]:
        """(task, bytes) in input order; with ``folder``, workers write the files themselves
        and the bytes are None."""
        if self.jobs > 1:
            yield from _in_workers(
                tasks,
                jobs=self.jobs,
                exporter=self.exporter.name,
                options=self.options,
                registry=self.registry,
                folder=folder,
                notes=self.notes,
            )
            return
        renderer = _new_renderer(self.exporter, self.options, self.notes)
        for task in tasks:
            yield task, _render(renderer, task.context, self.notes)

    def run(
        self, handbooks: Iterable[Handbook], dest: Path, mode: Mode, resume: bool
    ) -> ExportResult:
        if mode == "folder":
            return self.to_folder(handbooks, resume)
        if mode == "zip":
            return self.to_zip(handbooks, dest)
        return self.merged(handbooks, dest)

    def result(self, written: Sequence[Path], skipped: int = 0) -> ExportResult:
        return ExportResult(
            written=tuple(written), skipped=skipped, notes=tuple(dict.fromkeys(self.notes))
        )

    def to_folder(self, handbooks: Iterable[Handbook], resume: bool) -> ExportResult:
        _remove_leftovers(self.folder)
        manifest = _Manifest(self.folder)
        written: list[Path] = []
        skipped = 0

        def todo() -> Iterator[_Task]:
            nonlocal skipped
            for task in self.tasks(handbooks):
                if (
                    resume
                    and manifest.records.get(task.name) == task.record
                    and task.path.is_file()
                ):
                    skipped += 1
                    self.tick()
                    continue
                yield task

        def finished(tasks: Iterable[_Task]) -> None:
            for task in tasks:
                manifest.add(task.record)
                written.append(task.path)
                self.tick()
            manifest.flush()

        pending = _Pending()
        try:
            for task, data in self.rendered(todo(), self.folder):
                if data is None:  # a worker wrote it
                    finished([task])
                else:
                    finished(pending.add(task, task.path, data))
            finished(pending.flush())
        except BaseException:
            # What was rendered before the error is whole: keep it (a resume skips it).
            with contextlib.suppress(OSError):
                finished(pending.flush())
            raise
        finally:
            manifest.close()
            fsutil.fsync_folder(self.folder)
        return self.result(written, skipped)

    def to_zip(self, handbooks: Iterable[Handbook], dest: Path) -> ExportResult:
        stamp = dt.datetime.now().timetuple()[:6]

        def write(file: BinaryIO) -> None:
            with zipfile.ZipFile(file, "w") as archive:
                for task, data in self.rendered(self.tasks(handbooks), None):
                    info = zipfile.ZipInfo(task.name, date_time=stamp)
                    info.external_attr = 0o644 << 16
                    # Documents such as .docx are already compressed: store them as they are.
                    archive.writestr(info, data or b"", compress_type=zipfile.ZIP_STORED)
                    self.tick()

        atomic_write(dest, write)
        return self.result([dest])

    def merged(self, handbooks: Iterable[Handbook], dest: Path) -> ExportResult:
        documents = []
        for _, data in self.rendered(self.tasks(handbooks), None):
            documents.append(data or b"")
            self.tick()
        if not documents:
            return self.result([])
        merger = _new_renderer(self.exporter, self.options, self.notes)
        atomic_write(dest, merger.merge(documents))
        return self.result([dest])
