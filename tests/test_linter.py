"""Tests for lamtheoguongbac._linter: concrete deeds versus generic pledges (DOMAIN.md §1.2)."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lamtheoguongbac._linter import EXAMPLES_FILE, GENERIC_CODES, STOCK_PHRASES, relates_to_duties
from lamtheoguongbac.rules import (
    LintFinding,
    TextAnalysis,
    analyse_text,
    example_for,
    is_generic,
    lint_text,
)
from lamtheoguongbac.text import canonical_key, nfc, nfd

DATA = Path(__file__).parent / "data" / "pledges.jsonl"
# Written before the linter was tuned on DATA, and never tuned on: A was run once before the
# tuning, B only after it. Their figures are reported, with a lower floor than DATA's.
HELD_OUT = [DATA.with_name("pledges-heldout.jsonl"), DATA.with_name("pledges-heldout-b.jsonl")]
VIETNAMESE_MARKS = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]"
)


def load_pledges(path: Path = DATA) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def codes(text: str, **kwargs: bool) -> list[str]:
    return [f.code for f in lint_text(text, **kwargs)]


def only(findings: tuple[LintFinding, ...], code: str) -> list[LintFinding]:
    return [f for f in findings if f.code == code]


# --- the data file -----------------------------------------------------------------------------


def test_data_file_is_large_balanced_and_covers_the_hard_cases() -> None:
    rows = load_pledges()
    assert len(rows) >= 150
    assert all(set(r) == {"text", "generic", "note"} for r in rows)
    assert len({canonical_key(r["text"]) for r in rows}) == len(rows), "no duplicates"
    judged = [r for r in rows if r["generic"] is not None]
    generic = sum(r["generic"] for r in judged)
    assert 0.4 <= generic / len(judged) <= 0.6
    texts = [nfc(r["text"]) for r in rows]
    assert any(not unicodedata.is_normalized("NFC", r["text"]) for r in rows), "an NFD pledge"
    assert any("hoà" in t for t in texts)
    assert any("hòa" in t for t in texts)
    assert any("-QĐ/TW" in t for t in texts), "a regulation number"
    # the hard cases of issue 14, labelled
    labels = {t: r["generic"] for t, r in zip(texts, rows, strict=True)}
    assert labels["Thực hiện tốt 100% nhiệm vụ được giao trong năm 2025."] is True
    assert labels["Cấp 120 giấy phép xây dựng trong năm 2025."] is False
    assert any(t.startswith("Trình cấp") and labels[t] is False for t in texts)
    assert any("trong thời hạn 20 ngày theo quy định" in t for t in texts)
    assert any("trong mùa khô 2025" in t and labels[t] is False for t in texts)
    assert sum(1 for r in rows if r["generic"] is None) >= 3, "pledges typed without marks"
    notes = " ".join(r["note"] for r in rows).lower()
    for occupation in (
        "giáo viên",
        "bác sĩ",
        "điều dưỡng",
        "công an",
        "trung đội",
        "nông dân",
        "htx",
        "một cửa",
        "kế toán",
        "kỹ sư",
        "hưu trí",
        "sinh viên",
        "doanh nghiệp",
        "ubnd xã",
    ):
        assert occupation in notes, occupation


def _right(row: dict[str, Any]) -> bool:
    """A labelled pledge is judged right; one typed without marks (label null) is asked to be
    retyped, and nothing else is said about it."""
    if row["generic"] is None:
        return codes(row["text"]) == ["LTGB-L007"]
    return is_generic(row["text"]) is row["generic"]


def _misclassified(rows: list[dict[str, Any]]) -> list[str]:
    return [
        f"  expected generic={r['generic']}: {nfc(r['text'])!r} ({r['note']}); "
        f"findings={codes(r['text'])}"
        for r in rows
        if not _right(r)
    ]


def test_classification_accuracy_over_the_data_file() -> None:
    rows = load_pledges()
    wrong = _misclassified(rows)
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.95, f"accuracy {accuracy:.1%}; misclassified:\n" + "\n".join(wrong)


@pytest.mark.parametrize("generic", [True, False], ids=["generic-half", "specific-half"])
def test_classification_accuracy_on_each_half(generic: bool) -> None:
    rows = [r for r in load_pledges() if r["generic"] is generic]
    wrong = _misclassified(rows)
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.93, f"accuracy {accuracy:.1%}; misclassified:\n" + "\n".join(wrong)


@pytest.mark.parametrize("path", HELD_OUT, ids=lambda p: p.stem)
def test_accuracy_on_held_out_pledges_never_tuned_on(path: Path) -> None:
    rows = load_pledges(path)
    assert len(rows) >= 50
    wrong = _misclassified(rows)
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.85, f"accuracy {accuracy:.1%}; misclassified:\n" + "\n".join(wrong)


# --- the stock phrase list ---------------------------------------------------------------------


def test_stock_phrases_are_many_normalised_and_distinct() -> None:
    assert len(STOCK_PHRASES) >= 25
    assert all(p == nfc(p) and p == p.lower() and p.strip() == p for p in STOCK_PHRASES)
    assert len({canonical_key(p) for p in STOCK_PHRASES}) == len(STOCK_PHRASES)
    for phrase in (
        "thực hiện tốt",
        "hoàn thành tốt nhiệm vụ",
        "nâng cao ý thức",
        "chấp hành nghiêm",
        "tu dưỡng rèn luyện",
        "giữ gìn phẩm chất đạo đức",
        "nêu cao tinh thần trách nhiệm",
        "gương mẫu",
        "không ngừng học tập",
        "đoàn kết nội bộ",
        "cần kiệm liêm chính chí công vô tư",
    ):
        assert phrase in STOCK_PHRASES


@pytest.mark.parametrize("phrase", STOCK_PHRASES)
def test_every_stock_phrase_alone_is_generic(phrase: str) -> None:
    assert is_generic(phrase)
    assert canonical_key(phrase) in [canonical_key(s) for s in analyse_text(phrase).stock_phrases]


# --- each finding code ---------------------------------------------------------------------------


def test_codes_are_stable_and_hints_are_vietnamese() -> None:
    text = "Thường xuyên thực hiện tốt Quy định 37-QĐ/TW. Gương mẫu."
    findings = lint_text(text)
    assert {f.code for f in findings} >= {
        "LTGB-L001",
        "LTGB-L002",
        "LTGB-L003",
        "LTGB-L005",
        "LTGB-L006",
    }
    for f in findings:
        assert re.fullmatch(r"LTGB-L\d{3}", f.code)
        assert VIETNAMESE_MARKS.search(f.hint_vi.lower()), f.hint_vi
        assert VIETNAMESE_MARKS.search(f.message_vi.lower()), f.message_vi
        assert f.hint_en
        assert f.message_en
        assert f.hint_en != f.hint_vi
        assert f.marks_generic is (f.code in GENERIC_CODES)
        assert f.message("en") == f.message_en
        assert f.hint() == f.hint_vi


def test_l001_no_measurable_target_and_its_concrete_hint() -> None:
    (finding,) = only(lint_text("Thực hiện tốt nhiệm vụ được giao trong năm 2025."), "LTGB-L001")
    assert finding.span is None
    assert "con số cụ thể" in finding.hint_vi
    assert "%" in finding.hint_vi
    assert "LTGB-L001" not in codes("Giải quyết 100% hồ sơ một cửa đúng hạn trong năm 2025.")
    # The target may live in its own field of a structured pledge.
    text = "Giải quyết hồ sơ một cửa của xã đúng hạn."
    assert "LTGB-L001" in codes(text)
    assert "LTGB-L001" not in codes(text, target_given=True)
    assert not is_generic(text, target_given=True)


def test_l002_missing_deadline_is_advice_not_generic() -> None:
    text = "Soạn 02 bài giảng điện tử môn Toán lớp 9 và dự giờ đồng nghiệp 18 tiết."
    assert codes(text) == ["LTGB-L002"]
    assert not is_generic(text)
    assert codes(text, deadline_given=True) == []
    assert "LTGB-L002" not in codes(text + " Hoàn thành trước 30/6/2025.")
    assert "LTGB-L002" not in codes("Hằng tháng thăm hỏi 03 gia đình chính sách.")


def test_l003_one_finding_per_stock_phrase_with_its_span() -> None:
    text = "Nâng cao ý thức trách nhiệm, giữ gìn phẩm chất đạo đức và đoàn kết nội bộ."
    found = only(lint_text(text), "LTGB-L003")
    assert [text[f.span[0] : f.span[1]] for f in found if f.span] == [
        "Nâng cao ý thức",
        "giữ gìn phẩm chất đạo đức",
        "đoàn kết nội bộ",
    ]
    assert all("nâng cao ý thức" in f.message_vi.lower() for f in found[:1])


def test_l003_not_raised_when_the_stock_phrase_comes_with_a_number() -> None:
    text = "Thực hiện tốt nhiệm vụ giảng dạy, phấn đấu 100% học sinh lớp 9A lên lớp năm 2025."
    assert analyse_text(text).stock_phrases == ("Thực hiện tốt",)
    assert not is_generic(text)
    assert "LTGB-L003" not in codes("Thực hiện tốt công tác một cửa", target_given=True)


def test_l003_span_handles_punctuation_inside_the_phrase() -> None:
    text = "Luôn cần, kiệm, liêm, chính, chí công vô tư."
    (finding,) = only(lint_text(text), "LTGB-L003")
    assert finding.span is not None
    assert text[finding.span[0] : finding.span[1]] == "cần, kiệm, liêm, chính, chí công vô tư"


@pytest.mark.parametrize(
    "text",
    [
        "Gương mẫu.",
        "Trung thực.",
        "Đoàn kết, thống nhất",
        "Trung thực, trách nhiệm, gắn bó với dân.",
    ],
)
def test_l004_too_short_or_not_a_deed(text: str) -> None:
    assert "LTGB-L004" in codes(text)
    assert is_generic(text)


def test_l004_not_raised_for_a_short_deed_with_a_number_nor_hidden_by_a_target_field() -> None:
    assert "LTGB-L004" not in codes("Hiến máu 02 lần/năm.")
    assert "LTGB-L004" in codes("Gương mẫu.", target_given=True, deadline_given=True)


def test_l005_vague_word_standing_for_a_number() -> None:
    text = "Thường xuyên thăm hỏi các gia đình chính sách trên địa bàn."
    (finding,) = only(lint_text(text), "LTGB-L005")
    assert finding.span == (0, len("Thường xuyên"))
    assert "hằng tuần" in finding.hint_vi
    assert not only(lint_text("Thường xuyên thăm hỏi 03 gia đình chính sách."), "LTGB-L005")


@pytest.mark.parametrize(
    ("text", "reference"),
    [
        ("Thực hiện tốt Quy định 37-QĐ/TW về những điều đảng viên không được làm.", "37-QĐ/TW"),
        ("Chấp hành nghiêm 19 điều đảng viên không được làm.", "19"),
        ("Thực hiện đúng Điều 2 Quy định 37-QĐ/TW của Bộ Chính trị.", "2"),
        ("Làm theo 5 chuẩn mực đạo đức của Quy định 144-QĐ/TW năm 2024.", "5"),
        ("Thực hiện Nghị quyết số 04-NQ/TW Hội nghị Trung ương 4 khóa XII.", "04-NQ/TW"),
        ("Quán triệt Hướng dẫn 36-HD/VPTW ngày 3/4/2018 của Văn phòng Trung ương.", "36-HD/VPTW"),
    ],
)
def test_regulation_numbers_are_not_quantities(text: str, reference: str) -> None:
    analysis = analyse_text(text)
    assert analysis.quantities == ()
    assert reference in analysis.references
    assert is_generic(text)
    spans = [f.span for f in lint_text(text) if f.code == "LTGB-L006"]
    assert any(s is not None and text[s[0] : s[1]] == reference for s in spans)


def test_a_document_date_is_not_a_deadline() -> None:
    text = "Thực hiện Kết luận 01-KL/TW ngày 18/5/2021 của Bộ Chính trị."
    assert analyse_text(text).dates == ()
    assert "LTGB-L002" in codes(text)


def test_a_year_alone_is_a_timeframe_not_a_target() -> None:
    text = "Năm 2025 nâng cao ý thức trách nhiệm."
    analysis = analyse_text(text)
    assert analysis.dates == ("Năm 2025",)
    assert analysis.quantities == ()
    assert codes(text) == ["LTGB-L001", "LTGB-L003"]


# --- what analyse_text recognises ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "quantity"),
    [
        ("Giải quyết 100% hồ sơ đúng hạn", "100%"),
        ("Tổ chức 12 buổi sinh hoạt chuyên đề", "12 buổi"),
        ("Viết 03 bài viết về gương người tốt", "03 bài viết"),
        ("Đề xuất 2 sáng kiến cải tiến", "2 sáng kiến"),
        ("Giới thiệu hai quần chúng ưu tú", "hai quần chúng"),
        ("Giảm tỷ lệ hộ nghèo xuống 2,5 %", "2,5 %"),
        ("Trồng 1.500 cây keo", "1.500 cây"),
        ("Đóng góp 2 triệu đồng xây nhà văn hóa", "2 triệu đồng"),
        ("Tham gia đủ 12/12 buổi sinh hoạt chi bộ", "12/12 buổi"),
        ("Không để trễ hồ sơ nào", "Không để trễ hồ sơ nào"),
        ("Mỗi tuần dạy kèm 2 buổi", "2 buổi"),
        ("Sửa chữa 15 máy bơm của trạm", "15 máy"),
        ("Xử lý dứt điểm 6 đơn khiếu nại tồn đọng", "6 đơn"),
        ("Cấp 120 giấy phép xây dựng", "120 giấy phép"),
    ],
)
def test_quantities(text: str, quantity: str) -> None:
    assert quantity in analyse_text(text).quantities


@pytest.mark.parametrize(
    "text",
    [
        "Giúp đỡ một số hộ khó khăn ở thôn 3",
        "Vận động hàng trăm hộ dân tham gia",
        "Dạy tốt môn Toán lớp 9",
        "Tổ chức kỷ niệm 135 năm Ngày sinh Bác",
        "Học tập 6 điều Bác Hồ dạy",
        "Chăm lo nhiều gia đình chính sách",
    ],
)
def test_not_quantities(text: str) -> None:
    assert analyse_text(text).quantities == ()


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Hoàn thành trước 30/6/2025", "trước 30/6/2025"),
        ("Viết 2 bài trong năm 2025", "trong năm 2025"),
        ("Hoàn thành trong quý II", "trong quý II"),
        ("Nộp báo cáo vào tháng 9/2025", "vào tháng 9/2025"),
        ("Hằng tháng thăm hỏi gia đình chính sách", "Hằng tháng"),
        ("Mỗi tuần đọc một cuốn sách", "Mỗi tuần"),
        ("Tuần tra 2 buổi/tuần", "2 buổi/tuần"),
        ("Nộp trước ngày 15 tháng 10 năm 2025", "trước ngày 15 tháng 10 năm 2025"),
        ("Phụ đạo đến hết học kỳ I", "đến hết học kỳ I"),
        ("Chuyển đổi 2 ha lúa trong vụ Đông Xuân 2024-2025", "trong vụ Đông Xuân 2024-2025"),
    ],
)
def test_dates(text: str, date: str) -> None:
    assert date in analyse_text(text).dates


def test_vague_frequency_is_not_a_schedule() -> None:
    assert analyse_text("Thường xuyên tuyên truyền pháp luật cho nhân dân").dates == ()


def test_has_action() -> None:
    assert analyse_text("Soạn giáo án điện tử").has_action
    assert not analyse_text("Trung thực, trách nhiệm, gắn bó với nhân dân").has_action


def test_a_dated_deliverable_without_a_number_is_specific() -> None:
    assert not is_generic("Bảo vệ tiểu luận cuối khóa lớp trung cấp chính trị trước tháng 11/2025.")
    assert not is_generic("Hằng tuần kiểm tra chứng từ thu chi của quỹ hội cựu chiến binh xã.")
    # ... but a slogan with a date stays a slogan, and a year alone does not date a deliverable.
    assert is_generic("Tổ chức tốt các hoạt động phong trào của đơn vị trước 31/12/2025.")
    assert is_generic("Hằng ngày tu dưỡng, rèn luyện đạo đức, lối sống.")
    assert is_generic("Năm 2025 nâng cao ý thức trách nhiệm trong công việc.")


def test_deadline_field_can_date_a_deliverable() -> None:
    text = "Bảo vệ tiểu luận cuối khóa lớp trung cấp lý luận chính trị."
    assert "LTGB-L001" in codes(text)
    assert codes(text, deadline_given=True) == []


# --- Unicode: NFD, tone placement, look-alikes ----------------------------------------------------


def test_nfd_input_gives_the_same_result_and_spans_index_the_nfc_text() -> None:
    text = "Giữ gìn phẩm chất đạo đức, nâng cao ý thức tự học."
    decomposed = nfd(text)
    assert decomposed != text
    assert analyse_text(decomposed) == analyse_text(text)
    assert lint_text(decomposed) == lint_text(text)
    for f in lint_text(decomposed):
        if f.span is not None:
            assert canonical_key(nfc(decomposed)[f.span[0] : f.span[1]]) in {
                canonical_key(p) for p in STOCK_PHRASES
            }


def test_tone_placement_and_lookalike_letters_do_not_hide_a_stock_phrase() -> None:
    assert analyse_text("Chống tự diễn biến, tự chuyển hoá").stock_phrases
    assert analyse_text("Chống tự diễn biến, tự chuyển hóa").stock_phrases
    # U+00D0 (Icelandic Eth) pasted from old documents in place of "Đ".
    assert analyse_text("\u00d0oàn kết nội bộ").stock_phrases == ("\u00d0oàn kết nội bộ",)
    assert analyse_text("HOÀN THÀNH TỐT NHIỆM VỤ ĐƯỢC GIAO").stock_phrases


# --- relates_to_duties ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "duties"),
    [
        ("Giải quyết 100% hồ sơ một cửa đúng hạn", ["Công chức bộ phận một cửa"]),
        ("Giải quyết 100% hồ sơ đúng hạn", ["Tiếp nhận, trả kết quả hồ sơ hành chính"]),
        ("Soạn 02 bài giảng điện tử môn Toán lớp 9", ["Chủ nhiệm lớp 9A", "Dạy môn Toán khối 9"]),
        ("Dự giờ 18 tiết để nâng cao chất lượng giảng dạy", ["Giảng dạy môn Ngữ văn"]),
        ("Hoà giải thành 5 vụ tranh chấp đất đai", ["Tổ trưởng tổ hòa giải thôn"]),
        ("Tuần tra 8 ca mỗi tháng", ["Tuần tra"]),
        (nfd("Lập báo cáo quyết toán ngân sách xã"), ["Kế toán ngân sách xã"]),
    ],
)
def test_relates_to_duties_positive(text: str, duties: list[str]) -> None:
    assert relates_to_duties(text, duties)


@pytest.mark.parametrize(
    ("text", "duties"),
    [
        ("Soạn 02 bài giảng điện tử môn Toán lớp 9", ["Kế toán trường"]),
        ("Thực hiện tốt nhiệm vụ được giao", ["Thực hiện nhiệm vụ công tác văn phòng"]),
        ("Trồng 200 cây keo trên đất đồi", ["Giảng dạy môn Hóa học"]),
        ("Giải quyết 100% hồ sơ một cửa", []),
        ("Lưu trữ hồ sơ đảng viên", ["Sơ cứu ban đầu cho người bệnh"]),
    ],
)
def test_relates_to_duties_negative(text: str, duties: list[str]) -> None:
    assert not relates_to_duties(text, duties)


# --- properties -------------------------------------------------------------------------------

VIETNAMESE_ALPHABET = (
    "aăâbcdđeêghiklmnoôơpqrstuưvxy"
    "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
    'AĂÂĐÊÔƠƯÐ0123456789 ,.;:/-%()"\n'
)
vietnamese_text = st.text(alphabet=VIETNAMESE_ALPHABET, max_size=200)
any_text = st.one_of(st.text(max_size=300), vietnamese_text)


@given(any_text)
def test_analyse_and_lint_never_raise_and_spans_are_in_bounds(text: str) -> None:
    analysis = analyse_text(text)
    assert isinstance(analysis, TextAnalysis)
    normalised = nfc(text)
    for finding in lint_text(text):
        if finding.span is not None:
            start, end = finding.span
            assert 0 <= start < end <= len(normalised)
    assert is_generic(text) == any(f.code in GENERIC_CODES for f in lint_text(text))


@given(any_text)
def test_result_is_invariant_under_nfc_and_nfd(text: str) -> None:
    assert analyse_text(nfd(text)) == analyse_text(nfc(text))
    assert lint_text(nfd(text)) == lint_text(nfc(text))


@given(
    phrase=st.sampled_from(STOCK_PHRASES),
    upper=st.booleans(),
    decompose=st.booleans(),
    filler=st.sampled_from(["", "Năm 2025, ", "Bản thân ", "Luôn "]),
    numbers=st.sampled_from(
        [
            ", đạt 100% trước 31/12/2025",
            " 100% trong năm 2025",
            ", 12/12 tháng, quý IV/2025",
            " đạt 100% chỉ tiêu năm 2025",
        ]
    ),
)
def test_numbers_and_dates_alone_never_make_a_stock_phrase_specific(
    phrase: str, upper: bool, decompose: bool, filler: str, numbers: str
) -> None:
    text = f"{filler}{phrase.upper() if upper else phrase}{numbers}"
    if decompose:
        text = nfd(text)
    assert is_generic(text), lint_text(text)


@given(
    phrase=st.sampled_from(STOCK_PHRASES),
    decompose=st.booleans(),
    work=st.sampled_from(
        [
            ": giải quyết 100% hồ sơ một cửa đúng hạn trước 31/12/2025",
            ", cụ thể trồng 200 cây keo trên đất đồi trong vụ xuân 2025",
            ", phụ đạo 05 học sinh yếu môn Toán lớp 9A mỗi tuần 2 buổi",
        ]
    ),
)
def test_a_stock_phrase_with_a_concrete_object_of_work_is_specific(
    phrase: str, decompose: bool, work: str
) -> None:
    text = phrase + work
    if decompose:
        text = nfd(text)
    assert not is_generic(text), lint_text(text)
    assert "LTGB-L002" not in codes(text)


# --- issue 14: a linter that cannot be gamed ----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Thực hiện tốt 100% nhiệm vụ được giao trong năm 2025.",
        "Hoàn thành 100% chỉ tiêu, nhiệm vụ năm 2025.",
        "Nâng cao ý thức trách nhiệm, 100% đúng giờ trong quý IV/2025.",
        "Rèn luyện đạo đức, lối sống, 12/12 tháng không vi phạm.",
        # an amount of tasks, plans or rules restates the duty, whatever words follow
        "Thực hiện tốt 100% nhiệm vụ giảng dạy được giao năm 2025.",
        "Hoàn thành 100% các kế hoạch công tác chuyên môn năm 2025.",
        "Thực hiện tốt 3 nhiệm vụ trọng tâm của đơn vị trong năm 2025.",
        "Thực hiện đúng 100% quy trình khám chữa bệnh năm 2025.",
    ],
)
def test_boilerplate_with_numbers_and_years_stays_generic(text: str) -> None:
    found = lint_text(text)
    assert is_generic(text)
    (l001,) = only(found, "LTGB-L001")
    assert "chưa gắn với một việc cụ thể" in l001.message_vi
    assert "not tied to concrete work" in l001.message_en
    # the advice is not to add a date: the date is there, the work is missing
    assert "LTGB-L002" not in [f.code for f in found] or "12/12" in text


@pytest.mark.parametrize(
    "text",
    [
        "Cấp 120 giấy phép xây dựng trong năm 2025.",
        "Cấp đổi 350 giấy chứng nhận quyền sử dụng đất đúng hạn trong năm 2025.",
        "Trình cấp có thẩm quyền phê duyệt 04 hồ sơ quy hoạch trước 30/11/2025.",
        "Chứng thực 100% bản sao ngay trong ngày tiếp nhận.",
        "Niêm yết công khai 100% thủ tục hành chính mới trong vòng 5 ngày.",
        "Thẩm định 100% hồ sơ dự toán trong thời hạn 15 ngày làm việc.",
    ],
)
def test_administrative_verbs_are_deeds(text: str) -> None:
    assert codes(text) == []
    assert analyse_text(text).has_action
    assert analyse_text(text).quantities


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Xác minh đơn trong thời hạn 20 ngày theo quy định", "trong thời hạn 20 ngày"),
        ("Trực 4 ca mỗi tuần trong mùa khô 2025", "trong mùa khô 2025"),
        ("Nạo vét 3 km kênh trước mùa mưa 2025", "trước mùa mưa 2025"),
        ("Trả lời trong vòng 48 giờ", "trong vòng 48 giờ"),
        ("Hoàn thành trong quý III/2025", "trong quý III/2025"),
        ("Tiêm cho 2.000 con gia súc trong Q2/2025", "trong Q2/2025"),
        ("Tặng 50 phần quà trước Tết Nguyên đán 2026", "trước Tết Nguyên đán 2026"),
        ("Thu hoạch trong vụ nuôi chính 2025", "trong vụ nuôi chính 2025"),
        ("Kể chuyện vào tối thứ Bảy cuối tháng", "vào tối thứ Bảy cuối tháng"),
        ("Rà soát vào thứ Hai hằng tuần", "vào thứ Hai hằng tuần"),
        ("Nộp trước ngày 25 hằng tháng", "trước ngày 25 hằng tháng"),
        ("Tham gia 3 đợt trong dịp hè 2025", "trong dịp hè 2025"),
        ("Giải quyết hồ sơ đúng hạn", "đúng hạn"),
    ],
)
def test_more_time_bounds(text: str, date: str) -> None:
    assert date in analyse_text(text).dates


@pytest.mark.parametrize(
    "text",
    [
        "Đạt 100% chỉ tiêu thu ngân sách nhà nước trên địa bàn năm 2025.",
        "Tham gia 100% các buổi sinh hoạt chi bộ trong năm 2025.",
        "Giải quyết 100% các hồ sơ một cửa đúng hạn trong năm 2025.",
    ],
)
def test_amounts_of_work_still_count(text: str) -> None:
    assert not is_generic(text), lint_text(text)


def test_on_time_bounds_the_work_but_does_not_date_a_deliverable() -> None:
    text = "Giải quyết hồ sơ một cửa của xã đúng hạn."
    assert "LTGB-L002" not in codes(text)
    assert "LTGB-L001" in codes(text)  # how many? nothing says
    assert not is_generic(text + " Không để trễ hồ sơ nào.")


@pytest.mark.parametrize(
    "text",
    [
        "Giai quyet 100% ho so mot cua dung han trong nam 2025.",
        "Thuc hien tot nhiem vu duoc giao",
        "VAN DONG 10 HO DAN HIEN DAT LAM DUONG",
        nfd("Soan 02 bai giang dien tu mon Toan lop 9"),
    ],
)
def test_text_without_diacritics_is_asked_to_be_retyped_not_called_generic(text: str) -> None:
    (finding,) = lint_text(text)
    assert finding.code == "LTGB-L007"
    assert "không dấu" in finding.message_vi
    assert "có dấu" in finding.hint_vi
    assert "diacritics" in finding.message_en
    assert not finding.marks_generic
    assert not is_generic(text)


@pytest.mark.parametrize(
    "text",
    [
        "Gương mẫu.",  # marks
        "Hoàn thành KPI Q3",  # three words
        "Deploy the new CRM module for 20 users",  # English: not Vietnamese syllables
        "Đạt chuẩn IELTS 6.5 trước tháng 6/2026",
    ],
)
def test_diacritics_check_leaves_other_text_alone(text: str) -> None:
    assert "LTGB-L007" not in codes(text)


@pytest.mark.parametrize(
    ("work", "expected"),
    [
        (["Giáo viên Toán", "Chủ nhiệm lớp 9A"], "học sinh"),
        (["Điều dưỡng khoa Nội"], "người bệnh"),
        (["Phó Trưởng Công an xã"], "tin báo"),
        (["Trung đội trưởng"], "chiến sĩ"),
        (["Xã viên", "Chủ nhiệm Hợp tác xã nông nghiệp"], "ha lúa"),
        (["Kế toán ngân sách xã"], "quyết toán"),
        (["Công chức bộ phận một cửa"], "hồ sơ một cửa"),
        (["Công chức địa chính - xây dựng"], "giấy phép xây dựng"),
        (["Đảng viên nghỉ hưu"], "gia đình chính sách"),
        (["Sinh viên năm 3"], "điểm trung bình"),
        (["GIÁM ĐỐC CÔNG TY TNHH"], "hợp đồng"),
        ([], "hộ dân"),
        (["Chuyên viên"], "hộ dân"),
    ],
)
def test_hints_carry_an_example_that_fits_the_members_work(work: list[str], expected: str) -> None:
    vi, en = example_for(work)
    assert expected in vi
    assert en
    text = "Thực hiện tốt nhiệm vụ được giao, nâng cao ý thức trách nhiệm."
    for f in lint_text(text, work=work):
        if f.code in ("LTGB-L001", "LTGB-L003"):
            assert vi in f.hint_vi
            assert en in f.hint_en


def test_hints_are_short() -> None:
    text = "Thường xuyên thực hiện tốt Quy định 37-QĐ/TW. Gương mẫu."
    for f in lint_text(text, work=["Giáo viên"]):
        example = example_for(["Giáo viên"])[0]
        assert len(f.hint_vi.replace(example, "")) <= 120, f.hint_vi


def test_the_examples_file_is_well_formed() -> None:
    from importlib import resources

    data = json.loads(
        resources.files("lamtheoguongbac.catalog").joinpath(EXAMPLES_FILE).read_text("utf-8")
    )
    assert len(data["examples"]) >= 12
    for row in [data["default"], *data["examples"]]:
        assert unicodedata.is_normalized("NFC", row["vi"])
        # every example is itself a specific pledge the linter accepts
        assert codes(row["vi"]) == [], row["vi"]
