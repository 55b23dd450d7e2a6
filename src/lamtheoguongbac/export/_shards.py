"""The worker side of batch export: shards of handbooks made into files (phần việc xuất).

A **shard** is a short list of (file name, handbook id) pairs — or of (file name, template
context) when the handbooks live in no store a worker can open. :func:`run_shard` is what an
executor runs for it: in a local worker process, or on a Dask worker on another machine. It
opens the store itself from its URL, builds its registry and renderer once per process (they
are cached in the process, per thread), renders, writes the shard's files atomically with
**one** disk sync for the lot, converts them to PDF when asked (one LibreOffice call for the
shard) and returns only a small :class:`ShardResult` — names, sizes, versions, warnings, and
the library error that stopped it, if any.

Durability, one sync per chunk instead of one per file: every file of a chunk is written to
a temporary name (``.lamtheoguongbac-*.part``), then the file system holding them is flushed
once (``syncfs`` on Linux; elsewhere each file is ``fsync``-ed), then each is renamed over its
target and the folder is flushed once. Only then is the chunk reported done, so a file the
manifest records is on disk; a process killed at any moment leaves whole files or temporary
ones, which the next export into the folder removes.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import importlib
import os
import pickle
import secrets
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from lamtheoguongbac import _errors as errors
from lamtheoguongbac._errors import LamTheoGuongBacError, PluginError, ValidationFailed
from lamtheoguongbac._fsutil import fsync_folder
from lamtheoguongbac._model import Handbook
from lamtheoguongbac.export._base import ExportOptions, PluginCode, Renderer, guarded_renderer
from lamtheoguongbac.export._context import build_context
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy

if TYPE_CHECKING:
    from lamtheoguongbac._storage.base import Store

__all__ = ["ShardJob", "ShardResult", "run_shard", "write_chunk"]

#: Temporary files start with this and end with ".part"; leftovers are removed on the next run.
TEMP_PREFIX = ".lamtheoguongbac-"
TEMP_SUFFIX = ".part"
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
_NEW_FILE |= getattr(os, "O_BINARY", 0)


@attrs.frozen(kw_only=True)
class ShardJob:
    """What every shard of one export shares; small, plain and picklable.

    ``store_url`` is where a worker reads the handbooks (None: the items carry template
    contexts); ``folder`` is where it writes (None: it returns the bytes, for a zip or a
    merged document); ``plugin_modules`` are the plugins registered directly (not
    installed) that the exporter needs (``Registry.worker_plugins``): module names the
    worker imports again, or picklable plugin objects.
    """

    exporter: str
    suffix: str
    options: ExportOptions
    plugin_modules: tuple[str | object, ...] = ()
    store_url: str | None = None
    folder: str | None = None
    today: dt.date
    pdf: bool = False
    #: what the policy changes in a handbook's context (Policy.rating_in_handbook, …)
    rating_in_handbook: bool = False
    exempt_rating: str = "optional"


@attrs.frozen(kw_only=True)
class ShardResult:
    """What a shard made: per file ``(name, size in bytes, handbook version)`` in shard order,
    the bytes when the job has no folder, the renderer's warnings, and the error that stopped
    the shard (the files listed before it are whole and on disk)."""

    index: int
    files: tuple[tuple[str, int, int], ...] = ()
    data: tuple[bytes, ...] = ()
    notes: tuple[str, ...] = ()
    error: BaseException | None = None


# --- durable writes, one sync per chunk ----------------------------------------------------


def _find_syncfs() -> Callable[[int], int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):  # pragma: no cover - every glibc/musl has it
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int
    return function


_syncfs = _find_syncfs()


def _flush(fds: Sequence[int]) -> None:
    """Make the data behind ``fds`` durable: one ``syncfs`` of their file system (Linux) or
    an ``fsync`` each."""
    if not fds:
        return
    if _syncfs is not None:
        if _syncfs(fds[0]) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err))
        return
    for fd in fds:
        os.fsync(fd)


def _flush_paths(paths: Sequence[Path]) -> None:
    """:func:`_flush` for files already closed."""
    fds = [os.open(p, os.O_RDONLY) for p in (paths[:1] if _syncfs is not None else paths)]
    try:
        _flush(fds)
    finally:
        for fd in fds:
            os.close(fd)


def _create_temp(folder: str) -> tuple[int, str]:
    # Text paths, not Path objects: pathlib interns every name it parses, and the table of
    # interned strings grows with each of a run's hundreds of thousands of unique names.
    for _ in range(100):
        tmp = os.path.join(folder, f"{TEMP_PREFIX}{secrets.token_hex(8)}{TEMP_SUFFIX}")
        try:
            # 0o666 less the umask: the file gets a new file's permissions, not 0o600.
            return os.open(tmp, _NEW_FILE, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary file name in {folder}")  # pragma: no cover


def _folder_in_the_way(path: str) -> ValidationFailed:
    """The error of a document whose name a folder holds (nothing is replaced by it)."""
    return ValidationFailed(
        f"không ghi được '{path}': đã có một thư mục mang tên này; hãy đổi tên hoặc xóa nó",
        f"cannot write '{path}': a folder of that name is there; rename or remove it",
        field="dest",
    )


def write_chunk(folder: Path, items: Sequence[tuple[str, bytes]]) -> None:
    """Write the files ``items`` (name in ``folder``, bytes) whole or not at all, with one
    data flush and one folder flush for the lot.

    On an error the files renamed so far stay (each whole) and no temporary file is left.
    """
    opened: list[tuple[int, str, str]] = []
    renamed = 0
    where = os.fspath(folder)
    try:
        for name, data in items:
            fd, tmp = _create_temp(where)
            opened.append((fd, tmp, os.path.join(where, name)))
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        _flush([fd for fd, _, _ in opened])
        for i, (fd, tmp, path) in enumerate(opened):
            os.close(fd)
            opened[i] = (-1, tmp, path)
            try:
                os.replace(tmp, path)
            except IsADirectoryError as exc:
                raise _folder_in_the_way(path) from exc
            renamed += 1
        if opened:
            fsync_folder(folder)
    finally:
        for fd, tmp, _ in opened[renamed:]:
            if fd >= 0:
                os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(tmp)


# --- per-process caches --------------------------------------------------------------------

_local = threading.local()


def _renderer(job: ShardJob, notes: list[str]) -> Renderer:
    """This thread's renderer for the job's exporter and options, made once."""
    cache: dict[Any, Renderer] = _local.__dict__.setdefault("renderers", {})
    # Plugin objects arrive as new copies with every shard: key them by their pickle.
    plugins = tuple(m if isinstance(m, str) else pickle.dumps(m) for m in job.plugin_modules)
    key = (job.exporter, job.options.template, repr(sorted(job.options.settings.items())),
           plugins)  # fmt: skip
    if key not in cache:
        from lamtheoguongbac._registry import create_registry

        try:
            modules = [
                importlib.import_module(m) if isinstance(m, str) else m for m in job.plugin_modules
            ]
            registry = create_registry(extra_plugins=modules)
        except LamTheoGuongBacError:
            raise
        except Exception as exc:
            raise PluginError(
                f"Tiến trình phụ không nạp được phần bổ sung: {exc!r}",
                f"a worker could not load the plugins: {exc!r}",
            ) from exc
        who = PluginCode(job.exporter, registry.exporter_provider(job.exporter))
        cache[key] = new_renderer(registry.exporter(job.exporter).create_renderer,
                                  job.options, notes, who)  # fmt: skip
    return cache[key]


def _store(url: str) -> Store:
    """This thread's store at ``url``, opened once (a worker serves many shards)."""
    stores: dict[str, Store] = _local.__dict__.setdefault("stores", {})
    if url not in stores:
        from lamtheoguongbac._registry import create_registry

        stores[url] = create_registry().open_store(url)
    return stores[url]


def new_renderer(
    factory: Callable[[ExportOptions], Renderer],
    options: ExportOptions,
    notes: list[str],
    who: PluginCode,
) -> Renderer:
    """``factory(options)``, its warnings collected into ``notes``; what it and the renderer
    raise (other than the library's errors) is blamed on ``who`` (see
    :class:`~lamtheoguongbac.export._base.GuardedRenderer`)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        renderer = guarded_renderer(factory, options, who)
    notes.extend(str(w.message) for w in caught)
    return renderer


def render(renderer: Renderer, context: dict[str, Any], notes: list[str]) -> bytes:
    """``renderer.render(context)``, its warnings collected into ``notes``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        data = renderer.render(context)
    notes.extend(str(w.message) for w in caught)
    return data


# --- errors that travel ----------------------------------------------------------------------


def portable(exc: LamTheoGuongBacError) -> BaseException:
    """``exc`` if it survives pickling, else a copy of its class and messages that does (a
    Dask or process-pool result must unpickle on the other side)."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return _Carried(type(exc).__name__, exc.message_vi, exc.message_en)
    return exc


class _Carried(Exception):
    """A library error reduced to its class name and messages, rebuilt by :func:`rebuild`."""

    def __init__(self, name: str, message_vi: str, message_en: str) -> None:
        super().__init__(name, message_vi, message_en)
        self.name, self.message_vi, self.message_en = name, message_vi, message_en


def rebuild(exc: BaseException) -> BaseException:
    """The library error a :class:`_Carried` stands for (other errors as they are)."""
    if not isinstance(exc, _Carried):
        return exc
    from lamtheoguongbac.export import _pdf as pdf

    cls: type[LamTheoGuongBacError] = getattr(
        errors, exc.name, getattr(pdf, exc.name, LamTheoGuongBacError)
    )
    try:
        return cls(exc.message_vi, exc.message_en)
    except TypeError:
        return LamTheoGuongBacError(exc.message_vi, exc.message_en)


# --- one shard -----------------------------------------------------------------------------


def make_files(
    renderer: Renderer,
    items: Iterable[tuple[str, Handbook | dict[str, Any]]],
    *,
    today: dt.date,
    folder: Path | None,
    pdf: bool,
    notes: list[str],
    policy: Policy = DEFAULT_POLICY,
    done: list[tuple[str, int, int]],
    data: list[bytes],
) -> None:
    """Render ``items`` (file name, handbook or context) and write them into ``folder`` as
    one chunk (one sync), or append their bytes to ``data`` when ``folder`` is None.

    ``done`` receives (name, size, version) of each file once it is on disk (version 0 for a
    context). An error propagates after the files rendered before it are written.
    """
    chunk: list[tuple[str, bytes]] = []
    versions: list[int] = []
    try:
        for name, item in items:
            rendered, version = render_item(renderer, item, today=today, policy=policy,
                                            notes=notes)  # fmt: skip
            if folder is None:
                data.append(rendered)
                done.append((name, len(rendered), version))
            else:
                chunk.append((name, rendered))
                versions.append(version)
    finally:
        if folder is not None and chunk:
            write_files(folder, chunk, versions, pdf=pdf, done=done)


def render_item(
    renderer: Renderer,
    item: Handbook | dict[str, Any],
    *,
    today: dt.date,
    policy: Policy,
    notes: list[str],
) -> tuple[bytes, int]:
    """The document of ``item`` (a handbook, or a template context) and the handbook's
    version (0 for a context)."""
    if isinstance(item, Handbook):
        context = build_context(item, today=today, policy=policy)
        return render(renderer, context, notes), item.version
    return render(renderer, item, notes), 0


def write_files(
    folder: Path,
    chunk: Sequence[tuple[str, bytes]],
    versions: Sequence[int],
    *,
    pdf: bool,
    done: list[tuple[str, int, int]],
) -> None:
    """Write ``chunk`` (file name, bytes) into ``folder`` with one sync (:func:`write_chunk`),
    convert the files to PDF when asked, then append (name, size, version) of each to
    ``done``: only once they are on disk."""
    write_chunk(folder, chunk)
    if pdf:
        from lamtheoguongbac.export._pdf import convert_to_pdf

        pdfs = convert_to_pdf(folder, [folder / name for name, _ in chunk], jobs=1).written
        # LibreOffice wrote the PDFs: one more flush before they count as done.
        _flush_paths(pdfs)
        fsync_folder(folder)
    done.extend((n, len(b), v) for (n, b), v in zip(chunk, versions, strict=True))


def run_shard(job: ShardJob, index: int, items: Sequence[tuple[str, Any]]) -> ShardResult:
    """Make shard number ``index``: ``items`` are (file name, handbook id) with a store URL,
    else (file name, template context). Runs in a worker; never raises a library error (it is
    returned in :attr:`ShardResult.error`, with the files made before it)."""
    notes: list[str] = []
    done: list[tuple[str, int, int]] = []
    data: list[bytes] = []
    error: BaseException | None = None
    try:
        renderer = _renderer(job, notes)
        if job.store_url is not None:
            store = _store(job.store_url)
            source: Iterable[tuple[str, Any]] = ((n, store.get(i)) for n, i in items)
        else:
            source = items
        make_files(
            renderer,
            source,
            today=job.today,
            folder=None if job.folder is None else Path(job.folder),
            pdf=job.pdf,
            policy=Policy(
                rating_in_handbook=job.rating_in_handbook, exempt_rating=job.exempt_rating
            ),
            notes=notes,
            done=done,
            data=data,
        )
    except LamTheoGuongBacError as exc:
        error = portable(exc)
    return ShardResult(
        index=index, files=tuple(done), data=tuple(data), notes=tuple(notes), error=error
    )
