"""Hostile and careless plugins (the third-party plugin trial, F1–F7, F13): nothing a plugin
does — a malformed violation, a library rule code, ``sys.exit()``, a wrapper around other
plugins' registrations, a name taken first — passes silently, takes over a name, or stops
the host."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest

from lamtheoguongbac import Handbook, Handbooks, PluginError, ValidationFailed, hookimpl
from lamtheoguongbac.plugin import (
    ALLOW_ENV,
    DISABLE_ENV,
    ON_FAILED_RULES_ENV,
    DocumentKind,
    Exporter,
    Registry,
    Rule,
    Severity,
    Stage,
    StorageBackend,
    Violation,
    create_registry,
)
from lamtheoguongbac.testing import advance, make_handbook
from test_plugins_cli import _run

ROOT = Path(__file__).resolve().parents[1]


def _infos(registry: Registry) -> dict[str, Any]:
    return {p.name: p for p in registry.plugins()}


def _service(registry: Registry) -> tuple[Handbooks, Handbook]:
    book = make_handbook()
    service = Handbooks.open("memory:", registry=registry)
    service.roster.save(list(book.organisation), [book.member])
    return service, service.create(book.member.id, year=book.year, actor=book.member)


def _register(service: Handbooks, book: Handbook) -> Any:
    pledges = advance(book).handbook.pledges
    return service.register_pledges(book.id, pledges, actor=book.member)


def _rules_plugin(check: Callable[..., Any], code: str = "XY-001") -> object:
    class RulesPlugin:
        @hookimpl
        def register_rules(self, register: Callable[[Rule], None]) -> None:
            register(
                Rule(code=code, stage=Stage.REGISTRATION, title_vi="t", title_en="t", check=check)
            )

    return RulesPlugin()


# --- F6: a rule's output is checked; malformed violations fail closed -------------------------


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("Violation.severity", {"severity": "error"}),
        ("Violation.code", {"code": 1}),
        ("Violation.code", {"code": " "}),
        ("Violation.path", {"path": None}),
        ("Violation.message_vi", {"message_vi": None}),
        ("Violation.message_en", {"message_en": b"x"}),
        ("Violation.message_en", {"message_en": ""}),
    ],
)
def test_a_violation_checks_its_fields_when_made(field: str, changes: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "code": "XY-001",
        "severity": Severity.ERROR,
        "path": "pledges",
        "message_vi": "sai",
        "message_en": "wrong",
    }
    with pytest.raises(ValidationFailed) as caught:
        Violation(**{**fields, **changes})
    assert caught.value.field == field
    assert field in caught.value.message("vi") or caught.value.field == field
    assert Violation(**{**fields, "path": ""}).path == ""  # a whole-handbook violation


def _severity_as_str(handbook: Handbook, ctx: Any) -> Iterator[Violation]:
    yield Violation(code="XY-001", severity="error", path="p", message_vi="sai", message_en="wrong")  # type: ignore[arg-type]


def _yields_str(handbook: Handbook, ctx: Any) -> Iterator[Any]:
    yield "the pledge is bad"


def _spoofs_library_code(handbook: Handbook, ctx: Any) -> Iterator[Violation]:
    yield Violation(
        code="LTGB-P001",
        severity=Severity.ERROR,
        path="pledges",
        message_vi="giả mạo",
        message_en="spoofed",
    )


def _bypasses_validation(handbook: Handbook, ctx: Any) -> Iterator[Violation]:
    found = Violation(
        code="XY-001", severity=Severity.ERROR, path="p", message_vi="a", message_en="b"
    )
    object.__setattr__(found, "severity", "error")
    yield found


@pytest.mark.parametrize(
    ("check", "reason"),
    [
        (_severity_as_str, "Violation.severity must be Severity.ERROR or Severity.WARNING"),
        (_yields_str, "yielded a str ('the pledge is bad'), not a Violation"),
        (_spoofs_library_code, "the prefix LTGB- is kept for the library's own rules"),
        (_bypasses_validation, "Violation.severity must be"),
        # "no violation" when empty: a rule returning a mapping or a string by mistake
        (lambda handbook, ctx: {}, "returned a dict ({}), not a list of Violations"),
        (lambda handbook, ctx: "", "returned a str (''), not a list of Violations"),
        (lambda handbook, ctx: None, "returned a NoneType (None), not a list of Violations"),
    ],
)
def test_a_rule_yielding_a_malformed_violation_fails_closed_naming_plugin_and_rule(
    check: Callable[..., Any], reason: str
) -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[_rules_plugin(check)])
    service, book = _service(registry)
    with service:
        with pytest.raises(PluginError) as caught:
            _register(service, book)
        assert "RulesPlugin" in caught.value.message("en")
        assert "XY-001" in caught.value.message("en")
        assert reason in caught.value.message("en")
        assert "XY-001" in caught.value.message("vi")
        assert reason not in caught.value.message("vi")  # each language whole, not fused
        assert service.get(book.id).version == book.version  # nothing stored
    info = _infos(registry)["RulesPlugin"]
    assert info.status == "failed"
    assert info.reason is not None
    assert reason in info.reason.text_en


def test_a_well_formed_plugin_violation_still_refuses_or_warns() -> None:
    def warns(handbook: Handbook, ctx: Any) -> Iterator[Violation]:
        yield Violation(
            code="XY-001", severity=Severity.WARNING, path="", message_vi="lưu ý", message_en="note"
        )

    registry = create_registry(load_entrypoints=False, extra_plugins=[_rules_plugin(warns)])
    service, book = _service(registry)
    with service:
        step = _register(service, book)
    assert [w.code for w in step.warnings if w.code.startswith("XY")] == ["XY-001"]
    assert _infos(registry)["RulesPlugin"].status == "active"


# --- F4: a plugin rule code equal to the library's is the plugin's conflict ------------------


def test_a_library_rule_code_is_a_conflict_of_the_plugin_and_reads_keep_working() -> None:
    plugin = _rules_plugin(lambda handbook, ctx: [], code="LTGB-P001")
    registry = create_registry(load_entrypoints=False, extra_plugins=[plugin])
    info = _infos(registry)["RulesPlugin"]
    assert info.status == "conflict"
    assert "'LTGB-P001'" in (info.error or "")
    assert "LTGB-" in info.reason.text_vi
    service, book = _service(registry)  # opening and creating (no rules) work
    with service:
        assert [b.id for b in service.find(year=book.year)] == [book.id]
        with pytest.raises(PluginError, match=r"RulesPlugin.*LTGB-P001"):
            _register(service, book)  # its rules cannot run: the step fails closed
    skip = create_registry(load_entrypoints=False, extra_plugins=[plugin], on_failed_rules="skip")
    service, book = _service(skip)
    with service:
        assert _register(service, book).handbook.version == book.version + 1


def test_lower_case_library_prefix_is_refused_too() -> None:
    registry = create_registry(
        load_entrypoints=False, extra_plugins=[_rules_plugin(lambda h, c: [], code="ltgb-x1")]
    )
    assert _infos(registry)["RulesPlugin"].status == "conflict"


# --- F7: sys.exit() from plugin code is a plugin failure --------------------------------------


class Exits:
    @hookimpl
    def handbook_changed(self, event: Any) -> None:
        sys.exit(0)


class Counts:
    def __init__(self) -> None:
        self.calls = 0

    @hookimpl
    def handbook_changed(self, event: Any) -> None:
        self.calls += 1


def test_sys_exit_in_a_hook_fails_the_plugin_and_the_others_are_still_called() -> None:
    later = Counts()
    registry = create_registry(load_entrypoints=False, extra_plugins=[Exits(), later])
    service, book = _service(registry)  # create() fires the hook: it returns normally
    with service:
        _register(service, book)
    assert later.calls == 2
    info = _infos(registry)["Exits"]
    assert info.status == "failed"
    assert "SystemExit" in (info.error or "")


def test_sys_exit_in_a_rule_fails_closed() -> None:
    def exits(handbook: Handbook, ctx: Any) -> list[Violation]:
        sys.exit("no driver")

    registry = create_registry(load_entrypoints=False, extra_plugins=[_rules_plugin(exits)])
    service, book = _service(registry)
    with service, pytest.raises(PluginError, match="SystemExit"):
        _register(service, book)


def test_keyboard_interrupt_in_a_hook_still_goes_through() -> None:
    class Interrupted:
        @hookimpl
        def handbook_changed(self, event: Any) -> None:
            raise KeyboardInterrupt

    registry = create_registry(load_entrypoints=False, extra_plugins=[Interrupted()])
    with pytest.raises(KeyboardInterrupt):
        _service(registry)


# --- F3: no wrappers around other plugins' registrations ----------------------------------------


class Poisoner:
    """Registers 'postgresql' in the name of whichever plugin it wraps."""

    @hookimpl(wrapper=True)
    def register_storage_backends(self, register: Callable[[StorageBackend], None]) -> Any:
        result = yield
        register(StorageBackend(scheme="postgresql", open=lambda url: None))
        return result


class Saboteur:
    @hookimpl(hookwrapper=True)
    def register_storage_backends(self, register: Callable[[StorageBackend], None]) -> Any:
        register(StorageBackend(scheme="sqlite", open=lambda url: None))
        yield


class Swallow:
    @hookimpl(wrapper=True)
    def register_rules(self, register: Callable[[Rule], None]) -> Any:
        try:
            return (yield)
        except Exception:
            return None


class CrashingRules:
    @hookimpl
    def register_rules(self, register: Callable[[Rule], None]) -> None:
        raise RuntimeError("cannot load the rule table")


@pytest.mark.parametrize("wrapper", [Poisoner, Saboteur])
def test_a_wrapper_of_a_registration_hook_is_failed_and_wraps_nothing(
    wrapper: type, tmp_path: Path
) -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[wrapper()])
    infos = _infos(registry)
    assert infos[wrapper.__name__].status == "failed"
    assert "register_storage_backends" in infos[wrapper.__name__].reason.text_en
    assert "wrapper" in infos[wrapper.__name__].reason.text_vi
    assert infos["lamtheoguongbac.builtins"].status == "active"
    assert sorted(registry.storage_backends()) == ["memory", "sqlite"]
    registry.open_store(f"sqlite:///{tmp_path / 'so-tay.db'}").close()


def test_a_wrapper_cannot_swallow_a_rules_plugins_failure() -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[CrashingRules(), Swallow()])
    service, book = _service(registry)
    with service, pytest.raises(PluginError, match="CrashingRules"):
        _register(service, book)
    infos = _infos(registry)
    assert infos["Swallow"].status == "failed"
    assert infos["CrashingRules"].status == "failed"


def test_wrappers_of_event_hooks_are_still_allowed() -> None:
    class Timing:
        calls = 0

        @hookimpl(wrapper=True)
        def handbook_changed(self) -> Any:
            Timing.calls += 1
            return (yield)

    registry = create_registry(load_entrypoints=False, extra_plugins=[Counts(), Timing()])
    _service(registry)[0].close()
    assert Timing.calls == 1
    assert _infos(registry)["Timing"].status == "active"


# --- F1, F2: names cannot be taken over by sorting first --------------------------------------


def _exporter_module(name: str, text: str, kind: str = "handbook") -> str:
    return f"""
from lamtheoguongbac.plugin import Exporter, hookimpl

class _R:
    def __init__(self, options):
        pass
    def render(self, context):
        return {text!r}.encode()
    def merge(self, documents):
        return b"".join(documents)

@hookimpl
def register_exporters(register):
    register(Exporter(name={name!r}, suffix=".bin", kind={kind!r}, create_renderer=_R))
"""


def _install(site: Path, dist: str, entries: dict[str, str]) -> None:
    """Lay out a distribution as pip does: modules and a dist-info folder whose entry points
    are ``entries`` (entry-point name → module source)."""
    lines = ["[lamtheoguongbac]"]
    for entry, code in entries.items():
        module = f"{dist}_{entry}".replace("-", "_")
        (site / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
        lines.append(f"{entry} = {module}")
    info = site / f"{dist.replace('-', '_')}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "site"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    monkeypatch.delenv(ON_FAILED_RULES_ENV, raising=False)
    before = set(sys.modules)
    yield folder
    for name in set(sys.modules) - before:
        if getattr(sys.modules[name], "__file__", "") and str(folder) in str(
            sys.modules[name].__file__
        ):
            del sys.modules[name]


def _by_dist(registry: Registry, name: str) -> dict[str | None, Any]:
    return {p.distribution: p for p in registry.plugins() if p.name == name}


def _render(registry: Registry, exporter: Exporter) -> bytes:
    from lamtheoguongbac.plugin import ExportOptions

    return bytes(exporter.create_renderer(ExportOptions()).render({}))


def test_a_squatted_entry_point_name_does_not_replace_the_first_party_plugin(site: Path) -> None:
    _install(site, "lamtheoguongbac-docx", {"docx": _exporter_module("docx", "REAL")})
    _install(site, "aaa-squat", {"docx": _exporter_module("docx", "SQUATTED")})
    registry = create_registry()
    docx = _by_dist(registry, "docx")
    assert docx["lamtheoguongbac-docx"].status == "active"
    squat = docx["aaa-squat"]
    assert squat.status == "conflict"
    assert "belongs to lamtheoguongbac-docx" in squat.reason.text_en
    assert _render(registry, registry.exporter("docx")) == b"REAL"


def test_two_third_party_plugins_with_one_entry_point_name_load_neither(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _install(site, "aaa-one", {"same": _exporter_module("one", "1")})
    _install(site, "bbb-two", {"same": _exporter_module("two", "2")})
    both = _by_dist(create_registry(), "same")
    assert {d: p.status for d, p in both.items()} == {"aaa-one": "conflict", "bbb-two": "conflict"}
    for info in both.values():
        assert "aaa-one, bbb-two" in info.reason.text_en
        assert ALLOW_ENV in info.reason.text_vi
        assert DISABLE_ENV in info.reason.text_vi
    # the way out the message names: disable one (by distribution), or allow one
    chosen = _by_dist(create_registry(blocked=["aaa-one"]), "same")
    assert {d: p.status for d, p in chosen.items()} == {"aaa-one": "disabled", "bbb-two": "active"}
    monkeypatch.setenv(ALLOW_ENV, "bbb-two")
    allowed = create_registry()
    assert _by_dist(allowed, "same")["bbb-two"].status == "active"
    assert set(allowed.exporters()) == {"two"}


def test_an_exporter_name_hijack_loses_to_the_first_party_plugin(site: Path) -> None:
    real = """
from lamtheoguongbac.plugin import Exporter, hookimpl

class _R:
    def __init__(self, options):
        self.text = b"REAL" if options is not None else b""
    def render(self, context):
        return b"REAL"
    def merge(self, documents):
        return b"".join(documents)

class _Report(_R):
    def render(self, context):
        return b"R"

@hookimpl
def register_exporters(register):
    register(Exporter(name="docx", suffix=".docx", create_renderer=_R))
    register(Exporter(name="docx-report", suffix=".docx", kind="report", create_renderer=_Report))
"""
    _install(site, "lamtheoguongbac-docx", {"docx": real})
    _install(site, "ltgb-hostile", {"aaa-hijack": _exporter_module("docx", "HIJACKED")})
    registry = create_registry()
    infos = _infos(registry)
    assert infos["docx"].status == "active"
    assert infos["aaa-hijack"].status == "conflict"
    assert "aaa-hijack (ltgb-hostile)" in (infos["aaa-hijack"].error or "")
    assert _render(registry, registry.exporter("docx")) == b"REAL"
    assert _render(registry, registry.exporter_for(DocumentKind.REPORT)) == b"R"


def test_two_third_party_plugins_claiming_one_exporter_name_get_neither(site: Path) -> None:
    _install(site, "aaa-one", {"one": _exporter_module("html", "1")})
    _install(site, "bbb-two", {"two": _exporter_module("html", "2")})
    registry = create_registry()
    infos = _infos(registry)
    assert infos["one"].status == infos["two"].status == "conflict"
    assert "provided by both one (aaa-one) and two (bbb-two)" in (infos["one"].error or "")
    assert "html" not in registry.exporters()


def test_installing_a_third_party_exporter_does_not_change_the_default(site: Path) -> None:
    _install(site, "lamtheoguongbac-docx", {"docx": _exporter_module("docx", "REAL")})
    _install(site, "ltgb-hostile", {"a-html": _exporter_module("html", "HTML")})
    registry = create_registry()
    assert registry.exporter_for(DocumentKind.HANDBOOK).name == "docx"


def test_without_a_first_party_default_several_third_party_exporters_must_be_named(
    site: Path,
) -> None:
    _install(site, "aaa-one", {"one": _exporter_module("html", "1")})
    only = create_registry(blocked=["lamtheoguongbac-docx"])
    assert only.exporter_for(DocumentKind.HANDBOOK).name == "html"
    _install(site, "bbb-two", {"two": _exporter_module("md", "2")})
    several = create_registry(blocked=["lamtheoguongbac-docx"])
    with pytest.raises(PluginError, match=r"several third-party exporters.*--exporter"):
        several.exporter_for(DocumentKind.HANDBOOK)
    assert several.exporter_for(DocumentKind.HANDBOOK, "md").name == "md"


def test_no_default_exporter_names_the_plugin_that_has_one_but_lost_it() -> None:
    def exporters(*items: tuple[str, str]) -> object:
        class Exporters:
            @hookimpl
            def register_exporters(self, register: Callable[[Exporter], None]) -> None:
                for name, kind in items:
                    register(Exporter(name=name, suffix=".x", kind=kind, create_renderer=str))

        return Exporters()

    first = exporters(("x", "handbook"))
    second = exporters(("x", "handbook"), ("r", "report"))
    registry = create_registry(load_entrypoints=False, extra_plugins=[first])
    registry.register(second, "second")
    with pytest.raises(PluginError) as caught:
        registry.exporter_for(DocumentKind.REPORT)
    assert (
        "the plugin second, which provides r, is installed but not active (conflict: exporter 'x'"
        in caught.value.message("en")
    )
    assert "install " not in caught.value.message("en")  # no "install it" advice
    assert "plugin second có r và đã được cài, nhưng không hoạt động (xung đột" in (
        caught.value.message("vi")
    )


# --- F7 and F13 on the command line ------------------------------------------------------------


EXIT_AT_IMPORT = """
import sys
sys.exit("please install some_optional_driver_xyz")
"""


def test_sys_exit_at_a_plugins_import_does_not_stop_the_command_line(
    site: Path, tmp_path: Path
) -> None:
    _install(site, "ltgb-exits", {"h-exitimport": EXIT_AT_IMPORT})
    listing = _run(site, tmp_path, "--lang", "en", "plugins")
    assert listing.returncode == 0, listing.stderr
    assert "h-exitimport\tltgb-exits\t1.0\tfailed" in listing.stdout
    assert "SystemExit: please install some_optional_driver_xyz" in listing.stdout
    assert _run(site, tmp_path, "--help").returncode == 0
    listed = _run(site, tmp_path, "--store", "memory:", "list")
    assert listed.returncode == 0, listed.stderr
    registry = create_registry()
    assert _infos(registry)["h-exitimport"].status == "failed"
    Handbooks.open("memory:", registry=registry).close()


def test_the_reason_for_a_plugin_left_out_is_whole_in_each_language(
    site: Path, tmp_path: Path
) -> None:
    _install(site, "ltgb-demo", {"demo": _exporter_module("demo", "d")})
    allow = {ALLOW_ENV: "lamtheoguongbac-docx"}
    vi = _run(site, tmp_path, "plugins", **allow)
    assert vi.returncode == 0, vi.stderr
    assert f"lý do: không có trong {ALLOW_ENV}\n" in vi.stdout
    en = _run(site, tmp_path, "--lang", "en", "plugins", **allow)
    assert f"reason: not in {ALLOW_ENV}\n" in en.stdout
    blocked = _run(site, tmp_path, "plugins", **{DISABLE_ENV: "demo"})
    assert f"lý do: bị tắt bởi {DISABLE_ENV}\n" in blocked.stdout
    info = next(p for p in create_registry(allowed=["x"]).plugins() if p.name == "demo")
    assert info.as_dict()["reason"] == {
        "vi": f"không có trong {ALLOW_ENV}",
        "en": f"not in {ALLOW_ENV}",
    }
    assert attrs.evolve(info).reason == info.reason


def test_a_rules_plugin_returning_its_rules_instead_of_registering_them_fails_closed() -> None:
    """pluggy kept the returned list and dropped it: the plugin was listed active, and its
    rules never ran."""

    class Returns:
        @hookimpl
        def register_rules(self, register: Callable[[Rule], None]) -> list[Rule]:
            rule = Rule(
                code="XY-001",
                stage=Stage.REGISTRATION,
                title_vi="Luôn từ chối",
                title_en="Always refuses",
                check=lambda h, c: [],
            )
            return [rule]

    registry = create_registry(load_entrypoints=False, extra_plugins=[Returns()])
    info = _infos(registry)["Returns"]
    assert info.status == "failed"
    assert info.reason is not None
    assert "register_rules returned a list instead of calling register(...)" in info.reason.text_en
    service, book = _service(registry)
    with service, pytest.raises(PluginError, match="Returns"):
        _register(service, book)


def test_a_registration_hook_may_return_what_register_returned() -> None:
    """``return [register(r) for r in RULES]`` registers every rule: not a mistake."""

    class Registers:
        @hookimpl
        def register_rules(self, register: Callable[[Rule], None]) -> list[None]:
            rule = Rule(
                code="XY-002",
                stage=Stage.REGISTRATION,
                title_vi="Không gì",
                title_en="Nothing",
                check=lambda h, c: set(),  # a set is an iterable of violations too
            )
            return [register(rule)]  # type: ignore[func-returns-value]

    registry = create_registry(load_entrypoints=False, extra_plugins=[Registers()])
    assert _infos(registry)["Registers"].status == "active"
    service, book = _service(registry)
    with service:
        _register(service, book)
    assert _infos(registry)["Registers"].status == "active"


def test_a_rule_writing_into_the_handbook_changes_nothing_stored() -> None:
    """Past the frozen classes (object.__setattr__) a rule changed the pledge the step then
    stored, after the library's linter had passed it."""

    def rewrites(handbook: Handbook, ctx: Any) -> list[Violation]:
        object.__setattr__(handbook.pledges[0], "deed", "Thực hiện tốt nhiệm vụ được giao")
        return []

    registry = create_registry(load_entrypoints=False, extra_plugins=[_rules_plugin(rewrites)])
    service, book = _service(registry)
    with service:
        step = _register(service, book)
        stored = service.get(book.id)
    assert stored.pledges[0].deed == step.handbook.pledges[0].deed
    assert stored.pledges[0].deed != "Thực hiện tốt nhiệm vụ được giao"


def test_a_hook_writing_into_what_it_is_given_changes_neither_the_trail_nor_the_next_hook() -> None:
    """With the memory store, which keeps the objects themselves, a hook rewrote who acted."""
    seen: list[str] = []

    class Forger:
        @hookimpl
        def handbook_changed(self, event: Any, handbook: Handbook) -> None:
            object.__setattr__(event, "actor_id", "ke-mao-danh")

    class Reader:
        @hookimpl
        def handbook_changed(self, event: Any, handbook: Handbook) -> None:
            seen.append(event.actor_id)

    registry = create_registry(load_entrypoints=False, extra_plugins=[Forger(), Reader()])
    service, book = _service(registry)
    with service:
        _register(service, book)
        trail = [e.actor_id for e in service.history(book.id)]
    assert trail == [book.member.id, book.member.id]
    assert "ke-mao-danh" not in seen
