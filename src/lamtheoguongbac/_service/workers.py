"""Worker processes for bulk steps (tiến trình phụ): the service a worker builds again from
the caller's, and an ordered map of cells over a pool of them.

With ``jobs > 1`` the bulk steps of :class:`~lamtheoguongbac.bulk.BulkSteps` read each
cell and take and check its steps — the rules, the linter, the signatures — in worker
processes, which store nothing. The calling process keeps everything that must happen once
and in order: the top-rating cap's running figures, the writes (one transaction per cell),
the ``handbook_changed`` hooks and the result. Only one process writes, so a SQLite file
never makes two of them wait for each other, and a plugin listening for changes hears each
of them in the caller's process as with ``jobs=1``.

A worker rebuilds the caller's service from a :class:`WorkerSpec`: the store's URL, the
registry's recipe (:meth:`~lamtheoguongbac.plugin.Registry.worker_recipe`), the policy the
service was given (without the plugins' rules, which the worker's registry adds again), the
catalog and the clock. What cannot be sent to another process — an in-memory store, a plugin
registered by hand, a clock or a rule that does not pickle — is refused up front, naming it.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import datetime as dt
import importlib
import multiprocessing
import pickle
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import attrs

from lamtheoguongbac._errors import LamTheoGuongBacError, ValidationFailed
from lamtheoguongbac.rules._policy import Policy

if TYPE_CHECKING:
    from lamtheoguongbac._model import Event, Handbook
    from lamtheoguongbac._service.core import Handbooks
    from lamtheoguongbac.catalog import Catalog

T = TypeVar("T")
R = TypeVar("R")

#: Cells sent ahead per worker: enough to keep every worker busy while the caller writes.
AHEAD = 4


@attrs.frozen
class WorkerSpec:
    """What a worker process needs to build the caller's service again (cấu hình tiến trình
    phụ)."""

    url: str
    recipe: dict[str, Any]
    policy: Policy | None
    catalog: Catalog
    clock: Callable[[], dt.datetime]

    @classmethod
    def of(cls, hb: Handbooks) -> WorkerSpec:
        """The spec of ``hb``; refused (naming what) when it cannot reach another process.

        Raises:
            ValidationFailed: the store lives in this process only, or the clock, the policy
                or the catalog cannot be sent to another process.
            PluginError: the registry cannot be built again (see
                :meth:`~lamtheoguongbac.plugin.Registry.worker_recipe`).
        """
        url = hb.store.url
        if url.startswith("memory:"):
            raise _refused(
                f"kho '{url}' chỉ có trong tiến trình này",
                f"the store '{url}' lives in this process only",
            )
        recipe = hb.registry.worker_recipe()
        policy = None
        if hb._policy_given:  # without the plugins' rules: the worker's registry adds them
            policy = hb.policy.without(*(r.code for r in hb.registry.rules()))
        spec = cls(url=url, recipe=recipe, policy=policy, catalog=hb.catalog, clock=hb.clock)
        for name in ("clock", "policy", "catalog"):
            try:
                pickle.dumps(getattr(spec, name))
            except Exception as exc:
                raise _refused(
                    f"{_NAMES_VI[name]} không gửi được sang tiến trình phụ "
                    f"({type(exc).__name__}: {exc}); dùng một hàm hay lớp ở cấp module",
                    f"the service's {name} cannot be sent to worker processes "
                    f"({type(exc).__name__}: {exc}); use a module-level function or class",
                ) from exc
        return spec


_NAMES_VI = {"clock": "đồng hồ của dịch vụ", "policy": "quy định", "catalog": "danh mục"}


def _refused(why_vi: str, why_en: str) -> ValidationFailed:
    return ValidationFailed(
        f"Không chạy được bước hàng loạt với jobs > 1: {why_vi}; hãy dùng jobs=1",
        f"bulk steps cannot run with jobs > 1: {why_en}; use jobs=1",
        field="jobs",
    )


# --- the worker side --------------------------------------------------------------------------

# A worker process's state. It lives for one bulk operation: its organisation tree is read
# once for it.
_service: Handbooks | None = None  # the caller's service, built again by _start
_operation = contextlib.ExitStack()  # the roster operation held open for the worker's life
_turn: Any = None  # the lock the operation's workers take turns to write with
_heard: list[tuple[Event, Handbook]] | None = None  # committed steps kept for the caller


def _start(spec: WorkerSpec, turn: Any) -> None:
    """A worker's initializer: build the caller's service again (its store opened here);
    ``turn`` is the lock the workers take turns to write with."""
    from lamtheoguongbac._registry import create_registry

    global _service, _turn
    _turn = turn
    _WorkerService = _worker_service_class()
    recipe = dict(spec.recipe)
    recipe["extra_plugins"] = [
        importlib.import_module(p) if isinstance(p, str) else p for p in recipe["extra_plugins"]
    ]
    registry = create_registry(**recipe)
    _service = _WorkerService(
        registry.open_store(spec.url),
        registry=registry,
        policy=spec.policy,
        catalog=spec.catalog,
        clock=spec.clock,
    )
    _operation.enter_context(_service.roster.operation())


def _worker_service_class() -> type[Handbooks]:
    # Made when a worker starts: this module is imported by the service's own modules.
    from lamtheoguongbac._service.core import Handbooks

    class WorkerService(Handbooks):
        """The caller's service in a worker: it notifies nobody itself (see
        :func:`heard_into`)."""

        def _notify(self, event: Event, book: Handbook) -> None:
            def keep() -> None:
                if _heard is not None:
                    _heard.append((event, book))

            self._later(keep)  # only once the cell's transaction has committed

    return WorkerService


def service() -> Handbooks:
    """This worker process's service (built by the pool's initializer)."""
    if _service is None:  # pragma: no cover - only a pool built here runs tasks
        raise LamTheoGuongBacError(
            "tiến trình phụ chưa được khởi tạo", "the worker process was not initialised"
        )
    return _service


# --- the caller's side ------------------------------------------------------------------------


def ordered_map(
    task: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    spec: WorkerSpec,
    route: Callable[[T], int],
    failed: Callable[[T, BaseException], R],
) -> Iterator[R]:
    """``task(item)`` for each item in ``jobs`` worker processes, yielded in the items'
    order as each is ready.

    Each item goes to worker ``route(item) % jobs``, and each worker takes its items in
    order, one at a time: items routed alike are done by one process in order. At most
    :data:`AHEAD` items per worker are in flight, so a stream of items is never read ahead
    into memory. An item whose worker raised or died is yielded as ``failed(item, error)``.
    """
    context = multiprocessing.get_context("spawn")  # no fork of a process holding a store
    # A SQLite file takes one writer at a time and makes the others poll for it: the workers
    # take turns through a lock instead. A server (PostgreSQL) takes their writes at once.
    one_writer = spec.url.split(":", 1)[0].endswith("sqlite")
    turn = context.Lock() if one_writer else None
    pools = [
        cf.ProcessPoolExecutor(
            max_workers=1, mp_context=context, initializer=_start, initargs=(spec, turn)
        )
        for _ in range(jobs)
    ]
    in_flight: collections.deque[tuple[T, cf.Future[R] | BaseException]] = collections.deque()

    def ready() -> R:
        item, future = in_flight.popleft()
        if isinstance(future, BaseException):
            return failed(item, future)
        try:
            return future.result()
        except Exception as exc:  # a worker's crash, or its result did not unpickle
            return failed(item, exc)

    try:
        for item in items:
            try:
                in_flight.append((item, pools[route(item) % jobs].submit(task, item)))
            except Exception as exc:  # that worker's pool broke: the process died
                in_flight.append((item, exc))
            if len(in_flight) >= jobs * AHEAD:
                yield ready()
        while in_flight:
            yield ready()
    finally:
        for pool in pools:
            pool.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def heard_into(heard: list[tuple[Event, Handbook]] | None) -> Iterator[None]:
    """Inside the block, this worker's ``handbook_changed`` notifications are kept in
    ``heard`` for the caller's hooks (or dropped when ``None``: nobody listens), not fired
    here: the caller fires them, so a listener hears each change once, in its process."""
    global _heard
    _heard = heard
    try:
        yield
    finally:
        _heard = None


@contextlib.contextmanager
def write_turn() -> Iterator[None]:
    """This worker's turn to write a SQLite file: the workers of one operation write one at
    a time, handing the file over at once, instead of each waiting on SQLite's own lock,
    which polls (it sleeps up to milliseconds between tries). Other stores: no wait."""
    if _turn is None:
        yield
        return
    with _turn:
        yield
