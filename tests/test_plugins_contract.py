"""The contract a plugin author relies on: document kinds, settings, worker processes, the
rules' calendar, the store URL convention, and a test implementing every hook."""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import (
    Handbook,
    HandbookStatus,
    PluginError,
    StoreError,
    ValidationFailed,
)
from lamtheoguongbac import _hookspecs as hookspecs
from lamtheoguongbac.export import export_handbooks
from lamtheoguongbac.plugin import (
    VIETNAM_TIMEZONE,
    DocumentKind,
    Exporter,
    ExportOptions,
    Registry,
    RuleContext,
    StoreURL,
    create_registry,
    hookimpl,
    parse_store_url,
    settings_validator,
    store_url,
    timezone,
)
from lamtheoguongbac.rules import DEFAULT_POLICY, Policy
from lamtheoguongbac.testing import make_handbook, make_member

ROOT = Path(__file__).resolve().parents[1]


class Recording:
    """Renders a handbook as ``name|settings`` (module level: it pickles for workers)."""

    def __init__(self, options: ExportOptions) -> None:
        self.settings = dict(options.settings)

    def render(self, context: Mapping[str, Any]) -> bytes:
        return f"{context['member']['full_name']}|{sorted(self.settings.items())}".encode()

    def merge(self, documents: Sequence[bytes]) -> bytes:
        return b"\n".join(documents)


def _bool(value: Any) -> bool:
    text = str(value).strip().lower()
    if text not in ("true", "false", "1", "0", "có", "không"):
        raise ValueError("cần true/false")
    return text in ("true", "1", "có")


class KindsPlugin:
    """A module-level class: an object plugin that pickles, so workers can use it."""

    @hookimpl
    def register_exporters(self, register: Callable[[Exporter], None]) -> None:
        register(
            Exporter(
                name="txt",
                suffix=".txt",
                kind="handbook",
                create_renderer=Recording,
                validate_settings=settings_validator(columns=int, signed=_bool),
            )
        )
        register(
            Exporter(
                name="txt-yearbook",
                suffix=".txt",
                kind=DocumentKind.YEARBOOK,
                create_renderer=Recording,
            )
        )


@pytest.fixture
def registry() -> Registry:
    return create_registry(load_entrypoints=False, extra_plugins=[KindsPlugin()])


@pytest.fixture
def books() -> list[Handbook]:
    return [make_handbook(HandbookStatus.REGISTERED, index=i) for i in range(3)]


# --- kinds -----------------------------------------------------------------------------------


def test_an_exporter_declares_a_known_kind() -> None:
    assert Exporter(name="a", suffix=".a", create_renderer=Recording).kind is (
        DocumentKind.HANDBOOK
    )
    assert Exporter(name="a", suffix=".a", kind="report", create_renderer=Recording).kind is (
        DocumentKind.REPORT
    )
    with pytest.raises(PluginError, match="handbook, yearbook, report"):
        Exporter(name="a", suffix=".a", kind="sổ tay", create_renderer=Recording)


def test_the_default_exporter_is_chosen_by_kind(
    registry: Registry, books: list[Handbook], tmp_path: Path
) -> None:
    assert registry.exporter_for("handbook").name == "txt"
    assert registry.exporter_for(DocumentKind.YEARBOOK).name == "txt-yearbook"
    with pytest.raises(PluginError, match="report"):
        registry.exporter_for("report")
    written = export_handbooks(tmp_path, books, registry=registry).written
    assert [p.suffix for p in written] == [".txt"] * 3


def test_an_exporter_of_another_kind_is_refused_with_both_kinds_named(
    registry: Registry, books: list[Handbook], tmp_path: Path
) -> None:
    with pytest.raises(PluginError) as refused:
        export_handbooks(tmp_path / "out", books, exporter="txt-yearbook", registry=registry)
    assert "'txt-yearbook'" in refused.value.message_vi
    assert "kỷ yếu" in refused.value.message_vi
    assert "sổ tay" in refused.value.message_vi
    assert "renders a yearbook, not a handbook" in refused.value.message_en
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_no_plugin_exporter_name_appears_in_the_core() -> None:
    names = re.compile(r"""["'](docx|docx-report|docx-yearbook)["']|docx-(report|yearbook)""")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "src" / "lamtheoguongbac").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if names.search(line)
    ]
    assert found == []


# --- settings --------------------------------------------------------------------------------


def test_settings_are_checked_and_converted_by_the_exporter(
    registry: Registry, books: list[Handbook], tmp_path: Path
) -> None:
    options = ExportOptions(settings={"columns": "3", "signed": "có"})
    (first, *_) = export_handbooks(tmp_path, books, registry=registry, options=options).written
    assert first.read_text(encoding="utf-8").endswith("[('columns', 3), ('signed', True)]")
    with pytest.raises(ValidationFailed) as unknown:
        export_handbooks(
            tmp_path, books, registry=registry, options=ExportOptions(settings={"colums": "3"})
        )
    assert unknown.value.field == "settings.colums"
    assert "known settings: columns, signed" in unknown.value.message_en
    with pytest.raises(ValidationFailed) as bad:
        export_handbooks(
            tmp_path, books, registry=registry, options=ExportOptions(settings={"columns": "ba"})
        )
    assert bad.value.field == "settings.columns"


def test_an_exporter_without_a_validator_gets_the_settings_as_they_are() -> None:
    free = Exporter(name="free", suffix=".x", create_renderer=Recording)
    assert free.configure(ExportOptions(settings={"a": 1})).settings == {"a": 1}
    none = Exporter(
        name="none", suffix=".x", create_renderer=Recording, validate_settings=settings_validator()
    )
    assert none.configure(None).settings == {}
    with pytest.raises(ValidationFailed, match="unknown setting 'a'"):
        none.configure(ExportOptions(settings={"a": 1}))


# --- worker processes ------------------------------------------------------------------------


def test_an_object_exporter_that_pickles_works_in_worker_processes(
    registry: Registry, books: list[Handbook], tmp_path: Path
) -> None:
    options = ExportOptions(settings={"columns": "2"})
    result = export_handbooks(tmp_path, books, registry=registry, jobs=2, options=options)
    assert len(result.written) == 3
    text = result.written[0].read_text(encoding="utf-8")
    assert text == f"{books[0].member.full_name}|[('columns', 2)]"


def test_an_object_exporter_that_cannot_pickle_is_refused_with_the_reason(
    books: list[Handbook], tmp_path: Path
) -> None:
    class Local:  # defined in a function: pickle cannot find it again
        def __init__(self) -> None:
            self.lock = threading.Lock()

        @hookimpl
        def register_exporters(self, register: Callable[[Exporter], None]) -> None:
            register(Exporter(name="local", suffix=".txt", create_renderer=Recording))

    registry = create_registry(load_entrypoints=False, extra_plugins=[Local()])
    with pytest.raises(PluginError) as refused:
        export_handbooks(tmp_path / "out", books, registry=registry, jobs=2)
    message = refused.value.message_en
    assert "'local' of the plugin 'Local' (an object) cannot be sent" in message
    assert "use jobs=1" in message
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert len(export_handbooks(tmp_path / "one", books, registry=registry).written) == 3


# --- the rules' calendar ---------------------------------------------------------------------


def test_rules_judge_dates_on_the_viet_nam_calendar() -> None:
    actor = make_member()
    late_evening_utc = dt.datetime(2025, 3, 1, 18, 30, tzinfo=dt.UTC)  # 01:30 on 2/3 in VN
    ctx = RuleContext(policy=DEFAULT_POLICY, actor=actor, at=late_evening_utc)
    assert ctx.today == dt.date(2025, 3, 2)
    assert late_evening_utc.date() == dt.date(2025, 3, 1)
    assert ctx.local_at.utcoffset() == dt.timedelta(hours=7)
    utc = RuleContext(policy=DEFAULT_POLICY, actor=actor, at=late_evening_utc, tz=dt.UTC)
    assert utc.today == dt.date(2025, 3, 1)
    assert str(timezone()) == VIETNAM_TIMEZONE


def test_a_policy_names_its_time_zone() -> None:
    assert DEFAULT_POLICY.timezone == "Asia/Ho_Chi_Minh"
    paris = Policy(timezone="Europe/Paris")
    assert paris.timezone == "Europe/Paris"
    with pytest.raises(ValidationFailed) as bad:
        Policy(timezone="Asia/Hà_Nội")
    assert bad.value.field == "timezone"


def test_the_meeting_date_rule_uses_the_viet_nam_date() -> None:
    from lamtheoguongbac.rules import BUILTIN_RULES

    (rule,) = [r for r in BUILTIN_RULES if r.code == "LTGB-A007"]
    book = make_handbook(HandbookStatus.ASSESSED)
    assert book.collective_assessment is not None
    meeting = book.collective_assessment.meeting_date
    # 00:30 in Viet Nam on the meeting day is still the day before in UTC
    at = dt.datetime.combine(meeting, dt.time(0, 30), tzinfo=dt.timezone(dt.timedelta(hours=7)))

    def codes(moment: dt.datetime) -> set[str]:
        ctx = RuleContext(policy=DEFAULT_POLICY, actor=book.member, at=moment.astimezone(dt.UTC))
        return {v.code for v in rule.check(book, ctx)}

    assert codes(at) == set()
    assert codes(at - dt.timedelta(hours=1)) == {"LTGB-A007"}


# --- the store URL convention ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "jsonl:///du-lieu",
            StoreURL(url="jsonl:///du-lieu", scheme="jsonl", path=Path("du-lieu")),
        ),
        (
            "jsonl:////var/ltgb",
            StoreURL(url="jsonl:////var/ltgb", scheme="jsonl", path=Path("/var/ltgb")),
        ),
        (
            "JSONL:///s%E1%BB%95%3F.db",
            StoreURL(url="JSONL:///s%E1%BB%95%3F.db", scheme="jsonl", path=Path("sổ?.db")),
        ),
        ("memory:", StoreURL(url="memory:", scheme="memory")),
        ("memory:2025", StoreURL(url="memory:2025", scheme="memory", name="2025")),
    ],
)
def test_store_urls_follow_one_convention(url: str, expected: StoreURL) -> None:
    assert parse_store_url(url) == expected


@pytest.mark.parametrize(
    ("url", "kwargs", "says"),
    [
        ("jsonl://host/x", {}, "a host"),
        ("jsonl:///x?mode=ro", {}, "'?' and '#'"),
        ("jsonl:///", {}, "the path is missing"),
        ("jsonl:", {"path": True}, "a path is required"),
        ("sqlite:///x", {"scheme": "jsonl"}, "is not a 'jsonl:' URL"),
        ("du-lieu/so-tay", {}, "has no scheme"),
    ],
)
def test_urls_breaking_the_convention_are_refused(
    url: str, kwargs: dict[str, Any], says: str
) -> None:
    with pytest.raises(StoreError, match=re.escape(says)):
        parse_store_url(url, **kwargs)


def test_store_url_writes_what_parse_store_url_reads(tmp_path: Path) -> None:
    path = tmp_path / "sổ 100%?#.jsonl"
    url = store_url("jsonl", path)
    assert url.startswith("jsonl:////")
    assert parse_store_url(url, scheme="jsonl", path=True).path == path


# --- every hook is implemented by a test ------------------------------------------------------


def test_every_hook_is_implemented_by_a_test() -> None:
    hooks = {n for n in dir(hookspecs) if hasattr(getattr(hookspecs, n), "lamtheoguongbac_spec")}
    sources = [
        p.read_text(encoding="utf-8")
        for folder in (ROOT / "tests", *sorted((ROOT / "plugins").glob("*/tests")))
        for p in folder.rglob("test_*.py")
    ]
    implemented = {
        m.group(1)
        for text in sources
        for m in re.finditer(r"@hookimpl(?:\([^)]*\))?\s+def (\w+)\(", text)
    }
    assert sorted(hooks - implemented) == []
