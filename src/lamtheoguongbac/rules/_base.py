"""The shape of a rule: a named check with a stable code that returns violations."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

if TYPE_CHECKING:
    from lamtheoguongbac._model import Actor, Handbook
    from lamtheoguongbac.rules._policy import Policy

__all__ = ["Rule", "RuleContext", "Severity", "Stage", "Violation"]


class Severity(enum.Enum):
    """How serious a violation is: errors refuse the step, warnings are reported only."""

    ERROR = "error"
    WARNING = "warning"


class Stage(enum.Enum):
    """The lifecycle step a rule guards (bước trong chu trình)."""

    REGISTRATION = "registration"
    REPORT = "report"
    SELF_ASSESSMENT = "self_assessment"
    ASSESSMENT = "assessment"
    CLOSE = "close"


@attrs.frozen(kw_only=True)
class Violation:
    """One thing a rule found wrong, with a stable ``code`` and the ``path`` of the field."""

    code: str
    severity: Severity
    path: str
    message_vi: str
    message_en: str

    def message(self, lang: str = "vi") -> str:
        """The message in ``"vi"`` (default) or ``"en"``."""
        return self.message_en if lang == "en" else self.message_vi


@attrs.frozen(kw_only=True)
class RuleContext:
    """What a rule may look at besides the handbook: the policy, the actor and the time."""

    policy: Policy
    actor: Actor
    at: dt.datetime


RuleCheck = Callable[["Handbook", RuleContext], Iterable[Violation]]


@attrs.frozen(kw_only=True)
class Rule:
    """A named check run at one lifecycle ``stage`` on the handbook the step would produce.

    Plugins contribute rules through the ``register_rules`` hook; codes must be unique
    (built-in codes start with ``LTGB-``; use your own prefix).
    """

    code: str
    stage: Stage
    title_vi: str
    title_en: str
    check: RuleCheck = attrs.field(eq=False, repr=False)
