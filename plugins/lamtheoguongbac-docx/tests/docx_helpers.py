"""Helpers shared by the Word exporter's tests (a module with a name of its own, so it can be
imported next to the core's tests)."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from typing import Any

from docx import Document


def tiny_png() -> bytes:
    """A valid 1×1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))  # fmt: skip


def document_text(data: bytes) -> dict[str, list[Any]]:
    """What a reader sees, extracted with python-docx: body paragraphs, tables (cell texts,
    row by row), headers and footers of every section, footnotes, picture ids."""
    document = Document(io.BytesIO(data))
    headers, footers = [], []
    for section in document.sections:
        for header in (section.header, section.first_page_header, section.even_page_header):
            if not header.is_linked_to_previous:
                headers.append([p.text for p in header.paragraphs])
        for footer in (section.footer, section.first_page_footer, section.even_page_footer):
            if not footer.is_linked_to_previous:
                footers.append([p.text for p in footer.paragraphs])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        body = archive.read("word/document.xml").decode("utf-8")
        notes = archive.read("word/footnotes.xml").decode() if "word/footnotes.xml" in names else ""
    return {
        "paragraphs": [p.text for p in document.paragraphs],
        "tables": [[[c.text for c in row.cells] for row in t.rows] for t in document.tables],
        "headers": headers,
        "footers": footers,
        "footnotes": re.findall(r"<w:t[^>]*>([^<]*)</w:t>", notes),
        "pictures": re.findall(r'<wp:docPr\b[^>]*?\sid="(\d+)"', body),
    }


def all_text(data: bytes) -> str:
    """Every text of the document joined by newlines (for "does it say …" checks)."""
    parts = document_text(data)
    lines = list(parts["paragraphs"])
    for table in parts["tables"]:
        for row in table:
            lines.extend(row)
    for block in (*parts["headers"], *parts["footers"]):
        lines.extend(block)
    return "\n".join(lines)
