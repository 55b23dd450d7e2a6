"""The entry points of one group, found without importing :mod:`importlib.metadata`.

Every command line run loads the plugins' entry points, and importing
:mod:`importlib.metadata` (which imports :mod:`email`, :mod:`zipfile`, :mod:`csv` …) and
parsing every distribution's metadata cost more than a third of ``lamtheoguongbac --help``
(issue 9). This module does what ``importlib.metadata.entry_points(group=…)`` does for the
common case — distributions installed as ``*.dist-info`` / ``*.egg-info`` folders in the
directories of ``sys.path`` — and reads the metadata of only the distributions that
provide an entry point of the group:

* the same places, in the same order: each entry of ``sys.path`` (``""`` is the current
  folder), its children in directory order;
* the same distributions: the first one found of each name wins, names compared as
  ``importlib.metadata`` does (the folder's name before the first ``-``, PEP 503
  normalised, ``-`` as ``_``);
* the same parsing of ``entry_points.txt`` and of ``name = module:attr [extras]`` (a line
  without ``=`` is skipped, where ``importlib.metadata`` would fail every distribution's).

Anything else — a zip or ``.egg`` on ``sys.path``, a meta-path finder that brings its own
distributions — falls back to :mod:`importlib.metadata` itself, so the answer is always
the one it gives.
"""

from __future__ import annotations

import functools
import importlib
import os
import re
import sys
from collections.abc import Iterable, Iterator
from typing import Any

__all__ = ["Distribution", "EntryPoint", "entry_points"]

_ENTRY = re.compile(r"(?P<module>[\w.]+)\s*(:\s*(?P<attr>[\w.]+)\s*)?((?P<extras>\[.*\])\s*)?$")
_INFO_SUFFIXES = (".dist-info", ".egg-info")


class Distribution:
    """The name and version of an installed distribution, read from its metadata."""

    __slots__ = ("_fields", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self._fields: dict[str, str] | None = None

    def _metadata(self) -> dict[str, str]:
        if self._fields is None:
            self._fields = {}
            for name in ("METADATA", "PKG-INFO"):
                text = _read(os.path.join(self.path, name))
                if text is not None:
                    self._fields = _headers(text)
                    break
        return self._fields

    @property
    def name(self) -> str | None:
        """The ``Name`` field of the metadata (None when it has none)."""
        return self._metadata().get("name")

    @property
    def version(self) -> str | None:
        """The ``Version`` field of the metadata (None when it has none)."""
        return self._metadata().get("version")

    def __repr__(self) -> str:
        return f"Distribution({self.path!r})"


class EntryPoint:
    """One entry point: ``name = value`` in section ``group`` of ``dist``."""

    __slots__ = ("dist", "group", "name", "value")

    def __init__(self, name: str, value: str, group: str, dist: Distribution | None) -> None:
        self.name, self.value, self.group, self.dist = name, value, group, dist

    def load(self) -> Any:
        """Import the module and return the named object (the module when none is named)."""
        match = _ENTRY.match(self.value)
        if match is None:
            raise ValueError(f"invalid entry point value: {self.value!r}")
        module = importlib.import_module(match.group("module"))
        attrs = filter(None, (match.group("attr") or "").split("."))
        return functools.reduce(getattr, attrs, module)

    def __repr__(self) -> str:
        return f"EntryPoint(name={self.name!r}, value={self.value!r}, group={self.group!r})"


def entry_points(group: str) -> list[Any]:
    """The entry points of ``group`` of every installed distribution, as
    ``importlib.metadata.entry_points(group=group)`` lists them (``name``, ``value``,
    ``group``, ``dist.name``, ``dist.version``, ``load()``)."""
    paths = list(sys.path)
    if not _plain(paths):
        import importlib.metadata

        return list(importlib.metadata.entry_points(group=group))
    found: list[Any] = []
    for folder in _unique_distributions(paths):
        text = _read(os.path.join(folder, "entry_points.txt"))
        if text is None or f"[{group}]" not in text:
            continue
        dist = Distribution(folder)
        found.extend(EntryPoint(n, v, group, dist) for n, v in _section(text, group))
    return found


def _plain(paths: Iterable[str]) -> bool:
    """Whether ``importlib.metadata`` would look only in directories of ``paths``: the one
    finder with ``find_distributions`` is the standard path finder, and no entry is a zip,
    an egg or another file."""
    from importlib.machinery import PathFinder

    for finder in sys.meta_path:
        if finder is not PathFinder and getattr(finder, "find_distributions", None) is not None:
            return False
    for entry in paths:
        if not isinstance(entry, str):
            return False
        if entry.lower().endswith(".egg") or (os.path.exists(entry) and not os.path.isdir(entry)):
            return False
    return True


def _unique_distributions(paths: Iterable[str]) -> Iterator[str]:
    """The metadata folders in ``paths``, the first of each normalised name only."""
    seen: set[str] = set()
    for entry in paths:
        root = entry or "."
        try:
            children = os.listdir(root)
        except OSError:
            continue
        for child in children:
            low = child.lower()
            if not low.endswith(_INFO_SUFFIXES):
                continue
            stem = child.rpartition(".")[0]
            name = re.sub(r"[-_.]+", "-", stem.partition("-")[0]).lower().replace("-", "_")
            if name in seen:
                continue
            seen.add(name)
            yield os.path.join(entry, child)


def _section(text: str, group: str) -> Iterator[tuple[str, str]]:
    """``(name, value)`` of each line of section ``[group]`` (as ``importlib.metadata``'s
    ``Sectioned`` reads it: lines stripped, blanks and ``#`` comments skipped)."""
    section = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line.strip("[]")
            continue
        if section == group:
            name, sep, value = line.partition("=")
            # importlib.metadata raises for a line without "=", failing every plugin's
            # discovery; one distribution's broken line must not break the host.
            if sep:
                yield name.strip(), value.strip()


def _headers(text: str) -> dict[str, str]:
    """The first ``Name`` and ``Version`` fields of a metadata file's header block."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            break  # the body (the long description) follows the first blank line
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if sep and key in ("name", "version") and key not in fields and line[:1] not in " \t":
            fields[key] = value.strip()
    return fields


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as file:
            return file.read()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError, PermissionError):
        return None
