"""Rules over many handbooks at once: the cap on the top rating (LTGB-C001)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import attrs

from lamtheoguongbac.model import Handbook
from lamtheoguongbac.rules.base import Severity, Violation
from lamtheoguongbac.rules.policy import Policy, TopRatingCap

__all__ = ["CapCheck", "cap_figures", "check_top_rating_cap"]


@attrs.frozen(kw_only=True)
class CapCheck:
    """The cap's figures for one grassroots organisation."""

    organisation_id: str
    organisation_name: str
    top_count: int
    base_count: int
    allowed: int

    @property
    def exceeded(self) -> bool:
        """Whether more members got the top rating than the cap allows."""
        return self.top_count > self.allowed


def cap_figures(handbooks: Iterable[Handbook], cap: TopRatingCap) -> list[CapCheck]:
    """Count top and base ratings per grassroots organisation; sorted by organisation id."""
    top: dict[str, int] = defaultdict(int)
    base: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for hb in handbooks:
        ca = hb.collective_assessment
        unit = hb.grassroots
        names[unit.id] = unit.name
        if ca is None or ca.rating is None:
            continue
        if ca.rating is cap.level:
            top[unit.id] += 1
        if ca.rating in cap.of_levels:
            base[unit.id] += 1
    return [
        CapCheck(
            organisation_id=uid,
            organisation_name=names[uid],
            top_count=top[uid],
            base_count=base[uid],
            allowed=int((cap.ratio * base[uid]).to_integral_value(rounding="ROUND_FLOOR")),
        )
        for uid in sorted(names)
    ]


def check_top_rating_cap(handbooks: Iterable[Handbook], policy: Policy) -> list[Violation]:
    """LTGB-C001: within each grassroots organisation, the top rating stays under the cap."""
    cap = policy.top_rating_cap
    if cap is None:
        return []
    pct = (cap.ratio * 100).normalize()
    base = ", ".join(level.abbreviation for level in cap.of_levels)
    return [
        Violation(
            code="LTGB-C001",
            severity=Severity.ERROR,
            path=f"organisation[{c.organisation_id}]",
            message_vi=f"{c.organisation_name}: {c.top_count} đảng viên xếp loại "
            f"{cap.level.abbreviation}, vượt quá {pct}% của {c.base_count} đảng viên {base} "
            f"(tối đa {c.allowed})",
            message_en=f"{c.organisation_name}: {c.top_count} rated {cap.level.abbreviation}, "
            f"more than {pct}% of the {c.base_count} rated {base} (at most {c.allowed})",
        )
        for c in cap_figures(handbooks, cap)
        if c.exceeded
    ]
