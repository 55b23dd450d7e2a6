"""Regenerate the roster fixtures in this directory (see README.md).

Run from the repository root: ``.venv/bin/python tests/data/roster/make_fixtures.py``.
``tests/test_roster.py`` checks that the committed files equal what this script writes. The
script uses only the standard library, so the fixtures do not depend on the code under test.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent

UNITS = (
    "Mã,Tên,Cấp,Mã cấp trên,Cơ sở,Địa danh\r\n"
    "tinh-ag,Đảng bộ tỉnh An Giang,Đảng bộ tỉnh,,,An Giang\r\n"
    "xa-tb,Đảng bộ xã Tịnh Biên,Đảng bộ xã,tinh-ag,x,Tịnh Biên\r\n"
    "chibo-tanloi,Chi bộ ấp Tân Lợi,Chi bộ,xa-tb,,\r\n"
    'chibo-anhoa,"Chi bộ ấp An Hòa (ấp ""Hòa Bình"" cũ)",Chi bộ,xa-tb,,\r\n'
)

# The same five members, saved by Excel as "CSV UTF-8" (with BOM) and by an older office
# PC in Windows-1258. Row 4 holds two duties on two lines of one quoted cell.
MEMBERS = (
    "Mã đảng viên,Họ và tên,Chi bộ,Trạng thái,Chức vụ,Nhiệm vụ,Nơi công tác,Ngày sinh,"
    "Ngày vào Đảng,Ngày chính thức,Số thẻ,Vai trò,Vai trò từ ngày\r\n"
    "dv-001,Trần Thị Bình,chibo-tanloi,Chính thức,Công chức một cửa,"
    '"Tiếp nhận hồ sơ một cửa; Trả kết quả đúng hạn",UBND xã Tịnh Biên,05/01/1980,'
    "19/05/2005,19/05/2006,01.234.567,Bí thư,01/07/2020\r\n"
    "dv-002,Nguyễn Văn An,chibo-tanloi,dự bị,Giáo viên Toán,Giảng dạy môn Toán lớp 9,"
    "Trường THCS Tịnh Biên,1995-09-02,2025-03-26,,,,\r\n"
    "dv-003,Lê Minh Cường,chibo-tanloi,Đảng viên chính thức,Trưởng ấp,"
    '"Vận động nhân dân xây dựng nông thôn mới\r\nHòa giải ở cơ sở",Ấp Tân Lợi,2/9/1970,'
    "3/2/1995,3/2/1996,,Phó Bí thư,1/7/2020\r\n"
    "dv-004,Phạm Thị Ánh,chibo-anhoa,Miễn công tác và sinh hoạt đảng,Đảng viên nghỉ hưu,"
    ",,,,,,,\r\n"
    "dv-005,Võ Văn Dũng,chibo-anhoa,đình chỉ,,,,,,,,,\r\n"
)

# Semicolons (Excel with a Vietnamese or European list separator), headers typed without
# accents in capitals, a comma inside a cell, a dd.mm.yyyy date.
MEMBERS_SEMICOLON = (
    "MA;HO VA TEN;CHI BO;TRANG THAI;NHIEM VU;NOI CONG TAC;NGAY SINH\n"
    "dv-101;Hoàng Thị Hạnh;chibo-anhoa;chinh thuc;Thủ quỹ, kế toán hợp tác xã;"
    "Hợp tác xã Tân Lợi, ấp Tân Lợi;15.08.1985\n"
    'dv-102;Đỗ Văn Đức;chibo-anhoa;du_bi;"Dạy nghề; Đoàn viên";;\n'
)

# Every row but the first is bad in a different way (row numbers as Excel shows them).
MEMBERS_BAD = (
    "Mã,Họ và tên,Chi bộ,Trạng thái,Ngày sinh,Ngày vào Đảng,Ngày chính thức,Vai trò,"
    "Vai trò từ ngày\n"
    "dv-201,Bùi Văn Hùng,chibo-tanloi,chính thức,12/03/1978,,,,\n"  # 2: good
    "dv-202,,chibo-tanloi,,,,,,\n"  # 3: no name
    "dv-203,Ngô Thị Lan,chibo-tanloi,,31/02/1980,,,,\n"  # 4: no such day
    "dv-204,Dương Văn Long,chibo-tanloi,nghỉ hưu,,,,,\n"  # 5: unknown status
    "dv-205,Lý Thị Mai,chibo-tanloi,,,,,Bí thư,\n"  # 6: role without its start date
    "dv-206,Hồ Văn Nam,chibo-tanloi,,,,,Thư ký,01/01/2020\n"  # 7: unknown role
    "dv-207,Huỳnh Thị Nga,chibo-tanloi,,,19/05/2010,19/05/2009,,\n"  # 8: official before joining
    "\n"  # 9: blank, skipped
    "dv-208,Nguyễn Văn Phúc, Bảo,chibo-tanloi,,,,,,\n"  # 10: an unquoted comma, one cell too many
)

UNITS_BAD = (
    "ma,ten,cap,ma_cap_tren\n"
    "xa-vt,Đảng bộ xã Vĩnh Trung,,\n"  # 2: no level
    "chibo-vl,Chi bộ ấp Vĩnh Lợi,Chi bộ,chibo-vl\n"  # 3: its own parent
    "chibo-vh,Chi bộ ấp Vĩnh Hòa,Chi bộ,xa-vt\n"  # 4: good
)

ROSTER_JSON = {
    "schema_version": 1,
    "units": [
        {
            "id": "xa-tb",
            "name": "Đảng bộ xã Tịnh Biên",
            "level": "Đảng bộ xã",
            "parent_id": None,
            "grassroots": True,
            "place": "Tịnh Biên",
            "valid_from": "2025-07-01",
            "valid_to": None,
        },
        {
            "id": "chibo-tanloi",
            "name": "Chi bộ ấp Tân Lợi",
            "level": "Chi bộ",
            "parent_id": "xa-tb",
        },
    ],
    "members": [
        {
            "id": "dv-001",
            "full_name": "Trần Thị Bình",
            "cell_id": "chibo-tanloi",
            "status": "chinh_thuc",
            "duties": ["Tiếp nhận hồ sơ một cửa"],
            "roles": [{"role": "bi_thu", "unit_id": "chibo-tanloi", "start": "2020-07-01"}],
        },
        {
            "id": "dv-002",
            "full_name": unicodedata.normalize("NFD", "Nguyễn Văn An"),
            "cell_id": "chibo-tanloi",
            "status": "du_bi",
        },
    ],
}

ROSTER_JSON_BAD = {
    "schema_version": 1,
    "units": [
        {"id": "xa-tb", "name": "Đảng bộ xã Tịnh Biên", "level": "Đảng bộ xã"},
        {
            "id": "chibo-tanloi",
            "name": "Chi bộ ấp Tân Lợi",
            "level": "Chi bộ",
            "ma_cap_tren": "xa-tb",
        },
    ],
    "members": [
        {"id": "dv-001", "full_name": " ", "cell_id": "chibo-tanloi"},
        {"id": "dv-002", "full_name": "Nguyễn Văn An", "cell_id": "chibo-tanloi"},
        {
            "id": "dv-003",
            "full_name": "Lê Minh Cường",
            "cell_id": "chibo-tanloi",
            "status": "chính thức",
        },
    ],
}

_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes as Windows writes them: a precomposed letter where the code page
    has one (â, ơ, đ, à, é …), else the base letter followed by a separate tone byte."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", ch)
        tone = "".join(c for c in parts if c in _TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONES))
        out += base.encode("cp1258") + tone.encode("cp1258")
    return bytes(out)


def files() -> dict[str, bytes]:
    """Every fixture by file name."""

    def as_json(data: object) -> bytes:
        return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

    return {
        "to_chuc.csv": UNITS.encode("utf-8"),
        "dang_vien_utf8_bom.csv": MEMBERS.encode("utf-8-sig"),
        "dang_vien_cp1258.csv": cp1258(MEMBERS),
        "dang_vien_cham_phay.csv": MEMBERS_SEMICOLON.encode("utf-8"),
        "dang_vien_loi.csv": MEMBERS_BAD.encode("utf-8"),
        "to_chuc_loi.csv": UNITS_BAD.encode("utf-8"),
        "danh_sach.json": as_json(ROSTER_JSON),
        "danh_sach_loi.json": as_json(ROSTER_JSON_BAD),
    }


def main() -> None:
    for name, data in files().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
