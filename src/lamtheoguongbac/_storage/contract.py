"""The storage contract as code, for every backend (hợp đồng kho lưu trữ): the checks a
write makes before touching anything, the filter and order of a query, the roster sort key,
and the errors a backend raises.

Every backend must behave identically — the conformance suite in
:mod:`lamtheoguongbac.testing` holds them to it — so the built-in stores and third-party
ones (see ``plugins/lamtheoguongbac-jsonl``) call these instead of re-writing them::

    from lamtheoguongbac._storage.contract import check_entry, handbook_order, matches
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from lamtheoguongbac import serde
from lamtheoguongbac._audit import RecordEvent
from lamtheoguongbac._errors import (
    ConflictError,
    LamTheoGuongBacError,
    NotAuthorised,
    NotFound,
    StoreError,
    ValidationFailed,
)
from lamtheoguongbac._exemplars import Exemplar
from lamtheoguongbac._inspections import Inspection
from lamtheoguongbac._model import Event, EventKind, Handbook, Member, OrgUnit, Role
from lamtheoguongbac._storage import _json
from lamtheoguongbac._storage.base import HandbookQuery
from lamtheoguongbac.text import ICU_AVAILABLE, name_sort_key, nfc

T = TypeVar("T")

__all__ = [
    "check_entry",
    "check_exemplar_update",
    "check_inspection_update",
    "check_signatures",
    "check_update",
    "checked_chunks",
    "collation_fingerprint",
    "duplicate_error",
    "exemplar_exists",
    "exemplar_matches",
    "exemplar_stale",
    "handbook_order",
    "inspection_exists",
    "inspection_matches",
    "inspection_stale",
    "matches",
    "member_order",
    "normalise_query",
    "not_found",
    "read_stored",
    "roster_key",
    "stale_error",
    "trusted_restore",
]


@functools.lru_cache(maxsize=100_000)
def _name_key(full_name: str, override: str | None) -> bytes:
    # The tuple of collation keys is flattened into one byte string that sorts the same way:
    # each part escapes 0x00 as 0x00 0x01 and ends with 0x00 0x00, so a part that is a prefix
    # of another sorts first and a 1-part override key sorts before a 3-part key it starts.
    return b"".join(
        part.replace(b"\x00", b"\x00\x01") + b"\x00\x00"
        for part in name_sort_key(full_name, override)
    )


def roster_key(full_name: str, override: str | None) -> bytes:
    """The roster order of a person as one byte string (compared like
    :func:`lamtheoguongbac.text.name_sort_key`, so SQLite can sort it as a BLOB).

    Example:
        >>> from lamtheoguongbac.plugin import roster_key
        >>> names = ["Trần Văn Bình", "Lê Thị Ánh", "Nguyễn An"]
        >>> sorted(names, key=lambda name: roster_key(name, None))
        ['Nguyễn An', 'Lê Thị Ánh', 'Trần Văn Bình']
    """
    return _name_key(full_name, override)


# Names whose keys pin down the collation in use: a store whose keys were computed with a
# different collation (PyICU installed or not, another release) re-keys its rows.
_PROBE_NAMES = (
    "Lê An",
    "Võ Minh An",
    "Nguyễn Văn An",
    "Phạm Thị Ánh",
    "Trần Thị Bình",
    "Đỗ Văn Đức",
    "Ngô Hoà",
    "Ngô Hòa",
    "Ðinh Ước",
    "anh",
    "Anh",
)


@functools.cache
def collation_fingerprint() -> str:
    """A short digest of the roster collation this process uses.

    Example:
        >>> from lamtheoguongbac.plugin import collation_fingerprint
        >>> from lamtheoguongbac.text import ICU_AVAILABLE
        >>> fingerprint = collation_fingerprint()
        >>> (
        ...     fingerprint.startswith("icu:" if ICU_AVAILABLE else "py:"),
        ...     fingerprint == collation_fingerprint(),
        ... )
        (True, True)
    """
    digest = hashlib.sha256(b"|".join(roster_key(n, None) for n in _PROBE_NAMES))
    return f"{'icu' if ICU_AVAILABLE else 'py'}:{digest.hexdigest()[:16]}"


def handbook_order(handbook: Handbook) -> tuple[int, str, bytes, str]:
    """The contract's query order: (year, cell id, member roster order, id).

    Example:
        >>> from lamtheoguongbac.plugin import handbook_order
        >>> from lamtheoguongbac.testing import make_handbook
        >>> books = [
        ...     make_handbook(year=2025, index=2),
        ...     make_handbook(year=2024, index=1),
        ...     make_handbook(year=2025, index=1),
        ... ]
        >>> [(b.period.start.year, b.member.full_name) for b in sorted(books, key=handbook_order)]
        [(2024, 'Trần Văn Sơn'), (2025, 'Lê Quang Cường'), (2025, 'Trần Văn Sơn')]
    """
    member = handbook.member
    return (
        handbook.year,
        handbook.cell.id,
        roster_key(member.full_name, member.sort_key),
        handbook.id,
    )


def member_order(member: Member) -> tuple[str, bytes, str]:
    """Members are listed by cell, then roster order, then id.

    Example:
        >>> from lamtheoguongbac import Member
        >>> from lamtheoguongbac.plugin import member_order
        >>> members = [
        ...     Member(id="dv2", full_name="Trần Văn Bình", cell_id="cb"),
        ...     Member(id="dv1", full_name="Lê Thị Ánh", cell_id="cb"),
        ... ]
        >>> [m.full_name for m in sorted(members, key=member_order)]
        ['Lê Thị Ánh', 'Trần Văn Bình']
    """
    return (member.cell_id, roster_key(member.full_name, member.sort_key), member.id)


def normalise_query(query: HandbookQuery) -> HandbookQuery:
    """``query`` with its identifiers in NFC, the form every stored value uses.

    Example:
        >>> import unicodedata
        >>> from lamtheoguongbac.plugin import HandbookQuery, normalise_query
        >>> typed_on_a_mac = unicodedata.normalize("NFD", "chi-bộ-1")
        >>> normalise_query(HandbookQuery(cell_id=typed_on_a_mac)).cell_id == "chi-bộ-1"
        True
    """
    return HandbookQuery(
        organisation_id=None if query.organisation_id is None else nfc(query.organisation_id),
        cell_id=None if query.cell_id is None else nfc(query.cell_id),
        year=query.year,
        status=query.status,
        member_id=None if query.member_id is None else nfc(query.member_id),
    )


def matches(handbook: Handbook, query: HandbookQuery) -> bool:
    """Whether ``handbook`` meets every criterion of a normalised ``query``.

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.plugin import HandbookQuery, matches, normalise_query
        >>> from lamtheoguongbac.testing import make_handbook
        >>> book = make_handbook(HandbookStatus.REGISTERED, year=2025, cell="chibo-01")
        >>> matches(book, normalise_query(HandbookQuery(cell_id="chibo-01", year=2025)))
        True
        >>> matches(book, normalise_query(HandbookQuery(status=HandbookStatus.CLOSED)))
        False
    """
    return (
        (query.cell_id is None or handbook.cell.id == query.cell_id)
        and (query.year is None or handbook.year == query.year)
        and (query.status is None or handbook.status is query.status)
        and (query.member_id is None or handbook.member.id == query.member_id)
        and (
            query.organisation_id is None
            or any(u.id == query.organisation_id for u in handbook.organisation)
        )
    )


def check_entry(handbook: Handbook, event: Event) -> None:
    """Refuse an event that does not record ``handbook`` as it is being stored.

    Raises:
        ValidationFailed: the event is for another handbook or another version.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, ValidationFailed
        >>> from lamtheoguongbac.plugin import check_entry
        >>> from lamtheoguongbac.testing import creation_event, make_handbook
        >>> book = make_handbook(HandbookStatus.DRAFT)
        >>> check_entry(book, creation_event(book))
        >>> try:
        ...     check_entry(make_handbook(index=2), creation_event(book))
        ... except ValidationFailed as error:
        ...     print(error.field)
        ...
        Event.handbook_id
    """
    if event.handbook_id != handbook.id:
        raise ValidationFailed(
            f"sự kiện ghi cho sổ '{event.handbook_id}' nhưng sổ được lưu là '{handbook.id}'",
            f"the event is for handbook '{event.handbook_id}' but '{handbook.id}' is being stored",
            field="Event.handbook_id",
        )
    if event.version != handbook.version:
        raise ValidationFailed(
            f"sự kiện mang phiên bản {event.version} nhưng sổ '{handbook.id}' ở phiên bản "
            f"{handbook.version}",
            f"the event has version {event.version} but handbook '{handbook.id}' is at "
            f"version {handbook.version}",
            field="Event.version",
        )


_TRUSTED_RESTORE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "lamtheoguongbac_trusted_restore", default=False
)
_OFFICES = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})


@contextlib.contextmanager
def trusted_restore() -> Iterator[None]:
    """The one unchecked path into a store (khôi phục tin cậy): inside the block, a store
    does not check a collective assessment's recorder against its roster (LTGB-G004).

    For restoring a backup or migrating between stores, where the roster may not hold the
    offices of years ago; never for data from users. Everything else is still checked
    (the event matches the handbook, LTGB-G005, LTGB-G006). The block holds for the current
    thread (or asyncio task) only::

        with trusted_restore():
            target.add_many(items_from_backup)

    Example:
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.plugin import HandbookQuery, create_registry, trusted_restore
        >>> from lamtheoguongbac.testing import make_entry
        >>> store = create_registry(load_entrypoints=False).open_store("memory:")
        >>> with trusted_restore():  # a backup's assessments are restored without their roster
        ...     store.add(*make_entry(HandbookStatus.ASSESSED))
        ...
        >>> store.count_by_status(HandbookQuery())
        {<HandbookStatus.ASSESSED: 'assessed'>: 1}
        >>> store.close()
    """
    token = _TRUSTED_RESTORE.set(True)
    try:
        yield
    finally:
        _TRUSTED_RESTORE.reset(token)


def check_signatures(
    handbook: Handbook,
    event: Event,
    member: Callable[[str], Member | None],
    *,
    added: bool,
) -> None:
    """Refuse a write whose handbook carries a signature the store's roster does not back.

    Every backend calls this in :meth:`~lamtheoguongbac.plugin.Store.add`,
    ``add_many`` (``added=True``) and ``update`` (``added=False``), inside its write
    transaction, with ``member`` looking a member up in its own roster (None when unknown):

    * LTGB-G006 — the event records the status the handbook is stored in;
    * LTGB-G005 — the event of an assessment is the recorder's own (who acts signs), or
      records it entered on the recorder's behalf (``on_behalf_of``, a delegated import);
    * LTGB-G004 — a collective assessment being stored (any added handbook, or the update
      that records it) names a recorder of the roster who held the cell's Bí thư or Phó Bí
      thư office on the meeting date, as the role it is signed with. An assessment recorded
      earlier is not re-checked on later updates (offices change; history does not).
      Skipped inside :func:`trusted_restore` only.

    Raises:
        NotAuthorised: with the rule's code.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, NotAuthorised
        >>> from lamtheoguongbac.plugin import check_signatures
        >>> from lamtheoguongbac.testing import make_entry, make_secretary
        >>> book, event = make_entry(HandbookStatus.ASSESSED)
        >>> secretary = make_secretary()
        >>> check_signatures(book, event, {secretary.id: secretary}.get, added=True)
        >>> try:
        ...     check_signatures(book, event, {}.get, added=True)
        ... except NotAuthorised as error:
        ...     print(error.code)
        ...
        LTGB-G004
    """
    if event.to_status is not handbook.status:
        raise NotAuthorised(
            f"sự kiện ghi trạng thái '{event.to_status.label_vi}' nhưng sổ '{handbook.id}' được "
            f"lưu ở trạng thái '{handbook.status.label_vi}'",
            f"the event records status {event.to_status.label_en} but handbook "
            f"'{handbook.id}' is stored as {handbook.status.label_en}",
            code="LTGB-G006",
        )
    ca = handbook.collective_assessment
    if ca is None:
        return
    # Under a documented delegation (a folder import by the district) the event names who
    # entered it as the actor and the officer who signs as ``on_behalf_of``.
    signer = event.on_behalf_of if event.on_behalf_of is not None else event.actor_id
    if event.kind is EventKind.ASSESSED and signer != ca.recorded_by:
        raise NotAuthorised(
            f"sổ '{handbook.id}': nhận xét của chi bộ ghi người ký '{ca.recorded_by}' nhưng "
            f"người thực hiện là '{event.actor_id}'; không ai được ký thay người khác",
            f"handbook '{handbook.id}': the assessment is signed by '{ca.recorded_by}' but "
            f"recorded by '{event.actor_id}'; nobody signs for someone else",
            code="LTGB-G005",
        )
    if not (added or event.kind is EventKind.ASSESSED) or _TRUSTED_RESTORE.get():
        return
    recorder = member(ca.recorded_by)
    held = (
        recorder.roles_on(ca.meeting_date, handbook.cell.id) & _OFFICES
        if recorder is not None
        else frozenset()
    )
    if ca.recorder_role not in held:
        who = recorder.full_name if recorder is not None else ca.recorded_by
        raise NotAuthorised(
            f"sổ '{handbook.id}': người ghi nhận xét của chi bộ ({who}) không giữ chức "
            f"{ca.recorder_role.label_vi} của {handbook.cell.name} vào ngày họp "
            f"{ca.meeting_date:%d/%m/%Y} theo danh sách trong kho; không lưu",
            f"handbook '{handbook.id}': the assessment's recorder ({who}) did not hold the "
            f"office of {ca.recorder_role.label_en} of {handbook.cell.name} on the meeting "
            f"date {ca.meeting_date.isoformat()} per the stored roster; nothing is stored",
            code="LTGB-G004",
        )


def checked_chunks(
    items: Iterable[tuple[Handbook, Event]], where: str, *, size: int = 1000
) -> Iterator[list[tuple[Handbook, Event]]]:
    """``add_many``'s entries in chunks of ``size``, each checked as it is read.

    For a backend that writes a large batch piece by piece inside one transaction (the
    SQLite store, the PostgreSQL plugin): it reads ``items`` lazily, so an import of any
    size needs one chunk in memory; the backend still checks each chunk's ids against
    what it has stored, and the roster behind the signatures (:func:`check_signatures`).

    Raises:
        ValidationFailed: an event does not record its handbook (:func:`check_entry`).
        ConflictError: an id repeats in ``items`` (:func:`duplicate_error`).

    Example:
        >>> from lamtheoguongbac import ConflictError, HandbookStatus
        >>> from lamtheoguongbac.plugin import checked_chunks
        >>> from lamtheoguongbac.testing import make_entry
        >>> entries = [make_entry(HandbookStatus.DRAFT, index=i) for i in range(1, 6)]
        >>> [len(chunk) for chunk in checked_chunks(entries, "kho-thu", size=2)]
        [2, 2, 1]
        >>> try:
        ...     list(checked_chunks(entries + entries[:1], "kho-thu", size=2))
        ... except ConflictError as exc:
        ...     print(type(exc).__name__)
        ConflictError
    """
    seen: set[str] = set()
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        for handbook, event in chunk:
            check_entry(handbook, event)
            if handbook.id in seen:
                raise duplicate_error([handbook.id], where)
            seen.add(handbook.id)
        yield chunk


def check_update(handbook: Handbook, event: Event, expected_version: int) -> None:
    """Refuse an update that would not move the version on by exactly one.

    A new version equal to the old one would let a second stale writer succeed, so the
    optimistic check needs every update to bump the version.

    Raises:
        ValidationFailed: the versions do not follow, or the event does not match.

    Example:
        >>> from lamtheoguongbac import HandbookStatus, ValidationFailed
        >>> from lamtheoguongbac.plugin import check_update
        >>> from lamtheoguongbac.testing import advance, make_handbook
        >>> book = make_handbook(HandbookStatus.DRAFT)
        >>> step = advance(book)
        >>> check_update(step.handbook, step.event, expected_version=book.version)
        >>> try:
        ...     check_update(step.handbook, step.event, expected_version=book.version + 1)
        ... except ValidationFailed as error:
        ...     print(error.field)
        ...
        Handbook.version
    """
    check_entry(handbook, event)
    if handbook.version != expected_version + 1:
        raise ValidationFailed(
            f"sổ '{handbook.id}' cập nhật từ phiên bản {expected_version} phải mang phiên bản "
            f"{expected_version + 1}, không phải {handbook.version}",
            f"handbook '{handbook.id}' updated from version {expected_version} must carry "
            f"version {expected_version + 1}, not {handbook.version}",
            field="Handbook.version",
        )


def duplicate_error(ids: list[str], where: str) -> ConflictError:
    """The error for adding handbooks whose ids are already taken.

    Example:
        >>> from lamtheoguongbac.plugin import duplicate_error
        >>> error = duplicate_error(["dv01-2025"], "sqlite:///so-tay.db")
        >>> type(error).__name__, error.message("en")
        ('ConflictError', "handbook 'dv01-2025' already exists in sqlite:///so-tay.db; nothing wa...
    """
    shown = ", ".join(f"'{i}'" for i in ids[:5]) + (" …" if len(ids) > 5 else "")
    return ConflictError(
        f"Sổ tay {shown} đã có trong {where}; không sổ nào được ghi",
        f"handbook {shown} already exists in {where}; nothing was written",
    )


def stale_error(handbook_id: str, stored: int, expected: int, where: str) -> ConflictError:
    """The error for an update made from a version that is no longer the stored one.

    Example:
        >>> from lamtheoguongbac.plugin import stale_error
        >>> print(stale_error("dv04-2025", 5, 4, "memory:").message("en"))
        handbook 'dv04-2025' in memory: has changed (stored version 5, yours was 4); nothing was...
    """
    return ConflictError(
        f"Sổ tay '{handbook_id}' trong {where} đã được sửa (phiên bản hiện tại {stored}, bạn "
        f"sửa từ phiên bản {expected}); không ghi đè — hãy đọc lại và thử lại",
        f"handbook '{handbook_id}' in {where} has changed (stored version {stored}, yours was "
        f"{expected}); nothing was overwritten — read it again and retry",
    )


_KINDS = {
    "handbook": ("sổ tay", "handbook"),
    "member": ("đảng viên", "member"),
    "exemplar": ("gương điển hình", "exemplar"),
    "inspection": ("cuộc kiểm tra", "inspection"),
    "unit": ("tổ chức", "unit"),
}


def not_found(kind: str, item_id: str, where: str) -> NotFound:
    """The error for an unknown handbook, member, exemplar or inspection id.

    Example:
        >>> from lamtheoguongbac.plugin import not_found
        >>> error = not_found("handbook", "dv99-2025", "sqlite:///so-tay.db")
        >>> type(error).__name__, error.message("en")
        ('NotFound', "no handbook 'dv99-2025' in sqlite:///so-tay.db")
    """
    kind_vi, kind_en = _KINDS[kind]
    return NotFound(
        f"Không tìm thấy {kind_vi} '{item_id}' trong {where}",
        f"no {kind_en} '{item_id}' in {where}",
    )


def wrong_handbook(
    asked: str, got: str, where: str, *, asked_vi: str = "", asked_en: str = ""
) -> StoreError:
    """The error for a store that answered a read with another handbook than the one asked
    for (a buggy backend): the service refuses to take a step on, or show, such a record.

    ``asked_vi``/``asked_en`` say what was asked for when it is not one id (a cell's
    handbooks of a year).

    Example:
        >>> from lamtheoguongbac._storage.contract import wrong_handbook
        >>> error = wrong_handbook("dv02-2025", "dv03-2025", "forge:")
        >>> print(error.message("en").split(";")[0])
        the store forge: returned handbook 'dv03-2025' when asked for 'dv02-2025'
    """
    return StoreError(
        f"Kho {where} trả về sổ '{got}' khi được hỏi {asked_vi or repr(asked)}; kho này "
        "(plugin lưu trữ) có lỗi, không dùng bản ghi đó",
        f"the store {where} returned handbook '{got}' when asked for {asked_en or repr(asked)}; "
        "the store (a storage plugin) is faulty, the record is not used",
    )


_RECORDS: dict[type, tuple[str, str]] = {
    Handbook: ("sổ tay", "handbook"),
    Event: ("nhật ký của sổ tay", "event of handbook"),
    OrgUnit: ("tổ chức", "unit"),
    Member: ("đảng viên", "member"),
    Exemplar: ("gương điển hình", "exemplar"),
    Inspection: ("cuộc kiểm tra", "inspection"),
    RecordEvent: ("nhật ký của hồ sơ", "event of record"),
}


def read_stored(cls: type[T], document: Any, *, item_id: str, where: str) -> T:
    """A record a database store wrote, read back: ``document`` is its JSON text (``str`` or
    ``bytes``) or the dict a driver already parsed.

    Decoded with :func:`lamtheoguongbac.serde.from_stored` — the store validated the record
    when writing it — so every database backend reads alike. A store whose records people
    may edit (a text file) reads them with :func:`~lamtheoguongbac.serde.from_dict` instead.

    Raises:
        StoreError: the document is not valid JSON or not a valid ``cls``; names the
            record and the store ``where``.

    Example:
        >>> import json
        >>> from lamtheoguongbac import Handbook, HandbookStatus, StoreError
        >>> from lamtheoguongbac.plugin import read_stored
        >>> from lamtheoguongbac.serde import to_dict
        >>> from lamtheoguongbac.testing import make_handbook
        >>> book = make_handbook(HandbookStatus.CLOSED)
        >>> text = json.dumps(to_dict(book))
        >>> read_stored(Handbook, text, item_id=book.id, where="kho-thu") == book
        True
        >>> try:
        ...     read_stored(Handbook, "{", item_id=book.id, where="kho-thu")
        ... except StoreError as exc:
        ...     print(type(exc).__name__)
        StoreError
    """
    kind_vi, kind_en = _RECORDS.get(cls, ("bản ghi", "record"))
    try:
        if isinstance(document, str | bytes):
            document = _json.decode_json(document)
        found = serde.from_stored(cls, document)
    except (ValueError, TypeError, LamTheoGuongBacError) as exc:
        raise StoreError(
            f"Không đọc được {kind_vi} '{item_id}' trong kho {where}: {exc}",
            f"cannot read {kind_en} '{item_id}' in the store {where}: {exc}",
        ) from exc
    held = getattr(found, "id", item_id)
    if held != item_id:  # an edited row: its document is another record's
        raise StoreError(
            f"{kind_vi.capitalize()} '{item_id}' trong kho {where} bị hỏng: tài liệu của nó "
            f"mang mã '{held}'",
            f"{kind_en} '{item_id}' in the store {where} is damaged: its document holds the "
            f"id '{held}'",
        )
    return found


# --- exemplars -----------------------------------------------------------------------------


def exemplar_matches(exemplar: Exemplar, year: int | None, organisation_id: str | None) -> bool:
    """Whether ``exemplar`` is of ``year`` and under the NFC ``organisation_id`` (when given).

    Example:
        >>> from lamtheoguongbac.plugin import exemplar_matches
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> exemplar = make_exemplar(year=2025, grassroots="dangbo-xa-tb")
        >>> (
        ...     exemplar_matches(exemplar, 2025, "dangbo-xa-tb"),
        ...     exemplar_matches(exemplar, 2024, None),
        ... )
        (True, False)
    """
    return (year is None or exemplar.year == year) and (
        organisation_id is None or any(u.id == organisation_id for u in exemplar.organisation)
    )


def check_exemplar_update(exemplar: Exemplar, expected_version: int) -> None:
    """Refuse an exemplar update that would not move the version on by exactly one.

    Raises:
        ValidationFailed: the new version is not ``expected_version + 1``.

    Example:
        >>> import attrs
        >>> from lamtheoguongbac import ValidationFailed
        >>> from lamtheoguongbac.plugin import check_exemplar_update
        >>> from lamtheoguongbac.testing import make_exemplar
        >>> exemplar = make_exemplar()
        >>> check_exemplar_update(
        ...     attrs.evolve(exemplar, version=exemplar.version + 1), exemplar.version
        ... )
        >>> try:
        ...     check_exemplar_update(exemplar, exemplar.version)
        ... except ValidationFailed as error:
        ...     print(error.field)
        ...
        Exemplar.version
    """
    if exemplar.version != expected_version + 1:
        raise ValidationFailed(
            f"gương điển hình '{exemplar.id}' cập nhật từ phiên bản {expected_version} phải "
            f"mang phiên bản {expected_version + 1}, không phải {exemplar.version}",
            f"exemplar '{exemplar.id}' updated from version {expected_version} must carry "
            f"version {expected_version + 1}, not {exemplar.version}",
            field="Exemplar.version",
        )


def exemplar_exists(exemplar_id: str, where: str) -> ConflictError:
    """The error for adding an exemplar whose id is taken (nominated already).

    Example:
        >>> from lamtheoguongbac.plugin import exemplar_exists
        >>> print(exemplar_exists("2025-ca-nhan-dv04", "memory:").message("en"))
        exemplar '2025-ca-nhan-dv04' already exists in memory: (already nominated); nothing was w...
    """
    return ConflictError(
        f"Gương điển hình '{exemplar_id}' đã có trong {where} (đã được đề cử); không ghi gì",
        f"exemplar '{exemplar_id}' already exists in {where} (already nominated); nothing "
        "was written",
    )


def exemplar_stale(exemplar_id: str, stored: int, expected: int, where: str) -> ConflictError:
    """The error for an exemplar update made from a version that is no longer stored.

    Example:
        >>> from lamtheoguongbac.plugin import exemplar_stale
        >>> print(exemplar_stale("2025-ca-nhan-dv04", 3, 2, "memory:").message("en"))
        exemplar '2025-ca-nhan-dv04' in memory: has changed (stored version 3, yours was 2); noth...
    """
    return ConflictError(
        f"Gương điển hình '{exemplar_id}' trong {where} đã được sửa (phiên bản hiện tại "
        f"{stored}, bạn sửa từ phiên bản {expected}); không ghi đè — hãy đọc lại và thử lại",
        f"exemplar '{exemplar_id}' in {where} has changed (stored version {stored}, yours was "
        f"{expected}); nothing was overwritten — read it again and retry",
    )


# --- inspections ---------------------------------------------------------------------------


def inspection_matches(
    inspection: Inspection, year: int | None, organisation_id: str | None
) -> bool:
    """Whether ``inspection`` is of ``year`` and covers a cell under the NFC
    ``organisation_id`` (when given).

    Example:
        >>> from lamtheoguongbac.plugin import inspection_matches
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspection = make_inspection(year=2025)
        >>> (
        ...     inspection_matches(inspection, 2025, "chibo-01"),
        ...     inspection_matches(inspection, 2026, None),
        ... )
        (True, False)
    """
    return (year is None or inspection.year == year) and (
        organisation_id is None or organisation_id in inspection.unit_ids()
    )


def check_inspection_update(inspection: Inspection, expected_version: int) -> None:
    """Refuse an inspection update that would not move the version on by exactly one.

    Raises:
        ValidationFailed: the new version is not ``expected_version + 1``.

    Example:
        >>> import attrs
        >>> from lamtheoguongbac import ValidationFailed
        >>> from lamtheoguongbac.plugin import check_inspection_update
        >>> from lamtheoguongbac.testing import make_inspection
        >>> inspection = make_inspection()
        >>> check_inspection_update(
        ...     attrs.evolve(inspection, version=inspection.version + 1), inspection.version
        ... )
        >>> try:
        ...     check_inspection_update(inspection, inspection.version + 5)
        ... except ValidationFailed as error:
        ...     print(error.field)
        ...
        Inspection.version
    """
    if inspection.version != expected_version + 1:
        raise ValidationFailed(
            f"cuộc kiểm tra '{inspection.id}' cập nhật từ phiên bản {expected_version} phải "
            f"mang phiên bản {expected_version + 1}, không phải {inspection.version}",
            f"inspection '{inspection.id}' updated from version {expected_version} must carry "
            f"version {expected_version + 1}, not {inspection.version}",
            field="Inspection.version",
        )


def inspection_exists(inspection_id: str, where: str) -> ConflictError:
    """The error for adding an inspection whose id is taken.

    Example:
        >>> from lamtheoguongbac.plugin import inspection_exists
        >>> print(inspection_exists("kt-2025-01", "memory:").message("en"))
        inspection 'kt-2025-01' already exists in memory:; nothing was written
    """
    return ConflictError(
        f"Cuộc kiểm tra '{inspection_id}' đã có trong {where}; không ghi gì",
        f"inspection '{inspection_id}' already exists in {where}; nothing was written",
    )


def inspection_stale(inspection_id: str, stored: int, expected: int, where: str) -> ConflictError:
    """The error for an inspection update made from a version that is no longer stored.

    Example:
        >>> from lamtheoguongbac.plugin import inspection_stale
        >>> print(inspection_stale("kt-2025-01", 4, 3, "memory:").message("en"))
        inspection 'kt-2025-01' in memory: has changed (stored version 4, yours was 3); nothing w...
    """
    return ConflictError(
        f"Cuộc kiểm tra '{inspection_id}' trong {where} đã được sửa (phiên bản hiện tại "
        f"{stored}, bạn sửa từ phiên bản {expected}); không ghi đè — hãy đọc lại và thử lại",
        f"inspection '{inspection_id}' in {where} has changed (stored version {stored}, yours "
        f"was {expected}); nothing was overwritten — read it again and retry",
    )
