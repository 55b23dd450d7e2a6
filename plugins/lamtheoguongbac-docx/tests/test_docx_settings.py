"""The render limits a user sets: ``time_limit`` and ``max_output`` in ``ExportOptions.settings``
or ``--set``, accepted by every Word exporter, checked, bounded and applied."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import TemplateError, ValidationFailed
from lamtheoguongbac.cli import cli
from lamtheoguongbac.export import ExportOptions, export_handbooks, export_yearbook
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_entry, make_exemplar, make_handbook
from lamtheoguongbac_docx._settings import MAX_OUTPUT_CEILING, TIME_LIMIT_CEILING

EXPORTERS = ["docx", "docx-yearbook", "docx-report"]
LOOP = "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"
#: 200,000 characters of output: well under the default limit of 64 Mi.
FLOOD = "{{ 'a' * 200000 }}"
#: An endless loop must end within its limit and the retelling of the error.
BOUNDED = 30


def _template(tmp_path: Path, line: str, first: str = "Họ và tên: {{ member.full_name }}") -> Path:
    import docx

    document = docx.Document()
    document.add_paragraph(first)
    document.add_paragraph(line)
    path = tmp_path / "mau.docx"
    document.save(str(path))
    return path


def test_every_word_exporter_takes_the_limits_and_no_other_setting() -> None:
    registry = create_registry()
    ours = sorted(n for n, e in registry.exporters().items() if e.suffix == ".docx")
    assert ours == sorted(EXPORTERS)
    for name in EXPORTERS:
        exporter = registry.exporter(name)
        options = exporter.configure(
            ExportOptions(settings={"time_limit": "2.5", "max_output": " 1_000_000 "})
        )
        # Strings from --set become numbers; Python numbers stay as they are.
        assert dict(options.settings) == {"time_limit": 2.5, "max_output": 1_000_000}
        assert exporter.configure(ExportOptions(settings={"time_limit": 5})).settings == {
            "time_limit": 5.0
        }
        with pytest.raises(ValidationFailed) as unknown:
            exporter.configure(ExportOptions(settings={"font_size": "13"}))
        assert unknown.value.field == "settings.font_size"
        assert "max_output, time_limit" in unknown.value.message("en")


def test_the_ceilings_are_allowed_and_nothing_above() -> None:
    exporter = create_registry().exporter("docx")
    top = {"time_limit": TIME_LIMIT_CEILING, "max_output": MAX_OUTPUT_CEILING}
    assert dict(exporter.configure(ExportOptions(settings=top)).settings) == top
    assert (TIME_LIMIT_CEILING, MAX_OUTPUT_CEILING) == (600.0, 256 * 2**20)
    for key, above in (("time_limit", 600.5), ("max_output", MAX_OUTPUT_CEILING + 1)):
        with pytest.raises(ValidationFailed) as refused:
            exporter.configure(ExportOptions(settings={key: above}))
        assert "không tắt được" in refused.value.message("vi")
        assert "cannot be switched off" in refused.value.message("en")


BAD = [
    ("time_limit", "năm giây"),
    ("time_limit", ""),
    ("time_limit", None),
    ("time_limit", True),
    ("time_limit", [5]),
    ("time_limit", 0),
    ("time_limit", "-1"),
    ("time_limit", "nan"),
    ("time_limit", "inf"),
    ("time_limit", float("inf")),
    ("time_limit", 10**400),
    ("time_limit", 86_400),
    ("max_output", "nhiều"),
    ("max_output", "1.5"),
    ("max_output", 2.5),
    ("max_output", False),
    ("max_output", 0),
    ("max_output", "-10"),
    ("max_output", "1e400"),
    ("max_output", 2**40),
]


@pytest.mark.parametrize("name", EXPORTERS)
@pytest.mark.parametrize(("key", "value"), BAD, ids=[f"{k}={v!r}"[:40] for k, v in BAD])
def test_a_bad_limit_is_refused_naming_the_setting_in_both_languages(
    name: str, key: str, value: object
) -> None:
    exporter = create_registry().exporter(name)
    with pytest.raises(ValidationFailed) as refused:
        exporter.configure(ExportOptions(settings={key: value}))
    error = refused.value
    assert error.field == f"settings.{key}"
    assert error.message("vi").startswith(f"settings.{key}: '{key}' phải là số")
    assert error.message("en").startswith(f"settings.{key}: '{key}' must be a")
    assert "không phải" in error.message("vi")
    assert len(error.message("en")) < 400  # a huge number is shown cut
    # A renderer made without configure() checks the same way.
    with pytest.raises(ValidationFailed):
        exporter.create_renderer(ExportOptions(settings={key: value}))


def test_a_small_time_limit_stops_a_looping_template_in_a_batch_export(tmp_path: Path) -> None:
    template = _template(tmp_path, LOOP)
    started = time.monotonic()
    with pytest.raises(TemplateError) as stopped:
        export_handbooks(
            tmp_path / "ra",
            [make_handbook()],
            exporter="docx",
            options=ExportOptions(template=template, settings={"time_limit": 0.5}),
        )
    assert time.monotonic() - started < BOUNDED
    assert "quá 0.5 giây" in stopped.value.message("vi")
    assert "over 0.5 seconds" in stopped.value.message("en")
    assert "range(100000)" in stopped.value.message("en")  # the paragraph is named


def test_a_small_time_limit_stops_a_looping_yearbook(tmp_path: Path) -> None:
    template = _template(tmp_path, LOOP, first="Kỷ yếu gương điển hình")
    started = time.monotonic()
    with pytest.raises(TemplateError, match=r"0\.5"):
        export_yearbook(
            tmp_path / "ky-yeu.docx",
            [make_exemplar(commended=True)],
            title_year=2025,
            organisation_name="Đảng bộ xã Tịnh Biên",
            superior_name="Đảng bộ tỉnh An Giang",
            place="Tịnh Biên",
            today=dt.date(2026, 1, 5),
            signer_name="Nguyễn Văn Hải",
            options=ExportOptions(template=template, settings={"time_limit": "0.5"}),
        )
    assert time.monotonic() - started < BOUNDED
    assert not (tmp_path / "ky-yeu.docx").exists()


@pytest.mark.parametrize("name", EXPORTERS)
def test_the_limits_reach_the_renderer_of_every_kind(name: str, tmp_path: Path) -> None:
    context = {"member": {"full_name": "Nguyễn Văn An"}, "charts": {}}
    exporter = create_registry().exporter(name)

    def render(line: str, settings: dict[str, object]) -> bytes:
        options = exporter.configure(
            ExportOptions(template=_template(tmp_path, line), settings=settings)
        )
        return exporter.create_renderer(options).render(context)

    started = time.monotonic()
    with pytest.raises(TemplateError, match=r"0\.25"):
        render(LOOP, {"time_limit": "0.25"})
    assert time.monotonic() - started < BOUNDED
    assert render(FLOOD, {})  # the default limit lets 200,000 characters through
    with pytest.raises(TemplateError) as flooded:
        render(FLOOD, {"max_output": "100000"})
    assert "exceed 100,000 characters" in flooded.value.message("en")


@pytest.fixture
def store(tmp_path: Path) -> Callable[..., Result]:
    """The command line on a store holding two handbooks."""
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    runner = CliRunner()

    def run(*args: str) -> Result:
        return runner.invoke(cli, ["--store", url, *args], catch_exceptions=False)

    assert run("init").exit_code == 0
    opened = create_registry().open_store(url)
    try:
        for index in range(2):
            opened.add(*make_entry(index=index))
    finally:
        opened.close()
    return run


def test_set_time_limit_on_the_command_line_stops_a_looping_template(
    store: Callable[..., Result], tmp_path: Path
) -> None:
    template = str(_template(tmp_path, LOOP))
    out = str(tmp_path / "ra")
    started = time.monotonic()
    result = store("export", "--out", out, "--template", template, "--set", "time_limit=0.5")
    assert time.monotonic() - started < BOUNDED
    assert result.exit_code == 2, result.output
    assert "quá 0.5 giây" in result.output


def test_set_max_output_on_the_command_line_bounds_each_document(
    store: Callable[..., Result], tmp_path: Path
) -> None:
    template = str(_template(tmp_path, FLOOD))
    flooded = store("--lang", "en", "export", "--out", str(tmp_path / "a"), "--template",
                    template, "--set", "max_output=100000")  # fmt: skip
    assert flooded.exit_code == 2, flooded.output
    assert "would exceed 100,000 characters" in flooded.output
    written = store("export", "--out", str(tmp_path / "b"), "--template", template,
                    "--set", "max_output=1000000", "--set", "time_limit=10")  # fmt: skip
    assert written.exit_code == 0, written.output
    assert len(list((tmp_path / "b").glob("*.docx"))) == 2


@pytest.mark.parametrize(
    ("setting", "said"),
    [
        ("time_limit=0", "settings.time_limit: 'time_limit' phải là số giây lớn hơn 0"),
        ("time_limit=3600", "tối đa 600 (10 phút)"),
        ("time_limit=mãi", "không phải 'mãi'"),
        ("max_output=0", "settings.max_output: 'max_output' phải là số ký tự nguyên"),
        ("font_size=13", "thiết lập lạ 'font_size'; các thiết lập: max_output, time_limit"),
    ],
)
def test_a_bad_setting_on_the_command_line_exits_2(
    setting: str, said: str, store: Callable[..., Result], tmp_path: Path
) -> None:
    result = store("export", "--out", str(tmp_path / "ra"), "--set", setting)
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert not (tmp_path / "ra").exists() or not list((tmp_path / "ra").iterdir())
