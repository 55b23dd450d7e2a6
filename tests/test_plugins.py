"""The plugin system: registration, isolation, conflicts, fail-closed rules, pluggy."""

from __future__ import annotations

import logging
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import Event, Handbook, Handbooks, PluginError, hookimpl
from lamtheoguongbac._storage.memory import MemoryStore
from lamtheoguongbac.plugin import (
    ALLOW_ENV,
    DISABLE_ENV,
    ON_FAILED_RULES_ENV,
    Exporter,
    ExportOptions,
    Registry,
    Rule,
    Stage,
    StorageBackend,
    Violation,
    create_registry,
)
from lamtheoguongbac.testing import advance, make_handbook, register_temporary_plugin


def make_distribution(site: Path, dist: str, module: str, code: str, entry: str) -> None:
    """Install a plugin distribution the way pip lays one out: a module and a dist-info
    folder with its entry point."""
    (site / f"{module}.py").write_text(textwrap.dedent(code), encoding="utf-8")
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text(
        f"[lamtheoguongbac]\n{entry} = {module}\n", encoding="utf-8"
    )


GOOD = """
from lamtheoguongbac.plugin import Exporter
from lamtheoguongbac import hookimpl

class _Renderer:
    def __init__(self, options):
        self.options = options
    def render(self, context):
        return ("# " + context["member"]["full_name"]).encode("utf-8")
    def merge(self, documents):
        return b"\\n".join(documents)

@hookimpl
def register_exporters(register):
    register(Exporter(name="md-demo", suffix=".md", create_renderer=_Renderer))
"""

BROKEN = """
raise RuntimeError("hỏng từ lúc nhập")
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "site"
    folder.mkdir()
    make_distribution(folder, "ltgb-demo-good", "ltgb_demo_good", GOOD, "demo_good")
    make_distribution(folder, "ltgb-demo-broken", "ltgb_demo_broken", BROKEN, "demo_broken")
    monkeypatch.syspath_prepend(str(folder))
    monkeypatch.delenv(ALLOW_ENV, raising=False)
    monkeypatch.delenv(DISABLE_ENV, raising=False)
    yield folder
    for name in ("ltgb_demo_good", "ltgb_demo_broken"):
        sys.modules.pop(name, None)


def _infos(registry: Registry) -> dict[str, Any]:
    return {p.name: p for p in registry.plugins()}


# --- loading ---------------------------------------------------------------------------------


def test_builtins_register_through_the_hooks_with_the_library_version() -> None:
    import lamtheoguongbac

    registry = create_registry(load_entrypoints=False)
    assert set(registry.storage_backends()) >= {"memory", "sqlite"}
    builtin = _infos(registry)["lamtheoguongbac.builtins"]
    assert builtin.status == "active"
    assert "register_storage_backends" in builtin.hooks
    assert builtin.version == lamtheoguongbac.__version__
    assert builtin.provides.storage == ("memory", "sqlite")


def test_entry_point_plugins_are_found_and_broken_ones_reported(site: Path) -> None:
    registry = create_registry()
    infos = _infos(registry)
    assert infos["demo_good"].status == "active"
    assert infos["demo_good"].version == "1.2.3"
    assert infos["demo_good"].distribution == "ltgb-demo-good"
    assert infos["demo_good"].provides.exporters == (("md-demo", "handbook"),)
    assert infos["demo_broken"].status == "failed"
    assert "hỏng từ lúc nhập" in (infos["demo_broken"].error or "")
    renderer = registry.exporter("md-demo").create_renderer(ExportOptions())
    assert renderer.render({"member": {"full_name": "Lê An"}}) == "# Lê An".encode()


def test_environment_variable_disables_named_plugins(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(DISABLE_ENV, "demo_good, ltgb-demo-broken")
    infos = _infos(create_registry())
    assert infos["demo_good"].status == "disabled"
    assert infos["demo_broken"].status == "disabled"
    with pytest.raises(PluginError, match="md-demo"):
        create_registry(blocked=["demo_good"]).exporter("md-demo")


def test_the_allow_list_loads_only_the_named_plugins(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ALLOW_ENV, "ltgb-demo-good, not-installed")
    infos = _infos(create_registry())
    assert infos["demo_good"].status == "active"
    assert infos["demo_broken"].status == "disabled"
    assert ALLOW_ENV in (infos["demo_broken"].error or "")
    assert infos["not-installed"].status == "failed"
    assert "not installed" in (infos["not-installed"].error or "")
    # the argument wins over the environment
    only_docx = _infos(create_registry(allowed=["demo_broken"]))
    assert only_docx["demo_good"].status == "disabled"


def test_misspelt_hook_fails_loudly_with_a_suggestion() -> None:
    class Typo:
        @hookimpl
        def register_exporter(self, register: Callable[[Exporter], None]) -> None:
            raise AssertionError("never called")

    with pytest.raises(PluginError, match="register_exporters"):
        create_registry(load_entrypoints=False, extra_plugins=[Typo()])


def test_functions_that_look_like_hooks_are_reported_as_warnings() -> None:
    class Sloppy:
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            raise AssertionError("no marker: never called")

        def handbook_chnaged(self, event: Event) -> None:
            raise AssertionError("misspelt and unmarked")

        @hookimpl
        def reminders_due(self, reminders: list[Any] = []) -> None:  # noqa: B006
            raise AssertionError("pluggy never passes an argument with a default")

    registry = create_registry(load_entrypoints=False, extra_plugins=[Sloppy()])
    info = _infos(registry)["Sloppy"]
    assert info.status == "active"
    text = "\n".join(info.warnings)
    assert "'register_exporters' looks like a hook but lacks @hookimpl" in text
    assert "'handbook_chnaged' looks like the hook 'handbook_changed'" in text
    assert "arguments with defaults (reminders)" in text
    assert len(info.warnings) == 3


# --- conflicts -----------------------------------------------------------------------------


class Shadow:
    """Registers the built-in scheme ``memory`` and an exporter of its own."""

    @hookimpl
    def register_storage_backends(self, register: Callable[[StorageBackend], None]) -> None:
        register(StorageBackend(scheme="memory", open=MemoryStore.from_url))

    @hookimpl
    def register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(Exporter(name="shadow-md", suffix=".md", create_renderer=_Text))


class _Text:
    def __init__(self, options: ExportOptions) -> None:
        self.options = options

    def render(self, context: Any) -> bytes:
        return str(context["member"]["full_name"]).encode()

    def merge(self, documents: Any) -> bytes:
        return b"".join(documents)


def test_a_conflict_marks_the_later_plugin_and_leaves_everyone_else_working() -> None:
    class Other:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="txt", suffix=".txt", create_renderer=_Text))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Shadow(), Other()])
    infos = _infos(registry)
    assert infos["Shadow"].status == "conflict"
    error = infos["Shadow"].error or ""
    assert "'memory'" in error
    assert "lamtheoguongbac.builtins (lamtheoguongbac)" in error
    assert "Shadow" in error
    assert infos["Shadow"].provides.exporters == ()  # none of what it registers is used
    assert infos["Other"].status == "active"
    # the built-in wins and opens; the other plugin works
    with registry.open_store("memory:") as store:
        assert isinstance(store, MemoryStore)
    assert set(registry.exporters()) == {"txt"}
    with pytest.raises(PluginError, match=r"shadow-md.*conflict"):
        registry.exporter("shadow-md")


def test_a_plugin_registered_later_loses_and_leaves_when_unregistered() -> None:
    registry = create_registry(load_entrypoints=False)
    with register_temporary_plugin(registry, Shadow(), "shadow"):
        assert _infos(registry)["shadow"].status == "conflict"
        assert registry.open_store("memory:").url == "memory:"
    assert "shadow" not in _infos(registry)
    assert registry.plugins()[0].status == "active"


def test_a_plugin_registering_one_name_twice_fails() -> None:
    class Twice:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="txt", suffix=".txt", create_renderer=_Text))
            register(Exporter(name="txt", suffix=".text", create_renderer=_Text))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Twice()])
    info = _infos(registry)["Twice"]
    assert info.status == "failed"
    assert "registered twice" in (info.error or "")
    assert registry.exporters() == {}


def test_registering_the_wrong_thing_fails_the_plugin() -> None:
    class Wrong:
        @hookimpl
        def register_storage_backends(self, register: Callable[[Any], None]) -> None:
            register("sqlite")

    registry = create_registry(load_entrypoints=False, extra_plugins=[Wrong()])
    assert "not a StorageBackend" in (_infos(registry)["Wrong"].error or "")
    assert "sqlite" in registry.storage_backends()


# --- failures: isolated, never called again -------------------------------------------------


def _service(registry: Registry) -> tuple[Handbooks, Handbook]:
    book = make_handbook()
    service = Handbooks(MemoryStore.from_url("memory:"), registry=registry)
    service.roster.save(list(book.organisation), [book.member])
    created = service.create(book.member.id, year=book.year, actor=book.member)
    return service, created


def _register(service: Handbooks, book: Handbook) -> Any:
    pledges = advance(make_handbook()).handbook.pledges
    return service.register_pledges(book.id, pledges, actor=book.member)


def test_a_raising_plugin_is_isolated_reported_and_never_called_again() -> None:
    calls: list[str] = []

    class Raises:
        @hookimpl
        def handbook_changed(self) -> None:
            calls.append("raises")
            raise RuntimeError("mất kết nối")

    class Listens:
        @hookimpl
        def handbook_changed(self, event: Event) -> None:
            calls.append(type(event).__name__)

    registry = create_registry(load_entrypoints=False, extra_plugins=[Raises(), Listens()])
    service, book = _service(registry)
    with service:
        _register(service, book)
        assert service.get(book.id).version == 2
    assert calls == ["raises", "Event", "Event"]
    failed = _infos(registry)["Raises"]
    assert failed.status == "failed"
    assert "handbook_changed: RuntimeError: mất kết nối" in (failed.error or "")


def test_a_plugin_raising_while_registering_is_failed_and_not_called_again() -> None:
    calls: list[str] = []

    class Raises:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            calls.append("register_exporters")
            register(Exporter(name="half", suffix=".txt", create_renderer=_Text))
            raise ValueError("không đăng ký được")

        @hookimpl
        def reminders_due(self, reminders: list[Any]) -> None:
            calls.append("reminders_due")

    registry = create_registry(load_entrypoints=False, extra_plugins=[Raises()])
    assert registry.exporters() == {}  # not even what it registered before raising
    registry.plugins()
    registry.call_each("reminders_due", reminders=[])
    assert calls == ["register_exporters"]
    assert "ValueError: không đăng ký được" in (_infos(registry)["Raises"].error or "")


# --- rules fail closed ----------------------------------------------------------------------


class BrokenRules:
    """A validation plugin that crashes while registering its rules."""

    @hookimpl
    def register_rules(self, register: Callable[[Rule], None]) -> None:
        raise RuntimeError("không đọc được cấu hình quy tắc")


def _never(handbook: Handbook, ctx: Any) -> list[Violation]:
    return []


def test_a_rules_plugin_that_raises_makes_registration_refuse_naming_it() -> None:
    registry = create_registry(load_entrypoints=False, extra_plugins=[BrokenRules()])
    service, book = _service(registry)  # opening a handbook runs no rules
    with service:
        with pytest.raises(PluginError, match="BrokenRules") as refused:
            _register(service, book)
        assert service.get(book.id).version == 1  # nothing was stored
    assert "không đọc được cấu hình quy tắc" in str(refused.value)
    assert ON_FAILED_RULES_ENV in refused.value.message_en
    assert registry.failed_rule_plugins() == ["BrokenRules"]


def test_a_deployment_can_choose_to_go_on_without_a_failed_rules_plugin(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    skip = create_registry(
        load_entrypoints=False, extra_plugins=[BrokenRules()], on_failed_rules="skip"
    )
    service, book = _service(skip)
    with service:
        assert _register(service, book).handbook.version == 2
    monkeypatch.setenv(ON_FAILED_RULES_ENV, "skip")
    assert create_registry(load_entrypoints=False).on_failed_rules == "skip"
    monkeypatch.setenv(ON_FAILED_RULES_ENV, "maybe")
    with pytest.raises(PluginError, match=ON_FAILED_RULES_ENV):
        create_registry(load_entrypoints=False)


def test_a_rule_that_raises_refuses_the_step_and_is_never_run_again() -> None:
    runs: list[str] = []

    def crashes(handbook: Handbook, ctx: Any) -> list[Violation]:
        runs.append(handbook.id)
        raise KeyError("trường lạ")

    class Crashing:
        @hookimpl
        def register_rules(self, register: Callable[[Rule], None]) -> None:
            register(
                Rule(
                    code="XY-001",
                    stage=Stage.REGISTRATION,
                    title_vi="x",
                    title_en="x",
                    check=crashes,
                )
            )

    registry = create_registry(load_entrypoints=False, extra_plugins=[Crashing()])
    service, book = _service(registry)
    with service:
        for _ in range(2):
            with pytest.raises(PluginError, match=r"Crashing.*XY-001"):
                _register(service, book)
        assert service.get(book.id).version == 1
    assert len(runs) == 1
    assert _infos(registry)["Crashing"].status == "failed"


def test_a_rule_code_conflict_fails_closed_too() -> None:
    def rules(code: str) -> object:
        class Plugin:
            @hookimpl
            def register_rules(self, register: Callable[[Rule], None]) -> None:
                register(
                    Rule(code=code, stage=Stage.CLOSE, title_vi="t", title_en="t", check=_never)
                )

        return Plugin()

    first, second = rules("XY-001"), rules("XY-001")
    registry = create_registry(load_entrypoints=False, extra_plugins=[first])
    registry.register(second, "second")
    info = _infos(registry)["second"]
    assert info.status == "conflict"
    assert "rule code 'XY-001' is already provided by Plugin" in (info.error or "")
    codes = [r.code for r in registry.rules()]
    assert codes[0] == "XY-001"
    assert {c.split(":")[0] for c in codes[1:]} == {"LTGB-PLUGIN"}  # one refusal per stage
    assert len(codes) == 1 + len(Stage)


# --- pluggy as designed ---------------------------------------------------------------------


def test_wrappers_and_monitoring_see_each_plugins_call() -> None:
    seen: list[str] = []
    monitored: list[tuple[str, list[str]]] = []

    class Audit:
        @hookimpl
        def handbook_changed(self, handbook: Handbook) -> None:
            seen.append(f"audit {handbook.version}")

    class Timing:
        @hookimpl(wrapper=True)
        def handbook_changed(self, event: Event) -> Iterator[None]:
            seen.append("before")
            result = yield
            seen.append("after")
            return result

    registry = create_registry(load_entrypoints=False, extra_plugins=[Audit(), Timing()])
    undo = registry.pm.add_hookcall_monitoring(
        lambda name, impls, kwargs: monitored.append((name, [i.plugin_name for i in impls])),
        lambda outcome, name, impls, kwargs: None,
    )
    try:
        service, _ = _service(registry)
        service.close()
    finally:
        undo()
    assert seen == ["before", "audit 1", "after"]
    assert ("handbook_changed", ["Audit", "Timing"]) in monitored
    # registration hooks go through pluggy too, one plugin at a time
    assert ("register_storage_backends", ["lamtheoguongbac.builtins"]) in monitored
    assert _infos(registry)["Timing"].provides.events == ("handbook_changed",)


def test_an_error_in_a_wrapper_is_blamed_on_the_wrapper() -> None:
    class Audit:
        @hookimpl
        def reminders_due(self, reminders: list[Any]) -> None:
            pass

    class BadWrapper:
        @hookimpl(wrapper=True)
        def reminders_due(self) -> Iterator[None]:
            yield
            raise RuntimeError("wrapper hỏng")

    registry = create_registry(load_entrypoints=False, extra_plugins=[Audit(), BadWrapper()])
    registry.call_each("reminders_due", reminders=[])
    infos = _infos(registry)
    assert infos["BadWrapper"].status == "failed"
    assert infos["Audit"].status == "active"


def test_a_failure_is_logged_with_the_plugins_name(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="lamtheoguongbac._registry"):
        create_registry(load_entrypoints=False, extra_plugins=[BrokenRules()]).plugins()
    assert "BrokenRules" in caplog.text


def test_registries_are_isolated() -> None:
    with_shadow = create_registry(load_entrypoints=False, extra_plugins=[Shadow()])
    plain = create_registry(load_entrypoints=False)
    assert "Shadow" in _infos(with_shadow)
    assert "Shadow" not in _infos(plain)


def test_a_temporary_plugin_restores_the_registry(ltgb_registry: Registry) -> None:
    class Extra:
        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="txt", suffix=".txt", create_renderer=_Text))

    with register_temporary_plugin(ltgb_registry, Extra()) as name:
        assert _infos(ltgb_registry)[name].provides.exporters == (("txt", "handbook"),)
    assert ltgb_registry.exporters() == {}


def test_a_raising_event_plugin_is_logged_with_its_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from lamtheoguongbac import HandbookStatus
    from lamtheoguongbac.plugin import create_registry
    from lamtheoguongbac.testing import creation_event, make_handbook

    class Broken:
        @hookimpl
        def handbook_changed(self, event, handbook):  # type: ignore[no-untyped-def]
            raise RuntimeError("hỏng")

    registry = create_registry(load_entrypoints=False, extra_plugins=[Broken()])
    book = make_handbook(HandbookStatus.DRAFT)
    with caplog.at_level("WARNING"):
        registry.notify_changed(creation_event(book), book)
    (record,) = [r for r in caplog.records if "handbook_changed" in r.getMessage()]
    assert record.exc_info is not None
    assert "RuntimeError" in caplog.text
    assert 'raise RuntimeError("hỏng")' in caplog.text  # the traceback, not one line
