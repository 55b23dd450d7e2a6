"""Import of text in legacy Vietnamese encodings (TCVN3/ABC, VNI-Windows, cp1258).

Old office documents and spreadsheets were typed in 8-bit fonts: ".VnTime" and the other
".Vn" fonts (TCVN3, also called ABC, TCVN 5712:1993 VN3) and "VNI-Times" and its family
(VNI-Windows). The bytes are ordinary Windows-1252 bytes; only the font drew them as Vietnamese
letters. Opened without the font, "Việt Nam" reads "ViÖt Nam" (TCVN3) or "Vieät Nam" (VNI).
Python has codecs for neither, so the byte tables are here.

* :func:`decode_bytes` decodes a file's bytes, detecting UTF-8 (with or without BOM), UTF-16
  (with its BOM), cp1258,
  TCVN3 and VNI, and always returns NFC text.
* :func:`convert_legacy` / :func:`detect_legacy` repair text that was already read as cp1252
  (for example cell values of an .xls read by a spreadsheet library).
* :func:`encode_legacy` / :func:`encode_bytes` are the inverse, used for tests and samples.

Limitation of TCVN3: the ".Vn" fonts have no uppercase toned letters; the capital fonts
(".VnTimeH" etc.) draw the *lowercase* codes as capitals, so bytes alone cannot tell "Việt"
from "VIỆT". Only the seven capitals Ă Â Đ Ê Ô Ơ Ư have their own codes. The standard
(lowercase-font) table is used, and a heuristic restores capitals in words that are otherwise
all-caps ("VIÖT" -> "VIỆT"); pass ``caps_heuristic=False`` to turn it off. A document mixing
Unicode and legacy text is converted as a whole (per-word choice is ambiguous: "cã" is both a
valid Vietnamese word and TCVN3 for "có").
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

import attrs

from lamtheoguongbac.text import is_vietnamese_syllable, nfc, nfd

__all__ = [
    "ENCODINGS",
    "DecodedText",
    "EncodingError",
    "convert_legacy",
    "decode_bytes",
    "detect_legacy",
    "encode_bytes",
    "encode_legacy",
]

#: Encodings :func:`decode_bytes` reports and accepts.
ENCODINGS: Final = ("utf-8", "utf-8-sig", "utf-16", "cp1258", "tcvn3", "vni")
_LEGACY: Final = ("tcvn3", "vni")

_ALIASES: Final = {
    "utf8": "utf-8",
    "utf-8": "utf-8",
    "utf_8": "utf-8",
    "utf-8-sig": "utf-8-sig",
    "utf8-sig": "utf-8-sig",
    "utf_8_sig": "utf-8-sig",
    "utf-16": "utf-16",
    "utf16": "utf-16",
    "utf_16": "utf-16",
    "cp1258": "cp1258",
    "windows-1258": "cp1258",
    "windows1258": "cp1258",
    "tcvn3": "tcvn3",
    "tcvn": "tcvn3",
    "abc": "tcvn3",
    "vn3": "tcvn3",
    "vni": "vni",
    "vni-windows": "vni",
    "vni-win": "vni",
}


class EncodingError(ValueError):
    """Bytes that cannot be decoded (sai bảng mã): a ``ValueError`` carrying its message in
    Vietnamese and English apart, so a caller can show one language; ``str()`` gives both."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_vi} / {message_en}")
        self.message_vi, self.message_en = message_vi, message_en


@attrs.frozen
class DecodedText:
    """Text decoded from bytes.

    ``text`` is NFC. ``encoding`` is the byte encoding ("utf-8", "utf-8-sig", "cp1258",
    "tcvn3" or "vni"). ``converted_from`` is "tcvn3"/"vni" when the bytes were valid UTF-8 but
    held legacy-font mojibake (a TCVN3/VNI file once saved as UTF-8) that was repaired.
    """

    text: str
    encoding: str
    converted_from: str | None = None


# --------------------------------------------------------------------------------------------
# TCVN3 (ABC) table, lowercase ".Vn" fonts
# --------------------------------------------------------------------------------------------

# Unicode letters and their TCVN3 bytes, in groups: plain, then huyền, hỏi, ngã, sắc, nặng.
_TCVN3_PAIRS: Final = (
    ("aàảãáạ", b"a\xb5\xb6\xb7\xb8\xb9"),
    ("ăằẳẵắặ", b"\xa8\xbb\xbc\xbd\xbe\xc6"),
    ("âầẩẫấậ", b"\xa9\xc7\xc8\xc9\xca\xcb"),
    ("eèẻẽéẹ", b"e\xcc\xce\xcf\xd0\xd1"),
    ("êềểễếệ", b"\xaa\xd2\xd3\xd4\xd5\xd6"),
    ("iìỉĩíị", b"i\xd7\xd8\xdc\xdd\xde"),
    ("oòỏõóọ", b"o\xdf\xe1\xe2\xe3\xe4"),
    ("ôồổỗốộ", b"\xab\xe5\xe6\xe7\xe8\xe9"),
    ("ơờởỡớợ", b"\xac\xea\xeb\xec\xed\xee"),
    ("uùủũúụ", b"u\xef\xf1\xf2\xf3\xf4"),
    ("ưừửữứự", b"\xad\xf5\xf6\xf7\xf8\xf9"),
    ("yỳỷỹýỵ", b"y\xfa\xfb\xfc\xfd\xfe"),
    ("đĂÂĐÊÔƠƯ", b"\xae\xa1\xa2\xa7\xa3\xa4\xa5\xa6"),
)


def _build_tcvn3() -> tuple[dict[str, str], dict[str, str]]:
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}
    for letters, codes in _TCVN3_PAIRS:
        for letter, code in zip(letters, codes, strict=True):
            if code < 0x80:
                continue  # plain ASCII letter
            char = chr(code)  # the cp1252/latin-1 reading of the byte
            decode[char] = letter
            encode[letter] = char
    return decode, encode


_TCVN3_DECODE, _TCVN3_ENCODE = _build_tcvn3()
_TCVN3_TABLE: Final = str.maketrans(_TCVN3_DECODE)
_TCVN3_UPPER_CODES: Final = frozenset(_TCVN3_ENCODE[c] for c in "ĂÂĐÊÔƠƯ")

# --------------------------------------------------------------------------------------------
# VNI-Windows table: base letter + mark bytes
# --------------------------------------------------------------------------------------------

_TONES: Final = "\u0300\u0309\u0303\u0301\u0323"  # huyền hỏi ngã sắc nặng
# Mark bytes after a, e, o, u, y, ơ (ô) and ư (ö): tone only.
_VNI_TONE: Final = ("øûõùï", "ØÛÕÙÏ")
# After a, e, o: circumflex, alone then with each tone.
_VNI_CIRC: Final = ("âàåãáä", "ÂÀÅÃÁÄ")
# After a: breve, alone then with each tone.
_VNI_BREVE: Final = ("êèúüéë", "ÊÈÚÜÉË")
# Single-byte letters: i with tones, ỵ, ơ, ư, đ.
_VNI_SINGLE: Final = {
    "ì": "ì",
    "æ": "ỉ",
    "ó": "ĩ",
    "í": "í",
    "ò": "ị",
    "î": "ỵ",
    "ô": "ơ",
    "ö": "ư",
    "ñ": "đ",
}


def _build_vni() -> tuple[dict[str, str], dict[str, str]]:
    """Return (sequence -> letter, letter -> sequence) for VNI-Windows.

    Decoding accepts the mark byte in either case after either case of base letter (both
    appear in real files); encoding writes the mark in the case of the letter, as the VNI
    keyboard driver does.
    """
    decode: dict[str, str] = {}
    encode: dict[str, str] = {}

    def add(seq_lower: str, marks: tuple[str, str], index: int, letter: str) -> None:
        for upper in (False, True):
            base = seq_lower.upper() if upper else seq_lower
            out = letter.upper() if upper else letter
            for case in (0, 1):
                decode[base + marks[case][index]] = out
            encode[out] = base + marks[1 if upper else 0][index]

    for base in "aeouy":
        for i in range(5):
            add(base, _VNI_TONE, i, nfc(base + _TONES[i]))
    for base, horn in (("ô", "ơ"), ("ö", "ư")):
        for i in range(5):
            add(base, _VNI_TONE, i, nfc(horn + _TONES[i]))
    for base in "aeo":
        for i in range(6):
            add(base, _VNI_CIRC, i, nfc(base + "\u0302" + ("" if i == 0 else _TONES[i - 1])))
    for i in range(6):
        add("a", _VNI_BREVE, i, nfc("a\u0306" + ("" if i == 0 else _TONES[i - 1])))
    for code, letter in _VNI_SINGLE.items():
        for upper in (False, True):
            seq = code.upper() if upper else code
            out = letter.upper() if upper else letter
            decode[seq] = out
            encode[out] = seq
    # "yï" for ỵ is written by some converters; VNI proper uses the single byte "î".
    decode["yï"] = decode["yÏ"] = "ỵ"
    decode["YÏ"] = decode["Yï"] = "Ỵ"
    return decode, encode


_VNI_DECODE, _VNI_ENCODE = _build_vni()
_VNI_PATTERN: Final = re.compile(
    "|".join(re.escape(k) for k in sorted(_VNI_DECODE, key=len, reverse=True))
)

# Characters that only ever stand for letters in legacy text; a source text that contains
# them cannot be encoded without ambiguity.
_TCVN3_CODES: Final = frozenset(_TCVN3_DECODE)
_VNI_CODES: Final = frozenset(
    "".join(_VNI_TONE) + "".join(_VNI_CIRC) + "".join(_VNI_BREVE) + "ìæóíòîôöñ" + "ÌÆÓÍÒÎÔÖÑ"
)


def _cp1252_char(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)  # the five undefined bytes read as latin-1 (C1 controls)


_CP1252_LENIENT: Final = tuple(_cp1252_char(b) for b in range(256))
_CP1252_REVERSE: Final = {c: b for b, c in enumerate(_CP1252_LENIENT)}


def _read_cp1252(data: bytes) -> str:
    return "".join(_CP1252_LENIENT[b] for b in data)


# --------------------------------------------------------------------------------------------
# Conversion of cp1252-read text
# --------------------------------------------------------------------------------------------

_TOKEN: Final = re.compile(r"\S+")


def _tcvn3_caps(original: str, converted: str) -> str:
    """Restore capitals in words typed in a ".VnXXXH" capital font (see module docstring)."""
    src = _TOKEN.findall(original)
    dst_spans = [m.span() for m in _TOKEN.finditer(converted)]
    if len(src) != len(dst_spans):  # cannot happen: the table maps one char to one char
        return converted

    def legacy_lower(tok: str) -> int:
        return sum(1 for c in tok if c in _TCVN3_CODES and c not in _TCVN3_UPPER_CODES)

    def lower_ascii(tok: str) -> int:
        return sum(1 for c in tok if "a" <= c <= "z")

    def upper_count(tok: str) -> int:
        return sum(1 for c in tok if "A" <= c <= "Z" or c in _TCVN3_UPPER_CODES)

    # Evidence: a word with toned letters and no lowercase ASCII but >= 2 capitals, such as
    # "VIÖT" or "§¶NG"; nobody types "VIệT" in a lowercase font.
    evidence = [legacy_lower(t) > 0 and lower_ascii(t) == 0 and upper_count(t) >= 2 for t in src]
    caps = list(evidence)
    for i, tok in enumerate(src):
        if caps[i] or legacy_lower(tok) == 0 or lower_ascii(tok) > 0:
            continue
        # "Hµ NéI": a short word next to an evidently capital word is capital too.
        if (i > 0 and evidence[i - 1]) or (i + 1 < len(src) and evidence[i + 1]):
            caps[i] = True
    if not any(caps):
        return converted
    parts: list[str] = []
    last = 0
    for (start, end), upper in zip(dst_spans, caps, strict=True):
        if upper:
            parts.append(converted[last:start])
            parts.append(converted[start:end].upper())
            last = end
    parts.append(converted[last:])
    return "".join(parts)


def _check_source(source: str) -> str:
    name = _ALIASES.get(source.strip().lower())
    if name not in _LEGACY:
        raise ValueError(
            f"Bảng mã cũ không hỗ trợ: {source!r} (chỉ 'tcvn3' hoặc 'vni') / "
            f"Unsupported legacy encoding: {source!r} (only 'tcvn3' or 'vni')"
        )
    assert name is not None
    return name


def convert_legacy(text: str, source: str, *, caps_heuristic: bool = True) -> str:
    """Convert TCVN3 or VNI text read as cp1252/latin-1 into Unicode NFC.

    ``source`` is "tcvn3" or "vni". "ViÖt Nam" (tcvn3) and "Vieät Nam" (vni) both give
    "Việt Nam". Characters outside the legacy tables (ASCII, and Unicode letters that are not
    in the Latin-1 range) pass through. ``caps_heuristic`` applies to TCVN3 only.
    """
    name = _check_source(source)
    original = nfc(text)  # Latin-1 has no combining marks, so NFC only undoes a stray NFD
    if name == "tcvn3":
        converted = original.translate(_TCVN3_TABLE)
        if caps_heuristic:
            converted = _tcvn3_caps(original, converted)
    else:
        converted = _VNI_PATTERN.sub(lambda m: _VNI_DECODE[m.group(0)], original)
    return nfc(converted)


# ASCII punctuation and whitespace separate words for scoring; everything else is a word.
_SCORE_TOKEN: Final = re.compile(r"[^\s!-/:-@\[-`{-~]+")


# Frequent syllables of administrative and party text. Only a tie-breaker: for short strings
# several decodings can all be well-formed ("bộ" in TCVN3 reads "bé" in cp1258), and the
# one made of common words is the likelier.
_COMMON: Final = frozenset(
    """
    và của có các là được trong cho không người những một với đã này để đến khi năm theo từ ra
    về cũng nhiều làm như thì đó công tại sẽ nhà phải lại sự đi vào trên ở chính ngày đồng việc
    hiện mới hơn sau thể cao nhất nước đang tôi bị đây nhân học thành nên hội mà phát còn nhưng
    tế động qua hợp định hành vì chỉ trường kinh chức hàng quốc trình dụng phần gia tiếp số
    thời nói quan điều cùng bộ tin dân sinh chủ đầu cả anh thế giới quả tư lý luật đại trung
    quản tổ biết hai ba bốn sáu bảy tám chín mười thấy chúng ta họ gì nào rằng trước đối tác văn
    nam việt thủ tướng xã tỉnh huyện chi đảng viên bí thư cán uỷ ủy ban tịch phó kết tập tưởng
    đức cách chí minh hồ bác gương kiểm điểm đánh giá xếp loại hoàn tốt xuất sắc nhiệm vụ thực
    xây dựng vững mạnh sạch đoàn thống đăng ký tu dưỡng rèn luyện nhỏ thiết hiệu giữ gìn phẩm
    chất lối sống tháng họp nghị quyết báo cáo kế hoạch thị hướng dẫn tổng ý kiến tự phê bình
    trách đề khen thưởng kỷ nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ ngô dương
    hữu ngọc thu hương lan hà nội phường quận thôn xóm ấp khu phố sở ngành trưởng phòng giám
    đốc cơ đơn vị cam xin thi đua bảo vệ phong trào tuyên truyền giáo dục đạo tinh thần ý thức
    trị tài liệu chuyên mục tiêu nội dung kỳ quý cuối đầu hằng lần thứ ông bà chị em cô chú bạn
    gì ai đâu sao vậy rất lắm đều chưa vẫn hãy cần muốn nhận ký tên họ địa chỉ sinh quê quán
    hoà hòa bình an toàn thuỷ thủy
    """.split()  # noqa: SIM905 (a word list reads better as text)
)


def _common_count(text: str) -> int:
    return sum(1 for t in _SCORE_TOKEN.findall(text.lower()) if t in _COMMON)


def _score(text: str) -> int:
    """How Vietnamese a text looks: valid non-ASCII syllables minus everything else odd.

    ASCII words are neutral (names, numbers, English), so only the letters a decoding could
    have got wrong count. Control characters and replacement characters count against.
    """
    score = 0
    for token in _SCORE_TOKEN.findall(text):
        if token.isascii():
            continue
        # Real words are lowercase, Capitalised or ALL CAPS; "ViÖt", "chÊt" are mojibake.
        cased = token.islower() or token.isupper() or token.istitle()
        score += 1 if cased and is_vietnamese_syllable(token) else -1
    for c in text:
        if (unicodedata.category(c) in ("Cc", "Co", "Cn") and c not in "\t\n\r\f") or (
            c == "\ufffd"
        ):
            score -= 1
    return score


def detect_legacy(text: str) -> str | None:
    """Return "tcvn3" or "vni" when ``text`` looks like legacy-font mojibake, else None.

    A conversion is chosen only if the text is within the cp1252 repertoire (what a legacy
    file read as cp1252 can contain) and the conversion makes it more Vietnamese (more valid
    syllables). Text with any Vietnamese letter outside Latin-1 (ư, ơ, ă, đ, ạ, ệ...), ASCII
    and foreign text give None. Very short Latin-1-only strings are inherently ambiguous:
    "Hoaø" is VNI for "Hoà", but "AÀ" is also VNI for "Ầ".
    """
    text = nfc(text)
    if any(c not in _CP1252_REVERSE for c in text):
        # Legacy text read as cp1252 holds only cp1252 characters; a letter such as "ư" or
        # "ệ" proves the text is already Unicode (conversion would corrupt its "á", "ô"...).
        return None
    base = _score(text)
    best: str | None = None
    best_score = base
    for name in _LEGACY:
        converted = convert_legacy(text, name)
        if converted == text:
            continue
        score = _score(converted)
        if score > best_score:
            best, best_score = name, score
    return best


# --------------------------------------------------------------------------------------------
# Bytes
# --------------------------------------------------------------------------------------------


def _canonical_encoding(encoding: str) -> str:
    name = _ALIASES.get(encoding.strip().lower())
    if name is None:
        raise EncodingError(
            f"Bảng mã không hỗ trợ: {encoding!r} (dùng một trong {', '.join(ENCODINGS)})",
            f"Unsupported encoding: {encoding!r} (use one of {', '.join(ENCODINGS)})",
        )
    return name


def _decode_as(data: bytes, name: str) -> str:
    if name in ("utf-8", "utf-8-sig", "utf-16", "cp1258"):
        return nfc(data.decode(name))
    return convert_legacy(_read_cp1252(data), name)


def decode_bytes(data: bytes, encoding: str | None = None) -> DecodedText:
    """Decode ``data`` to NFC text, detecting the encoding when ``encoding`` is None.

    Detection: a UTF-16 BOM means "utf-16" (Excel's "Unicode Text" export); a UTF-8 BOM
    means "utf-8-sig"; valid UTF-8 means "utf-8" (legacy-font mojibake
    inside it is repaired, see :attr:`DecodedText.converted_from`); otherwise cp1258, TCVN3
    and VNI are tried and the result that reads best as Vietnamese wins. Raises ``ValueError``
    (message in Vietnamese and English) when the bytes fit none of them.
    """
    if encoding is not None:
        name = _canonical_encoding(encoding)
        try:
            return DecodedText(_decode_as(data, name), name)
        except UnicodeDecodeError as exc:
            raise EncodingError(
                f"Dữ liệu không đúng bảng mã {name} (byte {exc.start})",
                f"Data is not valid {name} (byte {exc.start})",
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode Text" is UTF-16
        try:
            return DecodedText(nfc(data.decode("utf-16")), "utf-16")
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: the guesses below
    for utf8 in ("utf-8-sig", "utf-8") if data.startswith(b"\xef\xbb\xbf") else ("utf-8",):
        try:
            text = nfc(data.decode(utf8))
        except UnicodeDecodeError:
            continue  # a BOM followed by non-UTF-8 falls through to the 8-bit guesses
        legacy = detect_legacy(text)
        if legacy is not None:
            return DecodedText(convert_legacy(text, legacy), utf8, legacy)
        return DecodedText(text, utf8)

    candidates: list[tuple[int, int, int, DecodedText]] = []
    for rank, name in enumerate(("cp1258", "tcvn3", "vni")):
        try:
            text = _decode_as(data, name)
        except UnicodeDecodeError:
            continue
        # Higher score wins, then more common words, then the earlier encoding in the list.
        candidates.append((_score(text), _common_count(text), -rank, DecodedText(text, name)))
    if candidates:
        score, _, _, best = max(candidates, key=lambda c: c[:3])
        if score >= 0:
            return best
    raise EncodingError(
        "Không nhận ra bảng mã (đã thử UTF-8, UTF-16 có dấu BOM, cp1258, TCVN3, VNI)",
        "Could not detect the encoding (tried UTF-8, UTF-16 with its BOM, cp1258, TCVN3, VNI)",
    )


def encode_legacy(text: str, target: str, *, errors: str = "strict") -> str:
    """Encode Unicode ``text`` as TCVN3 or VNI, returned as its cp1252 reading.

    The inverse of :func:`convert_legacy`. ``errors="strict"`` raises ``ValueError`` for
    characters the target cannot represent unambiguously (uppercase toned letters in TCVN3,
    and Latin-1 symbols that the target uses as letter codes); ``errors="lower"`` writes
    TCVN3 capitals with the lowercase codes, as the ".VnXXXH" capital fonts expect.
    """
    name = _check_source(target)
    if errors not in ("strict", "lower"):
        raise ValueError(
            f"errors phải là 'strict' hoặc 'lower': {errors!r} / "
            f"errors must be 'strict' or 'lower': {errors!r}"
        )
    table, codes = (_TCVN3_ENCODE, _TCVN3_CODES) if name == "tcvn3" else (_VNI_ENCODE, _VNI_CODES)
    out: list[str] = []
    for char in nfc(text):
        if char in table:
            out.append(table[char])
            continue
        if char in codes:
            raise ValueError(
                f"Ký tự {char!r} trùng mã chữ của {name} / "
                f"Character {char!r} collides with a letter code of {name}"
            )
        lower = char.lower()
        if name == "tcvn3" and lower != char and lower in table:
            if errors == "lower":
                out.append(table[lower])
                continue
            raise ValueError(
                f"TCVN3 không có chữ hoa {char!r} (dùng errors='lower' cho phông chữ hoa) / "
                f"TCVN3 has no capital {char!r} (use errors='lower' for a capital font)"
            )
        out.append(char)
    return "".join(out)


def _encode_cp1258(text: str) -> bytes:
    """cp1258 the way Windows writes it: precomposed when the code page has it, else base
    letter (itself possibly ă â ê ô ơ ư đ) + a separate tone byte."""
    out = bytearray()
    for char in nfc(text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = nfd(char)
        tones = "".join(c for c in decomposed if c in _TONES)
        base = nfc("".join(c for c in decomposed if c not in _TONES))
        try:
            out += (base + tones).encode("cp1258")
        except UnicodeEncodeError as exc:
            raise ValueError(
                f"cp1258 không mã hoá được {char!r} / cp1258 cannot encode {char!r}"
            ) from exc
    return bytes(out)


def encode_bytes(text: str, encoding: str, *, errors: str = "strict") -> bytes:
    """Encode ``text`` to bytes in one of :data:`ENCODINGS` (inverse of :func:`decode_bytes`).

    ``errors`` is passed to :func:`encode_legacy` for TCVN3/VNI. Raises ``ValueError`` for
    characters the encoding cannot hold.
    """
    name = _canonical_encoding(encoding)
    if name in ("utf-8", "utf-8-sig", "utf-16"):
        return nfc(text).encode(name)
    if name == "cp1258":
        return _encode_cp1258(text)
    legacy = encode_legacy(text, name, errors=errors)
    out = bytearray()
    for char in legacy:
        byte = _CP1252_REVERSE.get(char)
        if byte is None:
            raise ValueError(f"{name} không mã hoá được {char!r} / {name} cannot encode {char!r}")
        out.append(byte)
    return bytes(out)
