"""``Policy``: the rules and their parameters in force for a year and an organisation.

Rating regulations change (Quy định 132-QĐ/TW 2018 → 124-QĐ/TW 2023 → 366-QĐ/TW 2025), so a
policy is a versioned value, never a constant in code: committees pick or override one, and
plugins add rules to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

import attrs

from lamtheoguongbac._checks import fail
from lamtheoguongbac._inspections import FINDING_KINDS, FindingKind, check_finding_kinds
from lamtheoguongbac._model import Actor, Handbook, MemberStatus, RatingLevel
from lamtheoguongbac.rules._base import VIETNAM_TIMEZONE, Rule, RuleContext, Stage, Violation
from lamtheoguongbac.rules._base import timezone as _zone
from lamtheoguongbac.rules._builtin import BUILTIN_RULES

if TYPE_CHECKING:
    from lamtheoguongbac.catalog import Regulation

__all__ = ["DEFAULT_POLICY", "RATING_RULES", "Policy", "TopRatingCap"]

#: What a member's standing means for the rating: ``"required"`` (rated), ``"optional"`` (may
#: be rated, e.g. an exempt member who still takes part), ``"none"`` (never rated).
RATING_RULES = ("required", "optional", "none")


def _rating_rule(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if value not in RATING_RULES:
        fail(
            f"Policy.{attribute.name}",
            f"phải là một trong {', '.join(RATING_RULES)}",
            f"must be one of {', '.join(RATING_RULES)}",
        )


def _positive_ratio(instance: object, attribute: attrs.Attribute[Decimal], value: Decimal) -> None:
    if not Decimal(0) <= value <= Decimal(1):
        fail("TopRatingCap.ratio", "tỷ lệ phải trong khoảng 0–1", "the ratio must be within 0–1")


@attrs.frozen(kw_only=True)
class TopRatingCap:
    """A cap on the top rating within a grassroots organisation (giới hạn tỷ lệ xuất sắc).

    Hướng dẫn 21-HD/BTCTW (2019): members rated excellent may be at most 20% of those rated
    good. ``of_levels`` says which levels count as "rated good"; whether the excellent ones
    count among them is read differently by committees, so it is a parameter.

    Example:
        >>> from lamtheoguongbac.rules import TopRatingCap
        >>> cap = TopRatingCap()
        >>> cap.ratio, cap.level.value
        (Decimal('0.20'), 'HTXSNV')
    """

    ratio: Decimal = attrs.field(
        default=Decimal("0.20"), converter=Decimal, validator=_positive_ratio
    )
    level: RatingLevel = RatingLevel.EXCELLENT
    of_levels: tuple[RatingLevel, ...] = (RatingLevel.GOOD,)


#: The most days a policy's deadlines may count: ten years past a period's start or end is
#: already no deadline; beyond a date's range, adding them overflowed in the middle of a step.
MAX_DAYS = 3660


def _non_negative(instance: object, attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        fail(
            f"Policy.{attribute.name}",
            "phải là số nguyên không âm",
            "must be a non-negative integer",
        )
    if attribute.name.endswith("_days") and value > MAX_DAYS:
        fail(
            f"Policy.{attribute.name}",
            f"tối đa {MAX_DAYS} ngày",
            f"at most {MAX_DAYS} days",
        )


def _flag(instance: object, attribute: attrs.Attribute[bool], value: object) -> None:
    if not isinstance(value, bool):
        fail(
            f"Policy.{attribute.name}",
            f"phải là true hoặc false, không phải {value!r}",
            f"must be true or false, not {value!r}",
        )


def _cap(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, TopRatingCap):
        fail(
            "Policy.top_rating_cap",
            f"phải là một TopRatingCap hoặc None, không phải {type(value).__name__}",
            f"must be a TopRatingCap or None, not {type(value).__name__}",
        )


class RegulationCatalog(Protocol):
    """What the reference rules look regulations up in: a
    :class:`~lamtheoguongbac.catalog.Catalog` (a protocol, so the rules need not import the
    catalog, which imports them).

    Example:
        >>> from lamtheoguongbac.catalog import Catalog
        >>> from lamtheoguongbac.rules import Policy, RegulationCatalog
        >>> catalog: RegulationCatalog = Catalog.shipped()
        >>> catalog.regulation("47-qđ/tw").code, catalog.successor("47-QĐ/TW").code
        ('47-QĐ/TW', '37-QĐ/TW')
        >>> Policy(catalog=catalog).catalog is catalog
        True
    """

    def regulation(self, code: str) -> Regulation | None:
        """The regulation with ``code``, compared after normalisation."""

    def successor(self, code: str) -> Regulation | None:
        """The regulation that replaced the one with ``code``."""


def _year(instance: object, attribute: attrs.Attribute[int | None], value: int | None) -> None:
    if value is not None and (
        isinstance(value, bool) or not isinstance(value, int) or not 1945 <= value <= 2200
    ):
        fail(f"Policy.{attribute.name}", "năm không hợp lệ", "invalid year")


def _finding_kinds(value: Iterable[FindingKind | Mapping[str, Any]]) -> tuple[FindingKind, ...]:
    """Kinds of finding given as values or, from a catalog's JSON, as objects with ``code``,
    ``label_vi``, ``label_en`` and ``positive``."""
    kinds: list[FindingKind] = []
    for i, item in enumerate(value):
        if isinstance(item, FindingKind):
            kinds.append(item)
            continue
        if not isinstance(item, Mapping):
            fail(
                f"Policy.finding_kinds[{i}]",
                "phải là loại phát hiện (code, label_vi, label_en)",
                "must be a finding kind (code, label_vi, label_en)",
            )
        try:
            kinds.append(FindingKind(**item))
        except TypeError:
            fail(
                f"Policy.finding_kinds[{i}]",
                "chỉ có các trường code, label_vi, label_en, positive",
                "only the fields code, label_vi, label_en, positive are allowed",
            )
    return tuple(kinds)


@attrs.frozen(kw_only=True)
class Policy:
    """The rules and parameters for a year/organisation (quy định áp dụng), versioned.

    Deadlines are counted in days: registration from the period's start, the report from the
    period's end (so 0 means "by the last day of the period"), the assessment from the end.

    The rating (xếp loại) belongs to the annual rating process; the handbook is evidence
    for it. By default (``rating_in_handbook=False``) the cell's assessment is recorded
    without a rating and the book prints none (a rating may still be recorded for the
    roll-ups and the top-rating cap). A province that prints the rating in the book sets
    ``rating_in_handbook=True``; then ``require_rating`` makes a rating required
    (LTGB-A004) for every member whose standing is rated. Standing: official and
    probationary members are rated; suspended members never (LTGB-A003); members exempt
    from party work and activities follow ``exempt_rating`` (``"optional"`` by default:
    rated only when they still take part; ``"none"``; or ``"required"``).

    Example:
        >>> from lamtheoguongbac.rules import Policy
        >>> from lamtheoguongbac.catalog import Catalog
        >>> policy = Catalog.shipped().policy("qd-366-2025")
        >>> policy.name, policy.min_pledges, policy.top_rating_cap.ratio
        ('qd-366-2025', 1, Decimal('0.20'))
        >>> first = policy.rules[0].code
        >>> relaxed = policy.without(first)
        >>> len(policy.rules) - len(relaxed.rules), first in {r.code for r in relaxed.rules}
        (1, False)
    """

    name: str = "mac-dinh"
    version: str = "1"
    min_pledges: int = attrs.field(default=1, validator=_non_negative)
    max_pledges: int = attrs.field(default=5, validator=_non_negative)
    linter_blocks: bool = attrs.field(default=True, validator=_flag)
    require_duty_link: bool = attrs.field(default=True, validator=_flag)
    require_self_assessment: bool = attrs.field(default=True, validator=_flag)
    require_rating: bool = attrs.field(default=True, validator=_flag)
    rating_in_handbook: bool = attrs.field(default=False, validator=_flag)
    exempt_rating: str = attrs.field(default="optional", validator=_rating_rule)
    report_grace_days: int = attrs.field(default=0, validator=_non_negative)
    registration_due_days: int = attrs.field(default=60, validator=_non_negative)
    report_due_days: int = attrs.field(default=0, validator=_non_negative)
    assessment_due_days: int = attrs.field(default=31, validator=_non_negative)
    top_rating_cap: TopRatingCap | None = attrs.field(default=TopRatingCap(), validator=_cap)
    #: refuse an assessment that takes the grassroots organisation over the cap (else warn)
    top_rating_cap_enforced: bool = attrs.field(default=False, validator=_flag)
    #: kinds of inspection finding added to the built-in ones (loại phát hiện khi kiểm tra)
    finding_kinds: tuple[FindingKind, ...] = attrs.field(default=(), converter=_finding_kinds)
    rules: tuple[Rule, ...] = attrs.field(default=BUILTIN_RULES, eq=False, repr=False)
    #: the IANA time zone whose calendar dates are judged by (RuleContext.today)
    timezone: str = attrs.field(default=VIETNAM_TIMEZONE)

    @timezone.validator
    def _known_zone(self, attribute: attrs.Attribute[str], value: str) -> None:
        _zone(value)  # ValidationFailed for an unknown zone

    # --- the years the policy is in force (chosen by the handbook's year) -----------------
    #: first and last year this policy applies to (None: open-ended); see Catalog.policy_for_year
    first_year: int | None = attrs.field(default=None, validator=_year)
    last_year: int | None = attrs.field(default=None, validator=_year)
    #: False when the regulation behind it is not confirmed (DOMAIN.md marks it so)
    verified: bool = attrs.field(default=True, validator=_flag)
    #: what a reader should know about it (the scale, the source), Vietnamese
    note: str | None = None
    #: the catalog references are checked against (None: the shipped catalog)
    catalog: RegulationCatalog | None = attrs.field(default=None, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if self.max_pledges < self.min_pledges:
            fail("Policy.max_pledges", "nhỏ hơn số việc tối thiểu", "is smaller than min_pledges")
        if None not in (self.first_year, self.last_year) and (
            self.last_year < self.first_year  # type: ignore[operator]
        ):
            fail("Policy.last_year", "trước năm bắt đầu", "is before first_year")
        codes = [r.code for r in self.rules]
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        if dupes:
            fail(
                "Policy.rules",
                f"mã quy tắc bị trùng: {', '.join(dupes)}",
                f"duplicate rule codes: {', '.join(dupes)}",
            )

    def rating_rule(self, status: MemberStatus) -> str:
        """ "required", "optional" or "none": whether a member of ``status`` is rated."""
        if status is MemberStatus.SUSPENDED:
            return "none"
        if status is MemberStatus.EXEMPT:
            return self.exempt_rating
        return "required"

    def inspection_kinds(self) -> tuple[FindingKind, ...]:
        """The kinds of finding an inspection may record: the built-in
        :data:`~lamtheoguongbac.committee.FINDING_KINDS`, then :attr:`finding_kinds`.

        Raises:
            ValidationFailed: a code is given twice.
        """
        return check_finding_kinds((*FINDING_KINDS, *self.finding_kinds))

    def covers(self, year: int) -> bool:
        """Whether the policy names years and ``year`` is one of them."""
        if self.first_year is None and self.last_year is None:
            return False
        return (self.first_year or 0) <= year <= (self.last_year or 9999)

    def with_rules(self, rules: Iterable[Rule]) -> Policy:
        """A copy with ``rules`` added (e.g. from plugins)."""
        return attrs.evolve(self, rules=(*self.rules, *rules))

    def without(self, *codes: str) -> Policy:
        """A copy with the rules of the given codes switched off."""
        return attrs.evolve(self, rules=tuple(r for r in self.rules if r.code not in codes))

    def check(
        self, stage: Stage, handbook: Handbook, actor: Actor, at: dt.datetime
    ) -> list[Violation]:
        """Run every rule of ``stage`` on ``handbook``; returns all violations found."""
        ctx = RuleContext(policy=self, actor=actor, at=at, tz=_zone(self.timezone))
        found: list[Violation] = []
        for rule in self.rules:
            if rule.stage is stage:
                found.extend(rule.check(handbook, ctx))
        return found

    def registration_due(self, handbook: Handbook) -> dt.date:
        """The last day to register pledges."""
        return handbook.period.start + dt.timedelta(days=self.registration_due_days)

    def report_due(self, handbook: Handbook) -> dt.date:
        """The last day to report results."""
        return handbook.period.end + dt.timedelta(days=self.report_due_days)

    def assessment_due(self, handbook: Handbook) -> dt.date:
        """The last day for the cell's collective assessment."""
        return handbook.period.end + dt.timedelta(days=self.assessment_due_days)


DEFAULT_POLICY = Policy()
