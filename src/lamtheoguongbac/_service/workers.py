"""Worker processes for bulk steps (tiến trình phụ): the service a worker builds again from
the caller's, and an ordered map of cells over a pool of them.

With ``jobs > 1`` the bulk steps of :class:`~lamtheoguongbac.bulk.BulkSteps` send whole
cells to worker processes, which read them, take and check their steps — the rules, the
linter, the signatures — and write them, one transaction per cell, as the caller would. The
caller keeps what must happen once and in order: the outcomes, in the batches' order, and
the ``handbook_changed`` hooks, which the workers hand back instead of firing, so a plugin
listening for changes hears each of them in the caller's process as with ``jobs=1``. The
batches of one cell go to one worker; when assessing under an enforced top-rating cap,
every cell of a grassroots organisation does, so its running figures live in one process.
On a SQLite file the workers take turns to write through a lock file (SQLite's own lock
polls); a server store takes their writes at once.

A worker rebuilds the caller's service from a :class:`WorkerSpec`: the store's URL, the
registry's recipe (:meth:`~lamtheoguongbac.plugin.Registry.worker_recipe`), the policy the
service was given (without the plugins' rules, which the worker's registry adds again), the
catalog and the clock. What cannot be sent to another process — an in-memory store, a plugin
registered by hand, a clock or a rule that does not pickle — is refused up front, naming it;
so is a step inside an open :meth:`~lamtheoguongbac.Handbooks.transaction`, which workers
cannot join, and one under a delegated import, which they would not record.
"""

from __future__ import annotations

import collections
import concurrent.futures as cf
import contextlib
import datetime as dt
import importlib
import logging
import multiprocessing
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from lamtheoguongbac._errors import LamTheoGuongBacError, ValidationFailed
from lamtheoguongbac._storage.base import Store
from lamtheoguongbac._storage.sqlite import SqliteStore
from lamtheoguongbac.rules._policy import Policy

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: SQLite's own lock alone
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from lamtheoguongbac._model import Event, Handbook
    from lamtheoguongbac._service.core import Handbooks
    from lamtheoguongbac.catalog import Catalog

T = TypeVar("T")
R = TypeVar("R")

log = logging.getLogger("lamtheoguongbac.bulk")

#: Items read ahead per worker, held by the caller until their worker is free: enough to
#: keep every worker busy, few enough that a stream of batches is never read into memory.
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
        if getattr(hb._deferred, "pending", None) is not None:
            raise _refused(
                "đang trong một giao dịch (Handbooks.transaction) mà tiến trình phụ không "
                "tham gia được",
                "a transaction (Handbooks.transaction) is open, which worker processes cannot join",
            )
        if getattr(hb._deferred, "delegate", None) is not None:
            raise _refused(
                "đang nhập thay (ủy quyền), điều tiến trình phụ không ghi lại được",
                "a delegated import is running, which worker processes would not record",
            )
        url = hb.store.url
        if url.startswith("memory:"):
            raise _refused(
                f"kho '{url}' chỉ có trong tiến trình này",
                f"the store '{url}' lives in this process only",
            )
        recipe = hb.registry.worker_recipe()
        policy = None
        if hb._policy_given:  # without the plugins' rules: the worker's registry adds them
            policy = hb._without_plugin_rules(hb.policy)
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


class NotSent(Exception):
    """An item no worker process took: its worker died as it started, it could not be sent,
    or the operation stopped before it started. Nothing of it was done."""


class StoredThenDied(Exception):
    """An item whose worker process died after storing it: its write committed, whole, but
    what the worker would have handed back (its outcomes, the hooks' changes) is lost."""


def _not_sent(exc: BaseException) -> NotSent:
    error = NotSent(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    error.__cause__ = exc
    return error


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
_turn: int | None = None  # the lock file the operation's workers take turns to write with
_heard: list[tuple[Event, Handbook]] | None = None  # committed steps kept for the caller
_began: Any = None  # shared with the caller: the number of the last item this worker began
_stored: Any = None  # shared with the caller: the number of the last item whose write committed


def _start(
    spec: WorkerSpec, turn: str | None, began: Any, stored: Any, environ: dict[str, str]
) -> None:
    """A worker's initializer: build the caller's service again (its store opened here);
    ``turn`` is the lock file the workers take turns to write with, ``began`` and
    ``stored`` the shared numbers this worker writes each item's number in as it begins it
    and once its write has committed (:func:`mark_stored`); ``environ`` the caller's
    environment as the operation starts (a worker forked by the fork server has the
    server's, from when it started)."""
    from lamtheoguongbac._registry import create_registry

    if os.environ != environ:
        os.environ.clear()
        os.environ.update(environ)
    global _service, _turn, _began, _stored
    _began, _stored = began, stored
    _turn = None if turn is None else os.open(turn, os.O_RDWR)
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
    if _turn is not None and isinstance(_service.store, SqliteStore):
        # the store takes its turn around each write transaction itself, after it has
        # encoded what it writes: the lock is held for the writes alone
        _service.store.write_gate = _take_turn
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


class _NotBegun(Exception):
    """Raised in a worker for an item it could not even read (its class does not import
    there, say): it never began it."""


def _begin(task: Callable[[T], R], seq: int, payload: bytes) -> R:
    """``task(item)`` in a worker for the pickled item number ``seq``, once the caller can
    see that it began it."""
    try:
        item = pickle.loads(payload)
    except Exception as exc:
        raise _NotBegun(f"{type(exc).__name__}: {exc}") from None
    _began.value = seq
    return task(item)


def mark_stored() -> None:
    """In a worker: the item it is taking is stored (its write committed). Should the
    process die before it hands the item back, the caller knows it was stored whole
    (:class:`StoredThenDied`). In the caller's own process: nothing to do."""
    if _stored is not None:
        _stored.value = _began.value


def service() -> Handbooks:
    """This worker process's service (built by the pool's initializer)."""
    if _service is None:  # pragma: no cover - only a pool built here runs tasks
        raise LamTheoGuongBacError(
            "tiến trình phụ chưa được khởi tạo", "the worker process was not initialised"
        )
    return _service


# --- the caller's side ------------------------------------------------------------------------


#: What the fork server imports once, before it forks any worker.
_PRELOAD = ["lamtheoguongbac._service.bulk", "lamtheoguongbac._registry"]


def start_method() -> multiprocessing.context.BaseContext:
    """How worker processes start: on Linux from the **fork server** — a clean process
    started once, from no store, that has imported the library and forks a worker in
    milliseconds — else each as a new interpreter (*spawn*, about 0.3 s, paid by every bulk
    operation). The caller itself is never forked: it holds open stores.

    Spawn too in a process forked (``os.fork``) from one whose bulk steps started the fork
    server: CPython's record of that server is copied into the child, which cannot use it
    (it is not the child's own) and would fail every item as never sent.
    """
    if _inherited_server or not sys.platform.startswith("linux"):
        return multiprocessing.get_context("spawn")
    global _server_started
    _server_started = True
    context = multiprocessing.get_context("forkserver")
    # Read only when the server starts: a server the embedding program started first keeps
    # its own list (and its workers import the library themselves).
    context.set_forkserver_preload(_PRELOAD)
    return context


_server_started = False  # this process's bulk steps have used the fork server
_inherited_server = False  # this process was forked from one whose bulk steps had


def _forked() -> None:
    global _inherited_server
    _inherited_server = _inherited_server or _server_started


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_forked)


#: Cells a worker holds at once: the one it takes and the next, so it never waits for the
#: caller between cells. A death is still told apart: the older one was being taken, the
#: younger had not started (it is sent again, to the worker that replaces it).
DEPTH = 2


class _Workers(Generic[T, R]):
    """``jobs`` worker processes, each a pool of one: items sent to one are taken in order.
    A dead worker is replaced for the items behind the one it was taking, and for that one
    too if it never began it (it died as it started); a new one that dies before finishing
    anything is not replaced again (its items fail, as never sent)."""

    def __init__(self, jobs: int, spec: WorkerSpec, turn: str | None) -> None:
        self._context = start_method()
        self._spec, self._turn = spec, turn
        self._environ = dict(os.environ)
        # per worker, the number of the last item it began, and of the last one whose
        # write committed (written by the worker)
        self._began = [self._context.Value("q", -1, lock=False) for _ in range(jobs)]
        self._stored = [self._context.Value("q", -1, lock=False) for _ in range(jobs)]
        self._pools = [self._new_pool(k) for k in range(jobs)]
        self._replaced = [0] * jobs  # how many times each worker was replaced
        self._finished = [0] * jobs  # items its current process finished
        self.dead: set[int] = set()

    def _new_pool(self, k: int) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=1,
            mp_context=self._context,
            initializer=_start,
            initargs=(self._spec, self._turn, self._began[k], self._stored[k], self._environ),
        )

    def submit(self, k: int, task: Callable[[T], R], item: T, seq: int) -> cf.Future[R]:
        """Send item number ``seq`` to worker ``k``. It is pickled here, so an item that
        cannot be sent raises now, not later in the pool's feeder thread."""
        if k in self.dead:
            raise cf.BrokenExecutor(
                "the worker process died, and so did the one that replaced it before it "
                "finished anything"
            )
        payload = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        return self._pools[k].submit(_begin, task, seq, payload)

    def began(self, k: int, seq: int) -> bool:
        """Whether worker ``k`` began item ``seq`` (or a later one): items are taken in
        order, so an item it had not reached when it died was never begun."""
        return bool(self._began[k].value >= seq)

    def stored(self, k: int, seq: int) -> bool:
        """Whether worker ``k`` had stored item ``seq`` (:func:`mark_stored`)."""
        return bool(self._stored[k].value == seq)

    def finished(self, k: int, future: cf.Future[R]) -> BaseException | None:
        """Worker ``k``'s oldest item is done: what it raised, if anything (a
        :class:`~concurrent.futures.BrokenExecutor` when the worker died taking it)."""
        exc = future.exception()  # a KeyboardInterrupt in the worker too: that item's
        if isinstance(exc, cf.BrokenExecutor):
            self.replace(k)
        else:
            self._finished[k] += 1
        return exc

    def replace(self, k: int) -> None:
        """A new process for worker ``k``, whose process died."""
        if k in self.dead:
            return
        if self._replaced[k] and not self._finished[k]:
            self.dead.add(k)  # it dies at once (a store it cannot open …): stop there
            return
        self._pools[k].shutdown(wait=False)
        self._pools[k] = self._new_pool(k)
        self._replaced[k] += 1
        self._finished[k] = 0

    def stop(self) -> None:
        for pool in self._pools:
            pool.shutdown(wait=True, cancel_futures=True)


def ordered_map(
    task: Callable[[T], R],
    items: Iterable[T],
    *,
    jobs: int,
    spec: WorkerSpec,
    route: Callable[[T], Hashable],
    here: Callable[[T], R | None],
    failed: Callable[[T, BaseException], R],
    settle: Callable[[R], object],
    pinned: Callable[[T], bool] = lambda item: False,
) -> Generator[R, None, None]:
    """``task(item)`` for each item in ``jobs`` worker processes, yielded in the items'
    order as each is ready.

    An item ``here(item)`` answers (not ``None``) is not sent at all. Any other goes to a
    worker chosen by its key, ``route(item)``: items of one key go to one worker, which
    takes its items in order, holding :data:`DEPTH` at a time. A key goes to the worker
    with the fewest items waiting when the first of its items is read, and stays with it
    while any of them waits — or for the whole operation when ``pinned(item)`` (the worker
    keeps running figures for that key). Keys spread by their hash alone had left one
    worker idle while cells for the other waited (issue 11). The caller keeps the
    items not sent, reading at most :data:`AHEAD` items per worker ahead, so a stream of
    items is never read into memory. An item whose worker raised or
    died taking it is yielded as ``failed(item, error)`` — ``StoredThenDied(…)`` when it
    died after :func:`mark_stored` — and one no worker took as ``failed(item,
    NotSent(…))``; a worker that died is replaced and the items behind that one are sent
    again (see :class:`_Workers`).

    When the items or the consumer raise (or the consumer stops early, or Ctrl-C comes),
    the items the workers hold are waited for and, with those done and not yet handed over,
    given to ``settle``; the items not sent are dropped; then the error goes on: what a
    worker stored is never left unaccounted for.
    """
    with contextlib.ExitStack() as stack:
        turn = stack.enter_context(_turn_file()) if _one_writer(spec.url) else None
        workers: _Workers[T, R] = _Workers(jobs, spec, turn)
        stack.callback(workers.stop)
        owners = _Owners(jobs)
        queues: list[collections.deque[tuple[int, T]]] = [collections.deque() for _ in range(jobs)]
        # per worker, oldest first: (sequence number, item, future)
        held: list[collections.deque[tuple[int, T, cf.Future[R]]]] = [
            collections.deque() for _ in range(jobs)
        ]
        done: dict[int, R] = {}  # results not yet handed over, by sequence number
        order: collections.deque[int] = collections.deque()  # sequence numbers read
        source = iter(items)
        exhausted = False
        count = 0

        def start(k: int) -> None:
            while len(held[k]) < DEPTH and queues[k]:
                seq, item = queues[k][0]
                try:
                    future = workers.submit(k, task, item, seq)
                except cf.BrokenExecutor as exc:
                    if held[k]:
                        return  # the oldest it holds will tell which item killed it
                    workers.replace(k)  # it died idle, or as it started
                    if k not in workers.dead:
                        continue
                    queues[k].popleft()
                    owners.release(route(item))
                    done[seq] = failed(item, _not_sent(exc))
                    continue
                except Exception as exc:  # the item cannot be sent
                    queues[k].popleft()
                    owners.release(route(item))
                    done[seq] = failed(item, _not_sent(exc))
                    continue
                queues[k].popleft()
                held[k].append((seq, item, future))

        def collect(k: int) -> None:
            """Worker ``k``'s oldest item, which is done."""
            seq, item, future = held[k][0]
            broken = False
            try:
                exc = workers.finished(k, future)
                broken = isinstance(exc, cf.BrokenExecutor)
                if isinstance(exc, cf.BrokenExecutor) and not workers.began(k, seq):
                    # Its worker died before it (as it started, or between items).
                    if k not in workers.dead:  # the replacement takes it
                        held[k].popleft()
                        requeue(k)
                        queues[k].appendleft((seq, item))  # first: the items keep their order
                        return
                    exc = _not_sent(exc)
                elif isinstance(exc, _NotBegun):  # the worker could not read it
                    exc = _not_sent(exc)
                elif broken and workers.stored(k, seq):  # it died after its commit
                    stored = StoredThenDied(str(exc))
                    stored.__cause__ = exc
                    exc = stored
                done[seq] = future.result() if exc is None else failed(item, exc)
            except cf.CancelledError as cancelled:
                done[seq] = failed(item, _not_sent(cancelled))
            held[k].popleft()  # only once its outcome is known
            owners.release(route(item))
            if broken:  # the ones behind it never started
                requeue(k)

        def requeue(k: int) -> None:
            """Worker ``k``'s items behind a death, to send again, in order."""
            while held[k]:
                later, later_item, _ = held[k].pop()
                queues[k].appendleft((later, later_item))

        try:
            while True:
                while not exhausted and len(order) < jobs * AHEAD:
                    try:
                        item = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    answer = here(item)
                    if answer is not None:
                        done[count] = answer
                    else:
                        key = route(item)
                        k = owners.take(key, pinned(item), queues, held, workers.dead)
                        queues[k].append((count, item))
                        start(k)
                    order.append(count)
                    count += 1
                while order and order[0] in done:
                    yield done.pop(order.popleft())
                if exhausted and not order:
                    return
                futures = [f for hold in held for _, _, f in hold]
                if futures:
                    cf.wait(futures, return_when=cf.FIRST_COMPLETED)
                for k in range(jobs):
                    while held[k] and held[k][0][2].done():
                        collect(k)
                    start(k)
        except BaseException:  # GeneratorExit and KeyboardInterrupt too
            for queue in queues:
                queue.clear()  # not sent: nothing of them is stored
            for k in range(jobs):
                while held[k]:
                    cf.wait([held[k][0][2]])
                    collect(k)
                    queues[k].clear()  # what a dead worker held, never started: dropped
            for result in done.values():
                settle(result)
            raise


class _Owners:
    """Which worker takes each key's items (:func:`ordered_map`)."""

    def __init__(self, jobs: int) -> None:
        self._jobs = jobs
        self._owner: dict[Hashable, int] = {}
        self._waiting: collections.Counter[Hashable] = collections.Counter()
        self._pinned: set[Hashable] = set()

    def take(
        self,
        key: Hashable,
        pinned: bool,
        queues: list[collections.deque[Any]],
        held: list[collections.deque[Any]],
        dead: set[int],
    ) -> int:
        """The worker for one more item of ``key``: its owner's, else the live worker with
        the fewest items queued and held (the first of them on a tie)."""
        k = self._owner.get(key)
        if k is None:
            live = [j for j in range(self._jobs) if j not in dead] or list(range(self._jobs))
            k = min(live, key=lambda j: len(queues[j]) + len(held[j]))
            self._owner[key] = k
        if pinned:
            self._pinned.add(key)
        self._waiting[key] += 1
        return k

    def release(self, key: Hashable) -> None:
        """One item of ``key`` is finished: a key with none waiting, not pinned, is free to
        go to another worker (so the map holds only the keys of items in flight)."""
        left = self._waiting[key] - 1
        if left > 0:
            self._waiting[key] = left
            return
        del self._waiting[key]
        if key not in self._pinned:
            self._owner.pop(key, None)


def _one_writer(url: str) -> bool:
    """Whether the store takes one writer at a time and makes the others poll for it (a
    SQLite file): the workers then take turns through a lock file instead. A server
    (PostgreSQL) takes their writes at once."""
    return fcntl is not None and url.split(":", 1)[0].endswith("sqlite")


@contextlib.contextmanager
def _turn_file() -> Iterator[str]:
    """A new lock file for one operation's workers, removed after it."""
    fd, path = tempfile.mkstemp(prefix="lamtheoguongbac-turn-", suffix=".lock")
    os.close(fd)
    try:
        yield path
    finally:
        with contextlib.suppress(OSError):
            os.remove(path)


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
    """This worker's turn to write a SQLite file, around a write of the bulk steps: the
    workers of one operation write one at a time, handing the file over at once, instead of
    each waiting on SQLite's own lock, which polls (it sleeps up to milliseconds between
    tries). The lock is a file lock, which the system releases when its holder dies. A store
    with a ``write_gate`` (the built-in SQLite store) takes the turn itself, once it has
    encoded its writes; other stores, and the caller: no wait."""
    if _turn is None or fcntl is None or _gated():
        yield
        return
    with _take_turn():
        yield


@contextlib.contextmanager
def log_copied(store: Store) -> Iterator[None]:
    """Around an operation's worker processes, in the caller: the log of a SQLite store
    (whose workers take turns through its ``write_gate`` and copy the log into the file
    only every 256 handbooks) copied into the file once they are done, so it does not
    grow from one operation to the next."""
    try:
        yield
    finally:
        if isinstance(store, SqliteStore):
            try:
                store.checkpoint()
            except LamTheoGuongBacError:  # closed meanwhile: never hide what happened
                log.warning("cannot checkpoint the store after the workers", exc_info=True)


def _gated() -> bool:
    return _service is not None and getattr(_service.store, "write_gate", None) is _take_turn


@contextlib.contextmanager
def _take_turn() -> Iterator[None]:
    assert _turn is not None  # set only with fcntl, by _start
    assert fcntl is not None
    fcntl.flock(_turn, fcntl.LOCK_EX)
    try:
        yield
    finally:
        fcntl.flock(_turn, fcntl.LOCK_UN)
