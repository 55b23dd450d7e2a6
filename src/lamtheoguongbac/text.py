"""Vietnamese text handling for the whole library.

Everything that compares, sorts, files or prints Vietnamese text goes through this module so
the rules of DOMAIN.md §6 live in one place:

* :func:`nfc` normalises at every boundary (input arrives as NFC or NFD).
* :func:`canonical_key` is a search / de-duplication key: it unifies tone placement
  ("hoà" = "hòa"), case, look-alike "Đ" letters, Cyrillic homoglyphs and whitespace. It is a key
  only; display text keeps the user's spelling.
* :func:`strip_accents` removes diacritics (slugs, accent-insensitive search).
* :func:`collation_key` / :func:`sort_vietnamese` give Vietnamese alphabetical order (PyICU when
  installed, otherwise an equivalent pure-Python implementation).
* :func:`split_name` / :func:`name_sort_key` sort rosters by given name, middle, family name.
* :func:`date_phrase` / :func:`place_date_line` write dates the party-document way.
* :func:`slugify_filename` makes a readable file-name component that is valid on Windows.
"""

from __future__ import annotations

import functools
import importlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar, overload

import attrs

from lamtheoguongbac._errors import ValidationFailed

__all__ = [
    "ICU_AVAILABLE",
    "PersonName",
    "canonical_key",
    "collation_key",
    "date_phrase",
    "is_vietnamese_syllable",
    "name_sort_key",
    "nfc",
    "nfd",
    "place_date_line",
    "slugify_filename",
    "sort_vietnamese",
    "split_name",
    "strip_accents",
]

T = TypeVar("T")

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------


def nfc(s: str) -> str:
    """Return ``s`` in Unicode NFC (precomposed), the form stored everywhere in the library.

    Example:
        >>> import unicodedata
        >>> from lamtheoguongbac.text import nfc
        >>> decomposed = unicodedata.normalize("NFD", "Việt")
        >>> len(decomposed), len(nfc(decomposed))
        (6, 4)
    """
    return unicodedata.normalize("NFC", s)


def nfd(s: str) -> str:
    """Return ``s`` in Unicode NFD (decomposed).

    Example:
        >>> from lamtheoguongbac.text import nfd
        >>> len("Việt"), len(nfd("Việt"))
        (4, 6)
    """
    return unicodedata.normalize("NFD", s)


# --------------------------------------------------------------------------------------------
# Syllable structure (shared by canonical_key and the legacy-encoding detector)
# --------------------------------------------------------------------------------------------

# The five tone marks as NFD combining characters, with their collation rank
# (none < huyền < hỏi < ngã < sắc < nặng).
_TONE_RANK: dict[str, int] = {
    "\u0300": 1,  # huyền (grave)
    "\u0309": 2,  # hỏi (hook above)
    "\u0303": 3,  # ngã (tilde)
    "\u0301": 4,  # sắc (acute)
    "\u0323": 5,  # nặng (dot below)
}

# Marks that make a different letter (ă â ê ô ơ ư), not a tone.
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"

_VOWELS = frozenset("aăâeêioôơuưy")
_MODIFIED_VOWELS = frozenset("ăâêôơư")

# Longest first: "ngh" must win over "ng", "gi"/"qu" over "g"/"q" (those fall back when
# nothing vowel-like follows, e.g. "gì" = g + i).
_INITIALS: tuple[str, ...] = (
    "ngh",
    "ng",
    "gh",
    "gi",
    "kh",
    "nh",
    "ph",
    "th",
    "tr",
    "ch",
    "qu",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)

_FINALS = frozenset({"", "c", "ch", "m", "n", "ng", "nh", "p", "t"})

# Vowel nuclei of standard Vietnamese orthography (toneless, lowercase). Glides written as
# vowels (i/y/o/u) are part of the nucleus here, which is what tone placement needs.
_NUCLEI = frozenset(
    {
        *"aăâeêioôơuưy",
        "ai", "ao", "au", "âu", "ay", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe",
        "oi", "ôi", "ơi", "oo", "ôô", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi",
        "ươ", "ưu", "yê",
        "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyê", "uyu", "ươi", "ươu",
    }
)  # fmt: skip


# Nuclei that end in a glide take no final consonant ("ai", "ươi"); some take one always.
_OPEN_ONLY = frozenset(
    {
        "ai", "ao", "au", "âu", "ay", "ây", "eo", "êu", "ia", "iu", "oi", "ôi", "ơi", "ua", "ui",
        "ưa", "ưi", "ưu", "iêu", "yêu", "oai", "oay", "oeo", "uây", "uôi", "uya", "uyu", "ươi",
        "ươu",
    }
)  # fmt: skip
_CLOSED_ONLY = frozenset({"ă", "â", "iê", "yê", "uô", "ươ", "uyê", "oo", "ôô", "oă", "uâ"})
# "ch" and "nh" follow only front vowels (and "a", historically a front "ă").
_CH_NH_NUCLEI = frozenset({"a", "ê", "i", "y", "oa", "uê", "uy"})


def _parse_syllable(base: str, *, strict: bool = True) -> tuple[str, str, str] | None:
    """Split a toneless lowercase syllable into (initial, nucleus, final), or None.

    ``strict=False`` skips the nucleus/final compatibility check: tone placement only needs
    the shape, and a misspelt rhyme should still get a stable key.
    """
    for initial in _INITIALS:
        if not base.startswith(initial):
            continue
        rest = base[len(initial) :]
        j = 0
        while j < len(rest) and rest[j] in _VOWELS:
            j += 1
        nucleus, final = rest[:j], rest[j:]
        if nucleus in _NUCLEI and final in _FINALS and (not strict or _rhyme_ok(nucleus, final)):
            return initial, nucleus, final
    return None


def _rhyme_ok(nucleus: str, final: str) -> bool:
    if final:
        if nucleus in _OPEN_ONLY:
            return False
        return final not in ("ch", "nh") or nucleus in _CH_NH_NUCLEI
    return nucleus not in _CLOSED_ONLY


def _tone_index(nucleus: str, final: str) -> int:
    """Index in ``nucleus`` of the vowel that carries the tone ("new style" placement)."""
    # A vowel with its own diacritic always takes the tone; in "ươ" it is the ơ.
    for i in range(len(nucleus) - 1, -1, -1):
        if nucleus[i] in _MODIFIED_VOWELS:
            return i
    if final or len(nucleus) == 1:
        return len(nucleus) - 1  # "hoàng", "toán", "huýt"
    if len(nucleus) == 3:
        return 1  # "oai", "oay", "uya", "uyu", "oeo": the middle vowel
    if nucleus in ("oa", "oe", "uy"):
        return 1  # new style: "hoà", "khoẻ", "thuỷ", "uý"
    return 0  # "mía", "của", "tài", "gửi", ...


def _split_tone(word: str) -> tuple[str, list[str]]:
    """Return (NFC word without tone marks, list of the tone marks it carried)."""
    decomposed = nfd(word)
    tones = [c for c in decomposed if c in _TONE_RANK]
    base = nfc("".join(c for c in decomposed if c not in _TONE_RANK))
    return base, tones


def is_vietnamese_syllable(word: str) -> bool:
    """True when ``word`` (any case, NFC or NFD) is a well-formed Vietnamese syllable.

    The check is orthographic (initial + vowel nucleus + final, at most one tone); it does not
    know the lexicon, so "bơng" passes. Used to score candidate decodings of legacy text.

    Example:
        >>> from lamtheoguongbac.text import is_vietnamese_syllable
        >>> is_vietnamese_syllable("Nguyễn"), is_vietnamese_syllable("xyzw")
        (True, False)
    """
    base, tones = _split_tone(word.casefold())
    if len(tones) > 1:
        return False
    parsed = _parse_syllable(base)
    if parsed is None:
        return False
    if tones and parsed[2] in ("c", "ch", "p", "t"):
        # Stopped syllables only take sắc or nặng.
        return tones[0] in ("\u0301", "\u0323")
    return True


# Words repeat (a province's pledges share a vocabulary of a few thousand syllables): the
# cache makes canonical_key of a text cost its normalisations, not a parse per syllable.
@functools.lru_cache(maxsize=65536)
def _retone(word: str) -> str:
    """Move the tone of a lowercase NFC syllable onto its canonical vowel."""
    base, tones = _split_tone(word)
    if len(tones) != 1:
        return word  # untoned, or not a Vietnamese syllable
    parsed = _parse_syllable(base, strict=False)
    if parsed is None:
        return word
    initial, nucleus, final = parsed
    i = _tone_index(nucleus, final)
    toned = nfc(nucleus[i] + tones[0])
    return initial + nucleus[:i] + toned + nucleus[i + 1 :] + final


# --------------------------------------------------------------------------------------------
# canonical_key
# --------------------------------------------------------------------------------------------

# Applied to NFD text, both before and after casefolding (casefold turns some capitals into
# lowercase look-alikes, e.g. Cyrillic "І" -> "і"), so the key is idempotent.
_LOOKALIKES = str.maketrans(
    {
        # "Đ" look-alikes: Icelandic eth and African D.
        "\u00d0": "đ",
        "\u00f0": "đ",
        "\u0189": "đ",
        "\u0256": "đ",
        "\u0110": "đ",
        # Cyrillic lowercase homoglyphs.
        "\u0430": "a",
        "\u0435": "e",
        "\u043e": "o",
        "\u0440": "p",
        "\u0441": "c",
        "\u0445": "x",
        "\u0443": "y",
        "\u0456": "i",
        "\u0458": "j",
        "\u0455": "s",
        # Cyrillic capital homoglyphs (before casefold, they would become non-look-alikes).
        "\u0410": "A",
        "\u0412": "B",
        "\u0415": "E",
        "\u041a": "K",
        "\u041c": "M",
        "\u041d": "H",
        "\u041e": "O",
        "\u0420": "P",
        "\u0421": "C",
        "\u0422": "T",
        "\u0425": "X",
        "\u0423": "Y",
        "\u0406": "I",
        "\u0408": "J",
        "\u0405": "S",
        # Invisible characters that pasted text carries inside words.
        "\u00ad": None,
        "\u200b": None,
        "\u200c": None,
        "\u200d": None,
        "\u2060": None,
        "\ufeff": None,
    }
)

# "d" overstruck with a combining stroke, as some keyboards produce for "đ".
_STROKED_D = re.compile("([dD])[\u0335\u0336]")

# A word: letters with any combining marks that NFC could not absorb.
_WORD = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def canonical_key(s: str) -> str:
    """Return a canonical comparison key for search and de-duplication.

    The key is NFC, casefolded, with the tone of every Vietnamese syllable on its canonical
    vowel ("new style": "hoà", "khoẻ", "thuỷ", "uý"), "Ð"/"Ɖ" and other "đ" look-alikes folded to
    "đ", common Cyrillic homoglyphs folded to Latin, zero-width characters removed and
    whitespace collapsed. Never display it: it only decides whether two strings are "the same".

    Example:
        >>> from lamtheoguongbac.text import canonical_key
        >>> canonical_key("  Nguyễn   VĂN An ") == canonical_key("nguyễn văn an")
        True
    """
    return _canonical_key(s)


# The same strings come again and again: a cell's secretary signs the assessment of each of
# its members, and each signature is checked against the recorder's name (issue 11).
@functools.lru_cache(maxsize=8192)
def _canonical_key(s: str) -> str:
    text = nfd(s)
    text = _STROKED_D.sub(lambda m: "đ" if m.group(1) == "d" else "Đ", text)
    text = text.translate(_LOOKALIKES).casefold()
    text = nfc(nfd(text).translate(_LOOKALIKES))
    text = " ".join(text.split())
    return nfc(_WORD.sub(lambda m: _retone(m.group(0)), text))


def strip_accents(s: str) -> str:
    """Remove all diacritics, including the stroke of "đ"/"Đ" ("Đức" -> "Duc"); NFC result.

    Example:
        >>> from lamtheoguongbac.text import strip_accents
        >>> strip_accents("Đảng viên Phạm Thị Ánh")
        'Dang vien Pham Thi Anh'
    """
    text = nfd(s).translate(_D_TO_ASCII)
    return nfc("".join(c for c in text if unicodedata.category(c) != "Mn"))


_D_TO_ASCII = str.maketrans(
    {"đ": "d", "Đ": "D", "\u00d0": "D", "\u00f0": "d", "\u0189": "D", "\u0256": "d"}
)

# --------------------------------------------------------------------------------------------
# Collation
# --------------------------------------------------------------------------------------------

_ALPHABET = "aăâbcdđeêfghijklmnoôơpqrstuưvwxyz"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_MODIFIER_LETTER = {
    ("a", _BREVE): "ă",
    ("a", _CIRCUMFLEX): "â",
    ("e", _CIRCUMFLEX): "ê",
    ("o", _CIRCUMFLEX): "ô",
    ("o", _HORN): "ơ",
    ("u", _HORN): "ư",
}

# Primary buckets, in the order ICU's root collation uses.
_B_SPACE, _B_PUNCT, _B_SYMBOL, _B_DIGIT, _B_LETTER, _B_OTHER = range(1, 7)
_PLANE = 0x110000


# A character with the combining marks that follow it (NFD).
_CLUSTER = re.compile(r".[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff]*", re.DOTALL)


def _weight3(w: int) -> bytes:
    """Encode 0 <= w < 254**3 as three bytes, each >= 2 (0 and 1 are level separators)."""
    return bytes((w // 64516 + 2, (w // 254) % 254 + 2, w % 254 + 2))


def _fallback_collation_key(s: str) -> bytes:
    """Pure-Python Vietnamese collation key (multi-level, like an ICU sort key)."""
    primary: list[bytes] = []
    secondary: list[int] = []
    tertiary: list[int] = []
    text = nfc(s)
    for cluster in _CLUSTER.findall(nfd(text)):
        base, marks = cluster[0], cluster[1:]
        category = unicodedata.category(base)
        if category in ("Cc", "Cf") or unicodedata.combining(base):
            continue  # completely ignorable, as in ICU
        lower = base.lower()
        letter = lower if len(lower) == 1 else base
        tone = 0
        extra: list[int] = []
        for mark in marks:
            if (letter, mark) in _MODIFIER_LETTER:
                letter = _MODIFIER_LETTER[(letter, mark)]
            elif mark in _TONE_RANK and tone == 0:
                tone = _TONE_RANK[mark]
            else:
                extra.append(min(ord(mark) - 0x300 + 8, 251) if ord(mark) >= 0x300 else 251)
        if letter in _LETTER_RANK:
            weight = _B_LETTER * _PLANE + _LETTER_RANK[letter]
        elif category.startswith("Z") or base.isspace():
            weight = _B_SPACE * _PLANE + ord(base)
        elif category.startswith("P"):
            weight = _B_PUNCT * _PLANE + ord(base)
        elif category.startswith("S"):
            weight = _B_SYMBOL * _PLANE + ord(base)
        elif category == "Nd":
            weight = _B_DIGIT * _PLANE + unicodedata.decimal(base) * 0x10000 + ord(base) % 0x10000
        else:
            weight = _B_OTHER * _PLANE + ord(letter)
        primary.append(_weight3(weight))
        secondary.append(tone + 2)
        secondary.extend(w + 2 for w in extra)
        tertiary.append(3 if base != lower else 2)
    identical = b"".join(_weight3(ord(c)) for c in text)
    return b"\x01".join((b"".join(primary), bytes(secondary), bytes(tertiary), identical))


@functools.cache
def _icu_sort_key() -> Callable[[str], bytes] | None:
    """Return an ICU-based key function when PyICU is importable, else None."""
    try:
        icu: Any = importlib.import_module("icu")
    except ImportError:
        return None
    collator: Any = icu.Collator.createInstance(icu.Locale("vi_VN"))

    def key(s: str) -> bytes:
        text = nfc(s)
        # ICU keys end in 0x00, so appending the code points only breaks exact ties.
        return bytes(collator.getSortKey(text)) + b"".join(_weight3(ord(c)) for c in text)

    return key


#: Whether PyICU's collator is used. Computed on first access (module ``__getattr__``):
#: loading ICU at import would cost every start of the command line (issue 9).
ICU_AVAILABLE: bool


def __getattr__(name: str) -> Any:
    if name == "ICU_AVAILABLE":
        available = _icu_sort_key() is not None
        globals()[name] = available  # later look-ups skip this function
        return available
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def collation_key(s: str) -> bytes:
    """Return a sort key giving Vietnamese alphabetical order.

    Alphabet a ă â b c d đ e ê (f) g h i (j) k l m n o ô ơ p q r s t u ư v (w) x y (z),
    case-insensitive at the first level; tones only break ties (none < huyền < hỏi < ngã < sắc
    < nặng), then lowercase before uppercase; exact ties are broken by code point so distinct
    NFC strings never compare equal. NFC and NFD input give the same key. PyICU's "vi" collator
    is used when installed; otherwise an equivalent pure-Python key.

    Example:
        >>> from lamtheoguongbac.text import collation_key
        >>> sorted(["Đức", "Dũng", "Ân", "Bình"], key=collation_key)
        ['Ân', 'Bình', 'Dũng', 'Đức']
    """
    icu_key = _icu_sort_key()
    if icu_key is not None:
        return icu_key(s)
    return _fallback_collation_key(s)


@overload
def sort_vietnamese(
    items: Iterable[str], key: None = None, *, reverse: bool = False
) -> list[str]: ...


@overload
def sort_vietnamese(
    items: Iterable[T], key: Callable[[T], str], *, reverse: bool = False
) -> list[T]: ...


def sort_vietnamese(
    items: Iterable[Any], key: Callable[[Any], str] | None = None, *, reverse: bool = False
) -> list[Any]:
    """Sort ``items`` in Vietnamese order (by ``key(item)`` when given); the sort is stable.

    Example:
        >>> from lamtheoguongbac.text import sort_vietnamese
        >>> sort_vietnamese(["Đông", "Dương", "Anh", "Ánh", "Bắc"])
        ['Anh', 'Ánh', 'Bắc', 'Dương', 'Đông']
        >>> sort_vietnamese([("dv2", "Ân"), ("dv1", "An")], key=lambda row: row[1])
        [('dv1', 'An'), ('dv2', 'Ân')]
    """
    if key is None:
        return sorted(items, key=collation_key, reverse=reverse)
    get = key
    return sorted(items, key=lambda item: collation_key(get(item)), reverse=reverse)


# --------------------------------------------------------------------------------------------
# Personal names
# --------------------------------------------------------------------------------------------


@attrs.frozen
class PersonName:
    """A Vietnamese full name split as family (họ), middle (tên đệm) and given name (tên).

    Example:
        >>> from lamtheoguongbac.text import PersonName
        >>> name = PersonName(family="Nguyễn", middle="Thị Thu", given="Hà")
        >>> name.given
        'Hà'
    """

    family: str
    middle: str
    given: str

    @property
    def full(self) -> str:
        """The name in the usual written order."""
        return " ".join(p for p in (self.family, self.middle, self.given) if p)

    def __str__(self) -> str:
        return self.full


def split_name(full_name: str) -> PersonName:
    """Split "Nguyễn Thị Thu Hà" into family "Nguyễn", middle "Thị Thu", given "Hà".

    One word is only a given name; two words are family + given. Input is NFC-normalised and
    whitespace-collapsed; an empty name gives three empty parts.

    Example:
        >>> from lamtheoguongbac.text import split_name
        >>> split_name("Nguyễn Thị Thu Hà")
        PersonName(family='Nguyễn', middle='Thị Thu', given='Hà')
    """
    words = nfc(full_name).split()
    if not words:
        return PersonName("", "", "")
    if len(words) == 1:
        return PersonName("", "", words[0])
    return PersonName(words[0], " ".join(words[1:-1]), words[-1])


def name_sort_key(full_name: str, override: str | None = None) -> tuple[bytes, ...]:
    """Roster sort key: given name, then middle name, then family name.

    ``override`` (for names that do not split the usual way) replaces the whole computed key
    and is compared at the given-name level, so ``override="Ánh"`` files the person with the
    other "Ánh" (ahead of them).

    Example:
        >>> from lamtheoguongbac.text import name_sort_key
        >>> names = ["Trần Văn Bình", "Nguyễn Thị An", "Lê Văn An"]
        >>> sorted(names, key=name_sort_key)
        ['Nguyễn Thị An', 'Lê Văn An', 'Trần Văn Bình']
    """
    if override is not None and override.strip():
        return (collation_key(" ".join(override.split())),)
    name = split_name(full_name)
    return (collation_key(name.given), collation_key(name.middle), collation_key(name.family))


# --------------------------------------------------------------------------------------------
# Dates
# --------------------------------------------------------------------------------------------


def date_phrase(d: date) -> str:
    """Write a date as party documents do: "ngày 05 tháng 01 năm 2015" (zero-padded).

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.text import date_phrase
        >>> date_phrase(dt.date(2025, 1, 5))
        'ngày 05 tháng 01 năm 2025'
    """
    return _date_phrase(d)


@functools.lru_cache(maxsize=4096)  # documents print the same few dates again and again
def _date_phrase(d: date) -> str:
    return f"ngày {d.day:02d} tháng {d.month:02d} năm {d.year:04d}"


def place_date_line(place: str | None, d: date) -> str:
    """Write the place-date line: "Hà Nội, ngày 05 tháng 01 năm 2015".

    With no place known (``None``), the line is the date alone: "Ngày 05 tháng 01 năm 2015".

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac.text import place_date_line
        >>> place_date_line("An Phú", dt.date(2025, 12, 20))
        'An Phú, ngày 20 tháng 12 năm 2025'
        >>> place_date_line(None, dt.date(2025, 12, 20))
        'Ngày 20 tháng 12 năm 2025'
    """
    if place is None:
        phrase = date_phrase(d)
        return phrase[:1].upper() + phrase[1:]
    name = " ".join(nfc(place).split())
    if not name:
        raise ValidationFailed(
            "địa danh không được để trống", "the place name must not be empty", field="place"
        )
    return f"{name}, {date_phrase(d)}"


# --------------------------------------------------------------------------------------------
# File names
# --------------------------------------------------------------------------------------------

_FILENAME_MAP = str.maketrans(
    {"/": "-", "\\": "-", "|": "-", ":": "-", '"': "'", "<": "(", ">": ")", "?": None, "*": None}
)
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)


def _is_reserved(name: str) -> bool:
    # Windows also reserves "CON.txt" and "con .txt": the part before the first dot counts.
    return name.split(".", 1)[0].rstrip(" ").upper() in _RESERVED_NAMES


def slugify_filename(s: str, max_len: int = 120, *, max_bytes: int | None = None) -> str:
    """Make a readable file-name component that keeps Vietnamese letters and is valid on Windows.

    Path separators and ``<>:"/\\|?*`` are replaced or dropped, control characters and line
    breaks become spaces, invisible format characters (zero-width spaces and joiners, the
    byte-order mark, the bidirectional controls: U+202E before "xcod.exe" shows as
    "exe.docx") are dropped, whitespace is collapsed, trailing dots/spaces are removed,
    Windows device names (CON, PRN, AUX, NUL, COM1.., LPT1..) get a "_" prefix, and the
    result is NFC, at most ``max_len`` characters and never empty, "." or ".." (it falls
    back to "_").

    ``max_bytes`` also bounds its length in UTF-8 bytes: file systems limit a name to 255
    bytes, not characters, and a Vietnamese letter takes two or three ("Ữ" is three), so 100
    characters of a name can already be too long for the disk. It is cut at a character.

    Example:
        >>> from lamtheoguongbac.text import slugify_filename
        >>> slugify_filename('Sổ tay: Phạm Thị Ánh / 2025?')
        'Sổ tay- Phạm Thị Ánh - 2025'
        >>> slugify_filename('Nguyễn Thị Ữ', max_bytes=12)
        'Nguyễn Th'
    """
    if max_len < 1:
        raise ValidationFailed("max_len phải >= 1", "max_len must be >= 1", field="max_len")
    if max_bytes is not None and max_bytes < 1:
        raise ValidationFailed("max_bytes phải >= 1", "max_bytes must be >= 1", field="max_bytes")
    text = nfc(s).translate(_FILENAME_MAP)
    # isprintable() is false for every "Other" and "Separator" but the space, so a name
    # that passes has nothing the per-character pass would change (the usual case).
    if not text.isprintable():
        text = "".join(
            " " if unicodedata.category(c) in ("Cc", "Zl", "Zp") else c
            for c in text
            # Lone surrogates cannot be encoded on any disk; a format character (Cf) shows as
            # nothing, or reorders what a file browser shows, whatever the data holds.
            if unicodedata.category(c) not in ("Cs", "Cf")
        )
    text = " ".join(text.split())
    while True:
        text = text[:max_len]
        if max_bytes is not None and len(text) * 4 > max_bytes:  # else it fits whatever it is
            text = text.encode()[:max_bytes].decode("utf-8", "ignore")  # cut at a character
        text = text.rstrip(". ")
        if _is_reserved(text):
            text = "_" + text
            continue
        break
    return text or "_"
