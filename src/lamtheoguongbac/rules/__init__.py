"""Rules of the handbook: named checks with stable codes, bundled in a versioned ``Policy``."""

from lamtheoguongbac._linter import (
    LintFinding,
    TextAnalysis,
    analyse_text,
    example_for,
    is_generic,
    lint_text,
)
from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac.rules._aggregate import (
    CapCheck,
    RatingTally,
    cap_figures,
    cap_outlook,
    check_cap_outlook,
    check_top_rating_cap,
    counts_as_pending,
    tally,
)
from lamtheoguongbac.rules._base import Rule, RuleContext, Severity, Stage, Violation
from lamtheoguongbac.rules._builtin import BUILTIN_RULES
from lamtheoguongbac.rules._policy import DEFAULT_POLICY, Policy, RegulationCatalog, TopRatingCap

__all__ = [
    "BUILTIN_RULES",
    "DEFAULT_POLICY",
    "CapCheck",
    "LintFinding",
    "Policy",
    "RatingTally",
    "RegulationCatalog",
    "Rule",
    "RuleContext",
    "Severity",
    "Stage",
    "TextAnalysis",
    "TopRatingCap",
    "Violation",
    "analyse_text",
    "cap_figures",
    "cap_outlook",
    "check_cap_outlook",
    "check_top_rating_cap",
    "counts_as_pending",
    "example_for",
    "is_generic",
    "lint_text",
    "tally",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
