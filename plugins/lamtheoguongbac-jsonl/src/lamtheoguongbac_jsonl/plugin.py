"""The entry point of the plugin: registers the ``jsonl:`` storage backend.

Named in ``pyproject.toml`` so that installing the distribution is all it takes::

    [project.entry-points.lamtheoguongbac]
    jsonl = "lamtheoguongbac_jsonl.plugin"
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import StorageBackend

__all__ = ["register_storage_backends"]


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the JSON-lines backend (kho JSON Lines) for ``jsonl:///…`` URLs."""
    # Imported when the registry asks, not when it loads this module: lamtheoguongbac loads
    # every entry point at start, and most runs never open this store.
    from lamtheoguongbac.plugin import StorageBackend
    from lamtheoguongbac_jsonl.store import SCHEME, JsonLinesStore

    register(
        StorageBackend(
            scheme=SCHEME,
            open=JsonLinesStore.from_url,
            description_vi="Một tệp JSON Lines (mỗi dòng một bản ghi), ghi nguyên khối",
            description_en="One JSON-lines file (a record per line), written atomically",
        )
    )
