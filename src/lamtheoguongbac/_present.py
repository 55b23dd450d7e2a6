"""Plain-text views of handbooks for terminals and logs (trình bày sổ tay dạng văn bản)."""

from __future__ import annotations

from lamtheoguongbac._model import DeliverableTarget, Handbook
from lamtheoguongbac.text import date_phrase

__all__ = ["describe_handbook"]


def describe_handbook(hb: Handbook, *, lang: str = "vi") -> str:
    """A readable multi-line summary of one handbook, Vietnamese by default."""
    en = lang == "en"
    lines = [
        f"{'Handbook' if en else 'Sổ tay'} {hb.id} — {hb.member.full_name} "
        f"({hb.cell.name}, {hb.year})",
        f"  {'Status' if en else 'Trạng thái'}: "
        f"{hb.status.label_en if en else hb.status.label_vi} (v{hb.version})",
    ]
    if hb.theme is not None:
        lines.append(f"  {'Theme' if en else 'Chuyên đề'}: {hb.theme.title}")
    for i, p in enumerate(hb.pledges, start=1):
        target = f" — {p.target.describe(lang)}" if p.target else ""
        # A deliverable already says its due date; the same deadline is not printed twice.
        said = isinstance(p.target, DeliverableTarget) and p.target.due == p.deadline
        deadline = (
            f" ({'by' if en else 'hạn'} {p.deadline:%d/%m/%Y})" if p.deadline and not said else ""
        )
        lines.append(f"  {i}. {p.deed}{target}{deadline}")
        result = hb.result_for(p.id)
        if result is not None:
            outcome = result.outcome.label_en if en else result.outcome.label_vi
            lines.append(f"     → {outcome}: {result.achieved or result.not_done or ''}")
    if hb.self_assessment is not None:
        lines.append(f"  {'Self-assessment' if en else 'Tự đánh giá'}: {hb.self_assessment.text}")
    ca = hb.collective_assessment
    if ca is not None:
        rating = ca.rating.label_vi if ca.rating else ("not rated" if en else "không xếp loại")
        lines.append(
            f"  {'Cell assessment' if en else 'Chi bộ đánh giá'} "
            f"({date_phrase(ca.meeting_date)}): {rating} — {ca.text}"
        )
        lines.append(f"     T/M CHI BỘ — {ca.recorder_role.label_vi.upper()}: {ca.recorder_name}")
    return "\n".join(lines)
