"""The catalog shipped as data: study themes, regulations, rating policies (danh mục).

The JSON files beside this module hold what DOMAIN.md confirms. Users override or extend
them with their own files of the same layout: an entry with the same ``code`` (themes,
regulations) or ``name`` (policies) replaces the shipped one, a new one is added::

    catalog = Catalog.load(Path("chuyen-de-2026.json"))
    catalog.theme_for_year(2026)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import attrs

from lamtheoguongbac._checks import checked, require_text
from lamtheoguongbac._errors import NotFound, ValidationFailed
from lamtheoguongbac._model import BasisKind, RatingLevel, StudyTheme
from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac.rules._policy import Policy, TopRatingCap
from lamtheoguongbac.serde import from_dict, parse_json
from lamtheoguongbac.text import canonical_key

__all__ = ["Catalog", "Regulation"]

T = TypeVar("T")


@attrs.frozen(kw_only=True, field_transformer=checked)
class Regulation:
    """A party document pledges may cite (văn bản của Đảng): ``code`` like "37-QĐ/TW".

    ``verified`` is False where the number or date is not confirmed (DOMAIN.md says so).
    """

    code: str
    title: str
    kind: BasisKind
    issued_on: dt.date | None = None
    articles: int | None = None
    replaces: str | None = None
    verified: bool = True

    def __attrs_post_init__(self) -> None:
        require_text("Regulation.code", self.code, max_len=100)
        require_text("Regulation.title", self.title)


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
            exc.reason_vi, exc.reason_en, field=f"{where} {exc.field or ''}", errors=exc.errors
        ) from exc


_PLAIN_TYPES: dict[str, tuple[type, str, str]] = {
    "bool": (bool, "true/false", "true or false"),
    "int": (int, "số nguyên", "an integer"),
    "str": (str, "văn bản", "text"),
}
_CAP_KEYS = frozenset({"ratio", "level", "of_levels"})


def _policy(entry: Mapping[str, Any], where: str) -> Policy:
    allowed = {a.name for a in attrs.fields(Policy) if a.name != "rules"}
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
        declared = a.type if isinstance(a.type, str) else getattr(a.type, "__name__", "")
        plain = _PLAIN_TYPES.get(declared)
        if plain is None or a.name not in entry:
            continue
        value, (cls, vi, en) = entry[a.name], plain
        if not isinstance(value, cls) or (cls is int and isinstance(value, bool)):
            raise ValidationFailed(
                f"'{a.name}' phải là {vi}", f"'{a.name}' must be {en}", field=where
            )
    params = dict(entry)
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
    """Study themes, regulations and policies, looked up by code, year or name."""

    themes: tuple[StudyTheme, ...]
    regulations: tuple[Regulation, ...]
    policies: tuple[Policy, ...]

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
        key = canonical_key(code)
        return next((r for r in self.regulations if canonical_key(r.code) == key), None)

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


def _loose(text: str) -> str:
    return " ".join("".join(c if c.isalnum() else " " for c in canonical_key(text)).split())


publish_namespace(__name__, {n: globals()[n] for n in __all__})
