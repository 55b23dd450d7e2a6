"""The exporter renders handbooks at every stage through the library's batch export."""

from pathlib import Path

import pytest
from lamtheoguongbac import HandbookStatus, ValidationFailed
from lamtheoguongbac.export import build_context, export_handbooks
from lamtheoguongbac.plugin import ExportOptions, create_registry
from lamtheoguongbac.testing import make_handbook


def test_every_status_renders_through_the_batch_export(tmp_path: Path) -> None:
    handbooks = [make_handbook(status, index=i) for i, status in enumerate(HandbookStatus)]
    registry = create_registry()
    result = export_handbooks(tmp_path, handbooks, exporter="{{ cookiecutter.name }}", registry=registry)
    assert len(result.written) == len(handbooks)
    for path, handbook in zip(result.written, handbooks, strict=True):
        assert path.suffix == "{{ cookiecutter.suffix }}"
        assert path.stat().st_size > 0
        assert handbook.member.full_name in path.name


def test_it_is_the_default_handbook_exporter_when_alone(tmp_path: Path) -> None:
    registry = create_registry(allowed=["{{ cookiecutter.name }}"])
    assert registry.exporter_for("handbook").name == "{{ cookiecutter.name }}"


def test_render_uses_the_context() -> None:
    renderer = create_registry().exporter("{{ cookiecutter.name }}").create_renderer
    context = build_context(make_handbook(HandbookStatus.CLOSED))
    document = renderer(ExportOptions()).render(context)
    assert context["member"]["full_name"].encode("utf-8") in document


def test_settings_are_checked(tmp_path: Path) -> None:
    handbooks = [make_handbook(HandbookStatus.REGISTERED)]
    registry = create_registry()
    options = ExportOptions(settings={"heading": "Sổ tay đảng viên"})
    (path,) = export_handbooks(
        tmp_path, handbooks, exporter="{{ cookiecutter.name }}", options=options, registry=registry
    ).written
    assert "Sổ tay đảng viên" in path.read_text(encoding="utf-8")
    with pytest.raises(ValidationFailed):
        export_handbooks(
            tmp_path,
            handbooks,
            exporter="{{ cookiecutter.name }}",
            options=ExportOptions(settings={"colour": "đỏ"}),
            registry=registry,
        )


def test_worker_processes_find_the_exporter(tmp_path: Path) -> None:
    handbooks = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(4)]
    # An iterator: its size is unknown, so jobs=2 really starts worker processes (a list
    # this short would be rendered in this process, see choose_jobs).
    result = export_handbooks(
        tmp_path,
        iter(handbooks),
        exporter="{{ cookiecutter.name }}",
        jobs=2,
        registry=create_registry(),
    )
    assert len(result.written) == 4
