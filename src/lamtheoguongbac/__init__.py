"""lamtheoguongbac — the yearly "Sổ tay Làm theo gương Bác" cycle as a Python library.

Party members register concrete deeds (đăng ký làm theo), report results (báo cáo kết quả)
and assess themselves; the cell's Secretary or Deputy Secretary records the collective
assessment. The root holds what an embedding developer touches — the :class:`Handbooks`
service, the vocabulary, the errors and :data:`hookimpl`::

    from lamtheoguongbac import Handbooks, Pledge, QuantityTarget, hookimpl

The rest lives in a few public namespaces, one job each: :mod:`lamtheoguongbac.plugin`
(for plugin authors), :mod:`lamtheoguongbac.rules`, :mod:`lamtheoguongbac.text`,
:mod:`lamtheoguongbac.serde`, :mod:`lamtheoguongbac.export`,
:mod:`lamtheoguongbac.spreadsheet`, :mod:`lamtheoguongbac.supervision`,
:mod:`lamtheoguongbac.catalog` and :mod:`lamtheoguongbac.testing`. Every other module is
private. Names load on first use, so ``import lamtheoguongbac`` stays fast.
"""

from __future__ import annotations

import importlib

# Not `from typing import TYPE_CHECKING`: importing typing is a good part of the root's
# start-up time; type checkers treat this name the same way.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from lamtheoguongbac._errors import (
        ConflictError,
        ImportFailed,
        LamTheoGuongBacError,
        NotAuthorised,
        NotFound,
        PluginError,
        Problem,
        RulesViolated,
        StoreError,
        TemplateError,
        TransitionNotAllowed,
        ValidationFailed,
    )
    from lamtheoguongbac._exemplars import Commendation, Exemplar, ExemplarKind
    from lamtheoguongbac._hookspecs import hookimpl
    from lamtheoguongbac._model import (
        Actor,
        Basis,
        BasisKind,
        Checkpoint,
        ClearedContent,
        CollectiveAssessment,
        DeliverableTarget,
        Event,
        EventKind,
        Handbook,
        HandbookStatus,
        Member,
        MemberStatus,
        OrgUnit,
        Outcome,
        Period,
        Pledge,
        PledgeResult,
        QuantityTarget,
        RatingLevel,
        RegulationRef,
        ResultReport,
        Role,
        RoleAssignment,
        SelfAssessment,
        StudyTheme,
    )
    from lamtheoguongbac._service.core import Handbooks, StepResult

    __version__: str

_ERRORS = (
    "ConflictError",
    "ImportFailed",
    "LamTheoGuongBacError",
    "NotAuthorised",
    "NotFound",
    "PluginError",
    "Problem",
    "RulesViolated",
    "StoreError",
    "TemplateError",
    "TransitionNotAllowed",
    "ValidationFailed",
)
_MODEL = (
    "Actor",
    "Basis",
    "BasisKind",
    "Checkpoint",
    "ClearedContent",
    "CollectiveAssessment",
    "DeliverableTarget",
    "Event",
    "EventKind",
    "Handbook",
    "HandbookStatus",
    "Member",
    "MemberStatus",
    "OrgUnit",
    "Outcome",
    "Period",
    "Pledge",
    "PledgeResult",
    "QuantityTarget",
    "RatingLevel",
    "RegulationRef",
    "ResultReport",
    "Role",
    "RoleAssignment",
    "SelfAssessment",
    "StudyTheme",
)
#: where each public name is defined (a private module of this package)
_HOMES: dict[str, str] = {
    **dict.fromkeys(_ERRORS, "_errors"),
    **dict.fromkeys(_MODEL, "_model"),
    **dict.fromkeys(("Commendation", "Exemplar", "ExemplarKind"), "_exemplars"),
    "Handbooks": "_service.core",
    "StepResult": "_service.core",
    "hookimpl": "_hookspecs",
}

__all__ = [
    "Actor",
    "Basis",
    "BasisKind",
    "Checkpoint",
    "ClearedContent",
    "CollectiveAssessment",
    "Commendation",
    "ConflictError",
    "DeliverableTarget",
    "Event",
    "EventKind",
    "Exemplar",
    "ExemplarKind",
    "Handbook",
    "HandbookStatus",
    "Handbooks",
    "ImportFailed",
    "LamTheoGuongBacError",
    "Member",
    "MemberStatus",
    "NotAuthorised",
    "NotFound",
    "OrgUnit",
    "Outcome",
    "Period",
    "Pledge",
    "PledgeResult",
    "PluginError",
    "Problem",
    "QuantityTarget",
    "RatingLevel",
    "RegulationRef",
    "ResultReport",
    "Role",
    "RoleAssignment",
    "RulesViolated",
    "SelfAssessment",
    "StepResult",
    "StoreError",
    "StudyTheme",
    "TemplateError",
    "TransitionNotAllowed",
    "ValidationFailed",
    "__version__",
    "hookimpl",
]


def _library_version() -> str:
    # Written in the source, not read from the installed metadata: importing
    # importlib.metadata costs more than the rest of ``import lamtheoguongbac``.
    from lamtheoguongbac._version import __version__

    return __version__


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _library_version()
    elif name in _HOMES:
        value = getattr(importlib.import_module(f"{__name__}.{_HOMES[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
