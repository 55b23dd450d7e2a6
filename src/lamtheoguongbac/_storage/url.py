"""The store URL convention every backend follows (địa chỉ kho).

A store is named by ``scheme:rest``; the scheme picks the backend, the rest is the
backend's to read. Backends that keep a file or a folder use the path forms, as SQLAlchemy
does for SQLite::

    sqlite:///so-tay.db                 relative to the working directory (three slashes)
    sqlite:////var/lib/ltgb/so-tay.db   absolute: three slashes, then the path's own "/"
    jsonl:///C:/du-lieu                 a Windows drive path (absolute on Windows)
    memory:                             nothing after the colon: the backend's default
    memory:2025                         an opaque name, for backends without paths

``%xx`` escapes in the rest are decoded (``%25`` is ``%``, ``%3F`` is ``?``); a host part
(``scheme://host/…``), a query (``?``) or a fragment (``#``) is refused, so a URL can never
mean two things. :func:`parse_store_url` applies the convention and :func:`store_url`
writes it back.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path

import attrs

from lamtheoguongbac._errors import StoreError
from lamtheoguongbac._public import publish_namespace

__all__ = ["StoreURL", "parse_store_url", "store_url"]

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


@attrs.frozen(kw_only=True)
class StoreURL:
    """A parsed store URL: the ``scheme`` (lower-cased), and either the ``path`` of the
    ``scheme:///…`` forms or the ``name`` after the colon (``""`` for ``scheme:``).

    Example:
        >>> from lamtheoguongbac.plugin import parse_store_url
        >>> url = parse_store_url("sqlite:///du-lieu/so-tay.db")
        >>> url.scheme, url.path, url.name
        ('sqlite', PosixPath('du-lieu/so-tay.db'), '')
    """

    url: str
    scheme: str
    path: Path | None = None
    name: str = ""


def _refuse(url: str, scheme: str, vi: str, en: str) -> StoreError:
    forms = f"{scheme}:///tương/đối, {scheme}:////tuyệt/đối"
    forms_en = f"{scheme}:///relative/path, {scheme}:////absolute/path"
    return StoreError(
        f"Địa chỉ kho '{url}' không hợp lệ: {vi}; dùng {forms}",
        f"invalid store URL '{url}': {en}; use {forms_en}",
    )


def parse_store_url(url: str, *, scheme: str | None = None, path: bool = False) -> StoreURL:
    """Parse ``url`` by the store URL convention (see the module docstring).

    Args:
        url: the URL, as given to the backend's ``open``.
        scheme: the scheme the backend serves; another scheme is refused.
        path: the backend needs a path (``scheme:///…``); ``scheme:`` or ``scheme:name`` is
            refused.

    Raises:
        StoreError: the URL breaks the convention (the message shows the right forms).

    Example:
        >>> from lamtheoguongbac import ValidationFailed
        >>> from lamtheoguongbac.plugin import parse_store_url
        >>> parse_store_url("jsonl:///du-lieu", scheme="jsonl", path=True).path
        PosixPath('du-lieu')
        >>> parse_store_url("memory:2025").name
        '2025'
    """
    head, colon, rest = url.partition(":")
    if not colon or not _SCHEME.fullmatch(head):
        raise StoreError(
            f"Địa chỉ kho '{url}' không có loại kho ('loai:...')",
            f"the store URL '{url}' has no scheme ('scheme:...')",
        )
    found = head.lower()
    if scheme is not None and found != scheme.lower():
        raise StoreError(
            f"Địa chỉ '{url}' không phải dạng '{scheme}:'", f"'{url}' is not a '{scheme}:' URL"
        )
    if "?" in rest or "#" in rest:
        raise _refuse(url, found, "không hỗ trợ '?' hay '#'", "'?' and '#' are not supported")
    if rest.startswith("///"):
        text = urllib.parse.unquote(rest[3:])
        if not text:
            raise _refuse(url, found, "thiếu đường dẫn", "the path is missing")
        return StoreURL(url=url, scheme=found, path=Path(text))
    if rest.startswith("//"):
        raise _refuse(
            url, found, "không hỗ trợ máy chủ ('//máy/')", "a host ('//host/') is not supported"
        )
    if path:
        raise _refuse(url, found, "cần một đường dẫn", "a path is required")
    return StoreURL(url=url, scheme=found, name=urllib.parse.unquote(rest))


def store_url(scheme: str, path: str | os.PathLike[str]) -> str:
    """The URL of the store at ``path``: ``scheme:///`` then the path, with ``%`` ``?`` ``#``
    escaped (an absolute path gets four slashes).

    Example:
        >>> from lamtheoguongbac.plugin import store_url, parse_store_url
        >>> url = store_url("sqlite", "/srv/dữ liệu/so-tay#1.db")
        >>> url
        'sqlite:////srv/dữ liệu/so-tay%231.db'
        >>> parse_store_url(url, path=True).path
        PosixPath('/srv/dữ liệu/so-tay#1.db')
    """
    text = os.fspath(path).replace("%", "%25").replace("?", "%3F").replace("#", "%23")
    return f"{scheme}:///{text}"


publish_namespace("lamtheoguongbac.plugin", {"StoreURL": StoreURL})  # its public home
