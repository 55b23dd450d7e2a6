"""Render one page of each document ``make demo`` writes as a small PNG for the docs.

Usage: ``python examples/pages.py [OUT]`` after ``make demo`` (``OUT`` defaults to ``out``).
Needs LibreOffice (``soffice``) and poppler-utils (``pdftoppm``); writes
``docs/_static/trang-bao-cao-tong-hop.png``, ``trang-ky-yeu.png`` and
``trang-so-tay-nhiem-ky.png`` — the documents' first pages at 50 dpi, small enough to commit.
Run it again whenever a default template changes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from lamtheoguongbac.export import convert_to_pdf

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "docs" / "_static"
PAGES = {
    "bao-cao-tong-hop-2025.docx": ("trang-bao-cao-tong-hop", 1),
    "ky-yeu-2025.docx": ("trang-ky-yeu", 1),
    "so-tay-nhiem-ky": ("trang-so-tay-nhiem-ky", 2),
}


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else Path("out")
    STATIC.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        for source, (name, page) in PAGES.items():
            found = out / source
            doc = next(found.glob("*.docx")) if found.is_dir() else found
            [pdf] = convert_to_pdf(Path(work), [doc]).written
            stem = Path(work) / name
            subprocess.run(
                ["pdftoppm", "-png", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile",
                 str(pdf), str(stem)],
                check=True,
            )  # fmt: skip
            shutil.copyfile(stem.with_suffix(".png"), STATIC / f"{name}.png")
            print(f"wrote {STATIC / name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
