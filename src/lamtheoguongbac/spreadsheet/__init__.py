"""The Excel workflow (bảng tính Excel): a template a cell fills in, read back all or nothing,
applied to the store, and exports in the same layout.

The layout — sheets ``Tổ chức``, ``Đảng viên``, ``Việc đăng ký``, ``Kết quả``,
``Tự đánh giá``, ``Đánh giá chi bộ``, with notes in ``Hướng dẫn`` — is documented column by
column in ``docs/excel.md``; the inspection workbook (one sheet ``Kiểm tra`` of findings,
requests and follow-ups) is written and read by :func:`write_inspection_workbook` and
:func:`read_inspection_workbook`. openpyxl is an optional extra: every function here raises
:class:`XlsxUnavailable` (telling the user to ``pip install "lamtheoguongbac[xlsx]"``) when it
is missing, and importing this package does not need it::

    from lamtheoguongbac.spreadsheet import read_workbook, write_template

    write_template(Path("mau.xlsx"))
    data = read_workbook(Path("chi-bo-van-phong.xlsx"))    # ImportFailed lists every bad row
    result = handbooks.import_workbook(data, year=2025, actor=secretary)
"""

from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac.spreadsheet._data import (
    ApplyResult,
    AssessmentEntry,
    EntryRows,
    HandbookEntry,
    WorkbookData,
    workbook_data,
)
from lamtheoguongbac.spreadsheet._inspection import (
    INSPECTION_COLUMNS,
    INSPECTION_SHEET,
    FollowUpRow,
    InspectionSheet,
    read_inspection_workbook,
    write_inspection_workbook,
)
from lamtheoguongbac.spreadsheet._layout import SHEETS, Column, ColumnKind, Sheet
from lamtheoguongbac.spreadsheet._read import read_workbook
from lamtheoguongbac.spreadsheet._write import (
    export_workbook,
    write_rollup,
    write_template,
    write_workbook,
)
from lamtheoguongbac.spreadsheet._xlsx import XlsxUnavailable

__all__ = [
    "INSPECTION_COLUMNS",
    "INSPECTION_SHEET",
    "SHEETS",
    "ApplyResult",
    "AssessmentEntry",
    "Column",
    "ColumnKind",
    "EntryRows",
    "FollowUpRow",
    "HandbookEntry",
    "InspectionSheet",
    "Sheet",
    "WorkbookData",
    "XlsxUnavailable",
    "export_workbook",
    "read_inspection_workbook",
    "read_workbook",
    "workbook_data",
    "write_inspection_workbook",
    "write_rollup",
    "write_template",
    "write_workbook",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
