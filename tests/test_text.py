"""Tests for lamtheoguongbac.text (DOMAIN.md §6)."""

from __future__ import annotations

import os
import re
import string
import unicodedata
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac import text as vt
from lamtheoguongbac.text import (
    PersonName,
    canonical_key,
    collation_key,
    date_phrase,
    is_vietnamese_syllable,
    name_sort_key,
    nfc,
    nfd,
    place_date_line,
    slugify_filename,
    sort_vietnamese,
    split_name,
    strip_accents,
)

LOWER_TONED = "àảãáạăằẳẵắặâầẩẫấậđèẻẽéẹêềểễếệìỉĩíịòỏõóọôồổỗốộơờởỡớợùủũúụưừửữứựỳỷỹýỵ"
VIET_LETTERS = string.ascii_letters + LOWER_TONED + LOWER_TONED.upper()
viet_text = st.text(alphabet=VIET_LETTERS + " ,.-", max_size=40)

# --------------------------------------------------------------------------------------------
# nfc / canonical_key
# --------------------------------------------------------------------------------------------


def test_nfc_and_nfd_forms() -> None:
    decomposed = "Vie\u0323\u0302t"
    assert nfc(decomposed) == "Việt"
    assert nfd("Việt") == unicodedata.normalize("NFD", "Việt")
    assert nfc(nfd("Nguyễn")) == "Nguyễn"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("hoà", "hòa"),
        ("thuỷ", "thủy"),
        ("khoẻ", "khỏe"),
        ("uý", "úy"),
        ("Hoà Bình", "hòa bình"),
        ("Quý", "qúy"),
        ("khuỷu", "khủyu"),
        ("thuở", "thủơ"),
        ("hoàng", "hòang"),
        ("Thuỵ", "thụy"),
        ("toả", "tỏa"),
        ("xoè", "xòe"),
        ("  Nguyễn   Văn\tAn ", "nguyễn văn an"),
    ],
)
def test_canonical_key_unifies_spellings(a: str, b: str) -> None:
    assert canonical_key(a) == canonical_key(b)


def test_canonical_key_uses_new_style() -> None:
    assert canonical_key("hòa") == "hoà"
    assert canonical_key("THỦY") == "thuỷ"
    assert canonical_key("úy ban") == "uý ban"
    # Tones on diacritic vowels and closed syllables are not moved.
    assert canonical_key("Trường") == "trường"
    assert canonical_key("hoàng") == "hoàng"
    assert canonical_key("của") == "của"
    assert canonical_key("mía") == "mía"


def test_canonical_key_keeps_distinct_words_distinct() -> None:
    assert canonical_key("hoà") != canonical_key("hoá")
    assert canonical_key("Ánh") != canonical_key("Anh")
    assert canonical_key("đức") != canonical_key("duc")


@pytest.mark.parametrize("lookalike", ["\u00d0ức", "\u0189ức", "\u00f0ức", "d\u0335ức"])
def test_canonical_key_folds_d_lookalikes(lookalike: str) -> None:
    assert canonical_key(lookalike) == canonical_key("Đức") == "đức"


def test_canonical_key_folds_cyrillic_homoglyphs() -> None:
    # "Nguyễn Văn An" with Cyrillic у, а, А; "HОÀ" with Cyrillic Н, О.
    assert canonical_key("Nguуễn Vаn Аn") == canonical_key("Nguyễn Van An")
    assert canonical_key("\u041d\u041e\u00c0 \u0412\u0456nh") == canonical_key("Hoà Binh")
    mixed = "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425"
    assert canonical_key(mixed) == "abekmhopctx"
    assert canonical_key("\u0430\u0435\u043e\u0440\u0441\u0445\u0443\u0456") == "aeopcxyi"


def test_canonical_key_does_not_alter_input() -> None:
    original = "Hòa  Bình"
    canonical_key(original)
    assert original == "Hòa  Bình"


def test_canonical_key_leaves_foreign_words() -> None:
    assert canonical_key("José") == "josé"
    assert canonical_key("café") == "café"


def test_strip_accents() -> None:
    assert strip_accents("Đỗ Văn Đức") == "Do Van Duc"
    assert strip_accents("Nguyễn Thị Ánh") == "Nguyen Thi Anh"
    assert strip_accents(nfd("Trường")) == "Truong"
    assert strip_accents("\u00d0") == "D"


def test_is_vietnamese_syllable() -> None:
    for word in ("Việt", "nghiêng", "quốc", "gì", "giữa", "khuya", "ĐẢNG", "thuở", "oái"):
        assert is_vietnamese_syllable(word), word
    for word in ("viöt", "email", "Néi", "hµ", "zoo", "việc̀", "mạn̉"):
        assert not is_vietnamese_syllable(word), word
    assert not is_vietnamese_syllable("hàt")  # a stopped syllable takes only sắc or nặng


# --------------------------------------------------------------------------------------------
# Collation
# --------------------------------------------------------------------------------------------

ALPHABET = list("aăâbcdđeêfghijklmnoôơpqrstuưvwxyz")


def test_alphabet_order() -> None:
    shuffled = sorted(ALPHABET, key=lambda c: (hash(c) % 7, c))
    assert sort_vietnamese(shuffled) == ALPHABET
    assert sort_vietnamese([c.upper() for c in reversed(ALPHABET)]) == [c.upper() for c in ALPHABET]


def test_tone_order() -> None:
    tones = ["a", "à", "ả", "ã", "á", "ạ"]
    assert sort_vietnamese(reversed(tones)) == tones
    assert sort_vietnamese(["ơ", "ờ", "ở", "ỡ", "ớ", "ợ"][::-1]) == ["ơ", "ờ", "ở", "ỡ", "ớ", "ợ"]


def test_tones_only_break_ties() -> None:
    # Base letters decide first: "ạ" < "ă" even though nặng is the last tone.
    assert sort_vietnamese(["ăa", "ạb", "ab"]) == ["ab", "ạb", "ăa"]
    assert sort_vietnamese(["bà", "ba", "bá", "bac"]) == ["ba", "bà", "bá", "bac"]
    assert sort_vietnamese(["Đức", "Dũng", "Dung"]) == ["Dung", "Dũng", "Đức"]


def test_accented_initials_sort_before_z() -> None:
    assert sort_vietnamese(["Z", "Ánh", "Đức", "Yến"]) == ["Ánh", "Đức", "Yến", "Z"]
    assert not collation_key("Z") < collation_key("Ánh")
    assert sorted(["Z", "Ánh"]) == ["Z", "Ánh"]  # plain sorted() gets it wrong


def test_collation_is_case_insensitive_first() -> None:
    assert sort_vietnamese(["Bình", "an", "An", "ánh"]) == ["an", "An", "ánh", "Bình"]


def test_collation_nfc_nfd_same_key() -> None:
    assert collation_key(nfd("Nguyễn Thị Ánh")) == collation_key("Nguyễn Thị Ánh")


def test_sort_vietnamese_with_key_and_reverse() -> None:
    rows = [("Đức", 1), ("An", 2), ("Bình", 3)]
    assert sort_vietnamese(rows, key=lambda r: r[0]) == [("An", 2), ("Bình", 3), ("Đức", 1)]
    assert sort_vietnamese(["a", "b", "đ"], reverse=True) == ["đ", "b", "a"]


CORPUS = [
    "Lê An",
    "Võ Minh An",
    "Nguyễn Văn An",
    "Phạm Thị Ánh",
    "Trần Thị Bình",
    "Đỗ Văn Đức",
    "Dương Thị Dung",
    "Hồ Chí Minh",
    "hoà",
    "hòa",
    "hoá",
    "Ơn",
    "Ông",
    "Oanh",
    "Ưng",
    "Uyên",
    "ăn",
    "ân",
    "an",
    "ba",
    "bà",
    "bả",
    "bã",
    "bá",
    "bạ",
    "Z",
    "Yến",
]


def test_icu_and_fallback_agree() -> None:
    icu = pytest.importorskip("icu")
    collator = icu.Collator.createInstance(icu.Locale("vi_VN"))
    by_icu = sorted(CORPUS, key=lambda s: bytes(collator.getSortKey(s)))
    by_fallback = sorted(CORPUS, key=vt._fallback_collation_key)
    assert by_icu == by_fallback


def test_fallback_on_corpus() -> None:
    ordered = sorted(CORPUS, key=vt._fallback_collation_key)
    assert ordered.index("an") < ordered.index("ăn") < ordered.index("ân") < ordered.index("ba")
    assert ordered.index("Ông") < ordered.index("Ơn") < ordered.index("Uyên") < ordered.index("Ưng")
    assert ordered[-1] == "Z"


@given(st.lists(st.text(alphabet=string.ascii_lowercase, max_size=8), max_size=20))
def test_collation_matches_plain_sort_on_ascii_lowercase(words: list[str]) -> None:
    assert sorted(words, key=vt._fallback_collation_key) == sorted(words)
    assert sort_vietnamese(words) == sorted(words)


@given(st.text(max_size=20), st.text(max_size=20))
def test_collation_key_total_order(a: str, b: str) -> None:
    ka, kb = collation_key(a), collation_key(b)
    assert (ka == kb) == (nfc(a) == nfc(b))
    assert (ka < kb) + (ka > kb) + (ka == kb) == 1


@given(viet_text, viet_text, viet_text)
def test_collation_transitive(a: str, b: str, c: str) -> None:
    ka, kb, kc = sorted([collation_key(a), collation_key(b), collation_key(c)])
    assert ka <= kb <= kc
    if collation_key(a) <= collation_key(b) and collation_key(b) <= collation_key(c):
        assert collation_key(a) <= collation_key(c)


@given(st.lists(viet_text, max_size=15))
def test_sort_stable_under_nfc_nfd(words: list[str]) -> None:
    composed = sort_vietnamese([nfc(w) for w in words])
    decomposed = sort_vietnamese([nfd(w) for w in words])
    assert [nfc(w) for w in decomposed] == composed


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


def test_split_name() -> None:
    assert split_name("Nguyễn Thị Thu Hà") == PersonName("Nguyễn", "Thị Thu", "Hà")
    assert split_name("Lê An") == PersonName("Lê", "", "An")
    assert split_name("  Hùng ") == PersonName("", "", "Hùng")
    assert split_name("") == PersonName("", "", "")
    assert split_name(nfd("Đỗ Văn Đức")).given == "Đức"
    assert str(split_name("Trần  Thị   Bình")) == "Trần Thị Bình"


def test_roster_order() -> None:
    expected = [
        "Lê An",
        "Võ Minh An",
        "Nguyễn Văn An",
        "Phạm Thị Ánh",
        "Trần Thị Bình",
        "Đỗ Văn Đức",
    ]
    for start in range(len(expected)):
        rotated = expected[start:] + expected[:start]
        assert sorted(rotated, key=name_sort_key) == expected


def test_name_sort_key_override() -> None:
    # "Y Moan Niê" (Ê Đê naming) should file under "Moan", not under "Niê".
    people = {"Y Moan Niê": "Moan", "Lê Minh": None, "Trần Nam": None}
    ordered = sorted(people, key=lambda n: name_sort_key(n, people[n]))
    assert ordered == ["Lê Minh", "Y Moan Niê", "Trần Nam"]
    assert name_sort_key("Y Moan Niê") != name_sort_key("Y Moan Niê", "Moan")
    assert name_sort_key("Lê An", "  ") == name_sort_key("Lê An")


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def test_date_phrase_and_place_line() -> None:
    assert date_phrase(date(2015, 1, 5)) == "ngày 05 tháng 01 năm 2015"
    assert date_phrase(date(2024, 12, 31)) == "ngày 31 tháng 12 năm 2024"
    d = date(2015, 1, 5)
    assert place_date_line("Hà Nội", d) == "Hà Nội, ngày 05 tháng 01 năm 2015"
    assert place_date_line(nfd(" Tịnh  Biên "), d) == "Tịnh Biên, ngày 05 tháng 01 năm 2015"
    with pytest.raises(ValueError, match=" / "):
        place_date_line("  ", d)
    assert place_date_line(None, d) == "Ngày 05 tháng 01 năm 2015"


@given(st.dates())
def test_date_phrase_format(d: date) -> None:
    assert re.fullmatch(r"ngày \d\d tháng \d\d năm \d{4}", date_phrase(d))


# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Báo cáo 2024/2025", "Báo cáo 2024-2025"),
        (nfd("Sổ tay Làm theo gương Bác"), "Sổ tay Làm theo gương Bác"),
        ('a<b>c:"d"|e?f*g\\h', "a(b)c-'d'-efg-h"),
        ("CON", "_CON"),
        ("con.txt", "_con.txt"),
        ("LPT1 .docx", "_LPT1 .docx"),
        ("COM¹", "_COM¹"),
        ("Console", "Console"),
        ("tên.  ", "tên"),
        (".", "_"),
        ("..", "_"),
        ("", "_"),
        ("\x00\x1f", "_"),
        ("dòng 1\ndòng 2", "dòng 1 dòng 2"),
    ],
)
def test_slugify_filename(raw: str, expected: str) -> None:
    assert slugify_filename(raw) == expected


def test_slugify_filename_max_len() -> None:
    assert slugify_filename("Nguyễn Thị Ánh" * 20, max_len=10) == "Nguyễn Thị"
    assert len(slugify_filename("đ" * 500)) == 120
    assert slugify_filename("a.... b", max_len=4) == "a"
    with pytest.raises(ValueError, match=" / "):
        slugify_filename("x", max_len=0)


def test_slugify_filename_max_bytes_cuts_at_a_character() -> None:
    assert slugify_filename("Nguyễn Thị Ữ", max_bytes=12) == "Nguyễn Th"
    assert slugify_filename("Ữ" * 100, max_bytes=10) == "ỮỮỮ"  # 9 bytes: a fourth would be 12
    assert slugify_filename("ab" * 10, max_len=5, max_bytes=100) == "ababa"
    assert slugify_filename("CON" + "\U0001f600" * 3, max_bytes=4) == "_CON"
    with pytest.raises(ValueError, match="max_bytes"):
        slugify_filename("x", max_bytes=0)


RESERVED = re.compile(r"(CON|PRN|AUX|NUL|COM[1-9¹²³]|LPT[1-9¹²³])", re.IGNORECASE)


@given(
    st.text(max_size=60),
    st.integers(min_value=1, max_value=130),
    st.none() | st.integers(min_value=4, max_value=300),
)
def test_slugify_filename_properties(raw: str, max_len: int, max_bytes: int | None) -> None:
    out = slugify_filename(raw, max_len=max_len, max_bytes=max_bytes)
    assert out
    assert out not in (".", "..")
    assert len(out) <= max_len
    assert max_bytes is None or len(out.encode()) <= max_bytes
    assert os.path.basename(out) == out
    assert not set(out) & set('<>:"/\\|?*')
    assert all(ord(c) >= 32 and ord(c) != 127 for c in out)
    assert not out.endswith((".", " "))
    assert not RESERVED.fullmatch(out.split(".", 1)[0].rstrip(" "))
    assert out == nfc(out) or len(nfc(out)) <= max_len
    assert slugify_filename(out, max_len=max_len, max_bytes=max_bytes) == out


# --------------------------------------------------------------------------------------------
# Properties of normalisation and keys
# --------------------------------------------------------------------------------------------


@given(st.text())
def test_nfc_idempotent(s: str) -> None:
    assert nfc(nfc(s)) == nfc(s)
    assert nfc(nfd(s)) == nfc(s)


@given(st.text())
def test_canonical_key_idempotent_and_normalisation_invariant(s: str) -> None:
    key = canonical_key(s)
    assert canonical_key(key) == key
    assert canonical_key(nfd(s)) == key
    assert canonical_key(nfc(s)) == key


@given(viet_text)
def test_canonical_key_idempotent_on_vietnamese(s: str) -> None:
    key = canonical_key(s)
    assert canonical_key(key) == key
    assert canonical_key(nfd(s)) == key
    assert canonical_key(s.upper()) == canonical_key(s.lower())


INITIALS = ["", "b", "ch", "gi", "h", "kh", "l", "ng", "ngh", "qu", "th", "tr", "x"]
OPEN_NUCLEI = ["oa", "oe", "uy", "ai", "ao", "ia", "ua", "ưa", "oai", "uya", "uôi", "ươi", "a"]
CLOSED_NUCLEI = ["oa", "uy", "uyê", "iê", "uô", "ươ", "oă", "a", "ô"]
FINALS = ["n", "ng", "nh", "m"]
TONE_MARKS = ["\u0300", "\u0309", "\u0303", "\u0301", "\u0323"]


@st.composite
def syllable_spellings(draw: st.DrawFn) -> list[str]:
    """One syllable with its tone written on every vowel of the nucleus in turn."""
    initial = draw(st.sampled_from(INITIALS))
    if draw(st.booleans()):
        nucleus, final = draw(st.sampled_from(OPEN_NUCLEI)), ""
    else:
        nucleus, final = draw(st.sampled_from(CLOSED_NUCLEI)), draw(st.sampled_from(FINALS))
    if initial == "qu" and nucleus[0] == "u":
        initial = "h"
    tone = draw(st.sampled_from(TONE_MARKS))
    spellings = []
    for i in range(len(nucleus)):
        word = initial + nucleus[:i] + nfc(nucleus[i] + tone) + nucleus[i + 1 :] + final
        if draw(st.booleans()):
            word = word.capitalize()
        spellings.append(nfd(word) if draw(st.booleans()) else nfc(word))
    return spellings


@given(syllable_spellings(), st.sampled_from(["", "Đảng viên ", "xin "]))
def test_canonical_key_invariant_under_tone_placement(spellings: list[str], prefix: str) -> None:
    keys = {canonical_key(prefix + s) for s in spellings}
    assert len(keys) == 1


@given(st.lists(st.sampled_from(["hoà", "hòa", "Hoà", "HÒA", "hoá", "hóa"]), min_size=1))
def test_hoa_alternation(words: list[str]) -> None:
    swapped = [w.replace("oà", "òa").replace("òa", "oà") for w in words]
    assert canonical_key(" ".join(words)) == canonical_key(" ".join(swapped))
    flipped = [{"hoà": "hòa", "hòa": "hoà"}.get(w, w) for w in words]
    assert canonical_key(" ".join(words)) == canonical_key(" ".join(flipped))
