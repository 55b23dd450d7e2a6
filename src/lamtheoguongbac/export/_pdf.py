"""Convert exported documents to PDF with LibreOffice (chuyển văn bản sang PDF).

LibreOffice starts slowly (a second or two) and converts quickly, so
:func:`convert_to_pdf` hands **many files to each** ``soffice --headless --convert-to pdf``
call and runs one such process per core, each with its own throw-away user profile
(``-env:UserInstallation``): two soffice processes sharing a profile would hand their work to
the first one, or fail on its lock. Each process converts into a private temporary folder
inside ``outdir``; the PDFs are then renamed into place, so a reader of ``outdir`` never sees
a half-written PDF.

``soffice`` is looked up in ``$LAMTHEOGUONGBAC_SOFFICE``, then on ``PATH`` (``soffice``,
``libreoffice``). On Debian/Ubuntu: ``apt-get install libreoffice-writer-nogui``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import attrs

from lamtheoguongbac._errors import LamTheoGuongBacError, ValidationFailed
from lamtheoguongbac.export._result import ExportResult, destination_first

__all__ = ["SOFFICE_ENV", "PdfConversionError", "convert_to_pdf", "soffice_available"]

#: Environment variable naming the soffice executable to use.
SOFFICE_ENV = "LAMTHEOGUONGBAC_SOFFICE"
_BATCH = 200  # files per soffice call: keeps the command line short on every system
_TEMP_PREFIX = ".lamtheoguongbac-pdf-"


def _timeout(files: int) -> float:
    # Generous: start-up (a few seconds, more on a cold first run) plus time per document.
    return 120.0 + 30.0 * files


class PdfConversionError(LamTheoGuongBacError):
    """LibreOffice is missing or failed to convert a document (lỗi chuyển sang PDF).

    Example:
        >>> import os, tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac.export import PdfConversionError, convert_to_pdf
        >>> folder = tempfile.TemporaryDirectory()
        >>> page = Path(folder.name, "so-tay.html")
        >>> _ = page.write_text("<h1>Sổ tay</h1>", encoding="utf-8")
        >>> # as on a machine without LibreOffice:
        >>> os.environ["LAMTHEOGUONGBAC_SOFFICE"] = "khong-co-soffice"
        >>> try:
        ...     convert_to_pdf(Path(folder.name), [page])
        ... except PdfConversionError as error:
        ...     print(error.message("en")[:58])
        ...
        LibreOffice (soffice) was not found for PDF conversion; in
        >>> del os.environ["LAMTHEOGUONGBAC_SOFFICE"]
        >>> folder.cleanup()
    """


def _soffice() -> str | None:
    configured = os.environ.get(SOFFICE_ENV)
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def require_soffice() -> str:
    """The path of LibreOffice's ``soffice``, found as :func:`soffice_available` finds it.

    Raises:
        PdfConversionError: none was found (naming how to install it).
    """
    exe = _soffice()
    if exe is None:
        raise PdfConversionError(
            "Không tìm thấy LibreOffice (soffice) để chuyển sang PDF; hãy cài LibreOffice "
            f"(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) hoặc đặt {SOFFICE_ENV}",
            "LibreOffice (soffice) was not found for PDF conversion; install LibreOffice "
            f"(Debian/Ubuntu: apt-get install libreoffice-writer-nogui) or set {SOFFICE_ENV}",
        )
    return exe


def soffice_available() -> bool:
    """Whether a LibreOffice ``soffice`` executable can be found.

    Example:
        >>> from lamtheoguongbac.export import soffice_available
        >>> isinstance(soffice_available(), bool)
        True
    """
    return _soffice() is not None


def _split(files: Sequence[Path], parts: int) -> list[list[Path]]:
    groups: list[list[Path]] = [[] for _ in range(parts)]
    for i, path in enumerate(files):
        groups[i % parts].append(path)
    return [g for g in groups if g]


@attrs.frozen
class _Job:
    """One soffice process with its private profile and output folder."""

    process: subprocess.Popen[bytes]
    profile: Path
    target: Path

    @classmethod
    def start(cls, exe: str, files: list[Path], outdir: Path) -> _Job:
        profile = Path(tempfile.mkdtemp(prefix="lamtheoguongbac-soffice-"))
        target = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=outdir))
        command = [
            exe,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(target),
            *map(str, files),
        ]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        return cls(process, profile, target)

    def finish(self, outdir: Path, timeout: float) -> tuple[list[str], str]:
        """Wait, move the PDFs into ``outdir``; (their names, the end of soffice's error
        output — it exits 0 even when a file fails, so this is kept for the error message).

        A process still running after ``timeout`` seconds is killed (LibreOffice can hang
        on a broken file): what it converted is kept, the rest is reported missing.
        """
        try:
            _, err = self.process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            _, err = self.process.communicate()
            err += f"soffice timed out after {timeout:.0f} s".encode()
        done = []
        for pdf in self.target.glob("*.pdf"):
            os.replace(pdf, outdir / pdf.name)
            done.append(pdf.name)
        shutil.rmtree(self.target, ignore_errors=True)
        shutil.rmtree(self.profile, ignore_errors=True)
        return done, err.decode("utf-8", "replace").strip()[-500:]


def convert_to_pdf(
    dest: Path | str, files: Sequence[Path], *, jobs: int | None = None
) -> ExportResult:
    """Convert ``files`` (.docx, .odt, …) to PDFs in the folder ``dest``.

    Args:
        dest: where the PDFs go (created if needed); an existing PDF is replaced.
        files: the documents; their names (without suffix) must differ.
        jobs: soffice processes run at once (default: one per core).

    Returns:
        the PDFs written, in the order of ``files`` (:attr:`ExportResult.written`).

    Raises:
        ValidationFailed: two files would give the same PDF name, ``jobs`` < 1, ``dest``
            is not a path or ``files`` is (0.1's order; all checked first, whether or not
            soffice is installed).
        PdfConversionError: soffice is missing, failed, or produced no PDF for a file.

    Example:
        >>> import tempfile
        >>> from pathlib import Path
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.export import convert_to_pdf, export_handbooks
        >>> from lamtheoguongbac.testing import make_handbook
        >>> folder = Path(tempfile.mkdtemp())
        >>> documents = export_handbooks(
        ...     folder / "so-tay", [make_handbook(HandbookStatus.CLOSED)]
        ... ).written
        >>> [pdf.suffix for pdf in convert_to_pdf(folder / "pdf", documents).written]
        ['.pdf']
    """
    # The arguments first: a mistake in them is told the same with or without LibreOffice.
    outdir = destination_first("convert_to_pdf(dest, files, …)", dest, files, "files")
    if jobs is not None and jobs < 1:
        raise ValidationFailed("số tiến trình phải ≥ 1", "jobs must be >= 1", field="jobs")
    paths = [Path(f).resolve() for f in files]
    seen: set[str] = set()
    for stem in (p.stem for p in paths):
        if stem in seen:
            raise ValidationFailed(
                f"hai tệp cùng cho ra {stem}.pdf", f"two files give {stem}.pdf", field="files"
            )
        seen.add(stem)
    exe = require_soffice()
    outdir.mkdir(parents=True, exist_ok=True)
    if not paths:
        return ExportResult()
    groups = _split(paths, min(jobs or os.cpu_count() or 1, len(paths)))
    failures: list[str] = []
    converted: set[str] = set()
    # Each process works through its group in batches; the processes run side by side.
    batches = [[g[i : i + _BATCH] for i in range(0, len(g), _BATCH)] for g in groups]
    for round_ in range(max(len(b) for b in batches)):
        running = [
            (_Job.start(exe, b[round_], outdir), len(b[round_])) for b in batches if round_ < len(b)
        ]
        started = time.monotonic()
        for job, size in running:
            left = _timeout(size) - (time.monotonic() - started)
            done, errors = job.finish(outdir, max(left, 1.0))
            converted.update(done)
            if errors:
                failures.append(errors)
    results = [outdir / f"{p.stem}.pdf" for p in paths]
    missing = [p.name for p, r in zip(paths, results, strict=True) if r.name not in converted]
    if missing:
        detail = "; ".join(failures) or "—"
        listed = ", ".join(missing[:10]) + (" …" if len(missing) > 10 else "")
        raise PdfConversionError(
            f"LibreOffice không chuyển được {len(missing)} tệp sang PDF: {listed} ({detail})",
            f"LibreOffice failed to convert {len(missing)} files to PDF: {listed} ({detail})",
        )
    return ExportResult(written=tuple(results))
