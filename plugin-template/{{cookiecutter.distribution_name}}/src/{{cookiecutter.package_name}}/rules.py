"""The rules (quy tắc) this plugin adds: small named checks with stable codes.

A rule runs at one lifecycle :class:`~lamtheoguongbac.plugin.Stage` on the handbook the step
would produce and yields :class:`~lamtheoguongbac.plugin.Violation` values: an ``ERROR``
refuses the step, a ``WARNING`` is reported with it. Give every code your own prefix (the
library's is ``LTGB-``). Judge dates with ``ctx.today`` — the date in Viet Nam, or in the
policy's time zone — not ``ctx.at.date()``, which is UTC.
"""

from __future__ import annotations

from collections.abc import Iterator

from lamtheoguongbac import Handbook
from lamtheoguongbac.plugin import Rule, RuleContext, Severity, Stage, Violation

PREFIX = "{{ cookiecutter.name | upper }}"


def shortcoming_named(handbook: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    """Tự soi, tự sửa: each pledge should name the shortcoming it corrects."""
    for i, pledge in enumerate(handbook.pledges):
        if not pledge.shortcoming:
            yield Violation(
                code=f"{PREFIX}-001",
                severity=Severity.WARNING,
                path=f"pledges[{i}].shortcoming",
                message_vi="nên nêu hạn chế mà việc làm khắc phục (tự soi, tự sửa)",
                message_en="name the shortcoming the pledge corrects",
            )


def deadlines_not_past(handbook: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    """A pledge registered today cannot have a deadline already past (Viet Nam date)."""
    for i, pledge in enumerate(handbook.pledges):
        if pledge.deadline is not None and pledge.deadline < ctx.today:
            yield Violation(
                code=f"{PREFIX}-002",
                severity=Severity.ERROR,
                path=f"pledges[{i}].deadline",
                message_vi=f"thời hạn {pledge.deadline:%d/%m/%Y} đã qua",
                message_en=f"the deadline {pledge.deadline.isoformat()} has passed",
            )


RULES = (
    Rule(
        code=f"{PREFIX}-001",
        stage=Stage.REGISTRATION,
        title_vi="Nêu hạn chế cần khắc phục",
        title_en="Shortcoming named",
        check=shortcoming_named,
    ),
    Rule(
        code=f"{PREFIX}-002",
        stage=Stage.REGISTRATION,
        title_vi="Thời hạn chưa qua",
        title_en="Deadline not past",
        check=deadlines_not_past,
    ),
)
