"""Rules over many handbooks at once: the cap on the top rating (LTGB-C001)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import attrs

from lamtheoguongbac._model import Handbook
from lamtheoguongbac.rules._base import Severity, Violation
from lamtheoguongbac.rules._policy import Policy, TopRatingCap

__all__ = ["CapCheck", "cap_figures", "check_top_rating_cap"]


@attrs.frozen(kw_only=True)
class CapCheck:
    """The cap's figures for one grassroots organisation in one year."""

    organisation_id: str
    organisation_name: str
    year: int
    top_count: int
    base_count: int
    allowed: int

    @property
    def exceeded(self) -> bool:
        """Whether more members got the top rating than the cap allows."""
        return self.top_count > self.allowed


def cap_figures(handbooks: Iterable[Handbook], cap: TopRatingCap) -> list[CapCheck]:
    """Count top and base ratings per grassroots organisation and year (the cap is yearly);
    sorted by organisation id, then year."""
    Key = tuple[str, int]
    top: dict[Key, int] = defaultdict(int)
    base: dict[Key, int] = defaultdict(int)
    names: dict[Key, str] = {}
    for hb in handbooks:
        ca = hb.collective_assessment
        key = (hb.grassroots.id, hb.year)
        names[key] = hb.grassroots.name
        if ca is None or ca.rating is None:
            continue
        if ca.rating is cap.level:
            top[key] += 1
        if ca.rating in cap.of_levels:
            base[key] += 1
    return [
        CapCheck(
            organisation_id=key[0],
            organisation_name=names[key],
            year=key[1],
            top_count=top[key],
            base_count=base[key],
            allowed=int((cap.ratio * base[key]).to_integral_value(rounding="ROUND_FLOOR")),
        )
        for key in sorted(names)
    ]


def check_top_rating_cap(handbooks: Iterable[Handbook], policy: Policy) -> list[Violation]:
    """LTGB-C001: within each grassroots organisation, the top rating stays under the cap."""
    cap = policy.top_rating_cap
    if cap is None:
        return []
    # format "f": Decimal("20.00").normalize() alone prints as "2E+1"
    pct = format((cap.ratio * 100).normalize(), "f")
    base = ", ".join(level.abbreviation for level in cap.of_levels)
    return [
        Violation(
            code="LTGB-C001",
            severity=Severity.ERROR,
            path=f"organisation[{c.organisation_id}].year[{c.year}]",
            message_vi=f"{c.organisation_name} năm {c.year}: {c.top_count} đảng viên xếp loại "
            f"{cap.level.abbreviation}, vượt quá {pct}% của {c.base_count} đảng viên {base} "
            f"(tối đa {c.allowed})",
            message_en=f"{c.organisation_name} in {c.year}: {c.top_count} rated "
            f"{cap.level.abbreviation}, more than {pct}% of the {c.base_count} rated {base} "
            f"(at most {c.allowed})",
        )
        for c in cap_figures(handbooks, cap)
        if c.exceeded
    ]
