"""Fixtures for the Word exporter's tests: handbooks, contexts, templates built on the fly."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.document import Document as DocumentObject

from lamtheoguongbac import Handbook, HandbookStatus
from lamtheoguongbac.export import build_context
from lamtheoguongbac.testing import make_handbook

TODAY = dt.date(2026, 1, 5)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "soffice: needs LibreOffice (soffice) and poppler-utils (pdftotext)"
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    missing = [tool for tool in ("soffice", "pdftotext") if shutil.which(tool) is None]
    if not missing:
        return
    skip = pytest.mark.skip(
        reason=f"{', '.join(missing)} not installed "
        "(apt-get install libreoffice-writer-nogui poppler-utils fonts-liberation2)"
    )
    for item in items:
        if "soffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def assessed() -> Handbook:
    return make_handbook(HandbookStatus.ASSESSED)


@pytest.fixture(scope="session")
def context(assessed: Handbook) -> dict[str, Any]:
    return build_context(assessed, today=TODAY)


@pytest.fixture(scope="session")
def draft_context() -> dict[str, Any]:
    return build_context(make_handbook(HandbookStatus.DRAFT, index=2), today=TODAY)


TemplateBuilder = Callable[[Callable[[DocumentObject], None]], Path]


@pytest.fixture
def make_template(tmp_path: Path) -> TemplateBuilder:
    """``make_template(fill)``: a .docx made by ``fill(document)``, saved in ``tmp_path``."""
    counter = iter(range(1_000_000))

    def build(fill: Callable[[DocumentObject], None]) -> Path:
        document = Document()
        fill(document)
        path = tmp_path / f"mau-{next(counter)}.docx"
        document.save(str(path))
        return path

    return build


@pytest.fixture
def text_template(make_template: TemplateBuilder) -> Callable[..., Path]:
    """``text_template("line with {{ tags }}", …)``: one paragraph per argument."""

    def build(*lines: str) -> Path:
        def fill(document: DocumentObject) -> None:
            for line in lines:
                document.add_paragraph(line)

        return make_template(fill)

    return build
