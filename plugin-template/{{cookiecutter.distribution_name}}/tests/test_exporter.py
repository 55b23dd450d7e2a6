"""The exporter renders handbooks at every stage through the library's batch export."""

from pathlib import Path

from lamtheoguongbac import HandbookStatus
from lamtheoguongbac.export import build_context, export_handbooks
from lamtheoguongbac.plugin import ExportOptions, create_registry
from lamtheoguongbac.testing import make_handbook


def test_every_status_renders_through_the_batch_export(tmp_path: Path) -> None:
    handbooks = [make_handbook(status, index=i) for i, status in enumerate(HandbookStatus)]
    registry = create_registry()
    result = export_handbooks(handbooks, tmp_path, exporter="{{ cookiecutter.name }}", registry=registry)
    assert len(result.written) == len(handbooks)
    for path, handbook in zip(result.written, handbooks, strict=True):
        assert path.suffix == "{{ cookiecutter.suffix }}"
        assert path.stat().st_size > 0
        assert handbook.member.full_name in path.name


def test_render_uses_the_context() -> None:
    renderer = create_registry().exporter("{{ cookiecutter.name }}").create_renderer
    context = build_context(make_handbook(HandbookStatus.CLOSED))
    document = renderer(ExportOptions()).render(context)
    assert context["member"]["full_name"].encode("utf-8") in document
