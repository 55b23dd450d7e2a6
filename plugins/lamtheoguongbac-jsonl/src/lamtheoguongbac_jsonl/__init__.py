"""A JSON-lines storage backend for lamtheoguongbac (kho lưu trữ JSON Lines).

Install the distribution and open a store by URL; the ``jsonl`` scheme is registered through
the ``lamtheoguongbac`` entry-point group::

    from lamtheoguongbac import Handbooks

    with Handbooks.open("jsonl:///du-lieu-chi-bo") as service:
        ...

See :mod:`lamtheoguongbac_jsonl.store` for the file layout and how the store contract is kept.
"""

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
