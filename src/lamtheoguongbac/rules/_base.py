"""The shape of a rule: a named check with a stable code that returns violations."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import zoneinfo
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import attrs

from lamtheoguongbac._errors import ValidationFailed

if TYPE_CHECKING:
    from lamtheoguongbac._model import Actor, Handbook
    from lamtheoguongbac.rules._policy import Policy, RegulationCatalog

__all__ = [
    "VIETNAM_TIMEZONE",
    "Rule",
    "RuleContext",
    "Severity",
    "Stage",
    "Violation",
    "timezone",
]

#: The time zone whose calendar the rules judge dates by, unless a policy says otherwise.
VIETNAM_TIMEZONE = "Asia/Ho_Chi_Minh"
# Viet Nam has kept UTC+07:00 without daylight saving since 1975, so this fixed offset is
# exact for every date the library handles; it stands in when the system has no tz database.
_VIETNAM_OFFSET = dt.timezone(dt.timedelta(hours=7), "ICT")


@functools.lru_cache(maxsize=16)
def timezone(name: str = VIETNAM_TIMEZONE) -> dt.tzinfo:
    """The time zone called ``name`` (an IANA name such as ``"Asia/Ho_Chi_Minh"``).

    Read from the system's tz database, or the ``tzdata`` package (Windows has no system
    database: ``pip install tzdata``). ``Asia/Ho_Chi_Minh`` never fails: without a database
    it is the fixed offset UTC+07:00, which is exact for Viet Nam.

    Raises:
        ValidationFailed: an unknown name, or no tz database to read it from.

    Example:
        >>> from lamtheoguongbac.plugin import timezone
        >>> import datetime as dt
        >>> dt.datetime(2025, 12, 31, 18, 0, tzinfo=dt.UTC).astimezone(timezone()).date()
        datetime.date(2026, 1, 1)
    """
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        if name == VIETNAM_TIMEZONE:
            return _VIETNAM_OFFSET
        raise ValidationFailed(
            f"không biết múi giờ '{name}' (cần tên IANA, ví dụ {VIETNAM_TIMEZONE}; "
            "trên Windows cài gói tzdata)",
            f"unknown time zone '{name}' (an IANA name such as {VIETNAM_TIMEZONE} is needed; "
            "on Windows install the tzdata package)",
            field="timezone",
        ) from exc


def local_date(at: dt.datetime, zone: str = VIETNAM_TIMEZONE) -> dt.date:
    """The calendar date of the moment ``at`` in ``zone`` (a naive ``at`` is taken as UTC):
    offices, deadlines and the dates a step records are judged on Viet Nam's calendar, and
    between 00:00 and 07:00 there ``at.date()`` in UTC is still the day before."""
    aware = at if at.tzinfo is not None else at.replace(tzinfo=dt.UTC)
    return aware.astimezone(timezone(zone)).date()


def local_today(zone: str = VIETNAM_TIMEZONE) -> dt.date:
    """Today's date in ``zone`` (Viet Nam by default), whatever zone the machine is set to:
    a document dated on a server kept in UTC would bear yesterday's date until 07:00."""
    return local_date(dt.datetime.now(dt.UTC), zone)


class Severity(enum.Enum):
    """How serious a violation is: errors refuse the step, warnings are reported only.

    Example:
        >>> from lamtheoguongbac.rules import Severity
        >>> Severity("warning") is Severity.WARNING
        True
    """

    ERROR = "error"
    WARNING = "warning"


class Stage(enum.Enum):
    """The lifecycle step a rule guards (bước trong chu trình).

    Example:
        >>> from lamtheoguongbac.rules import Stage
        >>> [stage.value for stage in Stage]
        ['registration', 'report', 'self_assessment', 'assessment', 'close']
    """

    REGISTRATION = "registration"
    REPORT = "report"
    SELF_ASSESSMENT = "self_assessment"
    ASSESSMENT = "assessment"
    CLOSE = "close"


def _text(name: str, value: object, *, blank: bool = False) -> None:
    # A violation is what refuses a step: one whose fields are not text (a code of 1, a
    # message of None) would be shown as nonsense or dropped, so it is refused when made.
    if not isinstance(value, str):
        raise ValidationFailed(
            f"Violation.{name} phải là chuỗi, không phải {type(value).__name__}",
            f"Violation.{name} must be a str, not {type(value).__name__}",
            field=f"Violation.{name}",
        )
    if not blank and not value.strip():
        raise ValidationFailed(
            f"Violation.{name} không được để trống",
            f"Violation.{name} must not be blank",
            field=f"Violation.{name}",
        )


def _severity(value: object) -> None:
    # The workflow refuses a step on ``severity is Severity.ERROR``: the string "error" would
    # make an error pass silently, so only the enum is accepted.
    if not isinstance(value, Severity):
        raise ValidationFailed(
            f"Violation.severity phải là Severity.ERROR hoặc Severity.WARNING, không phải "
            f"{value!r}",
            f"Violation.severity must be Severity.ERROR or Severity.WARNING, not {value!r}",
            field="Violation.severity",
        )


@attrs.frozen(kw_only=True)
class Violation:
    """One thing a rule found wrong, with a stable ``code`` and the ``path`` of the field.

    Checked when made: ``code`` and both messages are non-blank ``str``, ``path`` a ``str``
    and ``severity`` a :class:`Severity` (the string ``"error"`` is refused — it would let
    the step through); :class:`~lamtheoguongbac.ValidationFailed` names the field.

    Example:
        >>> from lamtheoguongbac.rules import Severity, Violation
        >>> violation = Violation(
        ...     code="XA-001",
        ...     severity=Severity.WARNING,
        ...     path="pledges[0].deed",
        ...     message_vi="Nên ghi rõ địa bàn",
        ...     message_en="Name the place",
        ... )
        >>> violation.message("en")
        'Name the place'
        >>> from lamtheoguongbac import ValidationFailed
        >>> try:
        ...     Violation(code="XA-001", severity="error", path="", message_vi="x", message_en="x")
        ... except ValidationFailed as exc:
        ...     print(exc.field)
        Violation.severity
    """

    code: str = attrs.field(validator=lambda i, a, v: _text("code", v))
    severity: Severity = attrs.field(validator=lambda i, a, v: _severity(v))
    path: str = attrs.field(validator=lambda i, a, v: _text("path", v, blank=True))
    message_vi: str = attrs.field(validator=lambda i, a, v: _text("message_vi", v))
    message_en: str = attrs.field(validator=lambda i, a, v: _text("message_en", v))

    def message(self, lang: str = "vi") -> str:
        """The message in ``"vi"`` (default) or ``"en"``."""
        return self.message_en if lang == "en" else self.message_vi


@attrs.frozen(kw_only=True)
class RuleContext:
    """What a rule may look at besides the handbook: the policy, the actor and the time.

    ``at`` is the moment of the step, timezone-aware, as the service's clock gives it
    (usually UTC). Compare dates with :attr:`today`, the calendar date at that moment in
    ``tz`` — Viet Nam (``Asia/Ho_Chi_Minh``) unless the policy names another zone: between
    00:00 and 07:00 in Viet Nam, ``at.date()`` in UTC is still the day before.

    Example:
        >>> import datetime as dt
        >>> from lamtheoguongbac import Actor
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY, RuleContext
        >>> at = dt.datetime(2025, 12, 19, 18, 30, tzinfo=dt.UTC)  # 01:30 on the 20th in Viet Nam
        >>> ctx = RuleContext(
        ...     policy=DEFAULT_POLICY, actor=Actor(id="dv01", name="Nguyễn Văn Hùng"), at=at
        ... )
        >>> ctx.today
        datetime.date(2025, 12, 20)
    """

    policy: Policy
    actor: Actor
    at: dt.datetime
    tz: dt.tzinfo = attrs.field(factory=timezone)

    @property
    def local_at(self) -> dt.datetime:
        """:attr:`at` in the rules' time zone (a naive ``at`` is taken as UTC)."""
        at = self.at if self.at.tzinfo is not None else self.at.replace(tzinfo=dt.UTC)
        return at.astimezone(self.tz)

    @property
    def today(self) -> dt.date:
        """The calendar date of the step in the rules' time zone (ngày theo giờ Việt Nam)."""
        return self.local_at.date()

    @property
    def catalog(self) -> RegulationCatalog:
        """The catalog references are checked against — the policy's, else the shipped one."""
        if self.policy.catalog is not None:
            return self.policy.catalog
        from lamtheoguongbac.catalog import Catalog  # the catalog imports the rules

        return Catalog.shipped()


RuleCheck = Callable[["Handbook", RuleContext], Iterable[Violation]]


@attrs.frozen(kw_only=True)
class Rule:
    """A named check run at one lifecycle ``stage`` on the handbook the step would produce.

    Plugins contribute rules through the ``register_rules`` hook; codes must be unique
    (built-in codes start with ``LTGB-``; use your own prefix).

    Example:
        >>> import datetime as dt
        >>> import attrs
        >>> from lamtheoguongbac import HandbookStatus
        >>> from lamtheoguongbac.rules import DEFAULT_POLICY, Rule, Severity, Stage, Violation
        >>> from lamtheoguongbac.testing import make_handbook
        >>> def at_most_two(handbook, ctx):
        ...     if len(handbook.pledges) > 2:
        ...         yield Violation(
        ...             code="XA-002",
        ...             severity=Severity.ERROR,
        ...             path="pledges",
        ...             message_vi="Tối đa 2 việc",
        ...             message_en="At most 2 pledges",
        ...         )
        ...
        >>> rule = Rule(
        ...     code="XA-002",
        ...     stage=Stage.REGISTRATION,
        ...     title_vi="Tối đa 2 việc",
        ...     title_en="At most 2 pledges",
        ...     check=at_most_two,
        ... )
        >>> policy = DEFAULT_POLICY.with_rules([rule])
        >>> book = make_handbook(HandbookStatus.REGISTERED)
        >>> extra = attrs.evolve(book.pledges[0], id="viec-3")
        >>> too_many = attrs.evolve(book, pledges=(*book.pledges, extra))
        >>> at = dt.datetime(2025, 1, 20, tzinfo=dt.UTC)
        >>> found = policy.check(Stage.REGISTRATION, too_many, book.member.as_actor(), at)
        >>> [v.message("en") for v in found if v.code.startswith("XA")]
        ['At most 2 pledges']
    """

    code: str
    stage: Stage
    title_vi: str
    title_en: str
    check: Callable[[Handbook, RuleContext], Iterable[Violation]] = attrs.field(
        eq=False, repr=False
    )
