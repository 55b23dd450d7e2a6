"""Batch export on a Dask cluster (xuất trên cụm máy Dask).

:func:`dask_executor` connects to a running ``dask scheduler`` and hands
:func:`~lamtheoguongbac.export.export_handbooks` its :class:`concurrent.futures.Executor`.
Dask distributed is an optional extra: ``pip install ".[dask]"`` in a checkout.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
from collections.abc import Iterator
from typing import Any

from lamtheoguongbac._errors import PluginError

__all__ = ["dask_executor"]


@contextlib.contextmanager
def dask_executor(address: Any, *, timeout: float | None = None) -> Iterator[cf.Executor]:
    """An executor running on the Dask cluster at ``address``, for the length of the block.

    ``address`` is the scheduler's address (``"tcp://10.0.0.5:8786"``), or anything
    :class:`distributed.Client` accepts (a ``LocalCluster``). The client is closed when the
    block ends; the cluster keeps running. Tasks are submitted as impure (each shard runs
    even if an identical one ran before: a resumed export must write its files again).

    Raises:
        PluginError: ``distributed`` is not installed, or the scheduler cannot be reached
            within ``timeout`` seconds (None: Dask's ``distributed.comm.timeouts.connect``,
            30 s unless configured).

    Example:
        >>> from distributed import LocalCluster
        >>> from lamtheoguongbac.export import dask_executor
        >>> with LocalCluster(n_workers=1, processes=False, dashboard_address=":0") as cluster:
        ...     with dask_executor(cluster.scheduler_address) as executor:
        ...         print(executor.submit(sum, [1, 2, 3]).result())
        ...
        6
    """
    try:
        import distributed
    except ImportError as exc:
        raise PluginError(
            "Chưa cài Dask distributed: trong thư mục mã nguồn chạy pip install '.[dask]', "
            "hoặc chạy pip install 'distributed>=2024.8'",
            "Dask distributed is not installed: in a checkout run pip install '.[dask]', or "
            "run pip install 'distributed>=2024.8'",
        ) from exc
    try:
        # distributed is untyped: held as Any so mypy does not ask for its stubs.
        make_client: Any = distributed.Client
        extra = {} if timeout is None else {"timeout": timeout}
        client = make_client(address, set_as_default=False, **extra)
    except (OSError, TimeoutError) as exc:
        raise PluginError(
            f"Không kết nối được bộ điều phối Dask {address}: {exc}",
            f"cannot reach the Dask scheduler {address}: {exc}",
        ) from exc
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
