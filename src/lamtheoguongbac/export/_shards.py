"""The worker side of batch export: shards of handbooks made into files (phần việc xuất).

A **shard** is a short list of (file name, handbook id) pairs — or of (file name, template
context) when the handbooks live in no store a worker can open. :func:`run_shard` is what an
executor runs for it: in a local worker process, or on a Dask worker on another machine. It
opens the store itself from its URL, builds its registry and renderer once per process (they
are cached in the process, per thread), renders, writes the shard's files atomically with
**one** disk sync for the lot, converts them to PDF when asked (one LibreOffice call for the
shard) and returns only a small :class:`ShardResult` — names, sizes, versions, warnings, and
the library error that stopped it, if any.

Durability, one sync per chunk instead of one per file (:mod:`lamtheoguongbac._durable`): a
chunk is reported done only once its files are on disk, so a file the manifest records is
there; a process killed at any moment leaves whole files or temporary ones, which the next
export into the folder removes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pickle
import threading
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from lamtheoguongbac import _errors as errors
from lamtheoguongbac._durable import (
    TEMP_PREFIX,
    TEMP_SUFFIX,
    FolderInTheWay,
    flush_paths,
    fsync_folder,
    write_chunk,
)
from lamtheoguongbac._errors import LamTheoGuongBacError, PluginError, ValidationFailed
from lamtheoguongbac._model import Handbook
from lamtheoguongbac.export._base import ExportOptions, PluginCode, Renderer, guarded_renderer
from lamtheoguongbac.export._context import build_context
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy

if TYPE_CHECKING:
    from lamtheoguongbac._storage.base import Store

__all__ = [
    "TEMP_PREFIX",
    "TEMP_SUFFIX",
    "ShardJob",
    "ShardResult",
    "folder_in_the_way",
    "run_shard",
    "write_files",
]


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
    """Write ``chunk`` (file name, bytes) into ``folder`` with one sync
    (:func:`~lamtheoguongbac._durable.write_chunk`), convert the files to PDF when asked,
    then append (name, size, version) of each to ``done``: only once they are on disk.

    Raises:
        ValidationFailed: a folder has the name of one of the files.
        OSError: the disk is full, the folder is not writable …
    """
    try:
        write_chunk(folder, chunk)
    except FolderInTheWay as exc:
        raise folder_in_the_way(exc.path) from exc
    if pdf:
        from lamtheoguongbac.export._pdf import convert_to_pdf

        pdfs = convert_to_pdf(folder, [folder / name for name, _ in chunk], jobs=1).written
        # LibreOffice wrote the PDFs: one more flush before they count as done.
        flush_paths(pdfs)
        fsync_folder(folder)
    done.extend((n, len(b), v) for (n, b), v in zip(chunk, versions, strict=True))


def folder_in_the_way(path: str) -> ValidationFailed:
    """The error of a document whose name a folder holds (nothing is replaced by it)."""
    return ValidationFailed(
        f"không ghi được '{path}': đã có một thư mục mang tên này; hãy đổi tên hoặc xóa nó",
        f"cannot write '{path}': a folder of that name is there; rename or remove it",
        field="dest",
    )


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
