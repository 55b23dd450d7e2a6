"""The default handbook read as a printed book: rendered to PDF with LibreOffice and read back
with pdftotext, page by page, checking what each page says and in what order."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import attrs
import pytest

from lamtheoguongbac import (
    CollectiveAssessment,
    Handbook,
    Handbooks,
    HandbookStatus,
    MemberStatus,
    Period,
    Role,
)
from lamtheoguongbac.export import convert_to_pdf, export_handbooks
from lamtheoguongbac.rules import Policy
from lamtheoguongbac.testing import make_handbook, make_roster

pytestmark = pytest.mark.soffice
ICT = dt.timezone(dt.timedelta(hours=7))


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    return text.split("\f")


def _in_order(text: str, *pieces: str) -> None:
    positions = [text.find(p) for p in pieces]
    assert -1 not in positions, list(zip(pieces, positions, strict=True))
    assert positions == sorted(positions), list(zip(pieces, positions, strict=True))


def _printed(books: list[Handbook], tmp_path: Path, policy: Policy | None = None) -> list[Path]:
    docs = export_handbooks(tmp_path / "docx", books, policy=policy or Policy()).written
    return list(convert_to_pdf(tmp_path / "pdf", docs, jobs=2).written)


class _Calendar:
    def __init__(self) -> None:
        self.day = dt.date(2025, 1, 20)

    def __call__(self) -> dt.datetime:
        return dt.datetime.combine(self.day, dt.time(8), tzinfo=ICT)


def _term_book() -> Handbook:
    """A 2025–2027 book taken through the service: registered, reviewed at the end of 2025,
    supplemented for 2026 without reopening."""
    roster = make_roster(cells=1, members_per_cell=3)
    secretary, member = roster.members[0], roster.members[1]
    cell = roster.organisation(member.cell_id)
    calendar = _Calendar()
    with Handbooks.open("memory:", clock=calendar) as service:
        service.roster.save(roster.units, roster.members)
        book = service.create(member.id, period=Period.term(2025, 2027), actor=secretary)
        pledges = make_handbook(
            HandbookStatus.REGISTERED, member=member, organisation=cell, secretary=secretary
        ).pledges
        service.register_pledges(book.id, pledges, actor=member)
        reported = make_handbook(
            HandbookStatus.REPORTED, member=member, organisation=cell, secretary=secretary
        ).report
        assert reported is not None
        calendar.day = dt.date(2025, 12, 10)
        service.report_interim(
            book.id,
            attrs.evolve(reported, submitted_on=calendar.day),
            checkpoint=dt.date(2025, 12, 31),
            actor=member,
        )
        calendar.day = dt.date(2026, 1, 20)
        added = attrs.evolve(pledges[0], id="bs-2026", deadline=dt.date(2026, 11, 30))
        return service.supplement_pledges(book.id, [added], year=2026, actor=member).handbook


def test_a_yearly_handbook_reads_right_as_a_printed_book(tmp_path: Path) -> None:
    book = make_handbook(HandbookStatus.ASSESSED)
    [pdf] = _printed([book], tmp_path)
    pages = _pages(pdf)
    cover, whole = pages[0], "\n".join(pages)

    # The cover: the header, the title, the year, the member — and no place-date line.
    _in_order(cover, "ĐẢNG CỘNG SẢN VIỆT NAM", "SỔ TAY", "LÀM THEO GƯƠNG BÁC", "NĂM 2025")
    assert "ngày" not in cover
    assert "Chi bộ: Chi bộ" not in cover
    assert "Sinh hoạt tại: " + book.cell.name in cover
    # Section I shows the standing and the card number; the registration is dated and signed.
    assert book.registered_on is not None
    registered = f"ngày {book.registered_on:%d} tháng {book.registered_on:%m} năm 2025"
    _in_order(
        whole,
        "I. THÔNG TIN CỦA ĐẢNG VIÊN",
        "4. Tình trạng đảng viên: Đảng viên chính thức",
        f"5. Số thẻ đảng viên: {book.member.party_card_number}",
        "II. ĐĂNG KÝ VIỆC LÀM THEO GƯƠNG BÁC NĂM 2025",
        registered,
        "NGƯỜI ĐĂNG KÝ",
        "III. KẾT QUẢ THỰC HIỆN",
        "IV. TỰ NHẬN XÉT",
        "NGƯỜI TỰ ĐÁNH GIÁ",
        "V. NHẬN XÉT, ĐÁNH GIÁ CỦA TẬP THỂ CHI BỘ",
        "T/M CHI BỘ",
        "BÍ THƯ",
    )
    assert "Tự soi, tự sửa:" in whole
    # No rating by default: the book is evidence for the rating, not the rating.
    assert "xếp loại" not in whole.lower()
    assert "Hoàn thành tốt nhiệm vụ" not in whole
    # The footer keeps its right tab: the page number stands apart from the text.
    for page in pages[1:-1]:
        footer = [line for line in page.splitlines() if "Sổ tay Làm theo gương Bác" in line][-1]
        assert "năm 2025Trang" not in footer
        assert "   Trang " in footer


def test_a_province_that_prints_the_rating_and_a_suspended_member(tmp_path: Path) -> None:
    book = make_handbook(HandbookStatus.ASSESSED, index=1)
    ca = book.collective_assessment
    assert isinstance(ca, CollectiveAssessment)
    suspended = attrs.evolve(
        book,
        id="suspended",
        member=attrs.evolve(book.member, status=MemberStatus.SUSPENDED),
        collective_assessment=attrs.evolve(ca, rating=None, recorder_role=Role.SECRETARY),
    )
    rated, unrated = _printed([book, suspended], tmp_path, Policy(rating_in_handbook=True))

    text = "\n".join(_pages(rated))
    _in_order(text, "V. NHẬN XÉT", "Chi bộ xếp loại: Hoàn thành tốt nhiệm vụ (HTTNV)", "T/M CHI BỘ")
    text = "\n".join(_pages(unrated))
    assert "4. Tình trạng đảng viên: Đình chỉ sinh hoạt đảng" in text
    _in_order(
        text,
        "V. NHẬN XÉT",
        "Chi bộ xếp loại: Không xếp loại (đảng viên đang bị",
        "T/M CHI BỘ",
    )
    assert "Chi bộ xếp loại: ....." not in text


def test_a_term_book_prints_its_term_supplements_and_reviews(tmp_path: Path) -> None:
    book = _term_book()
    [pdf] = _printed([book], tmp_path)
    pages = _pages(pdf)
    whole = "\n".join(pages)

    assert "NHIỆM KỲ 2025–2027" in pages[0]
    assert "NĂM 2025" not in pages[0]
    _in_order(
        whole,
        "II. ĐĂNG KÝ VIỆC LÀM THEO GƯƠNG BÁC NHIỆM KỲ 2025–2027",
        "ngày 20 tháng 01 năm 2025",
        "NGƯỜI ĐĂNG KÝ",
        "ĐĂNG KÝ BỔ SUNG NĂM 2026",
        "ngày 20 tháng 01 năm 2026",
        "III. KẾT QUẢ THỰC HIỆN",
        "1. Kiểm điểm năm 2025",
        "2. Kết quả cuối nhiệm kỳ",
        "(bổ sung năm 2026)",
    )
    assert "Sổ tay Làm theo gương Bác nhiệm kỳ 2025–2027" in pages[1]
