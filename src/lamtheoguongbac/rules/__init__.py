"""Rules of the handbook: named checks with stable codes, bundled in a versioned ``Policy``."""

from lamtheoguongbac.rules.aggregate import CapCheck, cap_figures, check_top_rating_cap
from lamtheoguongbac.rules.base import Rule, RuleContext, Severity, Stage, Violation
from lamtheoguongbac.rules.builtin import BUILTIN_RULES
from lamtheoguongbac.rules.policy import DEFAULT_POLICY, Policy, TopRatingCap

__all__ = [
    "BUILTIN_RULES",
    "DEFAULT_POLICY",
    "CapCheck",
    "Policy",
    "Rule",
    "RuleContext",
    "Severity",
    "Stage",
    "TopRatingCap",
    "Violation",
    "cap_figures",
    "check_top_rating_cap",
]
