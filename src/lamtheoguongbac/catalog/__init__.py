"""The catalog shipped as data: study themes, regulations, rating policies (danh mục).

The JSON files beside this module hold what DOMAIN.md confirms. Users override or extend
them with their own files of the same layout: an entry with the same ``code`` (themes,
regulations) or ``name`` (policies) replaces the shipped one, a new one is added::

    catalog = Catalog.load(Path("chuyen-de-2026.json"))
    catalog.theme_for_year(2026)
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs

from lamtheoguongbac._checks import checked, fail, require_text
from lamtheoguongbac._errors import NotFound, Problem, ValidationFailed
from lamtheoguongbac._model import BasisKind, RatingLevel, StudyTheme
from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac.rules._policy import Policy, TopRatingCap
from lamtheoguongbac.serde import from_dict, parse_json
from lamtheoguongbac.text import canonical_key, nfc

__all__ = ["ArticleMap", "Catalog", "Regulation", "regulation_key"]

T = TypeVar("T")


@attrs.frozen(kw_only=True, field_transformer=checked)
class ArticleMap:
    """Where an article of a replaced regulation went in its successor (bảng đối chiếu điều).

    ``new`` is None when the article has no counterpart. ``verified`` is False for a pairing
    not confirmed against both texts; ``source`` says where it was read.

    Example:
        >>> from lamtheoguongbac.catalog import Catalog
        >>> regulation = Catalog.shipped().regulation("37-QĐ/TW")
        >>> regulation.replaces
        '47-QĐ/TW'
        >>> article = regulation.crosswalk[0]
        >>> article.old, article.new, article.verified
        (1, 1, True)
    """

    old: int
    new: int | None = None
    verified: bool = False
    source: str | None = None

    def __attrs_post_init__(self) -> None:
        require_text("ArticleMap.source", self.source)
        for name in ("old", "new"):
            value = getattr(self, name)
            if value is not None and not 1 <= value <= 500:
                fail(f"ArticleMap.{name}", "số điều không hợp lệ", "invalid article number")


@attrs.frozen(kw_only=True, field_transformer=checked)
class Regulation:
    """A party document pledges may cite (văn bản của Đảng): ``code`` like "37-QĐ/TW".

    ``verified`` is False where the number or date is not confirmed (DOMAIN.md says so).
    ``articles`` is the number of articles a reference may name; ``replaces`` the code of the
    regulation this one replaced, and ``crosswalk`` where that one's articles went.
    ``also_filed_as`` lists basis kinds other than ``kind`` under which citing it is right
    (Quy định 144-QĐ/TW's norms are also cited as the exemplary duty).

    Example:
        >>> from lamtheoguongbac.catalog import Catalog
        >>> regulation = Catalog.shipped().regulation("37-QĐ/TW")
        >>> regulation.code, regulation.kind, regulation.issued_on.year
        ('37-QĐ/TW', <BasisKind.PROHIBITIONS: 'dieu_khong_duoc_lam'>, 2021)
    """

    code: str
    title: str
    kind: BasisKind
    issued_on: dt.date | None = None
    articles: int | None = None
    replaces: str | None = None
    verified: bool = True
    also_filed_as: tuple[BasisKind, ...] = ()
    crosswalk: tuple[ArticleMap, ...] = ()

    def __attrs_post_init__(self) -> None:
        require_text("Regulation.code", self.code, max_len=100)
        require_text("Regulation.title", self.title)
        if self.articles is not None and not 1 <= self.articles <= 500:
            fail("Regulation.articles", "số điều không hợp lệ", "invalid number of articles")
        if self.crosswalk and self.replaces is None:
            fail(
                "Regulation.crosswalk",
                "chỉ có bảng đối chiếu khi văn bản thay thế một văn bản khác",
                "a crosswalk needs the replaced regulation ('replaces')",
            )
        for i, m in enumerate(self.crosswalk):
            if m.new is not None and self.articles is not None and m.new > self.articles:
                fail(
                    f"Regulation.crosswalk[{i}].new",
                    f"vượt quá số điều của văn bản ({self.articles})",
                    f"beyond the regulation's {self.articles} articles",
                )

    def files_as(self, kind: BasisKind) -> bool:
        """Whether citing this regulation under a basis of ``kind`` is right."""
        return kind is self.kind or kind is BasisKind.OTHER or kind in self.also_filed_as

    def article_for(self, old_article: int) -> ArticleMap | None:
        """The crosswalk entry for ``old_article`` of the replaced regulation, if known."""
        return next((m for m in self.crosswalk if m.old == old_article), None)


def regulation_key(code: str) -> str:
    """A comparison key for a document code: case, spacing, "Đ"/"D" and dashes do not matter
    ("37-QĐ/TW", "37-qd/tw", "37 - QĐ/TW" are the same).

    Example:
        >>> from lamtheoguongbac.catalog import regulation_key
        >>> regulation_key("37-QĐ/TW") == regulation_key("37 - qd/tw")
        True
    """
    return _regulation_key(code)


# Every lookup keys each regulation of the catalog: cached, a rule check citing a regulation
# costs a few dictionary hits instead of a canonical key per regulation (issue 11).
@functools.lru_cache(maxsize=4096)
def _regulation_key(code: str) -> str:
    key = canonical_key(code).replace("đ", "d").replace("–", "-").replace("—", "-")
    return "".join(key.split())


def _read(source: Path | str) -> dict[str, Any]:
    if isinstance(source, Path):
        try:
            text = source.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ValidationFailed(
                f"không đọc được tệp danh mục: {exc}",
                f"cannot read the catalog file: {exc}",
                field=str(source),
            ) from exc
        name = str(source)
    else:
        text, name = resources.files(__name__).joinpath(source).read_text("utf-8"), source
    data = parse_json(text, source=name)
    if not isinstance(data, dict):
        raise ValidationFailed("phải là một đối tượng JSON", "must be a JSON object", field=name)
    return data


def _entries(data: Mapping[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ValidationFailed(
            f"'{key}' phải là danh sách đối tượng",
            f"'{key}' must be a list of objects",
            field=source,
        )
    return items


def _entry(cls: type[T], entry: Mapping[str, Any], where: str) -> T:
    try:
        return from_dict(cls, {"schema_version": 1, **entry})
    except ValidationFailed as exc:
        raise ValidationFailed(
            exc.reason_vi,
            exc.reason_en,
            field=f"{where} {exc.field or ''}",
            errors=[
                Problem(p.text_vi, p.text_en, path=f"{where} {p.path or ''}") for p in exc.problems
            ],
        ) from exc


_PLAIN_TYPES: dict[str, tuple[type, str, str]] = {
    "bool": (bool, "true/false", "true or false"),
    "int": (int, "số nguyên", "an integer"),
    "str": (str, "văn bản", "text"),
}
_CAP_KEYS = frozenset({"ratio", "level", "of_levels"})


def _type_name(declared: Any) -> str:
    """ "int", "str | None": an annotation as written, whether still a string or resolved."""
    if isinstance(declared, str):
        return declared
    args = typing.get_args(declared)
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        inner = getattr(rest[0], "__name__", "") if len(rest) == 1 else ""
        return f"{inner} | None"
    return getattr(declared, "__name__", "")


def _policy(entry: Mapping[str, Any], where: str) -> Policy:
    allowed = {a.name for a in attrs.fields(Policy) if a.name not in ("rules", "catalog")}
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValidationFailed(
            f"trường không được phép: {', '.join(unknown)}",
            f"unknown field(s): {', '.join(unknown)}",
            field=where,
        )
    # Policy is built from Python, not through the checked converters: a JSON "false" given
    # as the text "no" would otherwise be truthy, so the plain fields are type-checked here.
    for a in attrs.fields(Policy):
        declared = _type_name(a.type)
        optional = declared.endswith(" | None")
        plain = _PLAIN_TYPES.get(declared.removesuffix(" | None"))
        if plain is None or a.name not in entry or (optional and entry[a.name] is None):
            continue
        value, (cls, vi, en) = entry[a.name], plain
        if not isinstance(value, cls) or (cls is int and isinstance(value, bool)):
            raise ValidationFailed(
                f"'{a.name}' phải là {vi}", f"'{a.name}' must be {en}", field=where
            )
    # JSON text arrives in any normal form: names and notes are compared and printed as NFC
    params: dict[str, Any] = {k: nfc(v) if isinstance(v, str) else v for k, v in entry.items()}
    cap = params.get("top_rating_cap")
    if cap is not None and not isinstance(cap, Mapping):
        raise ValidationFailed(
            "'top_rating_cap' phải là đối tượng hoặc null",
            "'top_rating_cap' must be an object or null",
            field=where,
        )
    if cap is not None and set(cap) - _CAP_KEYS:
        extra = ", ".join(sorted(set(cap) - _CAP_KEYS))
        raise ValidationFailed(
            f"trường không được phép trong 'top_rating_cap': {extra}",
            f"unknown field(s) in 'top_rating_cap': {extra}",
            field=where,
        )
    try:
        if isinstance(cap, Mapping):
            params["top_rating_cap"] = TopRatingCap(
                ratio=Decimal(str(cap.get("ratio", "0.20"))),
                level=RatingLevel(cap.get("level", "HTXSNV")),
                of_levels=tuple(RatingLevel(v) for v in cap.get("of_levels", ["HTTNV"])),
            )
        return Policy(**params)
    except ValidationFailed as exc:
        # name the file and entry, not only the attribute ("Policy.min_pledges")
        raise ValidationFailed(
            exc.reason_vi, exc.reason_en, field=f"{where} {exc.field or ''}".rstrip()
        ) from exc
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValidationFailed(
            f"chính sách không hợp lệ: {exc}", f"invalid policy: {exc}", field=where
        ) from exc


@attrs.frozen
class Catalog:
    """Study themes, regulations and policies, looked up by code, year or name.

    Example:
        >>> from lamtheoguongbac.catalog import Catalog
        >>> catalog = Catalog.shipped()
        >>> catalog.theme_for_year(2025).code
        '2021-2025'
        >>> catalog.policy_for_year(2025).name
        'qd-366-2025'
        >>> catalog.regulation("37-qd/tw").title[:50]
        'Quy định về những điều đảng viên không được làm (2'
    """

    themes: tuple[StudyTheme, ...]
    regulations: tuple[Regulation, ...]
    policies: tuple[Policy, ...]
    # the regulations by their comparison key, the first of a key winning: the reference
    # rules look regulations up several times for every pledge (issue 11)
    _by_key: dict[str, Regulation] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        by_key: dict[str, Regulation] = {}
        for r in self.regulations:
            by_key.setdefault(regulation_key(r.code), r)
        object.__setattr__(self, "_by_key", by_key)

    @classmethod
    def load(cls, *overrides: Path) -> Catalog:
        """The shipped catalog, then each override file applied in order."""
        themes: dict[str, StudyTheme] = {}
        regulations: dict[str, Regulation] = {}
        policies: dict[str, Policy] = {}
        sources: list[Path | str] = ["themes.json", "regulations.json", "policies.json"]
        for source in [*sources, *overrides]:
            data, name = _read(source), str(source)
            for i, e in enumerate(_entries(data, "themes", name)):
                theme = _entry(StudyTheme, e, f"{name}: themes[{i}]")
                themes[theme.code] = theme
            for i, e in enumerate(_entries(data, "regulations", name)):
                reg = _entry(Regulation, e, f"{name}: regulations[{i}]")
                regulations[reg.code] = reg
            for i, e in enumerate(_entries(data, "policies", name)):
                pol = _policy(e, f"{name}: policies[{i}]")
                policies[pol.name] = pol
        return cls(tuple(themes.values()), tuple(regulations.values()), tuple(policies.values()))

    @classmethod
    def shipped(cls) -> Catalog:
        """The shipped catalog, read once per process (it is immutable)."""
        return _shipped()

    def theme_for_year(self, year: int) -> StudyTheme | None:
        """The theme for ``year``: a single-year theme wins over a term-long one."""
        fitting = [t for t in self.themes if t.covers(year)]
        fitting.sort(key=lambda t: (t.last_year - t.first_year, t.code))
        return fitting[0] if fitting else None

    def find_theme(self, title: str) -> StudyTheme | None:
        """The theme whose title matches ``title`` after normalisation (case, tone
        placement, NFC, spacing and punctuation do not matter)."""
        key = _loose(title)
        return next((t for t in self.themes if _loose(t.title) == key), None)

    def regulation(self, code: str) -> Regulation | None:
        """The regulation with ``code`` ("37-QĐ/TW"), compared after normalisation."""
        return self._by_key.get(regulation_key(code))

    def successor(self, code: str) -> Regulation | None:
        """The regulation that replaced the one with ``code`` (37-QĐ/TW for 47-QĐ/TW)."""
        key = regulation_key(code)
        return next(
            (r for r in self.regulations if r.replaces and regulation_key(r.replaces) == key),
            None,
        )

    def policy_for_year(self, year: int) -> Policy | None:
        """The policy whose years (``first_year``–``last_year``) cover ``year``; of several,
        the one that starts latest. None when no policy names years covering it."""
        fitting = [p for p in self.policies if p.covers(year)]
        fitting.sort(key=lambda p: (p.first_year or 0, p.name))
        return fitting[-1] if fitting else None

    def policy(self, name: str) -> Policy:
        """The policy called ``name``; ``NotFound`` (a ``LookupError``) listing those known."""
        for p in self.policies:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.policies)
        raise NotFound(
            f"Không có chính sách '{name}' (có: {known})", f"no policy '{name}' (known: {known})"
        )

    def with_themes(self, themes: Iterable[StudyTheme]) -> Catalog:
        """A copy with ``themes`` added or replacing those of the same code."""
        merged = {t.code: t for t in self.themes}
        merged.update((t.code, t) for t in themes)
        return attrs.evolve(self, themes=tuple(merged.values()))


@functools.cache
def _shipped() -> Catalog:
    return Catalog.load()


def _loose(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in canonical_key(text)).split())


publish_namespace(__name__, {n: globals()[n] for n in __all__})
