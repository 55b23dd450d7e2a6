"""The workbook layout as data: sheets, their columns, the lists behind the drop-downs.

``docs/excel.md`` documents the same layout for people; a test keeps the two in step.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

import attrs

from lamtheoguongbac._model import BasisKind, MemberStatus, Outcome, RatingLevel, Role

__all__ = [
    "ASSESSMENTS",
    "CHOICES",
    "LISTS_SHEET",
    "MEMBERS",
    "NOTES_SHEET",
    "PLEDGES",
    "RESULTS",
    "SELF_ASSESSMENTS",
    "SHEETS",
    "UNITS",
    "Column",
    "ColumnKind",
    "Sheet",
    "get_column_letter",
    "place",
]


class ColumnKind(enum.Enum):
    """What a column holds (loại cột), which decides how it is read, formatted and validated.

    Example:
        >>> from lamtheoguongbac.spreadsheet import SHEETS, ColumnKind
        >>> members = next(sheet for sheet in SHEETS if sheet.name_en == "members")
        >>> [column.key for column in members.columns if column.kind is ColumnKind.DATE][:1]
        ['ngay_sinh']
    """

    TEXT = "text"
    LONG_TEXT = "long_text"
    ID = "id"
    DATE = "date"
    NUMBER = "number"
    INTEGER = "integer"
    CHOICE = "choice"


@attrs.frozen(kw_only=True)
class Column:
    """One column (cột): its key (the roster's key on the roster sheets), the header written
    in the workbook, and how it is read.

    A header in a file is recognised when, accents, case and spacing ignored, it is the
    key, the header or an alias, so users may retype headers.

    Example:
        >>> from lamtheoguongbac.spreadsheet import SHEETS
        >>> members = next(sheet for sheet in SHEETS if sheet.name_en == "members")
        >>> column = members.columns[1]
        >>> column.key, column.header, column.required
        ('ho_va_ten', 'Họ và tên', True)
    """

    key: str
    header: str
    header_en: str
    kind: ColumnKind = ColumnKind.TEXT
    required: bool = False
    choices: str | None = None
    width: int = 18
    note_vi: str = ""
    note_en: str = ""
    aliases: tuple[str, ...] = ()


@attrs.frozen(kw_only=True)
class Sheet:
    """One data sheet (trang dữ liệu).

    ``fields`` maps the model fields that validation errors name (``"Member.full_name"``) to
    the column they come from.

    Example:
        >>> from lamtheoguongbac.spreadsheet import SHEETS
        >>> [(sheet.name, sheet.name_en) for sheet in SHEETS][:3]
        [('Tổ chức', 'units'), ('Đảng viên', 'members'), ('Việc đăng ký', 'pledges')]
    """

    name: str
    name_en: str
    columns: tuple[Column, ...]
    note_vi: str
    fields: tuple[tuple[str, str], ...] = ()

    def field_column(self, field: str | None) -> str | None:
        """The column key a model field comes from, if known."""
        return dict(self.fields).get(field or "")


NOTES_SHEET = "Hướng dẫn"
LISTS_SHEET = "Danh mục"

#: The drop-down lists, by name: the values offered (the reader accepts more spellings).
CHOICES: dict[str, tuple[str, ...]] = {
    "co_so": ("Có", "Không"),
    "trang_thai": tuple(s.label_vi for s in MemberStatus),
    "vai_tro": tuple(r.label_vi for r in Role),
    "loai_can_cu": tuple(b.label_vi for b in BasisKind),
    "ket_qua": tuple(o.label_vi for o in Outcome),
    "xep_loai": tuple(r.abbreviation for r in RatingLevel),
}

_MEMBER_ID = Column(
    key="ma_dang_vien",
    header="Mã đảng viên",
    header_en="member id",
    kind=ColumnKind.ID,
    required=True,
    width=16,
    note_vi="Mã đảng viên như ở trang 'Đảng viên' (hoặc đã có trong kho).",
    note_en="The member's id, as on the 'Đảng viên' sheet or already stored.",
)
_PLEDGE_ID = Column(
    key="ma_viec",
    header="Mã việc",
    header_en="pledge id",
    kind=ColumnKind.ID,
    required=True,
    width=10,
    note_vi="Mã của việc đăng ký, riêng trong sổ của mỗi đảng viên (ví dụ: v1, v2).",
    note_en="The pledge id, unique within each member's handbook (e.g. v1, v2).",
)

UNITS = Sheet(
    name="Tổ chức",
    name_en="units",
    note_vi="Các tổ chức đảng: mỗi dòng một đơn vị; đơn vị cấp trên ghi bằng mã.",
    columns=(
        Column(
            key="ma",
            header="Mã đơn vị",
            header_en="id",
            kind=ColumnKind.ID,
            required=True,
            aliases=("ma_don_vi",),
            note_vi="Mã riêng của đơn vị.",
            note_en="The unit's unique id.",
        ),
        Column(
            key="ten",
            header="Tên đơn vị",
            header_en="name",
            required=True,
            width=40,
            aliases=("ten_don_vi",),
            note_vi="Tên đầy đủ, ví dụ: Chi bộ ấp Đông.",
            note_en="The full name, e.g. Chi bộ ấp Đông.",
        ),
        Column(
            key="cap",
            header="Cấp",
            header_en="level",
            required=True,
            width=20,
            note_vi="Cấp tổ chức ghi tự do: Chi bộ, Đảng bộ cơ sở, Đảng bộ xã…",
            note_en="A free-text level label: Chi bộ, Đảng bộ cơ sở…",
        ),
        Column(
            key="ma_cap_tren",
            header="Mã cấp trên",
            header_en="parent id",
            kind=ColumnKind.ID,
            aliases=("cap_tren",),
            note_vi="Mã đơn vị cấp trên; để trống với cấp cao nhất.",
            note_en="The parent unit's id; blank for the top unit.",
        ),
        Column(
            key="co_so",
            header="Cơ sở",
            header_en="grassroots",
            kind=ColumnKind.CHOICE,
            choices="co_so",
            width=10,
            note_vi="'Có' nếu là tổ chức cơ sở đảng (phạm vi tính tỷ lệ xuất sắc).",
            note_en="'Có' for the grassroots organisation (the scope of the top-rating cap).",
        ),
        Column(
            key="dia_danh",
            header="Địa danh",
            header_en="place",
            width=20,
            note_vi="Địa danh ghi trên văn bản.",
            note_en="The place name used on documents.",
        ),
        Column(
            key="cap_uy",
            header="Cấp ủy",
            header_en="committee",
            width=24,
            aliases=("ten_cap_uy",),
            note_vi="Tên cấp ủy ban hành văn bản (Đảng ủy xã An Phú); để trống thì suy ra "
            "từ cấp: Đảng bộ → Đảng ủy, Chi bộ → Chi ủy.",
            note_en="The committee that issues the unit's documents; blank: derived from "
            "the level (Đảng bộ → Đảng ủy, Chi bộ → Chi ủy).",
        ),
    ),
    fields=(
        ("OrgUnit.id", "ma"),
        ("OrgUnit.name", "ten"),
        ("OrgUnit.level", "cap"),
        ("OrgUnit.parent_id", "ma_cap_tren"),
        ("OrgUnit.place", "dia_danh"),
        ("OrgUnit.committee", "cap_uy"),
    ),
)

MEMBERS = Sheet(
    name="Đảng viên",
    name_en="members",
    note_vi="Danh sách đảng viên, cùng các cột như tệp CSV danh sách đảng viên.",
    columns=(
        Column(
            key="ma",
            header="Mã đảng viên",
            header_en="id",
            kind=ColumnKind.ID,
            required=True,
            width=16,
            aliases=("ma_dang_vien",),
            note_vi="Mã riêng của đảng viên.",
            note_en="The member's unique id.",
        ),
        Column(
            key="ho_va_ten",
            header="Họ và tên",
            header_en="full name",
            required=True,
            width=26,
            aliases=("ho_ten", "ten_dang_vien"),
            note_vi="Họ và tên đầy đủ, có dấu.",
            note_en="The full name, with accents.",
        ),
        Column(
            key="chi_bo",
            header="Mã chi bộ",
            header_en="cell id",
            kind=ColumnKind.ID,
            required=True,
            width=16,
            aliases=("ma_chi_bo",),
            note_vi="Mã chi bộ (ở trang 'Tổ chức' hoặc đã có trong kho).",
            note_en="The cell's id (on the 'Tổ chức' sheet or already stored).",
        ),
        Column(
            key="trang_thai",
            header="Trạng thái",
            header_en="status",
            kind=ColumnKind.CHOICE,
            choices="trang_thai",
            width=22,
            note_vi="Để trống là đảng viên chính thức.",
            note_en="Blank means official.",
        ),
        Column(
            key="chuc_vu",
            header="Chức vụ",
            header_en="position",
            width=26,
            note_vi="Chức vụ chính quyền, đoàn thể hoặc nghề nghiệp.",
            note_en="Position in government, mass organisation or job.",
        ),
        Column(
            key="nhiem_vu",
            header="Nhiệm vụ được giao",
            header_en="assigned duties",
            kind=ColumnKind.LONG_TEXT,
            width=40,
            aliases=("nhiem_vu_duoc_giao",),
            note_vi="Các nhiệm vụ được giao, cách nhau bằng dấu ; hoặc xuống dòng.",
            note_en="Assigned duties, separated by ; or new lines.",
        ),
        Column(
            key="noi_cong_tac",
            header="Nơi công tác",
            header_en="workplace",
            width=24,
            note_vi="Cơ quan, đơn vị, địa bàn công tác.",
            note_en="Workplace.",
        ),
        Column(
            key="ngay_sinh",
            header="Ngày sinh",
            header_en="date of birth",
            kind=ColumnKind.DATE,
            width=12,
            note_vi="dd/mm/yyyy.",
            note_en="dd/mm/yyyy.",
        ),
        Column(
            key="ngay_vao_dang",
            header="Ngày vào Đảng",
            header_en="date joined",
            kind=ColumnKind.DATE,
            width=14,
            note_vi="dd/mm/yyyy.",
            note_en="dd/mm/yyyy.",
        ),
        Column(
            key="ngay_chinh_thuc",
            header="Ngày chính thức",
            header_en="date made official",
            kind=ColumnKind.DATE,
            width=14,
            note_vi="dd/mm/yyyy; không trước ngày vào Đảng.",
            note_en="dd/mm/yyyy; not before the date joined.",
        ),
        Column(
            key="so_the",
            header="Số thẻ",
            header_en="party card number",
            kind=ColumnKind.ID,
            width=14,
            note_vi="Số thẻ đảng viên, ghi đúng như trên thẻ.",
            note_en="The party card number, as printed.",
        ),
        Column(
            key="vai_tro",
            header="Vai trò",
            header_en="cell role",
            kind=ColumnKind.CHOICE,
            choices="vai_tro",
            width=16,
            aliases=("chuc_vu_dang",),
            note_vi="Chức vụ trong chi bộ (Bí thư, Phó Bí thư…); để trống nếu không có.",
            note_en="Role in the cell (Secretary, Deputy…); blank if none.",
        ),
        Column(
            key="vai_tro_tu_ngay",
            header="Vai trò từ ngày",
            header_en="role since",
            kind=ColumnKind.DATE,
            width=14,
            note_vi="Bắt buộc khi có vai trò. dd/mm/yyyy.",
            note_en="Required with a role. dd/mm/yyyy.",
        ),
        Column(
            key="vai_tro_don_vi",
            header="Vai trò tại đơn vị",
            header_en="role held in",
            kind=ColumnKind.ID,
            width=16,
            aliases=("don_vi_vai_tro",),
            note_vi="Mã đơn vị giữ vai trò, nếu không phải chi bộ (Bí thư Đảng ủy xã: mã "
            "đảng bộ xã).",
            note_en="The unit the role is held in when not the cell (the commune "
            "committee's Secretary: the đảng bộ's id).",
        ),
        Column(
            key="khoa_sap_xep",
            header="Khóa sắp xếp",
            header_en="sort key",
            width=14,
            note_vi="Chỉ dùng khi tên không tách được theo họ - đệm - tên.",
            note_en="Only for names that do not split as family, middle, given.",
        ),
    ),
    fields=(
        ("Member.id", "ma"),
        ("Member.full_name", "ho_va_ten"),
        ("Member.cell_id", "chi_bo"),
        ("Member.position", "chuc_vu"),
        ("Member.workplace", "noi_cong_tac"),
        ("Member.official_on", "ngay_chinh_thuc"),
        ("Member.party_card_number", "so_the"),
        ("Member.sort_key", "khoa_sap_xep"),
        ("RoleAssignment.unit_id", "vai_tro_don_vi"),
    ),
)

PLEDGES = Sheet(
    name="Việc đăng ký",
    name_en="pledges",
    note_vi=(
        "Mỗi dòng một việc đăng ký làm theo. Một việc có nhiều căn cứ thì thêm dòng cùng mã đảng "
        "viên và mã việc, chỉ ghi các cột căn cứ."
    ),
    columns=(
        _MEMBER_ID,
        _PLEDGE_ID,
        Column(
            key="viec_lam",
            header="Việc làm đăng ký",
            header_en="deed",
            required=True,
            kind=ColumnKind.LONG_TEXT,
            width=50,
            note_vi="Làm gì, bao nhiêu, đến khi nào; tránh đăng ký chung chung.",
            note_en="What, how much, by when; no generic wording.",
        ),
        Column(
            key="chi_tieu",
            header="Chỉ tiêu (số lượng)",
            header_en="target amount",
            kind=ColumnKind.NUMBER,
            width=12,
            note_vi="Con số chỉ tiêu, ví dụ 100 hoặc 6.",
            note_en="The amount, e.g. 100 or 6.",
        ),
        Column(
            key="don_vi_tinh",
            header="Đơn vị tính / sản phẩm",
            header_en="unit or deliverable",
            width=22,
            note_vi="Có chỉ tiêu: đơn vị tính (%, buổi, hồ sơ). Không có chỉ tiêu: sản phẩm cần "
            "hoàn thành trước thời hạn (ví dụ: 01 sáng kiến).",
            note_en="With an amount: its unit (%, sessions). Without: the deliverable due by "
            "the deadline.",
        ),
        Column(
            key="thoi_han",
            header="Thời hạn",
            header_en="deadline",
            kind=ColumnKind.DATE,
            width=12,
            note_vi="dd/mm/yyyy, trong năm của sổ.",
            note_en="dd/mm/yyyy, within the handbook's year.",
        ),
        Column(
            key="nhiem_vu",
            header="Gắn với nhiệm vụ",
            header_en="task",
            width=30,
            note_vi="Nhiệm vụ được giao mà việc làm phục vụ.",
            note_en="The assigned task the deed serves.",
        ),
        Column(
            key="han_che",
            header="Hạn chế cần khắc phục",
            header_en="shortcoming",
            width=30,
            note_vi="Hạn chế của bản thân mà việc làm khắc phục (tự soi, tự sửa).",
            note_en="The shortcoming the deed corrects.",
        ),
        Column(
            key="loai_can_cu",
            header="Loại căn cứ",
            header_en="basis kind",
            kind=ColumnKind.CHOICE,
            choices="loai_can_cu",
            width=28,
            note_vi="Chuyên đề, chuẩn mực đạo đức, Quy định 37-QĐ/TW…",
            note_en="Study theme, ethical norms, regulation…",
        ),
        Column(
            key="van_ban",
            header="Văn bản căn cứ",
            header_en="regulation",
            width=16,
            note_vi="Số hiệu văn bản, ví dụ 37-QĐ/TW.",
            note_en="The regulation, e.g. 37-QĐ/TW.",
        ),
        Column(
            key="dieu",
            header="Điều",
            header_en="article",
            kind=ColumnKind.INTEGER,
            width=8,
            note_vi="Số điều (chỉ ghi số).",
            note_en="The article number.",
        ),
        Column(
            key="khoan",
            header="Khoản",
            header_en="clause",
            width=8,
            note_vi="Khoản (nếu có).",
            note_en="The clause, if any.",
        ),
        Column(
            key="noi_dung_can_cu",
            header="Nội dung căn cứ",
            header_en="basis text",
            kind=ColumnKind.LONG_TEXT,
            width=40,
            note_vi="Nội dung căn cứ; bắt buộc khi không ghi văn bản.",
            note_en="The basis as text; required without a regulation.",
        ),
    ),
    fields=(
        ("Pledge.id", "ma_viec"),
        ("Pledge.deed", "viec_lam"),
        ("Pledge.task", "nhiem_vu"),
        ("Pledge.shortcoming", "han_che"),
        ("QuantityTarget.amount", "chi_tieu"),
        ("QuantityTarget.unit", "don_vi_tinh"),
        ("DeliverableTarget.description", "don_vi_tinh"),
        ("Basis", "noi_dung_can_cu"),
        ("Basis.text", "noi_dung_can_cu"),
        ("RegulationRef.regulation", "van_ban"),
        ("RegulationRef.article", "dieu"),
        ("RegulationRef.clause", "khoan"),
    ),
)

RESULTS = Sheet(
    name="Kết quả",
    name_en="results",
    note_vi="Kết quả thực hiện từng việc đã đăng ký: mỗi việc một dòng.",
    columns=(
        _MEMBER_ID,
        _PLEDGE_ID,
        Column(
            key="ket_qua",
            header="Kết quả",
            header_en="outcome",
            kind=ColumnKind.CHOICE,
            choices="ket_qua",
            required=True,
            width=20,
            note_vi="Đã thực hiện / Thực hiện một phần / Chưa thực hiện.",
            note_en="Done / partly done / not done.",
        ),
        Column(
            key="da_dat_duoc",
            header="Đã đạt được",
            header_en="achieved",
            kind=ColumnKind.LONG_TEXT,
            width=40,
            note_vi="Kết quả đạt được (bỏ trống khi chưa thực hiện).",
            note_en="What was achieved (blank when not done).",
        ),
        Column(
            key="chua_thuc_hien",
            header="Chưa thực hiện được",
            header_en="not done",
            kind=ColumnKind.LONG_TEXT,
            width=40,
            note_vi="Bắt buộc khi chưa thực hiện xong.",
            note_en="Required unless fully done.",
        ),
        Column(
            key="huong_phan_dau",
            header="Hướng phấn đấu",
            header_en="direction",
            kind=ColumnKind.LONG_TEXT,
            width=30,
            note_vi="Hướng tiếp tục phấn đấu.",
            note_en="How to keep striving.",
        ),
        Column(
            key="ngay_bao_cao",
            header="Ngày báo cáo",
            header_en="report date",
            kind=ColumnKind.DATE,
            width=12,
            note_vi="dd/mm/yyyy; cùng một ngày cho mọi dòng của một đảng viên, ghi ít nhất ở "
            "một dòng.",
            note_en="dd/mm/yyyy; one date per member, on at least one of their rows.",
        ),
    ),
    fields=(
        ("PledgeResult.pledge_id", "ma_viec"),
        ("PledgeResult.achieved", "da_dat_duoc"),
        ("PledgeResult.not_done", "chua_thuc_hien"),
        ("PledgeResult.direction", "huong_phan_dau"),
    ),
)

SELF_ASSESSMENTS = Sheet(
    name="Tự đánh giá",
    name_en="self-assessments",
    note_vi="Phần tự nhận xét, đánh giá của đảng viên: mỗi đảng viên một dòng.",
    columns=(
        _MEMBER_ID,
        Column(
            key="noi_dung",
            header="Tự nhận xét, đánh giá",
            header_en="text",
            kind=ColumnKind.LONG_TEXT,
            required=True,
            width=60,
            note_vi="Nội dung tự nhận xét, đánh giá.",
            note_en="The self-assessment.",
        ),
        Column(
            key="ngay_viet",
            header="Ngày viết",
            header_en="date written",
            kind=ColumnKind.DATE,
            required=True,
            width=12,
            note_vi="dd/mm/yyyy.",
            note_en="dd/mm/yyyy.",
        ),
    ),
    fields=(("SelfAssessment.text", "noi_dung"),),
)

ASSESSMENTS = Sheet(
    name="Đánh giá chi bộ",
    name_en="cell assessments",
    note_vi=(
        "Nhận xét, đánh giá của tập thể chi bộ: mỗi đảng viên một dòng. Người ghi phải là Bí thư "
        "hoặc Phó Bí thư chi bộ vào ngày họp."
    ),
    columns=(
        _MEMBER_ID,
        Column(
            key="nhan_xet",
            header="Nhận xét của chi bộ",
            header_en="text",
            kind=ColumnKind.LONG_TEXT,
            required=True,
            width=60,
            note_vi="Nội dung nhận xét, đánh giá của tập thể chi bộ.",
            note_en="The cell's collective assessment.",
        ),
        Column(
            key="xep_loai",
            header="Xếp loại",
            header_en="rating",
            kind=ColumnKind.CHOICE,
            choices="xep_loai",
            width=10,
            note_vi="HTXSNV, HTTNV, HTNV hoặc KHTNV; để trống với đảng viên bị đình chỉ.",
            note_en="HTXSNV, HTTNV, HTNV or KHTNV; blank for a suspended member.",
        ),
        Column(
            key="ngay_hop",
            header="Ngày họp",
            header_en="meeting date",
            kind=ColumnKind.DATE,
            required=True,
            width=12,
            note_vi="Ngày chi bộ họp đánh giá. dd/mm/yyyy.",
            note_en="The cell meeting's date. dd/mm/yyyy.",
        ),
        Column(
            key="ma_nguoi_ghi",
            header="Mã người ghi",
            header_en="recorder id",
            kind=ColumnKind.ID,
            required=True,
            width=16,
            note_vi="Mã đảng viên của Bí thư hoặc Phó Bí thư ghi nhận xét.",
            note_en="The member id of the Secretary or Deputy who records it.",
        ),
    ),
    fields=(
        ("CollectiveAssessment.text", "nhan_xet"),
        ("CollectiveAssessment.recorded_by", "ma_nguoi_ghi"),
    ),
)

#: The data sheets, in workbook order.
SHEETS: tuple[Sheet, ...] = (UNITS, MEMBERS, PLEDGES, RESULTS, SELF_ASSESSMENTS, ASSESSMENTS)


def place(
    sheet: Sheet, row: int | None, key: str | None, found: Mapping[str, tuple[str, str]]
) -> tuple[str, str]:
    """Where something is, in Vietnamese and in English: sheet, row, column letter and header.

    ``found`` maps column keys to (letter, header) as read from the file; when empty (data
    not read from a file) the layout's own positions and headers are used.
    """
    where_vi, where_en = f"Trang '{sheet.name}'", f"sheet '{sheet.name}'"
    if row:
        where_vi, where_en = f"{where_vi}, dòng {row}", f"{where_en}, row {row}"
    if key is not None:
        if not found:
            found = {
                c.key: (get_column_letter(i), c.header) for i, c in enumerate(sheet.columns, 1)
            }
        known = next((c.header for c in sheet.columns if c.key == key), key)
        letter, header = found.get(key, ("", known))
        col = f"{letter} '{header}'" if letter else f"'{header}'"
        where_vi, where_en = f"{where_vi}, cột {col}", f"{where_en}, column {col}"
    return where_vi, where_en


def get_column_letter(index: int) -> str:
    """The spreadsheet letter of the 1-based column ``index`` (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
