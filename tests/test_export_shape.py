"""Every public function that writes a document has one shape (issue 9): the destination
first, then what to export, then keyword-only options, returning an ExportResult; a call with
its arguments in another order (0.1's) is refused with a message that shows the right one,
before anything is written."""

from __future__ import annotations

import inspect
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import HandbookStatus, LamTheoGuongBacError, ValidationFailed
from lamtheoguongbac.export import (
    ExportResult,
    convert_to_pdf,
    export_handbooks,
    export_rollup_report,
    export_yearbook,
)
from lamtheoguongbac.spreadsheet import (
    WorkbookData,
    export_workbook,
    write_inspection_workbook,
    write_rollup,
    write_template,
    write_workbook,
)
from lamtheoguongbac.supervision import Rollup
from lamtheoguongbac.testing import make_exemplar, make_handbook

#: function → the name of what it exports (None: it takes only the destination and options)
WRITERS: dict[Callable[..., Any], str | None] = {
    export_handbooks: "handbooks",
    export_yearbook: "exemplars",
    export_rollup_report: "rollup",
    convert_to_pdf: "files",
    export_workbook: "handbooks",
    write_workbook: "data",
    write_rollup: "rollup",
    write_inspection_workbook: None,
    write_template: None,
}


@pytest.mark.parametrize("function", list(WRITERS), ids=lambda f: f.__name__)
def test_destination_first_then_what_then_keyword_options(function: Callable[..., Any]) -> None:
    parameters = list(inspect.signature(function).parameters.values())
    what = WRITERS[function]
    positional = [p.name for p in parameters if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == ["dest"] + ([what] if what else [])
    assert all(p.kind is p.KEYWORD_ONLY for p in parameters[len(positional) :])
    assert inspect.signature(function).return_annotation in ("ExportResult", ExportResult)
    assert "Example:" in (function.__doc__ or "")


def _rollup() -> Rollup:
    # Anything but a path: the destination is checked before the roll-up is read.
    return object()  # type: ignore[return-value]


OLD_ORDER: list[tuple[str, Callable[[Path], Any]]] = [
    ("handbooks", lambda d: export_handbooks([make_handbook()], d)),  # type: ignore[arg-type]
    (
        "exemplars",
        lambda d: export_yearbook(
            [make_exemplar()],  # type: ignore[arg-type]
            d,  # type: ignore[arg-type]
            title_year=2025,
            organisation_name="Đảng bộ xã",
        ),
    ),
    ("rollup", lambda d: export_rollup_report(_rollup(), d)),  # type: ignore[arg-type]
    ("data", lambda d: write_workbook(WorkbookData(), d)),  # type: ignore[arg-type]
    ("files", lambda d: convert_to_pdf([d / "a.docx"], d)),  # type: ignore[arg-type]
    ("rollup", lambda d: write_rollup(_rollup(), d)),  # type: ignore[arg-type]
]


@pytest.mark.parametrize(("what", "call"), OLD_ORDER, ids=[w for w, _ in OLD_ORDER])
def test_the_old_order_is_refused_naming_the_argument(
    tmp_path: Path, what: str, call: Callable[[Path], Any]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        call(tmp_path / "out")
    error = caught.value
    assert error.code == "LTGB-X001"
    assert error.field == "dest"
    assert "destination comes first" in error.message("en")
    assert "nơi ghi đứng trước" in error.message("vi")
    assert f"(dest, {what}" in error.message("en")
    assert isinstance(pickle.loads(pickle.dumps(error)), ValidationFailed)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("what", ["a path", "a str"])
def test_a_path_where_the_handbooks_go_is_named(tmp_path: Path, what: str) -> None:
    wrong: Any = tmp_path / "x" if what == "a path" else str(tmp_path / "x")
    with pytest.raises(ValidationFailed) as caught:
        export_handbooks(tmp_path / "out", wrong)
    assert caught.value.field == "handbooks"
    assert "instead of what to export" in caught.value.message("en")
    assert not (tmp_path / "out").exists()


def test_the_path_of_a_single_document(tmp_path: Path) -> None:
    assert ExportResult(written=(tmp_path / "a.docx",)).path == tmp_path / "a.docx"
    for written in ((), (tmp_path / "a", tmp_path / "b")):
        with pytest.raises(LamTheoGuongBacError, match="written"):
            ExportResult(written=written).path  # noqa: B018


def test_a_zip_export_returns_its_one_file(tmp_path: Path) -> None:
    books = [make_handbook(HandbookStatus.ASSESSED, index=i) for i in range(2)]
    result = export_handbooks(tmp_path / "so-tay.zip", books, mode="zip")
    assert result.path == tmp_path / "so-tay.zip"
    assert result.written == (result.path,)


def test_a_workbook_writer_returns_its_file(tmp_path: Path) -> None:
    assert write_template(tmp_path / "mau.xlsx") == ExportResult(written=(tmp_path / "mau.xlsx",))


@pytest.mark.parametrize(
    ("call", "usage"),
    [
        (lambda: write_template(None), "write_template(dest)"),
        (
            lambda: write_inspection_workbook(None),
            "write_inspection_workbook(dest, *, inspection=…)",
        ),
        (
            lambda: export_workbook(None, [], members=[], units=[]),
            "export_workbook(dest, handbooks, *, members=…, units=…)",
        ),
    ],
    ids=["write_template", "write_inspection_workbook", "export_workbook"],
)
def test_the_message_shows_a_call_that_works(call: Callable[[], Any], usage: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        call()
    assert caught.value.field == "dest"
    assert caught.value.message("en").endswith(f"the destination comes first: {usage}")
    assert caught.value.message("vi").endswith(f"nơi ghi đứng trước: {usage}")


def test_one_handbook_where_handbooks_go_is_told_not_crashed(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        export_handbooks(tmp_path / "out", make_handbook())  # type: ignore[arg-type]
    assert caught.value.field == "handbooks"
    assert "put a single handbook in a list" in caught.value.message("en")
    assert not (tmp_path / "out").exists()


def _failing(books: list[Any]) -> Any:
    yield books[0]
    raise LamTheoGuongBacError("kho hỏng", "the store failed")


@pytest.mark.parametrize("mode", ["folder", "zip", "merged"])
def test_an_export_that_fails_before_writing_leaves_nothing(tmp_path: Path, mode: str) -> None:
    dest = tmp_path / "moi" / "so-tay" / ("out" if mode == "folder" else f"out.{mode}.docx")
    with pytest.raises(LamTheoGuongBacError, match="store failed"):
        export_handbooks(dest, _failing([make_handbook()]), mode=mode)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_a_broken_template_leaves_nothing(tmp_path: Path) -> None:
    from lamtheoguongbac.export import ExportOptions

    template = tmp_path / "mau.docx"
    template.write_bytes(b"PK\x03\x04 not a real docx")
    with pytest.raises(LamTheoGuongBacError):
        export_handbooks(
            tmp_path / "out", [make_handbook()], options=ExportOptions(template=template)
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mau.docx"]


def test_a_failed_export_into_a_folder_with_files_keeps_them(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "ghi-chu.txt").write_text("của người dùng", encoding="utf-8")
    with pytest.raises(LamTheoGuongBacError):
        export_handbooks(tmp_path / "out", _failing([make_handbook()]))
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["ghi-chu.txt"]


def test_swapped_roster_arguments_are_told_by_name(tmp_path: Path) -> None:
    from lamtheoguongbac.testing import make_organisation, make_secretary

    units, members = make_organisation(), [make_secretary()]
    with pytest.raises(ValidationFailed) as caught:
        export_workbook(tmp_path / "x.xlsx", [], members=units, units=members)  # type: ignore[arg-type]
    assert caught.value.field == "units[0]"
    assert "must be an OrgUnit, not a Member" in caught.value.message("en")
    assert list(tmp_path.iterdir()) == []
