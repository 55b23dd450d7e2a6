"""PDF conversion of exported handbooks with LibreOffice (export/pdf.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lamtheoguongbac import HandbookStatus, ValidationFailed
from lamtheoguongbac.export import (
    PdfConversionError,
    convert_to_pdf,
    export_handbooks,
    soffice_available,
)
from lamtheoguongbac.testing import make_handbook


@pytest.mark.soffice
def test_exported_handbooks_convert_to_pdfs_that_say_the_right_things(tmp_path: Path) -> None:
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(3)]
    docs = export_handbooks(tmp_path / "docx", books).written

    pdfs = convert_to_pdf(tmp_path / "pdf", docs, jobs=2).written

    assert [p.name for p in pdfs] == [d.with_suffix(".pdf").name for d in docs]
    assert sorted(p.name for p in (tmp_path / "pdf").iterdir()) == sorted(p.name for p in pdfs)
    for book, pdf in zip(books, pdfs, strict=True):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                              check=True, text=True).stdout  # fmt: skip
        for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "LÀM THEO GƯƠNG BÁC", "T/M CHI BỘ",
                         "BÍ THƯ", "NGƯỜI TỰ ĐÁNH GIÁ", book.member.full_name,
                         "ngày 20 tháng 12 năm 2025"):  # fmt: skip
            assert expected in text, (pdf.name, expected)


@pytest.mark.soffice
def test_a_file_soffice_cannot_convert_is_a_bilingual_error(tmp_path: Path) -> None:
    missing = tmp_path / "không-có.docx"

    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf(tmp_path / "pdf", [missing])

    assert "không-có.docx" in caught.value.message_vi
    assert "failed to convert 1 files" in caught.value.message_en


def test_without_soffice_the_error_says_how_to_install_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LAMTHEOGUONGBAC_SOFFICE", str(tmp_path / "no-soffice-here"))

    assert not soffice_available()
    with pytest.raises(PdfConversionError) as caught:
        convert_to_pdf(tmp_path, [tmp_path / "a.docx"])
    assert "apt-get install libreoffice-writer-nogui" in caught.value.message_vi
    assert "LibreOffice (soffice) was not found" in caught.value.message_en


@pytest.mark.parametrize("soffice", ["found", "missing"])
def test_two_files_with_one_pdf_name_are_refused_with_or_without_soffice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, soffice: str
) -> None:
    if soffice == "missing":
        monkeypatch.setenv("LAMTHEOGUONGBAC_SOFFICE", str(tmp_path / "no-soffice-here"))
    else:  # never started: the arguments are checked before soffice is even looked up
        monkeypatch.setenv("LAMTHEOGUONGBAC_SOFFICE", sys.executable)

    with pytest.raises(ValidationFailed, match=r"two files give a\.pdf"):
        convert_to_pdf(tmp_path, [tmp_path / "x" / "a.docx", tmp_path / "y" / "a.docx"])
    with pytest.raises(ValidationFailed, match=r"jobs must be >= 1"):
        convert_to_pdf(tmp_path, [tmp_path / "a.docx"], jobs=0)
    assert sorted(tmp_path.iterdir()) == []  # nothing was made
