"""The JSON documents commands read with ``--file`` (pledges, a report) or ``--findings``: one
reader, so each refuses the same way what it does not know.

A document is an object of known top-level keys plus ``schema_version`` (this release's when
not given). An unknown top-level key is refused naming its JSON path, as an unknown key
inside a pledge is: a producer who believes ``"recorded_by"`` is honoured learns that it is
not (who acts is who signs: the signer is the ``--as`` the system authenticated). The
version is checked once for the document, at ``$.schema_version``, as
:func:`lamtheoguongbac.serde.from_dict` checks it (newer than this release, not a whole
number); each part is then migrated by ``from_dict``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path
from typing import Any, TypeVar

from lamtheoguongbac._errors import Problem, ValidationFailed

__all__ = ["JsonDocument", "read_document"]

T = TypeVar("T")


class JsonDocument:
    """A JSON document read by :func:`read_document`: its top-level object, its schema
    version and the file it came from."""

    def __init__(self, data: dict[str, Any], version: int, source: str) -> None:
        self.data, self.version, self.source = data, version, source

    def part(self, path: str, cls: type[T]) -> T:
        """Structure the part at ``path`` (``"report"``, ``"pledges[2]"``) as ``cls`` with the
        document's schema version; errors name the file and the JSON path."""
        from lamtheoguongbac import serde

        key, _, index = path.partition("[")
        item: Any = self.data.get(key)
        if index:
            position = int(index.rstrip("]"))
            item = item[position] if isinstance(item, list) and position < len(item) else None
        if item is None:
            raise ValidationFailed(f"thiếu '{path}'", f"'{path}' is missing", field=self.source)
        try:
            return serde.from_dict(
                cls, {"schema_version": self.version, **item} if isinstance(item, dict) else item
            )
        except ValidationFailed as exc:
            where = f"{self.source}: $.{path}"
            raise ValidationFailed(
                exc.reason_vi,
                exc.reason_en,
                field=f"{where}{(exc.field or '$')[1:]}",
                errors=[
                    Problem(p.text_vi, p.text_en, path=f"{where}{(p.path or '$')[1:]}")
                    for p in exc.problems
                ],
            ) from exc


def read_document(path: Path, keys: Collection[str], *, shape: str) -> JsonDocument:
    """Read the JSON document ``path`` whose top-level keys may be ``keys`` and
    ``schema_version``; ``shape`` shows the expected layout in errors
    (``'{"pledges": [...]}'``).

    Raises:
        ValidationFailed: the file cannot be read or parsed, is not an object, holds an
            unknown top-level key (named by its JSON path, ``"f.json: $.recorded_by"``), or
            a ``schema_version`` this release cannot read (at ``$.schema_version``).
    """
    from lamtheoguongbac import serde
    from lamtheoguongbac.serde import _migrate

    source = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            f"không đọc được tệp: {exc.strerror}",
            f"cannot read the file: {exc.strerror}",
            field=source,
        ) from exc
    data = serde.parse_json(raw.removeprefix(b"\xef\xbb\xbf"), source=source)
    if not isinstance(data, dict):
        raise ValidationFailed(f"cần {shape}", f"expected {shape}", field=source)
    allowed = ["schema_version", *keys]
    unknown = sorted(k for k in data if k not in allowed)
    if unknown:
        known = ", ".join(allowed)
        raise ValidationFailed(
            f"trường không được phép: {', '.join(unknown)} (chỉ đọc {known})",
            f"unknown field(s): {', '.join(unknown)} (only {known} are read)",
            # One key: named by its own path; several: each in the list of problems.
            field=f"{source}: $" + (f".{unknown[0]}" if len(unknown) == 1 else ""),
            errors=[
                Problem(
                    f"trường không được phép (chỉ đọc {known})",
                    f"unknown field (only {known} are read)",
                    path=f"{source}: $.{key}",
                )
                for key in unknown
            ]
            if len(unknown) > 1
            else [],
        )
    version = data.get("schema_version", serde.SCHEMA_VERSION)
    try:
        _migrate({"schema_version": version})
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.reason_vi, exc.reason_en, field=f"{source}: $.schema_version"
        ) from exc
    return JsonDocument(data, version, source)
