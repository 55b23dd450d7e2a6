"""The built-in rules of the handbook, each with a stable code.

=========  ==================================================================
code       rule
=========  ==================================================================
LTGB-P001  at least ``Policy.min_pledges`` pledges
LTGB-P002  at most ``Policy.max_pledges`` pledges
LTGB-P003  every pledge rests on at least one basis (căn cứ)
LTGB-P004  a pledge's deadline, deliverable due date and checkpoints fall within the
           period
LTGB-P005  a pledge ties to the member's assigned duties
LTGB-L000  the pledge linter: its findings LTGB-L001… mark generic registrations
LTGB-B001  a cited regulation is in the catalog (error for a central "…/TW" document,
           warning for another document given as a structured reference)
LTGB-B002  a cited article exists in the regulation (1…``Regulation.articles``)
LTGB-B003  (warning) a regulation replaced before the handbook's period: names the
           successor and, through the catalog's crosswalk, the new article
LTGB-B004  a regulation is cited under a basis of its own kind (not a study theme…)
LTGB-R001  the report covers every registered pledge
LTGB-R002  the report is dated within the period (plus the policy's grace days)
LTGB-S001  the self-assessment is dated within the period (plus grace days)
LTGB-A001  only the cell's Bí thư or Phó Bí thư, holding the role on the meeting
           date, records the collective assessment
LTGB-A002  the assessment meeting comes after the report
LTGB-A003  members not rated by their standing (suspended; exempt when the policy says
           so) get no rating
LTGB-A004  where the policy records the rating in the handbook, a member whose standing
           is rated gets one
LTGB-A005  the self-assessment is written before the collective assessment
LTGB-A006  (warning) the recorder is not writing into their own handbook
LTGB-A007  the assessment meeting has taken place (not dated after the step)
=========  ==================================================================

The aggregate rule over many handbooks (the top-rating cap, LTGB-C001) lives in
:mod:`lamtheoguongbac.rules._aggregate`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lamtheoguongbac._linter import L007, lint_text, relates_to_duties
from lamtheoguongbac._model import Basis, DeliverableTarget, Handbook, MemberStatus, Role
from lamtheoguongbac.rules._base import Rule, RuleContext, Severity, Stage, Violation
from lamtheoguongbac.text import canonical_key, nfc

if TYPE_CHECKING:
    from lamtheoguongbac.catalog import Regulation

__all__ = ["BUILTIN_RULES"]

E, W = Severity.ERROR, Severity.WARNING


def _pledge_min(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    n, policy = len(hb.pledges), ctx.policy
    if n < policy.min_pledges:
        yield Violation(
            code="LTGB-P001",
            severity=E,
            path="pledges",
            message_vi=f"cần đăng ký ít nhất {policy.min_pledges} việc làm, mới có {n}",
            message_en=f"at least {policy.min_pledges} pledges are required, found {n}",
        )


def _pledge_max(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    n, policy = len(hb.pledges), ctx.policy
    if n > policy.max_pledges:
        yield Violation(
            code="LTGB-P002",
            severity=E,
            path="pledges",
            message_vi=f"đăng ký tối đa {policy.max_pledges} việc làm, đang có {n}",
            message_en=f"at most {policy.max_pledges} pledges are allowed, found {n}",
        )


def _pledge_bases(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    for i, p in enumerate(hb.pledges):
        if not p.bases:
            yield Violation(
                code="LTGB-P003",
                severity=E,
                path=f"pledges[{i}].bases",
                message_vi=f"việc làm '{p.id}' chưa có căn cứ (chuyên đề, quy định, chuẩn mực…)",
                message_en=f"pledge '{p.id}' has no basis (theme, regulation, norms…)",
            )


def _pledge_dates(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    for i, p in enumerate(hb.pledges):
        # a deliverable's due date is a deadline too ("01 sáng kiến" by 30/11)
        due = p.target.due if isinstance(p.target, DeliverableTarget) else None
        dated = [("deadline", p.deadline), ("target.due", due)] + [
            (f"checkpoints[{j}].due", c.due) for j, c in enumerate(p.checkpoints)
        ]
        for name, day in dated:
            if day is not None and not hb.period.contains(day):
                yield Violation(
                    code="LTGB-P004",
                    severity=E,
                    path=f"pledges[{i}].{name}",
                    message_vi=f"ngày {day:%d/%m/%Y} nằm ngoài kỳ của sổ",
                    message_en=f"{day.isoformat()} is outside the handbook's period",
                )


def _pledge_duties(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    duties = tuple(d for d in (*hb.member.duties, hb.member.position) if d)
    if not ctx.policy.require_duty_link or not duties:
        return
    duty_keys = {_loose_key(d) for d in duties}
    for i, p in enumerate(hb.pledges):
        if p.task is not None and _loose_key(p.task) in duty_keys:
            continue  # the task *is* one of the listed duties, word for word
        text = " ".join(t for t in (p.deed, p.task) if t)
        if not relates_to_duties(text, duties):
            yield Violation(
                code="LTGB-P005",
                severity=W,
                path=f"pledges[{i}]",
                message_vi=f"việc làm '{p.id}' chưa gắn với chức trách, nhiệm vụ được giao; "
                "hãy nêu rõ nhiệm vụ mà việc làm phục vụ",
                message_en=f"pledge '{p.id}' does not tie to the member's assigned duties",
            )


@functools.lru_cache(maxsize=4096)  # duties and positions repeat across a roster
def _loose_key(text: str) -> str:
    """Case, tone placement, spacing and punctuation set aside ("Tiếp nhận, trả kết quả." ==
    "tiếp nhận trả kết quả")."""
    return " ".join("".join(c if c.isalnum() else " " for c in canonical_key(text)).split())


# --- references to regulations (căn cứ văn bản) ---------------------------------------------

# A party document number ("37-QĐ/TW", "08-QĐi/TW", "21-HD/BTCTW"), optionally after "Điều N"
# and the document's type, as written in a basis or a deed. State documents ("123/QĐ-UBND")
# have another shape and are not party regulations: they are left alone.
_CITED = re.compile(
    r"(?:\bĐiều\s+(?P<article>\d{1,3})\s*,?\s+(?:(?:của|tại|trong|theo)\s+)?"
    r"(?:(?:Quy\s+định|Quy\s+chế|Nghị\s+quyết|Chỉ\s+thị|Kết\s+luận|Hướng\s+dẫn)\s+)?"
    r"(?:số\s+)?)?"
    r"(?P<code>\b\d{1,4}\s*[-–]\s*[^\W\d_]{1,6}\s*/\s*[^\W\d_]{1,10}\b)",
    re.IGNORECASE,
)


# What every citation holds: a number and a dash. Most texts have none, and this finds that
# without trying the full pattern (its optional "Điều N" part) at every position.
_MAY_CITE = re.compile(r"\d\s*[-–]")


def _cited(text: str) -> Iterator[tuple[str, int | None]]:
    text = nfc(text)
    if _MAY_CITE.search(text) is None:
        return
    for m in _CITED.finditer(text):
        article = m.group("article")
        yield " ".join(m.group("code").split()), int(article) if article else None


def _central(code: str) -> bool:
    """A Central Committee document ("…/TW", "…/BTCTW", "…/VPTW")."""
    return canonical_key(code).replace(" ", "").endswith("tw")


_Reference = tuple[str, Basis | None, str, int | None, bool]
# The four reference rules of one check read the same handbook: its references are found
# once (the last handbook's, by identity; a tuple swap is atomic across threads).
_last_references: tuple[Handbook | None, tuple[_Reference, ...]] = (None, ())


def _references(hb: Handbook) -> tuple[_Reference, ...]:
    """(path, basis, code, article, structured) for every regulation a pledge cites."""
    global _last_references
    last, found = _last_references
    if last is not hb:
        found = tuple(_find_references(hb))
        _last_references = (hb, found)
    return found


def _find_references(hb: Handbook) -> Iterator[_Reference]:
    for i, p in enumerate(hb.pledges):
        for j, b in enumerate(p.bases):
            where = f"pledges[{i}].bases[{j}]"
            if b.reference is not None:
                yield f"{where}.reference", b, b.reference.regulation, b.reference.article, True
            elif b.text:
                for code, article in _cited(b.text):
                    yield f"{where}.text", b, code, article, False
        for code, article in _cited(p.deed):
            yield f"pledges[{i}].deed", None, code, article, False


def _reference_known(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    catalog = ctx.catalog
    for path, _, code, _, structured in _references(hb):
        if catalog.regulation(code) is not None or not (structured or _central(code)):
            continue
        central = _central(code)
        yield Violation(
            code="LTGB-B001",
            severity=E if central else W,
            path=path,
            message_vi=f"văn bản '{code}' không có trong danh mục"
            + (
                "; kiểm tra lại số hiệu"
                if central
                else "; nếu là văn bản của cấp ủy, hãy bổ sung vào tệp danh mục riêng"
            ),
            message_en=f"regulation '{code}' is not in the catalog"
            + ("; check the number" if central else "; add a local document to your catalog file"),
        )


def _reference_article(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    catalog = ctx.catalog
    for path, _, code, article, _ in _references(hb):
        reg = catalog.regulation(code)
        if reg is None or article is None or reg.articles is None or article <= reg.articles:
            continue
        yield Violation(
            code="LTGB-B002",
            severity=E,
            path=path,
            message_vi=f"Quy định {reg.code} chỉ có {reg.articles} điều, không có Điều {article}",
            message_en=f"{reg.code} has {reg.articles} articles; there is no article {article}",
        )


def _new_article(successor: Regulation, article: int | None) -> tuple[str, str]:
    if article is None:
        return "", ""
    entry = successor.article_for(article)
    if entry is None:
        return (
            f"; danh mục chưa có điều tương ứng với Điều {article}, hãy đối chiếu văn bản",
            f"; the catalog has no counterpart for article {article}: check the text",
        )
    if entry.new is None:
        return (
            f"; Điều {article} không còn điều tương ứng",
            f"; article {article} has no counterpart",
        )
    unsure_vi, unsure_en = ("", "") if entry.verified else (" (chưa xác minh)", " (unverified)")
    return (
        f"; Điều {article} nay là Điều {entry.new} Quy định {successor.code}{unsure_vi}",
        f"; article {article} is now article {entry.new} of {successor.code}{unsure_en}",
    )


def _reference_current(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    catalog = ctx.catalog
    for path, _, code, article, _ in _references(hb):
        reg = catalog.regulation(code)
        successor = catalog.successor(reg.code) if reg is not None else None
        if reg is None or successor is None or successor.issued_on is None:
            continue
        if hb.period.start <= successor.issued_on:
            continue  # cited for a period that began while it was still in force
        vi, en = _new_article(successor, article)
        yield Violation(
            code="LTGB-B003",
            severity=W,
            path=path,
            message_vi=f"Quy định {reg.code} đã được thay thế bởi {successor.code} ngày "
            f"{successor.issued_on:%d/%m/%Y}; hãy dẫn chiếu {successor.code}{vi}",
            message_en=f"{reg.code} was replaced by {successor.code} on "
            f"{successor.issued_on.isoformat()}; cite {successor.code}{en}",
        )


def _reference_kind(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    catalog = ctx.catalog
    for path, basis, code, _, _ in _references(hb):
        reg = catalog.regulation(code)
        if basis is None or reg is None or reg.files_as(basis.kind):
            continue
        yield Violation(
            code="LTGB-B004",
            severity=E,
            path=path.rsplit(".", 1)[0] + ".kind",
            message_vi=f"{reg.code} thuộc loại căn cứ '{reg.kind.label_vi}', không phải "
            f"'{basis.kind.label_vi}'",
            message_en=f"{reg.code} is a basis of kind '{reg.kind.label_en}', not "
            f"'{basis.kind.label_en}'",
        )


def _pledge_linter(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    # Only findings that make a pledge generic can block; the others (no deadline, vague
    # words, a regulation number taken for a target) explain and advise.
    # A text typed without diacritics blocks too: it cannot be judged, nor printed as is.
    blocking = E if ctx.policy.linter_blocks else W
    work = tuple(w for w in (hb.member.position, *hb.member.duties) if w)
    for i, p in enumerate(hb.pledges):
        text = p.deed if p.target is None else f"{p.deed} {p.target.describe()}"
        findings = lint_text(
            text,
            target_given=p.target is not None,
            deadline_given=p.deadline is not None or bool(p.checkpoints),
            work=work,
        )
        for f in findings:
            yield Violation(
                code=f.code,
                severity=blocking if f.marks_generic or f.code == L007 else W,
                path=f"pledges[{i}].deed",
                message_vi=f"{f.message_vi} — {f.hint_vi}",
                message_en=f"{f.message_en} — {f.hint_en}",
            )


def _within(hb: Handbook, ctx: RuleContext, day: dt.date) -> bool:
    grace = dt.timedelta(days=ctx.policy.report_grace_days)
    return hb.period.start <= day <= hb.period.end + grace


def _report_covers(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    assert hb.report is not None
    reported = {r.pledge_id for r in hb.report.results}
    for i, p in enumerate(hb.pledges):
        if p.id not in reported:
            yield Violation(
                code="LTGB-R001",
                severity=E,
                path=f"report.results (pledges[{i}])",
                message_vi=f"báo cáo chưa có kết quả của việc làm '{p.id}'",
                message_en=f"the report has no result for pledge '{p.id}'",
            )


def _report_date(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    assert hb.report is not None
    day = hb.report.submitted_on
    if not _within(hb, ctx, day):
        yield Violation(
            code="LTGB-R002",
            severity=E,
            path="report.submitted_on",
            message_vi=f"ngày báo cáo {day:%d/%m/%Y} nằm ngoài kỳ của sổ",
            message_en=f"report date {day.isoformat()} is outside the handbook's period",
        )


def _self_assessment_date(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    assert hb.self_assessment is not None
    day = hb.self_assessment.written_on
    if not _within(hb, ctx, day):
        yield Violation(
            code="LTGB-S001",
            severity=E,
            path="self_assessment.written_on",
            message_vi=f"ngày tự đánh giá {day:%d/%m/%Y} nằm ngoài kỳ của sổ",
            message_en=f"self-assessment date {day.isoformat()} is outside the period",
        )


_RECORDERS = frozenset({Role.SECRETARY, Role.DEPUTY_SECRETARY})


def _assessment_recorder(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    ca = hb.collective_assessment
    assert ca is not None
    held = ctx.actor.roles_on(ca.meeting_date, hb.cell.id)
    if ctx.actor.id != ca.recorded_by or ca.recorder_role not in held & _RECORDERS:
        yield Violation(
            code="LTGB-A001",
            severity=E,
            path="collective_assessment.recorded_by",
            message_vi="chỉ Bí thư hoặc Phó Bí thư của chi bộ (đang giữ chức vụ vào ngày họp) "
            f"mới được ghi nhận xét của tập thể; {ctx.actor.name} không đủ điều kiện",
            message_en="only the cell's Secretary or Deputy Secretary holding the role on the "
            f"meeting date may record the collective assessment; {ctx.actor.name} may not",
        )
    elif canonical_key(ca.recorder_name) != canonical_key(ctx.actor.name):
        # The name under "T/M CHI BỘ" is printed and signed: it must be the recorder's own.
        yield Violation(
            code="LTGB-A001",
            severity=E,
            path="collective_assessment.recorder_name",
            message_vi=f"tên người ký '{ca.recorder_name}' khác người ghi nhận xét "
            f"'{ctx.actor.name}'",
            message_en=f"the signing name '{ca.recorder_name}' is not the recorder's "
            f"('{ctx.actor.name}')",
        )


def _assessment_after_report(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    ca, report = hb.collective_assessment, hb.report
    if ca is None or report is None:  # the model guarantees both once assessed
        return
    if ca.meeting_date < report.submitted_on:
        yield Violation(
            code="LTGB-A002",
            severity=E,
            path="collective_assessment.meeting_date",
            message_vi=f"cuộc họp ngày {ca.meeting_date:%d/%m/%Y} diễn ra trước khi đảng viên "
            f"báo cáo ({report.submitted_on:%d/%m/%Y})",
            message_en="the assessment meeting is dated before the member's report",
        )


def _suspended_not_rated(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    ca = hb.collective_assessment
    assert ca is not None
    if ca.rating is None or ctx.policy.rating_rule(hb.member.status) != "none":
        return
    if hb.member.status is MemberStatus.SUSPENDED:
        vi, en = "đảng viên đang bị đình chỉ sinh hoạt không được xếp loại", "a suspended member"
    else:
        vi = "theo quy định áp dụng, đảng viên được miễn công tác và sinh hoạt đảng không xếp loại"
        en = "under the policy, a member exempt from party work"
    yield Violation(
        code="LTGB-A003",
        severity=E,
        path="collective_assessment.rating",
        message_vi=vi,
        message_en=f"{en} is not rated",
    )


def _rating_given(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    ca = hb.collective_assessment
    assert ca is not None
    policy = ctx.policy
    # The rating is the rating process's: required here only where the book records it.
    if not (policy.rating_in_handbook and policy.require_rating) or ca.rating is not None:
        return
    if policy.rating_rule(hb.member.status) == "required":
        yield Violation(
            code="LTGB-A004",
            severity=E,
            path="collective_assessment.rating",
            message_vi="cần ghi mức xếp loại (quy định áp dụng ghi xếp loại vào sổ tay)",
            message_en="a rating level is required (the policy records it in the handbook)",
        )


def _assessment_self(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    sa, ca = hb.self_assessment, hb.collective_assessment
    if ctx.policy.require_self_assessment and sa is None:
        yield Violation(
            code="LTGB-A005",
            severity=E,
            path="self_assessment",
            message_vi="đảng viên chưa viết phần tự nhận xét, đánh giá",
            message_en="the member has not written the self-assessment",
        )
    elif sa is not None and ca is not None and sa.written_on > ca.meeting_date:
        yield Violation(
            code="LTGB-A005",
            severity=E,
            path="self_assessment.written_on",
            message_vi=f"phần tự đánh giá ghi ngày {sa.written_on:%d/%m/%Y}, sau cuộc họp chi bộ "
            f"ngày {ca.meeting_date:%d/%m/%Y}",
            message_en="the self-assessment is dated after the cell's assessment meeting",
        )


def _assessment_own(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    ca = hb.collective_assessment
    if ca is not None and ca.recorded_by == hb.member.id:
        # A cell with only a Bí thư has nobody else to write it, so this advises only.
        yield Violation(
            code="LTGB-A006",
            severity=W,
            path="collective_assessment.recorded_by",
            message_vi="đồng chí đang tự ghi nhận xét của chi bộ vào sổ của chính mình; nên để "
            "Phó Bí thư ghi nếu chi bộ có Phó Bí thư",
            message_en="the recorder is writing the cell's assessment into their own handbook; "
            "let the Deputy Secretary record it where the cell has one",
        )


def _meeting_has_happened(hb: Handbook, ctx: RuleContext) -> Iterator[Violation]:
    ca = hb.collective_assessment
    if ca is not None and ca.meeting_date > ctx.today:
        yield Violation(
            code="LTGB-A007",
            severity=E,
            path="collective_assessment.meeting_date",
            message_vi=f"cuộc họp chi bộ ngày {ca.meeting_date:%d/%m/%Y} chưa diễn ra",
            message_en=f"the cell meeting of {ca.meeting_date.isoformat()} has not happened yet",
        )


BUILTIN_RULES: tuple[Rule, ...] = (
    Rule(
        code="LTGB-P001",
        stage=Stage.REGISTRATION,
        title_vi="Số việc đăng ký tối thiểu",
        title_en="Minimum number of pledges",
        check=_pledge_min,
    ),
    Rule(
        code="LTGB-P002",
        stage=Stage.REGISTRATION,
        title_vi="Số việc đăng ký tối đa",
        title_en="Maximum number of pledges",
        check=_pledge_max,
    ),
    Rule(
        code="LTGB-P003",
        stage=Stage.REGISTRATION,
        title_vi="Căn cứ của việc làm",
        title_en="Basis of each pledge",
        check=_pledge_bases,
    ),
    Rule(
        code="LTGB-P004",
        stage=Stage.REGISTRATION,
        title_vi="Thời hạn trong kỳ",
        title_en="Deadlines within the period",
        check=_pledge_dates,
    ),
    Rule(
        code="LTGB-P005",
        stage=Stage.REGISTRATION,
        title_vi="Gắn với nhiệm vụ được giao",
        title_en="Tied to assigned duties",
        check=_pledge_duties,
    ),
    Rule(
        code="LTGB-L000",
        stage=Stage.REGISTRATION,
        title_vi="Không đăng ký chung chung",
        title_en="No generic pledges",
        check=_pledge_linter,
    ),
    Rule(
        code="LTGB-B001",
        stage=Stage.REGISTRATION,
        title_vi="Văn bản dẫn chiếu có trong danh mục",
        title_en="Cited regulation is known",
        check=_reference_known,
    ),
    Rule(
        code="LTGB-B002",
        stage=Stage.REGISTRATION,
        title_vi="Điều dẫn chiếu có trong văn bản",
        title_en="Cited article exists",
        check=_reference_article,
    ),
    Rule(
        code="LTGB-B003",
        stage=Stage.REGISTRATION,
        title_vi="Văn bản dẫn chiếu còn hiệu lực",
        title_en="Cited regulation still in force",
        check=_reference_current,
    ),
    Rule(
        code="LTGB-B004",
        stage=Stage.REGISTRATION,
        title_vi="Căn cứ đúng loại",
        title_en="Basis of the right kind",
        check=_reference_kind,
    ),
    Rule(
        code="LTGB-R001",
        stage=Stage.REPORT,
        title_vi="Báo cáo đủ các việc",
        title_en="Report covers every pledge",
        check=_report_covers,
    ),
    Rule(
        code="LTGB-R002",
        stage=Stage.REPORT,
        title_vi="Ngày báo cáo trong kỳ",
        title_en="Report within the period",
        check=_report_date,
    ),
    Rule(
        code="LTGB-S001",
        stage=Stage.SELF_ASSESSMENT,
        title_vi="Ngày tự đánh giá trong kỳ",
        title_en="Self-assessment within the period",
        check=_self_assessment_date,
    ),
    Rule(
        code="LTGB-A001",
        stage=Stage.ASSESSMENT,
        title_vi="Người ghi nhận xét của chi bộ",
        title_en="Who records the assessment",
        check=_assessment_recorder,
    ),
    Rule(
        code="LTGB-A002",
        stage=Stage.ASSESSMENT,
        title_vi="Đánh giá sau báo cáo",
        title_en="Assessment after the report",
        check=_assessment_after_report,
    ),
    Rule(
        code="LTGB-A003",
        stage=Stage.ASSESSMENT,
        title_vi="Không xếp loại đảng viên bị đình chỉ (hoặc miễn sinh hoạt, tùy quy định)",
        title_en="Suspended (or, by policy, exempt) members are not rated",
        check=_suspended_not_rated,
    ),
    Rule(
        code="LTGB-A004",
        stage=Stage.ASSESSMENT,
        title_vi="Có mức xếp loại khi sổ tay ghi xếp loại",
        title_en="A rating is given where the handbook records it",
        check=_rating_given,
    ),
    Rule(
        code="LTGB-A005",
        stage=Stage.ASSESSMENT,
        title_vi="Có tự đánh giá",
        title_en="Self-assessment present",
        check=_assessment_self,
    ),
    Rule(
        code="LTGB-A006",
        stage=Stage.ASSESSMENT,
        title_vi="Không tự ghi đánh giá cho mình",
        title_en="Not recording one's own assessment",
        check=_assessment_own,
    ),
    Rule(
        code="LTGB-A007",
        stage=Stage.ASSESSMENT,
        title_vi="Cuộc họp đã diễn ra",
        title_en="The meeting has taken place",
        check=_meeting_has_happened,
    ),
)
