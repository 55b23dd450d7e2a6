"""Supervision results (kiểm tra, giám sát): what ``handbooks.supervision`` returns.

Roll-ups of where every cell stands in a year (:class:`Rollup`, tổng hợp) and reminders of
who is late (:class:`Reminder`, nhắc việc).
"""

from lamtheoguongbac._public import publish_namespace
from lamtheoguongbac._reminders import LateMember, Reminder, ReminderStage, compute_reminders
from lamtheoguongbac._rollup import CellRollup, Figures, RatingCounts, Rollup, summarise

__all__ = [
    "CellRollup",
    "Figures",
    "LateMember",
    "RatingCounts",
    "Reminder",
    "ReminderStage",
    "Rollup",
    "compute_reminders",
    "summarise",
]


publish_namespace(__name__, {n: globals()[n] for n in __all__})
