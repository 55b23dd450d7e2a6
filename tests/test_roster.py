"""Tests for lamtheoguongbac._roster: units and members from CSV and JSON files."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import unicodedata
from pathlib import Path

import pytest

from lamtheoguongbac import ImportFailed, MemberStatus, Role, RoleAssignment, ValidationFailed
from lamtheoguongbac._roster import header_key, parse_date, read_roster
from lamtheoguongbac.roster import OrgTree, Roster

DATA = Path(__file__).parent / "data" / "roster"


def _fixtures_module() -> object:
    spec = importlib.util.spec_from_file_location("make_fixtures", DATA / "make_fixtures.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def refused(*paths: Path) -> ImportFailed:
    with pytest.raises(ImportFailed) as info:
        read_roster(list(paths))
    return info.value


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_fixture_files_are_what_the_script_writes() -> None:
    module = _fixtures_module()
    for name, data in module.files().items():  # type: ignore[attr-defined]
        assert (DATA / name).read_bytes() == data, name


def test_the_cp1258_fixture_really_is_cp1258() -> None:
    raw = (DATA / "dang_vien_cp1258.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "Trần Thị Bình" in unicodedata.normalize("NFC", raw.decode("cp1258"))
    assert (DATA / "dang_vien_utf8_bom.csv").read_bytes().startswith(b"\xef\xbb\xbf")


# --- units -------------------------------------------------------------------------------------


def test_units_csv() -> None:
    roster = read_roster([DATA / "to_chuc.csv"])
    assert roster.members == ()
    assert [u.id for u in roster.units] == ["tinh-ag", "xa-tb", "chibo-tanloi", "chibo-anhoa"]
    tinh, xa, tanloi, anhoa = roster.units
    assert (tinh.parent_id, tinh.grassroots, tinh.place) == (None, False, "An Giang")
    assert (xa.parent_id, xa.grassroots, xa.level) == ("tinh-ag", True, "Đảng bộ xã")
    assert (tanloi.parent_id, tanloi.place) == ("xa-tb", None)
    # Excel doubles a quote inside a quoted cell
    assert anhoa.name == 'Chi bộ ấp An Hòa (ấp "Hòa Bình" cũ)'
    tree = OrgTree(roster.units)
    assert [u.id for u in tree.chain("chibo-anhoa")] == ["tinh-ag", "xa-tb", "chibo-anhoa"]


def test_bad_units_are_all_reported() -> None:
    path = DATA / "to_chuc_loi.csv"
    err = refused(path)
    assert len(err.errors) == 2
    assert err.errors[0].startswith(f"{path}, dòng 2, cột 'cap': thiếu giá trị bắt buộc")
    assert err.errors[1].startswith(f"{path}, dòng 3, cột 'ma_cap_tren':")
    assert "own parent" in err.errors[1]


# --- members -----------------------------------------------------------------------------------


def test_members_csv_with_bom() -> None:
    roster = read_roster([DATA / "dang_vien_utf8_bom.csv"])
    assert roster.units == ()
    binh, an, cuong, anh, dung = roster.members
    assert binh.id == "dv-001"
    assert binh.full_name == "Trần Thị Bình"
    assert binh.cell_id == "chibo-tanloi"
    assert binh.status is MemberStatus.OFFICIAL
    assert binh.position == "Công chức một cửa"
    assert binh.duties == ("Tiếp nhận hồ sơ một cửa", "Trả kết quả đúng hạn")
    assert binh.workplace == "UBND xã Tịnh Biên"
    assert binh.date_of_birth == dt.date(1980, 1, 5)
    assert (binh.joined_on, binh.official_on) == (dt.date(2005, 5, 19), dt.date(2006, 5, 19))
    assert binh.party_card_number == "01.234.567"
    assert binh.roles == (
        RoleAssignment(role=Role.SECRETARY, unit_id="chibo-tanloi", start=dt.date(2020, 7, 1)),
    )
    assert an.status is MemberStatus.PROBATIONARY
    assert (an.date_of_birth, an.joined_on, an.official_on) == (
        dt.date(1995, 9, 2),
        dt.date(2025, 3, 26),
        None,
    )
    assert an.roles == ()
    assert cuong.status is MemberStatus.OFFICIAL  # "Đảng viên chính thức"
    assert cuong.duties == ("Vận động nhân dân xây dựng nông thôn mới", "Hòa giải ở cơ sở")
    assert cuong.date_of_birth == dt.date(1970, 9, 2)  # d/m/yyyy
    assert cuong.roles[0].role is Role.DEPUTY_SECRETARY
    assert anh.status is MemberStatus.EXEMPT
    assert anh.duties == ()
    assert dung.status is MemberStatus.SUSPENDED
    assert dung.position is None
    for m in roster.members:
        assert unicodedata.is_normalized("NFC", m.full_name)


def test_cp1258_reads_the_same_as_utf8() -> None:
    assert read_roster([DATA / "dang_vien_cp1258.csv"]) == read_roster(
        [DATA / "dang_vien_utf8_bom.csv"]
    )


def test_semicolon_separated_with_plain_headers() -> None:
    hanh, duc = read_roster([DATA / "dang_vien_cham_phay.csv"]).members
    assert hanh.full_name == "Hoàng Thị Hạnh"
    assert hanh.duties == ("Thủ quỹ, kế toán hợp tác xã",)
    assert hanh.workplace == "Hợp tác xã Tân Lợi, ấp Tân Lợi"
    assert hanh.status is MemberStatus.OFFICIAL  # "chinh thuc"
    assert hanh.date_of_birth == dt.date(1985, 8, 15)  # 15.08.1985
    assert duc.full_name == "Đỗ Văn Đức"
    assert duc.status is MemberStatus.PROBATIONARY
    assert duc.duties == ("Dạy nghề", "Đoàn viên")


def test_tab_separated(tmp_path: Path) -> None:
    path = write(tmp_path, "dv.tsv", "Mã\tHọ và tên\tChi bộ\ndv-1\tLê An\tchibo-01\n")
    (m,) = read_roster([path]).members
    assert (m.id, m.full_name, m.cell_id) == ("dv-1", "Lê An", "chibo-01")


@pytest.mark.parametrize(
    "header",
    [
        "Họ và tên",
        "HỌ VÀ TÊN",
        "ho_va_ten",
        "Ho va ten",
        " họ  và   tên ",
        "Họ tên",
        "Ho ten",
        unicodedata.normalize("NFD", "Họ và tên"),
        "HỌ VÀ TÊN:",
    ],
)
def test_headers_match_without_accents_case_or_spacing(tmp_path: Path, header: str) -> None:
    path = write(tmp_path, "dv.csv", f"Mã,{header},Chi bộ\ndv-1,Nguyễn Thị Ánh,chibo-01\n")
    (m,) = read_roster([path]).members
    assert m.full_name == "Nguyễn Thị Ánh"


def test_header_key() -> None:
    assert header_key("Họ và tên") == "ho_va_ten"
    assert header_key("NGÀY VÀO ĐẢNG") == "ngay_vao_dang"
    assert header_key("Mã cấp trên") == "ma_cap_tren"
    assert header_key("Ð/c (ghi chú)") == "d_c_ghi_chu"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("05/01/2015", dt.date(2015, 1, 5)),
        ("5/1/2015", dt.date(2015, 1, 5)),
        ("05-01-2015", dt.date(2015, 1, 5)),
        ("05.01.2015", dt.date(2015, 1, 5)),
        ("2015-01-05", dt.date(2015, 1, 5)),
        (" 29/02/2024 ", dt.date(2024, 2, 29)),
    ],
)
def test_parse_date(text: str, day: dt.date) -> None:
    assert parse_date(text) == day


@pytest.mark.parametrize(
    "text", ["31/02/2020", "05/13/2020", "5/1/15", "ngày 5 tháng 1", "", "2015"]
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011
        parse_date(text)


def test_every_bad_row_is_reported_with_file_row_and_column() -> None:
    path = DATA / "dang_vien_loi.csv"
    err = refused(path)
    assert isinstance(err, ValidationFailed)
    assert err.source == str(path)
    where = [re.match(r"(.*), dòng (\d+), cột '([^']*)'", p) for p in err.errors]
    assert all(where), err.errors
    assert {m.group(1) for m in where if m} == {str(path)}
    assert [(int(m.group(2)), m.group(3)) for m in where if m] == [
        (3, "Họ và tên"),
        (4, "Ngày sinh"),
        (5, "Trạng thái"),
        (6, "Vai trò từ ngày"),
        (7, "Vai trò"),
        (8, "Ngày chính thức"),
        (10, "10"),
    ]
    text = "\n".join(err.errors)
    assert "'31/02/1980'" in text
    assert "'nghỉ hưu'" in text
    assert "'Thư ký'" in text
    assert "10 cells, more than the 9 columns" in err.errors[-1]
    assert [f"{p.message('vi')} / {p.message('en')}" for p in err.problems] == list(err.errors)
    assert "7 lỗi" in err.message_vi
    assert "7 problems, nothing was written" in err.message_en
    for p in err.errors:  # Vietnamese, then English, each naming the file
        assert f" / {path}, row " in p


def test_nothing_is_returned_when_one_file_is_bad() -> None:
    good, bad = DATA / "to_chuc.csv", DATA / "dang_vien_loi.csv"
    err = refused(good, bad, DATA / "danh_sach_loi.json")
    assert str(good) in err.source
    assert len(err.errors) == 7 + 3
    assert not any(p.startswith(str(good)) for p in err.errors)


def test_several_files_make_one_roster() -> None:
    roster = read_roster(
        [DATA / "to_chuc.csv", DATA / "dang_vien_utf8_bom.csv", DATA / "dang_vien_cham_phay.csv"]
    )
    assert len(roster.units) == 4
    assert [m.id for m in roster.members] == [
        "dv-001",
        "dv-002",
        "dv-003",
        "dv-004",
        "dv-005",
        "dv-101",
        "dv-102",
    ]
    assert roster == Roster(roster.units[:2], ()) + Roster(roster.units[2:], roster.members)


# --- JSON --------------------------------------------------------------------------------------


def test_json_roster() -> None:
    roster = read_roster([DATA / "danh_sach.json"])
    xa, tanloi = roster.units
    assert xa.grassroots
    assert xa.valid_from == dt.date(2025, 7, 1)
    assert tanloi.parent_id == "xa-tb"
    binh, an = roster.members
    assert binh.roles[0].role is Role.SECRETARY
    assert binh.duties == ("Tiếp nhận hồ sơ một cửa",)
    assert an.full_name == "Nguyễn Văn An"  # stored decomposed in the file
    assert unicodedata.is_normalized("NFC", an.full_name)
    assert an.status is MemberStatus.PROBATIONARY


def test_bad_json_roster_names_file_and_path() -> None:
    path = DATA / "danh_sach_loi.json"
    err = refused(path)
    assert len(err.errors) == 3
    assert all(p.startswith(f"{path}: $.") for p in err.errors)
    assert "$.units[1]" in err.errors[0]
    assert "ma_cap_tren" in err.errors[0]
    assert "$.members[0].full_name" in err.errors[1]
    assert "$.members[2].status" in err.errors[2]


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('{"units": [}', "JSON"),
        ("[]", "'units'"),
        ('{"units": [], "dang_vien": []}', "'members'"),
        ('{"members": {"id": "dv-1"}}', "must be a list"),
        ('{"schema_version": 99, "units": [{"id": "u", "name": "U", "level": "Chi bộ"}]}', "newer"),
    ],
)
def test_malformed_json_rosters(tmp_path: Path, text: str, detail: str) -> None:
    err = refused(write(tmp_path, "ds.json", text))
    assert len(err.errors) == 1
    assert detail in err.errors[0]


# --- files that are not rosters ----------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "rong.csv", ""))
    assert "empty file" in err.errors[0]


def test_unknown_kind_of_list(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "ds.csv", "Mã,Tên\nx,Y\n"))
    assert "ho_va_ten" in err.errors[0]


def test_an_extra_column_is_ignored_as_in_the_workbook(tmp_path: Path) -> None:
    path = write(tmp_path, "dv.csv", "Mã,Họ và tên,Chi bộ,Ghi chú\ndv-1,Lê An,cb-1,chuyển đến\n")
    (member,) = read_roster([path]).members
    assert (member.id, member.full_name, member.cell_id) == ("dv-1", "Lê An", "cb-1")


def test_a_misspelt_required_column_is_still_reported(tmp_path: Path) -> None:
    err = refused(write(tmp_path, "dv.csv", "Mã,Họ và tênn,Chi bộ\ndv-1,Lê An,cb-1\n"))
    assert any("ho_va_ten" in e or "Họ và tên" in e for e in err.errors), err.errors


def test_missing_file(tmp_path: Path) -> None:
    err = refused(tmp_path / "khong-co.csv")
    assert "khong-co.csv" in err.source
    assert "cannot read" in err.errors[0]


def test_a_repeated_id_is_refused_not_silently_replaced(tmp_path: Path) -> None:
    members = tmp_path / "dang-vien.csv"
    members.write_text("Mã,Họ và tên,Chi bộ\ndv01,Lê An,cb\ndv01,Võ Minh An,cb\n", "utf-8")
    with pytest.raises(ImportFailed) as caught:
        read_roster([members])
    (problem,) = caught.value.errors
    assert "dòng 3, cột 'Mã'" in problem
    assert "dòng 2" in problem
    other = tmp_path / "dang-vien-2.csv"
    other.write_text("Mã,Họ và tên,Chi bộ\ndv01,Trần Thị Bình,cb\n", "utf-8")
    members.write_text("Mã,Họ và tên,Chi bộ\ndv01,Lê An,cb\n", "utf-8")
    with pytest.raises(ImportFailed, match="dv01"):
        read_roster([members, other])


def test_a_unit_id_repeated_in_another_file_is_refused_not_merged(tmp_path: Path) -> None:
    """The later file's unit replaced the earlier one, and the count said 4 units for 3."""
    first = write(
        tmp_path, "to-chuc.csv", "Mã,Tên,Cấp,Mã cấp trên\nxa,Đảng bộ xã An Phú,Đảng bộ xã,\n"
    )
    second = write(
        tmp_path, "to-chuc-2.csv", "Mã,Tên,Cấp,Mã cấp trên\nxa,Đảng bộ KHÁC,Đảng bộ xã,\n"
    )
    with pytest.raises(ImportFailed) as caught:
        read_roster([first, second])
    (problem,) = caught.value.errors
    assert f"{second}, dòng 2: mã tổ chức 'xa' có trong 2 tệp ({first}:2, {second}:2)" in problem
    assert "unit id 'xa' appears in 2 files" in problem


@pytest.mark.parametrize("key", ["units", "members"])
def test_an_id_repeated_in_one_json_file_is_refused_at_its_path(tmp_path: Path, key: str) -> None:
    units = [
        {"id": "xa", "name": "Đảng bộ xã An Phú", "level": "dang_bo_xa"},
        {"id": "cb", "name": "Chi bộ ấp Đông", "level": "chi_bo", "parent_id": "xa"},
    ]
    members = [
        {"id": "dv1", "full_name": "Lê An", "cell_id": "cb"},
        {"id": "dv2", "full_name": "Võ Minh An", "cell_id": "cb"},
    ]
    data = {"units": units, "members": members}
    data[key] = [*data[key], {**data[key][0], "name" if key == "units" else "full_name": "Khác"}]
    path = write(tmp_path, "ds.json", json.dumps(data, ensure_ascii=False))
    with pytest.raises(ImportFailed) as caught:
        read_roster([path])
    (problem,) = caught.value.errors
    first = data[key][0]["id"]
    assert f"$.{key}[2].id: mã '{first}' đã dùng ở $.{key}[0]" in problem
    assert f"id '{first}' is already used at $.{key}[0]" in problem


def test_a_broken_csv_is_an_import_error_naming_the_row(tmp_path: Path) -> None:
    """It read "CSV hỏng (field larger than field limit (131072))": no row, and English in
    the Vietnamese."""
    huge = tmp_path / "dang-vien.csv"
    lines = 'Mã,Họ và tên,Chi bộ\nb,"Lê\nAn",cb\na,"' + "x" * 200_000 + '",cb\n'
    huge.write_text(lines, "utf-8")  # the second record starts on line 4: it is row 3
    with pytest.raises(ImportFailed) as caught:
        read_roster([huge])
    (problem,) = caught.value.problems
    assert problem.where("en") == f"{huge}, row 3"
    assert problem.text_vi == "ô dài quá 131,072 ký tự"
    assert problem.text_en == "a cell longer than 131,072 characters"


def test_a_units_committee_and_a_role_held_in_it(tmp_path: Path) -> None:
    units = write(
        tmp_path,
        "to-chuc.csv",
        "Mã,Tên,Cấp,Mã cấp trên,Cấp ủy\n"
        "xa,Đảng bộ xã An Phú,Đảng bộ xã,,\n"
        "xb,Đảng bộ xã Bình Mỹ,Đảng bộ xã,,Đảng ủy xã Bình Mỹ (mới)\n"
        "cb,Chi bộ ấp Đông,Chi bộ,xa,\n",
    )
    members = write(
        tmp_path,
        "dang-vien.csv",
        "Mã,Họ và tên,Chi bộ,Vai trò,Vai trò từ ngày,Vai trò tại đơn vị\n"
        "dv1,Lê An,cb,Bí thư; Phó Bí thư,01/07/2020; 01/10/2020,; xa\n"
        "dv2,Võ Minh An,cb,Chi ủy viên,01/07/2020,\n",
    )
    roster = read_roster([units, members])
    xa, xb, cb = roster.units
    assert (xa.committee, xa.committee_name) == (None, "Đảng ủy xã An Phú")
    assert xb.committee_name == "Đảng ủy xã Bình Mỹ (mới)"
    assert cb.committee_name == "Chi ủy ấp Đông"
    an, minh = roster.members
    assert an.roles == (
        RoleAssignment(role=Role.SECRETARY, unit_id="cb", start=dt.date(2020, 7, 1)),
        RoleAssignment(role=Role.DEPUTY_SECRETARY, unit_id="xa", start=dt.date(2020, 10, 1)),
    )
    assert minh.roles == (
        RoleAssignment(role=Role.COMMITTEE_MEMBER, unit_id="cb", start=dt.date(2020, 7, 1)),
    )
    missing = write(tmp_path, "thieu.csv", "Mã,Họ và tên,Chi bộ,Vai trò\ndv3,Lê Bình,cb,Bí thư\n")
    assert "vai_tro_tu_ngay" in str(refused(missing))


def test_excels_unicode_text_export_is_read(tmp_path: Path) -> None:
    """Excel saves "Unicode Text" as UTF-16 with tabs; it was refused as an unknown encoding."""
    members = tmp_path / "dang-vien.txt.csv"
    text = "Mã\tHọ và tên\tChi bộ\r\ndv-1\tNguyễn Thị Ánh\tcb-1\r\n"
    members.write_bytes(text.encode("utf-16"))  # with its byte-order mark, as Excel writes it
    (member,) = read_roster([members]).members
    assert (member.id, member.full_name, member.cell_id) == ("dv-1", "Nguyễn Thị Ánh", "cb-1")
