"""Defects a third-party plugin author's trial found (FINDINGS-plugins.md), each reproduced
with a hostile or buggy plugin registered programmatically, never from entry points."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import attrs
import pytest

from lamtheoguongbac import (
    Handbook,
    Handbooks,
    HandbookStatus,
    NotAuthorised,
    PluginError,
    Role,
    StoreError,
    hookimpl,
)
from lamtheoguongbac._storage.memory import MemoryStore
from lamtheoguongbac.bulk import CellBatch, MemberRegistration
from lamtheoguongbac.export import ExportOptions, build_context, export_handbooks
from lamtheoguongbac.export._yearbook import write_document
from lamtheoguongbac.plugin import (
    Exporter,
    HandbookQuery,
    Registry,
    StorageBackend,
    create_registry,
)
from lamtheoguongbac.rules import DEFAULT_POLICY
from lamtheoguongbac.testing import advance, make_handbook, make_member, make_roster

# --- F20: the service checks that the store returned the handbook it asked for ---------


class Forging:
    """A buggy store: delegates to a memory store, but ``get`` answers with another
    member's handbook and a cell's query with a handbook of another cell."""

    def __init__(self, inner: MemoryStore) -> None:
        self.inner = inner
        self.forge = True

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def get(self, handbook_id: str) -> Any:
        real = self.inner.get(handbook_id)
        if not self.forge:
            return real
        others = [h for h in self.inner.query(HandbookQuery()) if h.id != real.id]
        return others[0] if others else real

    def iter_query(self, query: HandbookQuery) -> Iterator[Any]:
        if not self.forge:
            return self.inner.iter_query(query)
        return iter(self.inner.query(HandbookQuery(year=query.year)))


class Lax:
    """A buggy store that writes an update without checking who signs (LTGB-G004–G006)."""

    def __init__(self, inner: MemoryStore) -> None:
        self.inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def update(self, handbook: Any, event: Any, *, expected_version: int) -> None:
        self.inner._handbooks[handbook.id] = handbook
        self.inner._events[handbook.id].append(event)


def _backend(scheme: str, wrap: Any) -> object:
    class Backend:
        @hookimpl
        def register_storage_backends(self, register: Any) -> None:
            register(StorageBackend(scheme=scheme, open=lambda url: wrap(MemoryStore(url))))

    return Backend()


@pytest.fixture
def forged() -> Iterator[tuple[Handbooks, Any]]:
    registry = create_registry(load_entrypoints=False, extra_plugins=[_backend("forge", Forging)])
    roster = make_roster(cells=2, members_per_cell=3)
    with Handbooks.open("forge:", registry=registry) as service:
        service.roster.save(roster.units, roster.members)
        service.store.forge = False
        for member in roster.members:
            service.create(member.id, year=2025, actor=roster.members[0])
        service.store.forge = True
        yield service, roster


def test_a_step_is_refused_when_the_store_returns_another_handbook(
    forged: tuple[Handbooks, Any],
) -> None:
    service, roster = forged
    member = roster.members[1]
    asked = f"{member.id}-2025"
    book = service.store.inner.get(asked)
    with pytest.raises(StoreError) as caught:
        service.register_pledges(asked, advance(book).handbook.pledges, actor=member)
    en, vi = caught.value.message("en"), caught.value.message("vi")
    assert "forge:" in en
    assert f"'{asked}'" in en
    assert "returned handbook" in en
    assert "forge:" in vi
    assert f"'{asked}'" in vi
    assert "trả về sổ" in vi
    # nothing was written anywhere
    assert {h.status for h in service.store.inner.query(HandbookQuery())} == {HandbookStatus.DRAFT}
    with pytest.raises(StoreError):
        service.get(asked)


def test_a_bulk_step_refuses_a_handbook_of_another_cell(forged: tuple[Handbooks, Any]) -> None:
    service, roster = forged
    secretary = roster.members[0]
    books = service.store.inner.query(HandbookQuery(cell_id=secretary.cell_id))
    entries = [
        MemberRegistration(member_id=b.member.id, pledges=advance(b).handbook.pledges)
        for b in books
    ]
    result = service.bulk.register(
        [CellBatch(cell_id=secretary.cell_id, year=2025, submitter=secretary, entries=entries)]
    )
    assert not result.ok
    assert len(result.failed) == len(entries)
    problem = result.failed[0].problem("en") or ""
    assert "forge:" in problem
    assert f"cell '{secretary.cell_id}'" in problem
    assert {h.status for h in service.store.inner.query(HandbookQuery())} == {HandbookStatus.DRAFT}


def test_the_service_checks_who_signs_even_when_the_store_does_not() -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[_backend("lax", Lax)])
    roster = make_roster(cells=1, members_per_cell=3)
    secretary, member, other = roster.members
    deputy_roles = make_member(cell=other.cell_id, role=Role.DEPUTY_SECRETARY).roles
    deputy = attrs.evolve(other, roles=deputy_roles)
    # a deployment's policy may drop LTGB-A001; the store's rules (G004–G006) still hold
    policy = DEFAULT_POLICY.without("LTGB-A001")
    with Handbooks.open("lax:", registry=registry, policy=policy) as service:
        service.roster.save(roster.units, [secretary, member, deputy])
        book = service.create(member.id, year=2025, actor=secretary)
        for _ in range(2):
            step = advance(book)
            if step.handbook.status is HandbookStatus.REGISTERED:
                book = service.register_pledges(
                    book.id, step.handbook.pledges, actor=member
                ).handbook
            else:
                done = step.handbook
                assert done.report is not None
                assert done.self_assessment is not None
                book = service.report_results(
                    book.id, done.report, actor=member, self_assessment=done.self_assessment
                ).handbook
        assessment = advance(book, secretary=secretary).handbook.collective_assessment
        assert assessment is not None
        # the Bí thư records an assessment signed in the Phó Bí thư's name
        forged = attrs.evolve(
            assessment,
            recorded_by=deputy.id,
            recorder_name=deputy.full_name,
            recorder_role=Role.DEPUTY_SECRETARY,
        )
        with pytest.raises(NotAuthorised) as caught:
            service.record_assessment(book.id, forged, actor=secretary)
        assert caught.value.code == "LTGB-G005"
        assert service.store.inner.get(book.id).status is HandbookStatus.REPORTED


# --- F10: an exporter's failures name the exporter and its plugin ---------------------------


class _Base:
    def __init__(self, options: ExportOptions) -> None:
        self.options = options

    def render(self, context: Any) -> Any:
        return context["member"]["full_name"].encode()

    def merge(self, documents: Any) -> Any:
        return b"".join(documents)


class _Crashes(_Base):
    def render(self, context: Any) -> Any:
        if context["handbook"]["id"].endswith("dv002"):
            raise RuntimeError("renderer bug")
        return b"ok"


class _ReturnsStr(_Base):
    def render(self, context: Any) -> Any:
        return context["member"]["full_name"]


class _ReturnsNone(_Base):
    def render(self, context: Any) -> Any:
        return None


class _ReturnsBytearray(_Base):
    def render(self, context: Any) -> Any:
        return bytearray(b"x")


class _CannotStart(_Base):
    def __init__(self, options: ExportOptions) -> None:
        raise RuntimeError("cannot compile the template")


class _MergeStr(_Base):
    def merge(self, documents: Any) -> Any:
        return "joined"


def _bad_settings(settings: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"n": int(settings["n"])}  # KeyError / ValueError, not ValidationFailed


class BadExporters:
    """A module-level class, so that worker processes can use it (``jobs > 1``)."""

    @hookimpl
    def register_exporters(self, register: Any) -> None:
        for name, cls in [
            ("crash", _Crashes),
            ("str", _ReturnsStr),
            ("none", _ReturnsNone),
            ("bytearray", _ReturnsBytearray),
            ("start", _CannotStart),
            ("merge-str", _MergeStr),
        ]:
            register(Exporter(name=name, suffix=".txt", create_renderer=cls))
        register(
            Exporter(
                name="settings",
                suffix=".txt",
                create_renderer=_Base,
                validate_settings=_bad_settings,
            )
        )


@pytest.fixture
def bad() -> Registry:
    return create_registry(load_entrypoints=False, extra_plugins=[BadExporters()])


@pytest.fixture
def three() -> list[Handbook]:
    return [make_handbook(HandbookStatus.REGISTERED, index=i) for i in range(1, 4)]


def _blames(error: PluginError, exporter: str, *also: str) -> None:
    for lang in ("vi", "en"):
        text = error.message(lang)
        assert f"'{exporter}'" in text, text
        assert "BadExporters" in text, text  # the plugin, by the name it was registered as
        for part in also:
            assert part in text, text


@pytest.mark.parametrize(
    ("exporter", "mode", "expected"),
    [
        ("crash", "folder", "RuntimeError('renderer bug')"),
        ("crash", "zip", "RuntimeError('renderer bug')"),
        ("crash", "merged", "RuntimeError('renderer bug')"),
        ("str", "folder", "str"),
        ("none", "zip", "NoneType"),
        ("start", "folder", "cannot compile the template"),
        ("merge-str", "merged", "str"),
    ],
)
def test_an_exporter_that_fails_is_blamed_by_name(
    bad: Registry, three: list[Handbook], tmp_path: Path, exporter: str, mode: str, expected: str
) -> None:
    dest = tmp_path / {"folder": "out", "zip": "out.zip", "merged": "out.txt"}[mode]
    with pytest.raises(PluginError) as caught:
        export_handbooks(dest, three, exporter=exporter, mode=mode, registry=bad)
    _blames(caught.value, exporter, expected)
    if mode != "folder":  # nothing half-written
        assert not dest.exists()
        assert not [p for p in tmp_path.iterdir() if p.name != "out"]


def test_a_crash_names_the_handbook_it_happened_on(
    bad: Registry, three: list[Handbook], tmp_path: Path
) -> None:
    with pytest.raises(PluginError) as caught:
        export_handbooks(tmp_path / "out", three, exporter="crash", registry=bad)
    _blames(caught.value, "crash", three[1].id)


def test_bytes_like_results_are_accepted(
    bad: Registry, three: list[Handbook], tmp_path: Path
) -> None:
    result = export_handbooks(tmp_path / "out", three, exporter="bytearray", registry=bad)
    assert [p.read_bytes() for p in result.written] == [b"x"] * 3


@pytest.mark.parametrize(("settings", "expected"), [({}, "KeyError"), ({"n": "abc"}, "ValueError")])
def test_a_settings_validator_that_raises_is_blamed_by_name(
    bad: Registry, three: list[Handbook], tmp_path: Path, settings: dict[str, str], expected: str
) -> None:
    with pytest.raises(PluginError) as caught:
        export_handbooks(
            tmp_path / "out",
            three,
            exporter="settings",
            options=ExportOptions(settings=settings),
            registry=bad,
        )
    _blames(caught.value, "settings", expected)
    assert not (tmp_path / "out").exists()


def test_a_single_document_export_blames_the_exporter(bad: Registry, tmp_path: Path) -> None:
    context = build_context(make_handbook(HandbookStatus.REGISTERED))
    with pytest.raises(PluginError) as caught:
        write_document(
            context, tmp_path / "one.txt", kind="handbook", exporter="none", registry=bad
        )
    _blames(caught.value, "none", "NoneType")
    assert not (tmp_path / "one.txt").exists()


def test_a_renderer_failing_in_a_worker_process_is_blamed_by_name(
    bad: Registry, three: list[Handbook], tmp_path: Path
) -> None:
    # a generator: the count is unknown, so jobs=2 really starts two worker processes
    with pytest.raises(PluginError) as caught:
        export_handbooks(
            tmp_path / "out.zip", iter(three), exporter="str", mode="zip", jobs=2, registry=bad
        )
    _blames(caught.value, "str", "str")
    assert not (tmp_path / "out.zip").exists()


# --- F11: a storage backend's failures name the URL and the plugin --------------------------


def _refused(url: str) -> None:
    raise ConnectionRefusedError(111, "could not reach the province server")


def _crashes(url: str) -> Any:
    raise RuntimeError("driver bug")


class BadStores:
    @hookimpl
    def register_storage_backends(self, register: Any) -> None:
        register(StorageBackend(scheme="h-raise", open=_refused))
        register(StorageBackend(scheme="h-crash", open=_crashes))
        register(StorageBackend(scheme="h-none", open=lambda url: None))
        register(StorageBackend(scheme="h-dict", open=lambda url: {"not": "a store"}))


@pytest.fixture
def bad_stores() -> Registry:
    return create_registry(load_entrypoints=False, extra_plugins=[BadStores()])


def test_a_backend_raising_oserror_names_the_url_and_the_plugin(bad_stores: Registry) -> None:
    with pytest.raises(StoreError) as caught:
        Handbooks.open("h-raise://server/db", registry=bad_stores)
    for lang in ("vi", "en"):
        text = caught.value.message(lang)
        assert "'h-raise://server/db'" in text
        assert "BadStores" in text
        assert "could not reach the province server" in text


def test_a_backend_raising_anything_else_is_a_plugin_error(bad_stores: Registry) -> None:
    with pytest.raises(PluginError) as caught:
        bad_stores.open_store("h-crash:")
    for lang in ("vi", "en"):
        text = caught.value.message(lang)
        assert "'h-crash:'" in text
        assert "BadStores" in text
        assert "RuntimeError('driver bug')" in text


@pytest.mark.parametrize(("url", "returned"), [("h-none:", "NoneType"), ("h-dict:", "dict")])
def test_a_backend_returning_something_else_than_a_store_is_refused(
    bad_stores: Registry, url: str, returned: str
) -> None:
    with pytest.raises(PluginError) as caught:
        Handbooks.open(url, registry=bad_stores)
    for lang in ("vi", "en"):
        text = caught.value.message(lang)
        assert f"'{url}'" in text
        assert "BadStores" in text
        assert returned in text
    assert "not a Store (missing: url, add" in caught.value.message("en")


# --- F8: every reminders_due plugin, and the caller, get every reminder ---------------------


class Consumer:
    """A queue-style sender that pops what it sent (the trial's hostile plugin)."""

    def __init__(self) -> None:
        self.sent = 0

    @hookimpl
    def reminders_due(self, reminders: Any) -> None:
        queue = reminders if isinstance(reminders, list) else list(reminders)
        while queue:
            queue.pop()
            self.sent += 1


class Counter:
    def __init__(self) -> None:
        self.got: Any = None

    @hookimpl
    def reminders_due(self, reminders: Any) -> None:
        self.got = reminders


def test_one_plugin_consuming_the_reminders_leaves_them_to_the_others() -> None:
    consumer, counter = Consumer(), Counter()
    registry = create_registry(load_entrypoints=False, extra_plugins=[consumer, counter])
    roster = make_roster(cells=1, members_per_cell=3)
    with Handbooks.open("memory:", registry=registry) as service:
        service.roster.save(roster.units, roster.members)
        service.create_for_cell(roster.members[0].cell_id, year=2025, actor=roster.members[0])
        found = service.supervision.send_reminders(year=2025, today=dt.date(2025, 3, 15))
    assert found
    assert consumer.sent == len(found)
    assert isinstance(counter.got, tuple)
    assert list(counter.got) == found


# --- F12 + F17: what the user is told when no exporter of a kind is active ------------------


class Hijack:
    @hookimpl
    def register_exporters(self, register: Any) -> None:
        register(Exporter(name="docx", suffix=".txt", kind="handbook", create_renderer=_Base))


class Word:
    @hookimpl
    def register_exporters(self, register: Any) -> None:
        register(Exporter(name="docx", suffix=".docx", kind="handbook", create_renderer=_Base))
        register(Exporter(name="docx-report", suffix=".docx", kind="report", create_renderer=_Base))


def test_an_installed_exporter_in_conflict_is_not_said_to_be_missing() -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[Hijack(), Word()])
    with pytest.raises(PluginError) as caught:
        registry.exporter_for("report")
    en, vi = caught.value.message("en"), caught.value.message("vi")
    assert "the plugin Word, which provides docx-report, is installed but not active" in en
    assert "conflict" in en
    assert "lamtheoguongbac plugins" in en
    assert "install " not in en
    assert "plugin Word có docx-report và đã được cài, nhưng không hoạt động" in vi


def test_a_missing_exporter_is_installed_from_the_checkout_or_the_wheelhouse() -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[Hijack()])
    with pytest.raises(PluginError) as caught:
        registry.exporter_for("report")
    for lang in ("vi", "en"):
        text = caught.value.message(lang)
        # never a bare distribution name: it is not on a package index (dependency confusion)
        assert "lamtheoguongbac install --no-index --find-links dist lamtheoguongbac-docx" in text
        assert "make dist" in text
