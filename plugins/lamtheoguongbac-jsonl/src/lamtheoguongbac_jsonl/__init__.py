"""A JSON-lines storage backend for lamtheoguongbac (kho lưu trữ JSON Lines).

Install the distribution and open a store by URL; the ``jsonl`` scheme is registered through
the ``lamtheoguongbac`` entry-point group::

    from lamtheoguongbac import Handbooks

    with Handbooks.open("jsonl:///du-lieu-chi-bo") as service:
        ...

See :mod:`lamtheoguongbac_jsonl.store` for the file layout and how the store contract is kept.
"""

from __future__ import annotations

import importlib

# Resolved on first use: lamtheoguongbac loads this package (its entry point) at every start.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lamtheoguongbac_jsonl.store import (
        DATA_FILE,
        FORMAT,
        FORMAT_VERSION,
        SCHEME,
        JsonLinesStore,
        path_from_url,
        url_for,
    )

__all__ = [
    "DATA_FILE",
    "FORMAT",
    "FORMAT_VERSION",
    "SCHEME",
    "JsonLinesStore",
    "path_from_url",
    "url_for",
]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.store"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
