"""Tests for lamtheoguongbac._legacy (TCVN3, VNI, cp1258, UTF-8 import)."""

from __future__ import annotations

import importlib.util
import string
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac._legacy import (
    ENCODINGS,
    DecodedText,
    convert_legacy,
    decode_bytes,
    detect_legacy,
    encode_bytes,
    encode_legacy,
)
from lamtheoguongbac.text import nfc, nfd

DATA = Path(__file__).parent / "data" / "legacy"

LOWER_TONED = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"
UPPER_TONED = LOWER_TONED.upper()
ALL_TONED = LOWER_TONED + UPPER_TONED
PUNCT = " ,.;:-()\n0123456789"

PLEDGE = (
    "Đảng viên Nguyễn Văn An, chi bộ khu phố 3, xin cam kết học tập và làm theo tư tưởng, "
    "đạo đức, phong cách Hồ Chí Minh; giữ gìn phẩm chất, lối sống; thực hiện tốt nhiệm vụ "
    "được giao trong năm 2015."
)


def test_all_134_toned_letters() -> None:
    assert len(set(ALL_TONED)) == 134
    assert all(unicodedata.is_normalized("NFC", c) for c in ALL_TONED)


# --------------------------------------------------------------------------------------------
# Tables: known byte values and round trips
# --------------------------------------------------------------------------------------------


def test_vni_examples() -> None:
    assert convert_legacy("Vieät Nam", "vni") == "Việt Nam"
    assert convert_legacy("Nguyeãn", "vni") == "Nguyễn"
    assert convert_legacy("ñ", "vni") == "đ"
    assert convert_legacy("Ñ", "vni") == "Đ"
    assert convert_legacy("ÑAÛNG COÄNG SAÛN", "vni") == "ĐẢNG CỘNG SẢN"
    assert convert_legacy("ñöôøng", "vni") == "đường"
    assert convert_legacy("Hoà Bình", "vni") == "Hồ Bình"  # ordinary Latin-1 text is not VNI
    assert encode_legacy("Việt Nam", "vni") == "Vieät Nam"
    assert encode_legacy("Thủy Quỳnh Ỵ ỵ", "vni") == "Thuûy Quyønh Î î"
    assert encode_bytes("ăắằẳẵặ", "vni") == b"a\xeaa\xe9a\xe8a\xfaa\xfca\xeb"


def test_tcvn3_examples() -> None:
    assert convert_legacy("ViÖt Nam", "tcvn3") == "Việt Nam"
    assert convert_legacy("Hµ Néi", "tcvn3") == "Hà Nội"
    assert convert_legacy("NguyÔn V¨n §øc", "tcvn3") == "Nguyễn Văn Đức"
    assert convert_legacy("®\xadêng", "tcvn3") == "đường"  # U+00AD soft hyphen is "ư"
    assert encode_bytes("Việt Nam", "tcvn3") == b"Vi\xd6t Nam"
    assert encode_bytes("àảãáạ", "tcvn3") == bytes([0xB5, 0xB6, 0xB7, 0xB8, 0xB9])
    assert encode_bytes("ĂÂĐÊÔƠƯ", "tcvn3") == bytes(range(0xA1, 0xA8)).replace(
        b"\xa3\xa4\xa5\xa6\xa7", b"\xa7\xa3\xa4\xa5\xa6"
    )


def test_tcvn3_caps_heuristic() -> None:
    caps = "§¶NG CéNG S¶N VIÖT NAM"
    assert convert_legacy(caps, "tcvn3") == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert convert_legacy(caps, "tcvn3", caps_heuristic=False) == "ĐảNG CộNG SảN VIệT NAM"
    assert convert_legacy("Hµ NéI", "tcvn3") == "HÀ NỘI"  # "Hµ" next to a capital word
    assert convert_legacy("UBND Hµ Néi", "tcvn3") == "UBND Hà Nội"  # acronym is no evidence
    assert encode_legacy("ĐẢNG CỘNG SẢN", "tcvn3", errors="lower") == "§¶NG CéNG S¶N"


def test_tcvn3_has_no_toned_capitals() -> None:
    with pytest.raises(ValueError, match="TCVN3 has no capital"):
        encode_legacy("Ánh", "tcvn3")
    assert encode_legacy("Ánh", "tcvn3", errors="lower") == "¸nh"


def test_encode_rejects_colliding_characters() -> None:
    with pytest.raises(ValueError, match=" / "):
        encode_legacy("© 2015", "tcvn3")
    with pytest.raises(ValueError, match=" / "):
        encode_legacy("Ørsted", "vni")
    with pytest.raises(ValueError, match=" / "):
        encode_bytes("Việt 中文", "tcvn3")
    with pytest.raises(ValueError, match=" / "):
        encode_bytes("中文", "cp1258")


@pytest.mark.parametrize("target", ["tcvn3", "vni"])
def test_round_trip_every_letter(target: str) -> None:
    letters = ALL_TONED if target == "vni" else LOWER_TONED + "ĂÂĐÊÔƠƯ"
    # A run of the seven TCVN3 capitals glued to lowercase codes would look like a word typed
    # in a capital font, so the glued run uses the lowercase letters only.
    run = letters if target == "vni" else LOWER_TONED
    sentence = f"{PLEDGE} {' '.join(letters)} {run}"
    encoded = encode_legacy(sentence, target)
    assert encoded.isascii() is False
    assert all(ord(c) < 256 for c in encoded)
    assert convert_legacy(encoded, target) == sentence
    assert decode_bytes(encode_bytes(sentence, target)) == DecodedText(sentence, target)


def test_tables_are_injective() -> None:
    for target, letters in (("vni", ALL_TONED), ("tcvn3", LOWER_TONED + "ĂÂĐÊÔƠƯ")):
        codes = [encode_legacy(c, target) for c in letters]
        assert len(set(codes)) == len(codes)


lower_tcvn3_text = st.text(
    alphabet=string.ascii_letters + LOWER_TONED + "ĂÂĐÊÔƠƯ" + PUNCT, max_size=60
)
vni_text = st.text(alphabet=string.ascii_letters + ALL_TONED + PUNCT, max_size=60)


@given(lower_tcvn3_text)
def test_tcvn3_round_trip(s: str) -> None:
    assert convert_legacy(encode_legacy(s, "tcvn3"), "tcvn3", caps_heuristic=False) == s
    data = encode_bytes(s, "tcvn3")
    assert decode_bytes(data, "tcvn3").text == convert_legacy(encode_legacy(s, "tcvn3"), "tcvn3")


@given(st.text(alphabet=string.ascii_lowercase + LOWER_TONED + PUNCT, max_size=60))
def test_tcvn3_round_trip_lowercase_with_heuristic(s: str) -> None:
    assert convert_legacy(encode_legacy(s, "tcvn3"), "tcvn3") == s


@given(vni_text)
def test_vni_round_trip(s: str) -> None:
    assert convert_legacy(encode_legacy(s, "vni"), "vni") == s
    assert decode_bytes(encode_bytes(s, "vni"), "vni").text == s


@given(st.text(alphabet=string.ascii_letters + ALL_TONED + PUNCT, max_size=60))
def test_cp1258_round_trip(s: str) -> None:
    data = encode_bytes(s, "cp1258")
    assert decode_bytes(data, "cp1258").text == s
    assert nfc(data.decode("cp1258")) == s  # Python's codec gives combining marks


@given(
    st.text(alphabet=string.ascii_letters + ALL_TONED + PUNCT, max_size=60),
    st.sampled_from("ươăđạệỹ"),
)
def test_utf8_round_trip_nfd_input(s: str, letter: str) -> None:
    # Any letter outside Latin-1 proves the text is Unicode: it is never "repaired".
    s = f"{s} {letter}"
    assert decode_bytes(nfd(s).encode("utf-8")) == DecodedText(s, "utf-8")
    assert decode_bytes(s.encode("utf-8-sig")) == DecodedText(s, "utf-8-sig")


# --------------------------------------------------------------------------------------------
# Detection
# --------------------------------------------------------------------------------------------


def test_detect_legacy() -> None:
    assert detect_legacy("Ch\xfang t«i lµ ®¶ng viªn ViÖt Nam") == "tcvn3"
    assert detect_legacy("Chuùng toâi laø ñaûng vieân Vieät Nam") == "vni"
    assert detect_legacy("Chúng tôi là đảng viên Việt Nam") is None
    assert detect_legacy("Hoà Bình, Tôi có ý kiến về cá nhân") is None
    assert detect_legacy("plain ASCII text") is None
    assert detect_legacy("") is None
    assert detect_legacy("Café in Zürich") is None


@pytest.mark.parametrize(
    "text",
    [
        PLEDGE,
        "Ông Bà Cô Chú Anh Chị Em",
        "Họ và tên: Nguyễn Thị Ánh; Ngày sinh: 05/01/1980; Chức vụ: Bí thư chi bộ",
        "Tôi là đảng viên",
        "có ý",
    ],
)
def test_unicode_is_never_converted(text: str) -> None:
    assert detect_legacy(text) is None
    assert decode_bytes(text.encode("utf-8")) == DecodedText(text, "utf-8")


@pytest.mark.parametrize("encoding", ["cp1258", "tcvn3", "vni"])
def test_detects_eight_bit_encodings(encoding: str) -> None:
    result = decode_bytes(encode_bytes(PLEDGE, encoding))
    assert result == DecodedText(PLEDGE, encoding)


def test_detects_short_legacy_strings() -> None:
    assert decode_bytes(encode_bytes("Việt Nam", "tcvn3")).text == "Việt Nam"
    assert decode_bytes(encode_bytes("Nguyễn Văn Đức", "vni")).text == "Nguyễn Văn Đức"
    assert decode_bytes(encode_bytes("Thị Ánh", "cp1258")).text == "Thị Ánh"


def test_explicit_encoding_and_aliases() -> None:
    data = encode_bytes(PLEDGE, "vni")
    assert decode_bytes(data, "VNI-Windows").text == PLEDGE
    assert decode_bytes(encode_bytes(PLEDGE, "tcvn3"), "ABC").encoding == "tcvn3"
    assert decode_bytes(PLEDGE.encode("utf-8"), "utf8") == DecodedText(PLEDGE, "utf-8")
    assert set(ENCODINGS) == {"utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3", "vni"}
    assert decode_bytes(encode_bytes(PLEDGE, "UTF16")) == DecodedText(PLEDGE, "utf-16")


def test_cp1258_is_normalised() -> None:
    # "ạ" has no cp1258 code: it is "a" + the combining dot-below byte 0xF2.
    data = b"Vi\xea\xf2t Nam"
    assert data.decode("cp1258") != "Việt Nam"
    assert decode_bytes(data, "cp1258").text == "Việt Nam"
    assert decode_bytes(data) == DecodedText("Việt Nam", "cp1258")


def test_errors_are_bilingual() -> None:
    with pytest.raises(ValueError, match=r"Không nhận ra bảng mã.* / Could not detect"):
        decode_bytes(bytes(range(32)) * 4 + b"\xff\xfe\x81")
    with pytest.raises(ValueError, match=r"Dữ liệu không đúng bảng mã utf-8.* / Data is not"):
        decode_bytes(b"\xff", "utf-8")
    with pytest.raises(ValueError, match="Unsupported encoding"):
        decode_bytes(b"abc", "koi8-r")
    with pytest.raises(ValueError, match=r"Bảng mã cũ không hỗ trợ.* / Unsupported legacy"):
        convert_legacy("abc", "cp1258")
    with pytest.raises(ValueError, match="errors must be"):
        encode_legacy("abc", "vni", errors="ignore")


def test_empty_and_ascii_bytes() -> None:
    assert decode_bytes(b"") == DecodedText("", "utf-8")
    assert decode_bytes(b"Nguyen Van An\r\n") == DecodedText("Nguyen Van An\r\n", "utf-8")


def test_bom_then_non_utf8_falls_back() -> None:
    data = b"\xef\xbb\xbf" + encode_bytes(PLEDGE, "vni")
    assert decode_bytes(data).encoding in ("cp1258", "tcvn3", "vni")


# --------------------------------------------------------------------------------------------
# Sample files
# --------------------------------------------------------------------------------------------

SAMPLES = {
    "sample_tcvn3.txt": ("tcvn3", None, "expected_tcvn3.txt"),
    "sample_vni.txt": ("vni", None, "expected.txt"),
    "sample_cp1258.txt": ("cp1258", None, "expected.txt"),
    "sample_utf8_bom.txt": ("utf-8-sig", None, "expected.txt"),
    "sample_utf8_nfd.txt": ("utf-8", None, "expected.txt"),
    "sample_utf8_mojibake_tcvn3.txt": ("utf-8", "tcvn3", "expected_tcvn3.txt"),
    "sample_utf8_mojibake_vni.txt": ("utf-8", "vni", "expected.txt"),
    "sample_utf8_bom_mojibake_tcvn3.txt": ("utf-8-sig", "tcvn3", "expected_tcvn3.txt"),
}


@pytest.mark.parametrize(("name", "expected"), SAMPLES.items())
def test_sample_files(name: str, expected: tuple[str, str | None, str]) -> None:
    encoding, converted_from, expected_file = expected
    result = decode_bytes((DATA / name).read_bytes())
    assert result.encoding == encoding
    assert result.converted_from == converted_from
    assert result.text == (DATA / expected_file).read_bytes().decode("utf-8")
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in result.text
    assert "Hà Nội, ngày 05 tháng 01 năm 2015" in result.text


def test_sample_tcvn3_known_bytes() -> None:
    data = (DATA / "sample_tcvn3.txt").read_bytes()
    assert data.startswith(b"\xa7\xb6NG C\xe9NG S\xb6N VI\xd6T NAM\r\n")
    assert b"H\xb5 N\xe9i, ng\xb5y 05 th\xb8ng 01 n\xa8m 2015" in data


def test_sample_vni_known_bytes() -> None:
    data = (DATA / "sample_vni.txt").read_bytes()
    assert data.startswith(b"\xd1A\xdbNG CO\xc4NG SA\xdbN VIE\xc4T NAM\r\n")
    assert b"Nguye\xe3n" in data


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", DATA / "make_samples.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sample_files_match_generator() -> None:
    generator = _load_generator()
    for name, encoding in generator.SAMPLES.items():
        assert (DATA / name).read_bytes() == generator.sample_bytes(encoding), name
