"""lamtheoguongbac — the yearly "Sổ tay Làm theo gương Bác" cycle as a Python library.

Party members register concrete deeds (đăng ký làm theo), report results (báo cáo kết quả)
and assess themselves; the cell's Secretary or Deputy Secretary records the collective
assessment. This package is the public API: import everything from here::

    from lamtheoguongbac import Handbooks, Pledge, QuantityTarget, hookimpl
"""

from importlib.metadata import PackageNotFoundError, version

from lamtheoguongbac.catalog import Catalog, Regulation
from lamtheoguongbac.errors import (
    ConflictError,
    ImportFailed,
    LamTheoGuongBacError,
    NotAuthorised,
    NotFound,
    PluginError,
    RulesViolated,
    StoreError,
    TemplateError,
    TransitionNotAllowed,
    ValidationFailed,
)
from lamtheoguongbac.exemplars import Commendation, Exemplar, ExemplarKind, exemplar_order
from lamtheoguongbac.export.base import Exporter, ExportOptions, Renderer
from lamtheoguongbac.export.batch import ExportResult, export_handbooks
from lamtheoguongbac.export.pdf import PdfConversionError
from lamtheoguongbac.hookspecs import hookimpl
from lamtheoguongbac.linter import LintFinding, TextAnalysis, analyse_text, is_generic, lint_text
from lamtheoguongbac.model import (
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
    Target,
    handbook_id,
)
from lamtheoguongbac.orgtree import OrgTree
from lamtheoguongbac.registry import PluginInfo, Registry, create_registry
from lamtheoguongbac.reminders import LateMember, Reminder, ReminderStage, compute_reminders
from lamtheoguongbac.roster import Roster, read_roster
from lamtheoguongbac.rules import (
    BUILTIN_RULES,
    DEFAULT_POLICY,
    CapCheck,
    Policy,
    Rule,
    RuleContext,
    Severity,
    Stage,
    TopRatingCap,
    Violation,
    cap_figures,
    check_top_rating_cap,
)
from lamtheoguongbac.serde import SCHEMA_VERSION, dumps, from_dict, loads, make_converter, to_dict
from lamtheoguongbac.service import Handbooks, StepResult
from lamtheoguongbac.spreadsheet import XlsxUnavailable
from lamtheoguongbac.storage.base import HandbookQuery, StorageBackend, Store
from lamtheoguongbac.supervision import Rollup
from lamtheoguongbac.text import (
    canonical_key,
    collation_key,
    date_phrase,
    name_sort_key,
    nfc,
    place_date_line,
    sort_vietnamese,
)
from lamtheoguongbac.workflow import (
    Transition,
    assess,
    close,
    register,
    reopen,
    report,
    self_assess,
)

try:
    __version__ = version("lamtheoguongbac")
except PackageNotFoundError:  # running from a source tree without metadata
    __version__ = "0+unknown"

__all__ = [
    "BUILTIN_RULES",
    "DEFAULT_POLICY",
    "SCHEMA_VERSION",
    "Actor",
    "Basis",
    "BasisKind",
    "CapCheck",
    "Catalog",
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
    "ExportOptions",
    "ExportResult",
    "Exporter",
    "Handbook",
    "HandbookQuery",
    "HandbookStatus",
    "Handbooks",
    "ImportFailed",
    "LamTheoGuongBacError",
    "LateMember",
    "LintFinding",
    "Member",
    "MemberStatus",
    "NotAuthorised",
    "NotFound",
    "OrgTree",
    "OrgUnit",
    "Outcome",
    "PdfConversionError",
    "Period",
    "Pledge",
    "PledgeResult",
    "PluginError",
    "PluginInfo",
    "Policy",
    "QuantityTarget",
    "RatingLevel",
    "Registry",
    "Regulation",
    "RegulationRef",
    "Reminder",
    "ReminderStage",
    "Renderer",
    "ResultReport",
    "Role",
    "RoleAssignment",
    "Rollup",
    "Roster",
    "Rule",
    "RuleContext",
    "RulesViolated",
    "SelfAssessment",
    "Severity",
    "Stage",
    "StepResult",
    "StorageBackend",
    "Store",
    "StoreError",
    "StudyTheme",
    "Target",
    "TemplateError",
    "TextAnalysis",
    "TopRatingCap",
    "Transition",
    "TransitionNotAllowed",
    "ValidationFailed",
    "Violation",
    "XlsxUnavailable",
    "__version__",
    "analyse_text",
    "assess",
    "canonical_key",
    "cap_figures",
    "check_top_rating_cap",
    "close",
    "collation_key",
    "compute_reminders",
    "create_registry",
    "date_phrase",
    "dumps",
    "exemplar_order",
    "export_handbooks",
    "from_dict",
    "handbook_id",
    "hookimpl",
    "is_generic",
    "lint_text",
    "loads",
    "make_converter",
    "name_sort_key",
    "nfc",
    "place_date_line",
    "read_roster",
    "register",
    "reopen",
    "report",
    "self_assess",
    "sort_vietnamese",
    "to_dict",
]
