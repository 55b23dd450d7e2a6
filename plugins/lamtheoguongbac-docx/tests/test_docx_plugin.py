"""The plugin as users meet it: found through its entry point, used by the batch export."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from docx_helpers import all_text

from lamtheoguongbac import HandbookStatus
from lamtheoguongbac.export import export_handbooks
from lamtheoguongbac.plugin import create_registry
from lamtheoguongbac.testing import make_handbook
from lamtheoguongbac_docx import DEFAULT_TEMPLATE, DocxRenderer, check_template, create_renderer

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_default_template.py"


def test_the_entry_point_registers_the_docx_exporter() -> None:
    registry = create_registry()

    exporter = registry.exporter("docx")
    assert (exporter.name, exporter.suffix) == ("docx", ".docx")
    assert exporter.create_renderer is create_renderer
    assert exporter.check_template is check_template
    assert exporter.kind.value == "handbook"
    assert registry.exporter_for("handbook") is exporter  # the core picks it by kind
    info = next(p for p in registry.plugins() if p.name == "docx")
    assert (info.distribution, info.status) == ("lamtheoguongbac-docx", "active")
    assert set(info.provides.exporters) == {
        ("docx", "handbook"),
        ("docx-yearbook", "yearbook"),
        ("docx-report", "report"),
    }


@pytest.mark.parametrize("jobs", [1, 2])
def test_batch_export_writes_word_handbooks(tmp_path: Path, jobs: int) -> None:
    books = [make_handbook(HandbookStatus.CLOSED, index=i) for i in range(6)]

    result = export_handbooks(tmp_path, books, jobs=jobs)

    assert len(result.written) == 6
    assert result.notes == ()
    for book, path in zip(books, result.written, strict=True):
        assert path.suffix == ".docx"
        assert "1. Họ và tên: " + book.member.full_name in all_text(path.read_bytes())


def test_a_fallback_shows_up_in_the_export_notes(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("{{r member.full_name }}")
    document.save(str(tmp_path / "mau.docx"))
    from lamtheoguongbac.export import ExportOptions

    result = export_handbooks(tmp_path / "out", [make_handbook()],
                              options=ExportOptions(template=tmp_path / "mau.docx"))  # fmt: skip

    assert len(result.notes) == 1
    assert "docxtpl" in result.notes[0]


def test_the_committed_template_is_what_the_script_builds() -> None:
    spec = importlib.util.spec_from_file_location("build_default_template", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
        built = module.build()
        assert built == module.build()
    finally:
        del sys.modules[spec.name]
    assert built == DEFAULT_TEMPLATE.read_bytes(), "run scripts/build_default_template.py"
    assert not DocxRenderer().uses_fallback


@pytest.mark.parametrize("template", sorted(DEFAULT_TEMPLATE.parent.glob("*.docx")), ids=str)
def test_the_bundled_templates_carry_the_styles_their_parts_use_and_no_more(
    template: Path,
) -> None:
    # Every exported document copies the template's style parts: python-docx's own template
    # brought 790 KB of them (26 KB compressed, two thirds of a handbook's file) for a
    # handful of styles in use. What a part names must still be defined.
    import posixpath
    import zipfile

    from lxml import etree

    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(template) as archive:
        names = archive.namelist()
        parts = {n: etree.fromstring(archive.read(n)) for n in names if n.endswith(".xml")}
    for unused in ("word/stylesWithEffects.xml", "word/webSettings.xml", "customXml/item1.xml"):
        assert unused not in names
    with zipfile.ZipFile(template) as archive:  # every relationship and content type is met
        for rels in [n for n in names if n.endswith(".rels")]:
            source = posixpath.dirname(posixpath.dirname(rels))
            for rel in etree.fromstring(archive.read(rels)):
                target = posixpath.normpath(posixpath.join(source, rel.get("Target")))
                assert target in names, (rels, target)
        for override in etree.fromstring(archive.read("[Content_Types].xml")):
            if override.get("PartName"):
                assert override.get("PartName").lstrip("/") in names
    styles = parts.pop("word/styles.xml")
    assert styles.find(f"{w}latentStyles") is None
    defined = {s.get(f"{w}styleId"): s for s in styles.iter(f"{w}style")}
    named = {
        e.get(f"{w}val")
        for part in parts.values()
        for tag in ("pStyle", "rStyle", "tblStyle", "numStyleLink", "styleLink")
        for e in part.iter(f"{w}{tag}")
    }
    named |= {
        e.get(f"{w}val")
        for s in defined.values()
        for tag in ("basedOn", "next", "link")
        for e in s.iter(f"{w}{tag}")
    }
    assert named <= set(defined), named - set(defined)
    defaults = {i for i, s in defined.items() if s.get(f"{w}default") == "1"}
    assert set(defined) == named | defaults  # no style that nothing uses
    assert template.stat().st_size < 15_000
