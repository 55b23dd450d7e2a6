"""The entry point of the plugin: registers the ``jsonl:`` storage backend.

Named in ``pyproject.toml`` so that installing the distribution is all it takes::

    [project.entry-points.lamtheoguongbac]
    jsonl = "lamtheoguongbac_jsonl.plugin"
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import StorageBackend

__all__ = ["register_storage_backends"]


def _exists(url: str) -> bool:
    """Whether the store of ``url`` exists (its data file, or a folder holding one)."""
    from lamtheoguongbac_jsonl.store import DATA_FILE, path_from_url

    target = path_from_url(url)
    return (target / DATA_FILE).is_file() if target.is_dir() else target.is_file()


def _remove(url: str) -> None:
    """Delete the store ``open`` has just created for ``url`` (a command that created it
    failed): its data and lock files, and its folder when nothing else is left in it."""
    from lamtheoguongbac_jsonl.store import DATA_FILE, path_from_url

    target = path_from_url(url)
    folder = target if target.is_dir() else None
    data = target / DATA_FILE if folder is not None else target
    for path in (data, data.with_name(data.name + ".lock")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
    if folder is not None:
        with contextlib.suppress(OSError):  # not empty: someone else's files stay
            folder.rmdir()


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
            exists=_exists,
            remove=_remove,
            description_vi="Một tệp JSON Lines (mỗi dòng một bản ghi), ghi nguyên khối",
            description_en="One JSON-lines file (a record per line), written atomically",
        )
    )
