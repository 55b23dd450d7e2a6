"""The pledge linter: tell a concrete deed from a generic registration ("đăng ký chung chung").

The point of the "Làm theo gương Bác" handbook is that every member registers deeds that say
*what*, *how much* and *by when*, tied to an assigned task ("Giải quyết 100% hồ sơ một cửa
đúng hạn, không để trễ hồ sơ nào trong năm 2025"), instead of slogans ("Thực hiện tốt nhiệm vụ
được giao", "Nâng cao ý thức trách nhiệm"). This module judges a pledge on its text alone:

* :func:`analyse_text` finds quantities, deadlines/schedules, stock phrases and action verbs;
* :func:`lint_text` turns that into findings with stable codes and concrete Vietnamese hints;
* :func:`is_generic` says whether any finding marks the pledge as generic;
* :func:`relates_to_duties` checks that the pledge links to one of the member's duties.

Codes (``GENERIC_CODES`` make a pledge generic; the others are advice):

========== ======= ==========================================================================
code       generic meaning
========== ======= ==========================================================================
LTGB-L001  yes     no measurable quantity and no concrete deliverable with a date or schedule
LTGB-L002  no      no deadline or timeframe (the handbook year is then the implicit one)
LTGB-L003  yes     a stock phrase with nothing measurable next to it (one per phrase, spanned)
LTGB-L004  yes     too short, or not a deed at all (no action verb, no number)
LTGB-L005  no      a vague word in place of a number or a schedule ("thường xuyên", …)
LTGB-L006  no      a number that is a document reference, not a target ("37-QĐ/TW")
LTGB-L007  (asks)  typed without Vietnamese diacritics: the text cannot be judged, retype it
========== ======= ==========================================================================

L005 and L006 are raised only when nothing in the pledge is measurable: they explain L001.
A number makes a pledge measurable only next to a concrete object of work ("hồ sơ một cửa",
"cây keo", "học sinh lớp 9A"): "Thực hiện tốt 100% nhiệm vụ được giao năm 2025" stays a
slogan. L007 comes alone — the other findings would be guesses — and is not "generic"; the
registration rule still refuses it, since a party document is written with diacritics.
Hints carry an example pledge that fits the member's work when a position or duties are
given (:data:`EXAMPLES_FILE`).

All matching is done on :func:`lamtheoguongbac.text.canonical_key` of each token, so NFD
input, upper case, "hoà"/"hòa" and pasted "Ð" look-alikes match the same; spans and the
strings reported always come from the NFC text the caller can display.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from typing import Any, NamedTuple

import attrs

from lamtheoguongbac.text import canonical_key, nfc

__all__ = [
    "EXAMPLES_FILE",
    "GENERIC_CODES",
    "STOCK_PHRASES",
    "LintFinding",
    "TextAnalysis",
    "analyse_text",
    "example_for",
    "is_generic",
    "lint_text",
    "relates_to_duties",
]

# --- public values ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class LintFinding:
    """One thing the linter found in a pledge text (một nhận xét về nội dung đăng ký).

    ``span`` is the ``(start, end)`` character range in the NFC form of the text of the phrase
    the finding is about, or ``None`` when it is about the text as a whole.

    Example:
        >>> from lamtheoguongbac.rules import lint_text
        >>> finding = lint_text("Nâng cao ý thức trách nhiệm")[0]
        >>> finding.code, finding.message_en
        ('LTGB-L001', 'No measurable target (a number, a percentage or a dated deliverable).')
    """

    code: str
    message_vi: str
    message_en: str
    hint_vi: str
    hint_en: str
    span: tuple[int, int] | None = None

    @property
    def marks_generic(self) -> bool:
        """Whether this finding on its own makes the pledge generic ("chung chung")."""
        return self.code in GENERIC_CODES

    def message(self, lang: str = "vi") -> str:
        """The message in ``"vi"`` (default) or ``"en"``."""
        return self.message_en if lang == "en" else self.message_vi

    def hint(self, lang: str = "vi") -> str:
        """The hint in ``"vi"`` (default) or ``"en"``."""
        return self.hint_en if lang == "en" else self.hint_vi


@attrs.frozen(kw_only=True)
class TextAnalysis:
    """What the linter recognised in a pledge text; every string is a slice of the NFC text.

    ``quantities`` are amounts with a counting unit, percentages and explicit zero targets
    ("không để trễ hồ sơ nào"); ``dates`` are deadlines, timeframes and recurring schedules;
    ``references`` are numbers that only identify a document or count its articles.

    Example:
        >>> from lamtheoguongbac.rules import analyse_text
        >>> found = analyse_text("Tổ chức 06 buổi tuyên truyền pháp luật trước ngày 30/11/2025")
        >>> found.quantities, found.dates, found.has_action
        (('06 buổi',), ('trước ngày 30/11/2025',), True)
    """

    quantities: tuple[str, ...]
    dates: tuple[str, ...]
    stock_phrases: tuple[str, ...]
    has_action: bool
    references: tuple[str, ...] = ()


L001 = "LTGB-L001"
L002 = "LTGB-L002"
L003 = "LTGB-L003"
L004 = "LTGB-L004"
L005 = "LTGB-L005"
L006 = "LTGB-L006"
L007 = "LTGB-L007"

#: Finding codes that make a pledge generic. A missing deadline (L002) does not: a measurable
#: deed without a date is incomplete, yet the handbook year already bounds it.
GENERIC_CODES: frozenset[str] = frozenset({L001, L003, L004})

#: Known generic phrases ("cụm từ chung chung"). Matched on canonical keys, token by token,
#: ignoring punctuation between words, so "cần, kiệm, liêm, chính" matches too.
STOCK_PHRASES: tuple[str, ...] = (
    "thực hiện tốt nhiệm vụ được giao",
    "hoàn thành tốt nhiệm vụ được giao",
    "hoàn thành nhiệm vụ được giao",
    "hoàn thành xuất sắc nhiệm vụ",
    "hoàn thành tốt nhiệm vụ",
    "thực hiện tốt",
    "làm tốt công tác",
    "chấp hành tốt",
    "chấp hành nghiêm",
    "thực hiện nghiêm",
    "nâng cao ý thức",
    "nâng cao nhận thức",
    "nâng cao trình độ",
    "nâng cao năng lực",
    "nâng cao chất lượng",
    "nâng cao tinh thần trách nhiệm",
    "nêu cao tinh thần trách nhiệm",
    "tinh thần trách nhiệm",
    "ý thức trách nhiệm",
    "ý thức tổ chức kỷ luật",
    "tu dưỡng rèn luyện",
    "rèn luyện đạo đức",
    "rèn luyện tác phong",
    "giữ gìn phẩm chất đạo đức",
    "phẩm chất đạo đức",
    "đạo đức cách mạng",
    "lối sống trong sạch",
    "gương mẫu",
    "tiên phong",
    "nêu gương",
    "không ngừng học tập",
    "không ngừng nâng cao",
    "tích cực học tập",
    "tích cực tham gia",
    "đoàn kết nội bộ",
    "cần kiệm liêm chính chí công vô tư",
    "cần kiệm liêm chính",
    "chí công vô tư",
    "trung thực trách nhiệm",
    "gắn bó với nhân dân",
    "chủ trương đường lối của đảng",
    "chủ trương của đảng",
    "đường lối của đảng",
    "chính sách pháp luật của nhà nước",
    "giữ vững lập trường",
    "bản lĩnh chính trị vững vàng",
    "kiên định",
    "tự diễn biến tự chuyển hóa",
    "suy thoái tư tưởng chính trị",
    "thực hành tiết kiệm chống lãng phí",
    "nói đi đôi với làm",
    "tự phê bình và phê bình",
    "trong sạch vững mạnh",
    "tận tụy phục vụ nhân dân",
    "hết lòng phục vụ nhân dân",
    "gần dân trọng dân",
    "học tập và làm theo tư tưởng đạo đức phong cách hồ chí minh",
    "làm theo gương bác",
    "đổi mới phương pháp",
    "phát huy vai trò",
    "phát huy tinh thần",
    "quy chế dân chủ",
    "những điều đảng viên không được làm",
    "chuẩn mực đạo đức",
    "đáp ứng yêu cầu nhiệm vụ",
    "hoàn thành chỉ tiêu",
    "hoàn thành mọi nhiệm vụ",
    "sẵn sàng nhận và hoàn thành mọi nhiệm vụ",
    "chăm lo đời sống",
    "không gây phiền hà",
    "tận tình chu đáo",
    "đi đầu",
    "sống vui sống khỏe sống có ích",
    "học hỏi",
    "trau dồi",
    "công khai minh bạch",
    "giữ vững đoàn kết",
    "làm giàu chính đáng",
    "đẩy mạnh cải cách hành chính",
)

# --- word lists (data, keyed at import time) ------------------------------------------------


def _words(listing: str) -> tuple[str, ...]:
    """Split a comma-separated word list (kept as text so it reads like the data it is)."""
    return tuple(" ".join(w.split()) for w in listing.split(",") if w.strip())


# Counting units that turn a number into a target. A closed list on purpose: "19 điều",
# "5 chuẩn mực", "3 không" are counts of rules or slogans, not of things the member will do.
_UNITS = _words(
    """
    %, phần trăm, buổi, bài, bài viết, bài giảng, bài báo, bài tin, tin, tin bài, tiết,
    tiết dạy, giờ, tiếng, phút, ngày, ngày công, công, tuần, tháng, quý, năm, hồ sơ, lượt, lần,
    người, hộ, hộ dân, hộ gia đình, gia đình, học sinh, em, cháu, trẻ, sinh viên, học viên,
    đảng viên, quần chúng, đoàn viên, hội viên, thanh niên, cán bộ, công chức, viên chức,
    nhân viên, thành viên, công nhân, lao động, bệnh nhân, người bệnh, ca, ca trực, cuộc,
    cuộc họp, hội nghị, hội thi, lớp, khóa, đợt, chuyến, chuyên đề, sáng kiến, đề tài,
    giải pháp, mô hình, công trình, phần việc, việc, vụ, vụ việc, đơn, đơn thư, trường hợp,
    đối tượng, km, m, mét, m2, m², m3, ha, héc ta, hecta, sào, tấn, tạ, kg, lít, cây, cây xanh,
    con, triệu, triệu đồng, nghìn, nghìn đồng, ngàn, ngàn đồng, tỷ, tỷ đồng, đồng, đ, vnđ, vnd,
    usd, suất, suất quà, phần quà, phần, bộ, cuốn, quyển, cuốn sách, đầu sách, văn bản, báo cáo,
    kế hoạch, hợp đồng, sản phẩm, tác phẩm, video, clip, trang, điểm, giải, huy chương, phiếu,
    tài khoản, thửa, thôn, xóm, tổ, cơ sở, doanh nghiệp, hợp tác xã, nhà, căn, căn nhà, phòng,
    chiếc, cái, bao, thùng, túi, mũi, mũi tiêm, liều, tuyến, tuyến đường, cầu, giếng, bóng đèn,
    chứng từ, tài liệu, bản, file, lô, khẩu phần, cặp, đôi, xe, chuyên mục, số báo, câu lạc bộ,
    nhóm, tổ chức, đơn vị, lớp học, tình nguyện viên, đồng chí, đồng nghiệp, giấy phép,
    giấy chứng nhận, máy, chiến sĩ, xã viên, khách hàng, bệnh án, mẫu, biên bản
    """
)

# Number words that can count ("hai quần chúng"). "hàng trăm", "vài", "một số" stay vague.
_NUMBER_WORDS_FIRST = _words(
    """
    một, hai, ba, bốn, tư, năm, sáu, bảy, bẩy, tám, chín, mười
    """
)
_NUMBER_WORDS_NEXT = (
    *_NUMBER_WORDS_FIRST,
    *_words("mươi, mốt, lăm, linh, lẻ, trăm, nghìn, ngàn, triệu"),
)

# A number right after one of these is a label (thôn 3, lớp 9, Điều 5, năm 2025), not an amount.
_DESIGNATORS = _words(
    """
    số, quy định, nghị quyết, chỉ thị, kết luận, quyết định, thông tư, nghị định, công văn,
    văn bản, kế hoạch, luật, điều, khoản, điểm, mục, chương, phần, khóa, đại hội, lần thứ, thứ,
    lớp, khối, phòng, tổ, đội, thôn, ấp, xóm, bản, khu, khu phố, phường, quận, cụm, năm,
    năm học, tháng, ngày, quý, học kỳ, tuần, ca, bậc, hạng, tầng, giường, buồng, nhà,
    đường, quốc lộ, tỉnh lộ, km, giai đoạn, nhiệm kỳ, bài, trung ương, kỷ niệm, chào mừng,
    hướng tới, mừng, tròn
    """
)

# Of those, the ones that name documents: a number after them is a reference (L006).
_DOC_DESIGNATORS = _words(
    """
    quy định, nghị quyết, chỉ thị, kết luận, quyết định, thông tư, nghị định, công văn, luật,
    điều, khoản, điểm, chương, mục, trung ương
    """
)

# Counted things that are rules or slogans ("19 điều", "5 chuẩn mực", "12 điều y đức").
_RULE_COUNT_WORDS = _words(
    """
    điều, chuẩn mực, nội dung, không, xây, chống, tiêu chí
    """
)

# Action verbs: a deed starts from doing something. The list is broad on purpose (it only
# has to tell a deed from a list of virtues), stock verbs such as "nâng cao" included.
_ACTIONS = _words(
    """
    giải quyết, soạn, soạn giảng, biên soạn, viết, dự giờ, tổ chức, tham gia, vận động,
    hướng dẫn, kiểm tra, hoàn thành, xây dựng, xây, trồng, hỗ trợ, giúp, giúp đỡ, thăm,
    thăm hỏi, tặng, đọc, học, học tập, tuyên truyền, phát triển, kết nạp, giới thiệu, bồi dưỡng,
    thu chi, nộp, giảm, tăng, đạt, đóng, đóng góp, cập nhật, số hóa, tiếp nhận, khám, chăm sóc,
    tiêm, tiêm chủng, điều trị, trực, tuần tra, kiểm soát, vận hành, sửa chữa, lắp đặt, làm,
    dạy, giảng dạy, ôn tập, phụ đạo, rà soát, lập, thẩm định, giải ngân, quyết toán, hòa giải,
    xử lý, phát hiện, triển khai, đăng, chia sẻ, ủng hộ, quyên góp, hiến, hiến máu, dọn,
    vệ sinh, thu gom, phân loại, nuôi, chuyển đổi, ứng dụng, đề xuất, nghiên cứu, thực hiện,
    chấp hành, rèn luyện, tu dưỡng, nâng cao, giữ gìn, phát huy, đổi mới, chăm lo, bảo vệ, lấy,
    thi, tốt nghiệp, ghi chép, công khai, trả lời, đón tiếp, phối hợp, xác minh, chỉ đạo,
    cấp phát, bàn giao, ban hành, hoàn thiện, thành lập, mở, nâng cấp, cải tạo, xuất bản,
    thiết kế, sửa, dành, gửi, trả, ký, theo dõi, thống kê, báo cáo, tổng kết, sơ kết, quản lý,
    duy trì, tập huấn, đào tạo, luyện tập, tập luyện, kể chuyện, sinh hoạt, phòng chống,
    phòng ngừa, chống, xóa, tiết kiệm, ghi, nhập, mua, bán, cho vay, vay, hiến đất,
    hòa giải thành, tiếp dân, tiếp công dân, bỏ, cai, từ bỏ, khắc phục, cấp, cấp đổi, cấp mới,
    cấp phép, trình, phê duyệt, chứng thực, thẩm tra, thanh tra, niêm yết, thụ lý, đăng ký,
    nghiệm thu, bảo dưỡng, huấn luyện, bơm, tưới, thu, thu nộp, lập biên bản, xử phạt,
    trả kết quả, cấp cứu, giao, kê khai, ghi hình, kể, dạy kèm, chứng nhận, xét duyệt
    """
)

# Verbs that produce a checkable deliverable: with a date they make a deed measurable even
# without a number ("Bảo vệ tiểu luận cuối khóa trước tháng 11/2025").
_DELIVERABLE_ACTIONS = _words(
    """
    hoàn thành, xây dựng, xây, soạn, biên soạn, viết, lắp đặt, số hóa, bàn giao, nộp, ban hành,
    lập, hoàn thiện, thành lập, mở, sửa chữa, nâng cấp, cải tạo, trồng, chuyển đổi, cập nhật,
    bảo vệ, lấy, thi, tổ chức, triển khai, xuất bản, thiết kế, giải quyết, học xong, tốt nghiệp,
    đạt, công nhận, đưa vào sử dụng, khánh thành, kết nạp, giới thiệu, kiểm tra, rà soát,
    đề xuất, nghiên cứu, phụ đạo, thăm, thăm hỏi, tặng, khám, tiêm, dạy, đọc, công khai,
    ghi chép, tổng kết, báo cáo, hòa giải, đóng góp, quyên góp, hiến, thu gom, dọn, vệ sinh, bỏ,
    cai, từ bỏ, khắc phục, cấp, cấp đổi, cấp mới, cấp phép, trình, phê duyệt, chứng thực,
    thẩm tra, niêm yết, nghiệm thu, bảo dưỡng, huấn luyện, lập biên bản, trả kết quả
    """
)

# Words that carry no checkable content: virtues, abstractions and generic work nouns. A
# dated "deliverable" built only of these ("tổ chức tốt các hoạt động phong trào") is a slogan.
_ABSTRACT = _words(
    """
    ý thức, trách nhiệm, tinh thần, đạo đức, phẩm chất, lối sống, tư tưởng, chính trị,
    tác phong, phong cách, uy tín, bản lĩnh, năng lực, trình độ, chuyên môn, nghiệp vụ,
    chất lượng, hiệu quả, nhận thức, vai trò, nhiệm vụ, công tác, công việc, việc, hoạt động,
    phong trào, chủ trương, đường lối, chính sách, pháp luật, quy định, nghị quyết, chỉ thị,
    kết luận, đảng, nhà nước, nhân dân, người dân, dân, cơ quan, đơn vị, địa phương, địa bàn,
    cơ sở, bản thân, mọi, tất cả, yêu cầu, tình hình, mới, tốt, hơn, nghiêm, đầy đủ, kịp thời,
    tích cực, thường xuyên, cách mạng, trong sạch, lành mạnh, vững mạnh, gương, bác,
    hồ chí minh, đồng chí, đảng viên, cán bộ, quần chúng, nội bộ, kỷ luật, kỷ cương, dân chủ,
    đoàn kết, tiết kiệm, lãng phí, tham nhũng, tiêu cực, suy thoái, mục tiêu, chi bộ, đảng bộ,
    bộ chính trị, trung ương, tận tình, chu đáo, nhiệt tình, khoa học, sâu sắc, hiệu lực,
    kết quả, cao, xuất sắc, giao, chung, ngày càng, hơn nữa, luôn, luôn luôn, mình, người, của,
    và, các, những, với, trong, theo, tại, ở, về, để, là, có, được, cho, từ, đến, trên, dưới,
    bằng, do, khi, đã, sẽ, đang, cùng, như, này, đó, phấn đấu, đảm bảo, bảo đảm, không, nào,
    mỗi, hằng, hàng, trước, sau, ít nhất, tối thiểu, trở lên, nhằm, góp phần, thực hiện,
    hoàn thành, đạt, làm, tham gia, nâng cao, chấp hành, rèn luyện, tu dưỡng, giữ gìn,
    phát huy, đổi mới, tăng cường, đẩy mạnh, tiếp tục, học hỏi, trau dồi, giữ vững, xây dựng,
    chỉ tiêu, kiến thức, vi phạm, đúng giờ, giờ giấc, đúng hạn, đúng quy định, quy tắc,
    ứng xử, sự, hài lòng, mọi, lần, lượt, đợt, ngày, tháng, tuần, quý, năm, giờ, phút,
    tiếng, điều, cấm, thi đua, danh hiệu, tập thể, cá nhân, phần, việc làm, nhiệt huyết,
    tận tụy, gần gũi, lắng nghe, ý kiến, sâu sát, quan tâm, đời sống, thiết thực, cụ thể,
    nghiêm túc, đi đầu, tốt đẹp, văn minh, văn hóa, có ích, sống, vui, khỏe, ổn định,
    cải cách, hành chính, minh bạch, công khai, phục vụ, chỉ số
    """
)

# Vague words that stand where a number or a schedule should be.
_VAGUE = _words(
    """
    thường xuyên, tích cực, đầy đủ, nhiều, một số, kịp thời, hơn nữa, ngày càng, có hiệu quả,
    nghiêm túc, chủ động, luôn luôn, tốt hơn, định kỳ
    """
)

# Function words and generic task words ignored when linking a pledge to duties.
_DUTY_STOP = _words(
    """
    và, các, của, những, cho, với, trong, theo, tại, ở, về, để, là, có, được, giao, được giao,
    thực hiện, công tác, nhiệm vụ, mỗi, từ, đến, trên, dưới, bằng, do, khi, đã, sẽ, đang, cùng,
    như, này, đó, ít nhất, phấn đấu, đảm bảo, bảo đảm, tốt, nghiêm, phụ trách, đảm nhiệm,
    kiêm nhiệm, chuyên môn, nghiệp vụ, công việc, việc, đơn vị, cơ quan, địa phương, hoàn thành,
    tham gia, năm, tháng, ngày, quý, tuần, hằng, hàng, trước, sau, không, nào, nâng cao,
    hiệu quả, chất lượng, đồng chí, đảng viên, cán bộ, nhân dân
    """
)


# --- tokens --------------------------------------------------------------------------------

_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_TOKEN_RE = re.compile(
    # A document number: "37-QĐ/TW", "123/QĐ-UBND", "08-QĐi/TW".
    r"(?P<ref>\d+(?:/\d+)*[-/–][A-ZĐÐ][^\W\d_]{0,7}(?:[-/][^\W_]+)*)"
    # A number, possibly a date, a range, a decimal or a percentage: "30/6/2025", "4,2%".
    r"|(?P<num>\d+(?:[.,:/\-–]\d+)*(?:[ \t]?%)?)"
    # A word: letters, then letters or digits ("m2", "B1"); combining marks that NFC could
    # not compose stay inside the word instead of splitting it.
    rf"|(?P<word>(?:[^\W\d_]|[{_MARKS}])(?:[^\W_]|[{_MARKS}])*)"
    r"|(?P<punct>\S)"
)


# Tuples, not attrs classes: a text makes dozens of each, and a tuple is built fastest.
class _Token(NamedTuple):
    kind: str  # "ref" | "num" | "word" | "punct"
    key: str
    start: int
    end: int


@functools.lru_cache(maxsize=8192)
def _word_key(word: str) -> str:
    return "".join(canonical_key(word).split())


def _tokenize(text: str) -> list[_Token]:
    """The tokens of ``text``: words, numbers, document numbers and punctuation marks.

    Only a spaced percentage ("100 %") makes a token across whitespace, so the tokens of
    each run of non-space characters are found once and cached: words repeat from pledge to
    pledge, and the token regex cost a quarter of a scan (issue 11).
    """
    if _UNUSUAL_SPACING.search(text):
        return list(_tokens_of(text))
    tokens: list[_Token] = []
    append = tokens.append
    offset = 0
    for chunk in text.split(" "):
        if chunk:
            for kind, key, start, end in _chunk_tokens(chunk):
                # tuple.__new__ skips NamedTuple's Python-level constructor
                append(tuple.__new__(_Token, (kind, key, start + offset, end + offset)))
        offset += len(chunk) + 1
    return tokens


# Whitespace other than a plain space (the chunks' offsets are counted in spaces), or a
# number spaced from its percent sign: such a text is tokenized whole, as it always was.
_UNUSUAL_SPACING = re.compile(r"[^\S ]|\d %")


def _tokens_of(text: str) -> tuple[_Token, ...]:
    tokens: list[_Token] = []
    for m in _TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        raw = m.group()
        if kind == "word":
            key = _word_key(raw)
            if not key:
                continue
        elif kind in ("num", "ref"):
            key = "".join(raw.split()).replace("–", "-").casefold()
        else:
            key = raw
        tokens.append(_Token(kind, key, m.start(), m.end()))
    return tuple(tokens)


_chunk_tokens = functools.lru_cache(maxsize=16384)(_tokens_of)


def _phrase_keys(phrase: str) -> tuple[str, ...]:
    """The canonical keys of the words (and numbers) of ``phrase``, punctuation left out."""
    return tuple(t.key for t in _tokenize(nfc(phrase)) if t.kind != "punct")


def _keyset(phrases: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(_phrase_keys(p) for p in phrases)


def _k(*phrases: str) -> tuple[str, ...]:
    """The key text of each of ``phrases``: what the phrase is in the key text of a pledge."""
    return tuple(" ".join(t.key for t in _tokenize(nfc(p))) for p in phrases)


def _w(*phrases: str) -> str:
    """A regex alternation of the key text of ``phrases``, longest first.

    Every literal word in a pattern goes through here, so patterns see the same canonical
    keys as the text ("quý" and "qúy", "hoá" and "hóa" alike).
    """
    return _trie(set(_k(*phrases)))


def _trie(literals: Iterable[str]) -> str:
    """The alternation of ``literals``, longest first, written as a trie.

    "(?:h(?:ộ(?: d(?:ân)|…)?|…)|…)" is walked a character at a time, where a plain
    alternation of the 200 units is tried unit by unit at every number (issue 11). It
    matches what the plain one matches: the literals that fit at one position are prefixes
    of one another, and the trie, like the plain alternation, tries the longer first.
    """
    root: dict[str, dict[str, Any]] = {}
    for literal in literals:
        node = root
        for ch in literal:
            node = node.setdefault(ch, {})
        node[""] = {}  # a literal ends here

    def branch(node: dict[str, dict[str, Any]]) -> str:
        arms = [re.escape(ch) + branch(child) for ch, child in sorted(node.items()) if ch]
        if not arms:
            return ""
        alternation = "(?:" + "|".join(arms) + ")"
        return alternation + "?" if "" in node else alternation

    return "(?:" + branch(root) + ")"


# --- patterns over the key text --------------------------------------------------------------
# The key text is the canonical key of every token joined by single spaces, with a space
# before the first token and after the last: a token is exactly what lies between two spaces.
# A pattern matches from the space before its first token to its last token's end, followed
# by a space. Opening with that literal space (not a look-behind such as (?<!\S)) lets the
# regex engine jump from space to space instead of trying every character (issue 11).

_B0 = " "
_B1 = "(?= )"
_YEAR = r"(?:19|20)\d{2}"
_YEARS = rf"{_YEAR}(?:-{_YEAR}| - {_YEAR})?"
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_MONTH = r"(?:0?[1-9]|1[0-2])"
_NUMWORD = rf"{_w(*_NUMBER_WORDS_FIRST)}(?: {_w(*_NUMBER_WORDS_NEXT)})*"
_NUM = r"\d+(?:[.,]\d+)*(?:-\d+(?:[.,]\d+)*)?"
_AMOUNT = rf"(?:{_NUM}|{_NUMWORD})"
_UNIT = _w(*_UNITS)
_NGAY, _THANG, _NAM_W, _QUY = _w("ngày"), _w("tháng"), _w("năm"), _w("quý")
_PERIOD = _w("ngày", "tuần", "tháng", "quý", "năm", "học kỳ", "học kì", "kỳ", "ca")
_QUARTER = _w("i", "ii", "iii", "iv", "1", "2", "3", "4", "một", "hai", "ba", "bốn", "tư")
_SEMESTER = _w("i", "ii", "1", "2", "một", "hai")
# Words that open a deadline or a timeframe: "trước 30/6", "đến hết quý III", "trong năm".
_WITHIN = _w(
    *_words(
        """
        trước, đến hết, đến, tới, trong, vào, cuối, đầu, giữa, hết, suốt, cả, từ nay đến,
        chậm nhất, muộn nhất, hạn chót, trong suốt
        """
    )
)
_PREFIX = rf"(?:{_WITHIN} ){{0,2}}"
_EVERY = _w("hằng", "hàng", "mỗi", "từng")
_EVERY_WHAT = _w(
    *_words(
        """
        ngày, tuần, tháng, quý, năm, năm học, học kỳ, học kì, kỳ, buổi sáng, sáng, chiều, tối,
        đêm, đợt, ca
        """
    )
)
_SEASON = _w("đông xuân", "hè thu", "thu đông", "mùa", "chiêm", "xuân", "hè", "đông")
# Seasons of the weather and of the year's work: "trong mùa khô 2025", "trước mùa mưa".
_WEATHER = _w(
    *_words(
        """
        khô, mưa, lũ, mưa bão, mưa lũ, bão, nắng, nóng, hè, thi, tựu trường, nước nổi,
        cháy rừng, gặt, thu hoạch, lễ hội, du lịch, cao điểm
        """
    )
)
_WEEKDAY = _w("thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật")
_SPAN_UNIT = _w("ngày làm việc", "ngày", "tuần", "tháng", "năm", "giờ", "tiếng", "phút")


class _LazyRegex:
    """A pattern compiled on first use. Most texts need few of the patterns (see
    :class:`_Pattern`'s ``needs``), and compiling all of them when the module loads cost a
    one-text ``lamtheoguongbac lint`` about 40 ms of its start-up."""

    __slots__ = ("_compiled", "source")

    def __init__(self, source: str) -> None:
        self.source = source
        self._compiled: re.Pattern[str] | None = None

    @property
    def search(self) -> Callable[[str, int], re.Match[str] | None]:
        compiled = self._compiled
        if compiled is None:  # two threads may both compile it: the same pattern either way
            compiled = self._compiled = re.compile(self.source)
        return compiled.search


class _Pattern(NamedTuple):
    """A pattern over the key text, and what a text must hold for it to match at all.

    Every match of the pattern contains one of the literals of ``needs`` (a word of its
    body, "/", "%"). A pledge of the test data has them for three or four of the 24 date
    patterns, and looking for a literal costs a tenth of a search (issue 11). ``()``: always
    searched.
    """

    kind: str
    #: the pattern between the token boundaries, for tests to compare with
    body: str
    regex: _LazyRegex
    needs: tuple[str, ...]


def _pattern(kind: str, body: str, needs: tuple[str, ...]) -> _Pattern:
    return _Pattern(kind, body, _LazyRegex(_B0 + body + _B1), needs)


_THANG_K, _EVERY_K, _LAN_K, _VU_K = (
    _k("tháng"),
    _k("hằng", "hàng", "mỗi", "từng"),
    _k("lần"),
    _k("vụ"),
)
_CENTURIES = ("19", "20")  # what every _YEAR starts with

# (kind, body, needs): "specific" dates and timeframes, "year" for a bare year or "this
# year", "recurring" for schedules. Only "specific" and "recurring" can date a deliverable:
# the handbook is yearly, so "năm 2025" says nothing about when a thing will exist.
_DATE_BODIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("specific", rf"(?:{_NGAY} )?{_DAY}/{_MONTH}(?:/(?:{_YEAR}|\d{{2}}))?", ("/",)),
    ("specific", rf"(?:{_NGAY} )?{_DAY}[-.]{_MONTH}[-.]{_YEAR}", ("-19", "-20", ".19", ".20")),
    ("specific", rf"{_NGAY} {_DAY} {_THANG} {_MONTH}(?: {_NAM_W} {_YEAR})?", _THANG_K),
    ("specific", rf"{_THANG} {_MONTH}(?:/{_YEAR}| / {_YEAR}| {_NAM_W} {_YEAR})?", _THANG_K),
    (
        "specific",
        rf"{_QUY} (?:{_QUARTER}(?: / {_YEAR}| {_NAM_W} {_YEAR})?|[1-4]/{_YEAR})",
        _k("quý"),
    ),
    (
        "specific",
        rf"{_w('học kỳ', 'học kì')} {_SEMESTER}(?: {_w('năm học')} {_YEARS})?",
        _k("học kỳ", "học kì"),
    ),
    (
        "specific",
        rf"{_w('6', 'sáu')} {_THANG} {_w('đầu', 'cuối')} {_NAM_W}(?: {_YEARS})?",
        _THANG_K,
    ),
    # "trong thời hạn 20 ngày (làm việc)", "trong vòng 24 giờ", "chậm nhất 3 ngày"
    (
        "specific",
        rf"{_w('trong', 'trong vòng', 'trong thời hạn', 'trong thời gian', 'thời hạn')}"
        rf" {_AMOUNT} {_SPAN_UNIT}",
        _k("trong", "thời hạn"),
    ),
    ("specific", rf"{_w('vụ')} (?:{_SEASON}(?: {_YEARS})?|{_YEARS})", _VU_K),  # crop season
    ("specific", rf"{_w('vụ')} [^\s\d]+(?: [^\s\d]+)? {_YEARS}", _VU_K),  # "vụ nuôi chính 2025"
    ("specific", rf"{_w('mùa')} {_WEATHER}(?: {_YEARS})?", _k("mùa")),  # "trong mùa khô 2025"
    ("specific", rf"(?:{_w('dịp', 'kỳ nghỉ')} )?{_w('hè')} {_YEARS}", _k("hè")),  # "hè 2025"
    (
        "specific",
        rf"{_w('trước', 'sau', 'dịp', 'trong dịp')} {_w('tết')}"
        rf"(?: {_w('nguyên đán', 'âm lịch', 'dương lịch')})?(?: {_YEARS})?",
        _k("tết"),
    ),
    ("specific", rf"{_w('q')}[1-4](?: / {_YEAR})?", ("q1", "q2", "q3", "q4")),  # "Q3/2025"
    # "đúng hạn", "đúng thời hạn quy định", "ngay trong ngày": bounds set by the rules
    (
        "bound",
        rf"{_w('đúng hạn', 'đúng thời hạn', 'ngay trong ngày', 'trong ngày')}",
        _k("hạn", "trong ngày"),
    ),
    ("year", rf"{_w('năm học', 'năm', 'niên khóa', 'nhiệm kỳ', 'giai đoạn')} {_YEARS}", _CENTURIES),
    (
        "year",
        rf"(?:{_WITHIN} )+{_w('năm nay', 'năm học', 'năm', 'nhiệm kỳ')}",
        _k("năm", "nhiệm kỳ"),
    ),
    ("year", rf"(?:{_WITHIN} )+{_YEARS}", _CENTURIES),
    ("recurring", rf"{_NGAY} {_DAY} {_EVERY} {_THANG}", _EVERY_K),
    ("recurring", rf"{_EVERY} {_EVERY_WHAT}", _EVERY_K),
    # "tối thứ Bảy cuối tháng", "sáng thứ Hai hằng tuần", "chủ nhật đầu tháng"
    (
        "recurring",
        rf"(?:{_w('sáng', 'chiều', 'tối')} )?{_WEEKDAY}"
        rf" {_w('hằng', 'hàng', 'mỗi', 'cuối', 'đầu', 'các')} {_w('tuần', 'tháng')}",
        _k("thứ", "chủ nhật"),
    ),
    ("recurring", rf"(?:{_AMOUNT} \S+ )?/ {_PERIOD}", ("/ ",)),  # "2 buổi/tuần"
    ("recurring", rf"{_AMOUNT} {_PERIOD} / {_w('lần')}", _LAN_K),  # "3 tháng/lần"
    (
        "recurring",
        rf"{_w('lần')} {_w('một', 'trên', 'mỗi')} {_PERIOD}",
        _LAN_K,
    ),  # "2 lần một tháng"
)
_DATE_PATTERNS: tuple[_Pattern, ...] = tuple(
    _pattern(kind, _PREFIX + body, needs) for kind, body, needs in _DATE_BODIES
)

# An amount in number words needs no digit: this one is always searched.
_QUANTITY = _pattern("", rf"{_AMOUNT}(?: {_w('đến', 'tới', '-')} {_AMOUNT})? {_UNIT}", ())
# A number in digits counts whatever it counts ("15 máy bơm", "350 giấy chứng nhận"): the
# closed unit list is for number words only ("hai quần chúng", not "năm" the year). Counts
# of rules and labels are taken out as for any amount; whether the thing counted is work,
# not virtue, is judged by the concrete-object test.
_OPEN_QUANTITY = _pattern("", rf"{_NUM} [^\W\d_]\S*", tuple(f"{d} " for d in "0123456789"))
# "12/12 buổi", "3/4 thôn": a ratio before a unit is an amount, not a day/month date.
_RATIO = _pattern("", rf"\d+/\d+ {_UNIT}", ("/",))
_PERCENT = _pattern("", rf"{_NUM}%", ("%",))
# An explicit zero target: "không để trễ hồ sơ nào", "không có học sinh nào bỏ học". Only
# after verbs of failing: "không ngừng học tập bất cứ lúc nào" promises nothing countable.
_ZERO_LEAD = _w(
    *_words(
        """
        không để xảy ra, không để, không có, không nợ, không bỏ sót, không bị, không vi phạm,
        không phát sinh, không mắc, không trễ, không sai sót
        """
    )
)
_ZERO = _pattern("", rf"{_ZERO_LEAD}(?: [^\s,.;:!?()]+){{1,6}}? {_w('nào')}", _k("nào"))

_STOCK_KEYS: tuple[tuple[str, ...], ...] = tuple(
    sorted({_phrase_keys(p) for p in STOCK_PHRASES}, key=len, reverse=True)
)
_ACTION_KEYS = _keyset(_ACTIONS) | _keyset(_DELIVERABLE_ACTIONS)
_DELIVERABLE_KEYS = _keyset(_DELIVERABLE_ACTIONS)
_ABSTRACT_KEYS = _keyset(_ABSTRACT)
_VAGUE_KEYS = _keyset(_VAGUE)
_DUTY_STOP_KEYS = _keyset(_DUTY_STOP)
_DESIGNATOR_KEYS = _keyset(_DESIGNATORS)
_DOC_DESIGNATOR_KEYS = _keyset(_DOC_DESIGNATORS)
_RULE_COUNT_KEYS = _keyset(_RULE_COUNT_WORDS)
_DOC_DATE_LEADS = frozenset(k for (k,) in _keyset(("ngày", "năm")))
_SO = _phrase_keys("số")
# What an amount may not count if it is to be a target: tasks, plans, rules, movements.
_TASK_HEADS = _keyset(
    _words(
        """
        nhiệm vụ, công việc, việc, phần việc, kế hoạch, quy định, quy trình, quy chế, yêu cầu,
        nội dung, tiêu chuẩn, tiêu chí, hoạt động, phong trào, chủ trương, chính sách,
        công tác, mục tiêu, chương trình công tác
        """
    )
)
_COUNT_FILLERS = _keyset(("các", "những", "số", "tổng số", "toàn bộ", "tất cả"))
# Words ending in a designator that are not one: "xử lý dứt điểm 6 đơn" (once and for all).
_NOT_DESIGNATORS = _keyset(("dứt điểm", "trọng điểm", "địa điểm", "thời điểm"))
_NAM_HOC = _phrase_keys("năm học")
_NAM = _phrase_keys("năm")[0]
# "N năm" followed by these opens an anniversary ("135 năm Ngày sinh", "95 năm thành lập").
_ANNIVERSARY = _keyset(("ngày sinh", "ngày thành lập", "ngày truyền thống", "thành lập", "ngày"))

_MIN_WORDS = 5
_MIN_CONTENT_SYLLABLES = 3
# A counted thing must be named by at least this many content syllables ("hồ sơ", "cây keo").
_MIN_OBJECT_SYLLABLES = 2


# --- the scan ----------------------------------------------------------------------------------


# Built with tuple.__new__ where a text makes many: NamedTuple's constructor is a Python call.
class _Hit(NamedTuple):
    start: int  # first token index
    stop: int  # one past the last token index
    kind: str = ""


class _Scan(NamedTuple):
    """Everything the rules need, computed once per text (a tuple too: it is built for every
    pledge, and a frozen attrs class sets its twelve fields one call each)."""

    text: str
    tokens: tuple[_Token, ...]
    quantities: tuple[_Hit, ...]
    dates: tuple[_Hit, ...]
    stock: tuple[_Hit, ...]
    vague: tuple[_Hit, ...]
    references: tuple[_Hit, ...]
    actions: tuple[_Hit, ...]
    #: abstractions and vague words, overlapping or not (they are no object of work)
    abstract: tuple[_Hit, ...]
    word_count: int
    #: syllables naming a concrete object of work: outside stock phrases, abstractions,
    #: generic verbs, vague words, dates and references ("hồ sơ một cửa", "cây keo")
    content: int = 0
    #: numbers outside dates and references: amounts, whether or not they count work
    numbers: int = 0

    def span(self, hit: _Hit) -> tuple[int, int]:
        return self.tokens[hit.start].start, self.tokens[hit.stop - 1].end

    def show(self, hit: _Hit) -> str:
        start, end = self.span(hit)
        return self.text[start:end]

    def keys(self, hit: _Hit) -> tuple[str, ...]:
        return tuple(t.key for t in self.tokens[hit.start : hit.stop] if t.kind != "punct")


class _KeyText:
    """The key text and the map from its character offsets back to token indices.

    ``starts[i]`` is the offset of the space before token ``i``, where a match of a pattern
    that begins with token ``i`` starts.
    """

    def __init__(self, tokens: Sequence[_Token]) -> None:
        keys = [t.key for t in tokens]
        self.text = f" {' '.join(keys)} "
        self.starts = list(itertools.accumulate([len(k) + 1 for k in keys], initial=0))
        self.starts.pop()  # the space after the last token starts nothing

    def find(self, patterns: Sequence[_Pattern]) -> list[list[_Hit]]:
        """The matches of each pattern, starting at every token, so a short match cannot
        hide a longer one. One call for a list of patterns: most are skipped by their
        ``needs`` alone, and a call each cost as much as that check."""
        text, starts = self.text, self.starts
        found: list[list[_Hit]] = []
        for kind, _, regex, needs in patterns:
            hits: list[_Hit] = []
            found.append(hits)
            if needs:
                for literal in needs:
                    if literal in text:
                        break
                else:
                    continue  # the text has nothing the pattern needs
            search = regex.search
            pos = 0
            while (m := search(text, pos)) is not None:
                start, end = m.span()
                first = bisect_right(starts, start) - 1
                last = bisect_right(starts, end - 1) - 1
                hits.append(tuple.__new__(_Hit, (first, last + 1, kind)))
                if first + 1 >= len(starts):
                    break
                pos = starts[first + 1]
        return found


def _longest_first(hits: Iterable[_Hit]) -> list[_Hit]:
    """Non-overlapping hits, preferring the longest, then the earliest; in text order."""
    ranked = list(hits)
    if len(ranked) < 2:
        return ranked  # most lists of a pledge hold none or one: nothing to choose
    ranked.sort(key=_longest_then_earliest)
    taken: set[int] = set()
    chosen: list[_Hit] = []
    for h in ranked:
        span = range(h.start, h.stop)
        if taken.isdisjoint(span):
            taken.update(span)
            chosen.append(h)
    chosen.sort(key=_start_of)
    return chosen


def _longest_then_earliest(h: _Hit) -> tuple[int, int]:
    return h.start - h.stop, h.start


def _start_of(h: _Hit) -> int:
    return h.start


def _overlaps(h: _Hit, others: Iterable[_Hit]) -> bool:
    return any(h.start < o.stop and o.start < h.stop for o in others)


def _tokens_in(*lists: Iterable[_Hit]) -> set[int]:
    """The token indices the hits cover: one set lookup per token then tells an overlap,
    instead of a comparison with every hit."""
    return {i for hits in lists for h in hits for i in range(h.start, h.stop)}


def _touches(h: _Hit, taken: set[int]) -> bool:
    return not taken.isdisjoint(range(h.start, h.stop))


# Phrases of two words or more that start with one word: (length, phrase -> the numbers of
# the lists it is in), longest first.
_Longer = tuple[tuple[int, dict[tuple[str, ...], list[int]]], ...]


class _Phrases:
    """Keyed phrase lists indexed together by their first key, built once.

    Rebuilding an index on every scan cost more than the matching itself, and so did a pass
    over the text's words for each list: one pass now matches every list (issue 11). At one
    position the longer phrase comes first, so the order of hits never depends on the order
    of a set.
    """

    __slots__ = ("by_first", "kinds")

    def __init__(self, *lists: tuple[str, Iterable[tuple[str, ...]]]) -> None:
        self.kinds = tuple(kind for kind, _ in lists)
        grouped: dict[str, dict[int, dict[tuple[str, ...], list[int]]]] = {}
        for slot, (_, phrases) in enumerate(lists):
            for p in phrases:
                if p:
                    by_phrase = grouped.setdefault(p[0], {}).setdefault(len(p), {})
                    by_phrase.setdefault(p, []).append(slot)
        # first key -> (its longer phrases, the lists the word alone is in): at each word,
        # one slice and one lookup per length of the phrases it starts, none for itself
        self.by_first: dict[str, tuple[_Longer, tuple[int, ...]]] = {
            first: (
                tuple(sorted(((n, by) for n, by in by_length.items() if n > 1), reverse=True)),
                tuple(by_length.get(1, {}).get((first,), ())),
            )
            for first, by_length in grouped.items()
        }


# The phrase lists of a scan, in the order :func:`_scan` unpacks them; the last one
# (abstractions and vague words alike) is no object of work.
_SCAN_PHRASES = _Phrases(
    ("stock", _STOCK_KEYS),
    ("vague", _VAGUE_KEYS),
    ("action", _ACTION_KEYS),
    ("", _ABSTRACT_KEYS | _VAGUE_KEYS),
)
_DUTY_STOP_INDEX = _Phrases(("", _DUTY_STOP_KEYS))


class _Words(NamedTuple):
    """The tokens that are not punctuation: their indices and their keys."""

    idx: list[int]
    keys: list[str]


def _words_of(tokens: Sequence[_Token]) -> _Words:
    idx = [i for i, t in enumerate(tokens) if t.kind != "punct"]
    return _Words(idx, [tokens[i].key for i in idx])


def _match_phrases(words: _Words, phrases: _Phrases) -> list[list[_Hit]]:
    """Token-sequence matches of each list of ``phrases`` over words and numbers, skipping
    punctuation: one list of hits per phrase list, in text order."""
    idx, keys = words
    kinds = phrases.kinds
    get = phrases.by_first.get
    found: list[list[_Hit]] = [[] for _ in kinds]
    for j, k in enumerate(keys):
        entry = get(k)
        if entry is None:
            continue
        longer, alone = entry
        for n, by_phrase in longer:
            slots = by_phrase.get(tuple(keys[j : j + n]))
            if slots is not None:
                for slot in slots:
                    hit = (idx[j], idx[j + n - 1] + 1, kinds[slot])
                    found[slot].append(tuple.__new__(_Hit, hit))
        for slot in alone:
            found[slot].append(tuple.__new__(_Hit, (idx[j], idx[j] + 1, kinds[slot])))
    return found


def _words_before(tokens: Sequence[_Token], i: int, n: int) -> tuple[str, ...]:
    """The keys of up to ``n`` word tokens right before token ``i`` (anything else stops it)."""
    j = i
    while j > 0 and i - j < n and tokens[j - 1].kind == "word":
        j -= 1
    return tuple([t.key for t in tokens[j:i]])


def _next_words(tokens: Sequence[_Token], i: int, n: int) -> tuple[str, ...]:
    """The keys of up to ``n`` word tokens from token ``i`` on (anything else stops it)."""
    j = i
    end = min(i + n, len(tokens))
    while j < end and tokens[j].kind == "word":
        j += 1
    return tuple([t.key for t in tokens[i:j]])


# Three lookups, not any(...) over a generator: these run for every number of every pledge.
# A slice past the end repeats a shorter one, so no length test is needed.
def _starts_with(words: tuple[str, ...], phrases: frozenset[tuple[str, ...]]) -> bool:
    return bool(words) and (words[:1] in phrases or words[:2] in phrases or words[:3] in phrases)


def _ends_with(words: tuple[str, ...], phrases: frozenset[tuple[str, ...]]) -> bool:
    return bool(words) and (words[-1:] in phrases or words[-2:] in phrases or words[-3:] in phrases)


def _is_reference(tokens: Sequence[_Token], i: int) -> bool:
    """Whether number token ``i`` identifies a document or counts a regulation's articles."""
    after = _next_words(tokens, i + 1, 2)
    if "/" not in tokens[i].key and (
        after[:1] in _RULE_COUNT_KEYS or after[:2] in _RULE_COUNT_KEYS
    ):
        return True  # "19 điều đảng viên không được làm", "5 chuẩn mực đạo đức"
    before = _words_before(tokens, i, 4)
    if before[-1:] == _SO:
        before = before[:-1]  # "Nghị quyết số 04"
    return _ends_with(before, _DOC_DESIGNATOR_KEYS) and not _ends_with(before, _NOT_DESIGNATORS)


def _is_label(tokens: Sequence[_Token], i: int, schedules: Sequence[_Hit]) -> bool:
    """Whether number token ``i`` is a label ("thôn 3", "lớp 9", "năm 2025"), not an amount.

    "mỗi tuần 2 buổi" is the exception: there the word before the number is a schedule.
    """
    if any(h.start <= i - 1 < h.stop for h in schedules):
        return False
    before = _words_before(tokens, i, 3)
    return _ends_with(before, _DESIGNATOR_KEYS) and not _ends_with(before, _NOT_DESIGNATORS)


def _counts_tasks(tokens: Sequence[_Token], h: _Hit) -> bool:
    """Whether an amount counts tasks, plans or rules rather than work: "100% nhiệm vụ
    giảng dạy", "3 nhiệm vụ trọng tâm", "100% kế hoạch công tác" restate the duty."""
    last = tokens[h.stop - 1]
    start = h.stop - 1 if last.kind == "word" else h.stop  # "3 nhiệm", else after "100%"
    head = _next_words(tokens, start, 4)
    while head[:1] in _COUNT_FILLERS:
        head = head[1:]
    return _starts_with(head, _TASK_HEADS)


def _scan(raw: str) -> _Scan:
    text = nfc(raw)
    tokens = tuple(_tokenize(text))
    kt = _KeyText(tokens)

    references = [
        _Hit(i, i + 1, "ref")
        for i, tok in enumerate(tokens)
        if tok.kind == "ref" or (tok.kind == "num" and _is_reference(tokens, i))
    ]

    ratios, open_hits, amount_hits, percents, zeros = kt.find(
        (_RATIO, _OPEN_QUANTITY, _QUANTITY, _PERCENT, _ZERO)
    )
    # A date that opens with "ngày"/"năm" right after a reference is the document's own date
    # ("Kết luận 01-KL/TW ngày 18/5/2021"), not a deadline; so is every date inside it.
    ref_ends = {h.stop for h in references}
    date_hits: list[_Hit] = []
    doc_dates: list[_Hit] = []
    for hits in kt.find(_DATE_PATTERNS):
        for h in hits:
            lead = h.start
            while lead > 0 and tokens[lead - 1].kind == "punct":
                lead -= 1
            if lead in ref_ends and tokens[h.start].key in _DOC_DATE_LEADS:
                doc_dates.append(h)
            else:
                date_hits.append(h)
    not_dates = _tokens_in(doc_dates, ratios)
    dates = _longest_first(h for h in date_hits if not _touches(h, not_dates))
    schedules = [d for d in dates if d.kind == "recurring"]
    # "6 tháng" in "6 tháng đầu năm" is a timeframe; a number in a reference is no amount
    not_amounts = _tokens_in([d for d in dates if d.kind != "recurring"], references)

    quantity_hits: list[_Hit] = []
    in_dates = _tokens_in(dates)
    open_hits = [
        h
        for h in open_hits
        if not _touches(h, in_dates) and (tokens[h.stop - 1].key,) not in _ABSTRACT_KEYS
    ]
    for h in [*amount_hits, *open_hits]:
        if tokens[h.start].kind == "num" and _is_label(tokens, h.start, schedules):
            continue
        if tokens[h.start].kind == "word" and h.start > 0 and tokens[h.start - 1].kind == "num":
            continue  # "135 năm ngày sinh": "năm" after a number is "years", not "five"
        if tuple([t.key for t in tokens[h.start : h.start + 2]]) == _NAM_HOC:
            continue  # "năm học sinh": far likelier "năm học" (school year) than 5 pupils
        if _touches(h, not_amounts):
            continue
        if tokens[h.stop - 1].key == _NAM and _starts_with(
            _next_words(tokens, h.stop, 3), _ANNIVERSARY
        ):
            continue  # "135 năm Ngày sinh Bác", "95 năm thành lập Đảng": an anniversary
        quantity_hits.append(h)
    quantity_hits.extend(ratios)
    quantity_hits.extend(percents)
    quantities = [h for h in _longest_first(quantity_hits) if not _counts_tasks(tokens, h)]
    quantities = _longest_first([*quantities, *zeros])

    words = _words_of(tokens)
    stock_hits, vague_hits, action_hits, abstract = _match_phrases(words, _SCAN_PHRASES)
    stock = _longest_first(stock_hits)
    in_stock = _tokens_in(stock)
    vague = [h for h in _longest_first(vague_hits) if not _touches(h, in_stock)]
    actions = _longest_first(action_hits)
    dated = _tokens_in(dates, references)
    covered = dated | in_stock | _tokens_in(abstract)
    content = numbers = 0
    for i in words.idx:
        kind = tokens[i].kind
        if kind == "word" and i not in covered:
            content += 1
        elif kind == "num" and i not in dated:
            numbers += 1
    return _Scan(
        text=text,
        tokens=tokens,
        quantities=tuple(quantities),
        dates=tuple(dates),
        stock=tuple(stock),
        vague=tuple(vague),
        references=tuple(references),
        actions=tuple(actions),
        abstract=tuple(abstract),
        word_count=len(words.idx),
        content=content,
        numbers=numbers,
    )


def _dated_deliverable(scan: _Scan, *, deadline_given: bool) -> bool:
    """Whether the text names a concrete deliverable with a date or a schedule.

    ("Bảo vệ tiểu luận cuối khóa trước tháng 11/2025", "Hằng tuần kiểm tra chứng từ thu chi
    của quỹ hội".) A year alone does not date a deliverable; a date, month, quarter, semester,
    crop season or a recurring schedule does. The deed must also say *what*: enough content
    words left once stock phrases, dates, verbs and abstractions are set aside, so that "tổ
    chức tốt các hoạt động phong trào trước 31/12" stays generic.
    """
    # "đúng hạn" bounds each case handled, it does not date a deliverable
    has_date = deadline_given or any(d.kind not in ("year", "bound") for d in scan.dates)
    if not has_date:
        return False
    verbs = [a for a in scan.actions if not _overlaps(a, scan.stock)]
    recurring = any(d.kind == "recurring" for d in scan.dates)
    if not (recurring and verbs) and not any(scan.keys(a) in _DELIVERABLE_KEYS for a in verbs):
        return False
    covered: set[int] = set()
    for hits in (scan.stock, scan.dates, scan.actions, scan.references):
        for h in hits:
            covered.update(range(h.start, h.stop))
    for h in scan.abstract:
        covered.update(range(h.start, h.stop))
    content = sum(1 for i, t in enumerate(scan.tokens) if t.kind == "word" and i not in covered)
    return content >= _MIN_CONTENT_SYLLABLES


# --- public functions --------------------------------------------------------------------------


def analyse_text(text: str) -> TextAnalysis:
    """Recognise quantities, deadlines, stock phrases and action verbs in a pledge text.

    Args:
        text: the pledge as written, in any Unicode normal form.

    Returns:
        A :class:`TextAnalysis` whose strings are slices of ``nfc(text)``.

    Example:
        >>> from lamtheoguongbac.rules import analyse_text
        >>> analysis = analyse_text("Thực hiện tốt nhiệm vụ được giao")
        >>> analysis.stock_phrases, analysis.quantities
        (('Thực hiện tốt nhiệm vụ được giao',), ())
    """
    scan = _scan(text)
    return TextAnalysis(
        quantities=tuple(scan.show(h) for h in scan.quantities),
        dates=tuple(scan.show(h) for h in scan.dates),
        stock_phrases=tuple(scan.show(h) for h in scan.stock),
        has_action=bool(scan.actions),
        references=tuple(scan.show(h) for h in scan.references),
    )


def lint_text(
    text: str,
    *,
    deadline_given: bool = False,
    target_given: bool = False,
    work: Sequence[str] = (),
) -> tuple[LintFinding, ...]:
    """Lint a pledge text; findings come in code order, then by position.

    Args:
        text: the pledge as written, in any Unicode normal form.
        deadline_given: the pledge has its deadline in a separate field, so a text without a
            date is fine (no L002) and a deliverable in the text counts as dated.
        target_given: the pledge has its measurable target in a separate field, so a text
            that names a concrete object of work needs no number of its own.
        work: the member's position and duties, to choose an example that fits them.

    Returns:
        The findings; spans index into ``nfc(text)``. A text typed without diacritics gets
        LTGB-L007 alone.

    Example:
        >>> from lamtheoguongbac.rules import lint_text
        >>> [f.code for f in lint_text("Thực hiện tốt 100% nhiệm vụ được giao trong năm 2025")]
        ['LTGB-L001', 'LTGB-L003']
        >>> lint_text("Hằng tháng thăm hỏi 03 gia đình chính sách trên địa bàn ấp Đông")
        ()
    """
    scan = _scan(text)
    if _lacks_diacritics(scan.tokens):
        return (_l007(),)
    concrete = scan.content >= _MIN_OBJECT_SYLLABLES
    measurable_text = (bool(scan.quantities) and concrete) or _dated_deliverable(
        scan, deadline_given=deadline_given
    )
    measurable = measurable_text or (target_given and concrete)
    findings: list[LintFinding] = []

    # The example is chosen only for a text that needs one: most pledges are measurable.
    example = ("", "") if measurable else example_for(work)
    if not measurable:
        counted = bool(scan.quantities) or bool(scan.numbers) or target_given
        findings.append(_l001(example, counted=counted))
    if not deadline_given and not scan.dates:
        findings.append(_l002())
    if not measurable:
        findings.extend(_l003(scan.show(h), scan.span(h), example) for h in scan.stock)
    too_short = scan.word_count < _MIN_WORDS and not scan.quantities
    not_a_deed = not scan.actions and not measurable_text
    if too_short or not_a_deed:
        findings.append(_l004(too_short=too_short))
    if not measurable:
        findings.extend(_l005(scan.show(h), scan.span(h)) for h in scan.vague)
        findings.extend(_l006(scan.show(h), scan.span(h)) for h in scan.references)
    return tuple(findings)


def is_generic(
    text: str,
    *,
    deadline_given: bool = False,
    target_given: bool = False,
    work: Sequence[str] = (),
) -> bool:
    """Whether the pledge is a generic registration ("đăng ký chung chung").

    True when :func:`lint_text` (same arguments) finds LTGB-L001, L003 or L004 (the codes
    that make a pledge generic);
    False for a text typed without diacritics (LTGB-L007: it cannot be judged).

    Example:
        >>> from lamtheoguongbac.rules import is_generic
        >>> is_generic("Nâng cao ý thức trách nhiệm")
        True
        >>> is_generic("Hằng tháng thăm hỏi 03 gia đình chính sách trên địa bàn ấp Đông")
        False
    """
    findings = lint_text(text, deadline_given=deadline_given, target_given=target_given, work=work)
    return any(f.marks_generic for f in findings)


# A syllable of Vietnamese written in ASCII: what a text typed without diacritics is made of.
_ASCII_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|nh|ng|[cmnpt])?"
)


def _lacks_diacritics(tokens: Sequence[_Token]) -> bool:
    """Whether the text is Vietnamese typed without its marks ("Giai quyet 100% ho so…").

    At least four words, none with a mark (nor "đ"), nearly all of them shaped like
    Vietnamese syllables - so English, codes and abbreviations are not taken for it.
    """
    words = [t.key for t in tokens if t.kind == "word"]
    if len(words) < 4 or not "".join(words).isascii():
        return False
    shaped = sum(1 for w in words if _ASCII_SYLLABLE.fullmatch(w))
    return shaped >= 0.8 * len(words)


def relates_to_duties(text: str, duties: Sequence[str]) -> bool:
    """Whether the pledge text links to one of the member's assigned duties.

    Both sides are reduced to content words on canonical keys (function words and generic
    task words such as "thực hiện", "công tác", "nhiệm vụ" dropped). A link is a shared pair
    of adjacent content syllables ("hồ sơ", "một cửa", "giảng dạy") - Vietnamese words are
    mostly two syllables, and single syllables ("hồ", "sơ") match by accident - or, for a
    duty that has a single content syllable, that syllable.
    """
    if not duties:
        return False
    pledge_runs = _content_runs(text)
    pledge_pairs = {pair for run in pledge_runs for pair in itertools.pairwise(run)}
    pledge_words = {w for run in pledge_runs for w in run}
    for duty in duties:
        runs = _duty_runs(duty)
        words = [w for run in runs for w in run]
        if len(words) == 1 and words[0] in pledge_words:
            return True
        if any(pair in pledge_pairs for run in runs for pair in itertools.pairwise(run)):
            return True
    return False


@functools.lru_cache(maxsize=4096)
def _duty_runs(duty: str) -> tuple[tuple[str, ...], ...]:
    """:func:`_content_runs` of a duty, cached: members of one position share their duties'
    texts, and every pledge of a handbook is compared with the same duties."""
    return tuple(_content_runs(duty))


def _content_runs(text: str) -> list[tuple[str, ...]]:
    """Runs of adjacent content syllables; stop words and punctuation split runs."""
    tokens = _tokenize(nfc(text))
    stopped: set[int] = set()
    for h in _match_phrases(_words_of(tokens), _DUTY_STOP_INDEX)[0]:
        stopped.update(range(h.start, h.stop))
    runs: list[tuple[str, ...]] = []
    run: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.kind == "word" and i not in stopped:
            run.append(tok.key)
        else:
            if run:
                runs.append(tuple(run))
            run = []
    if run:
        runs.append(tuple(run))
    return runs


# --- examples that fit the member's work --------------------------------------------------------

#: The data table of example pledges by occupation (JSON, shipped with the catalog).
EXAMPLES_FILE = "pledge_examples.json"


@attrs.frozen
class _Example:
    keys: tuple[str, ...]
    vi: str
    en: str


@functools.cache
def _examples() -> tuple[tuple[_Example, ...], _Example]:
    from importlib import resources  # read once, on first use

    # Through the root package: importing the catalog package would load cattrs & co.
    # for a command (``lint``) that needs none of it.
    path = resources.files("lamtheoguongbac").joinpath("catalog", EXAMPLES_FILE)
    data = json.loads(path.read_text("utf-8"))
    table = tuple(
        _Example(tuple(_loose(k) for k in e["match"]), nfc(e["vi"]), e["en"])
        for e in data["examples"]
    )
    default = data["default"]
    return table, _Example((), nfc(default["vi"]), default["en"])


def _loose(text: str) -> str:
    return " " + " ".join(t.key for t in _tokenize(nfc(text)) if t.kind != "punct") + " "


def example_for(work: Sequence[str]) -> tuple[str, str]:
    """An example pledge (Vietnamese, English) that fits a member's position and duties.

    The first row of the catalog's ``pledge_examples.json`` whose words occur in ``work``
    wins (position first, then each duty); with no match, a neutral example.

    Example:
        >>> from lamtheoguongbac.rules import example_for
        >>> vi, en = example_for(["Giáo viên Toán"])
        >>> vi[:45]
        'Phụ đạo 05 học sinh yếu môn Toán lớp 9A, mỗi '
    """
    default = _examples()[1]
    for item in work:
        found = _example_of(item)
        if found is not None:
            return found.vi, found.en
    return default.vi, default.en


@functools.lru_cache(maxsize=4096)
def _example_of(item: str) -> _Example | None:
    """The first example whose words occur in one position or duty (cached: positions and
    duties repeat across a roster)."""
    key = _loose(item)
    table, _ = _examples()
    return next((e for e in table if any(k in key for k in e.keys)), None)


# --- findings --------------------------------------------------------------------------------


def _l001(example: tuple[str, str], *, counted: bool) -> LintFinding:
    if counted:
        vi = "Con số chưa gắn với một việc cụ thể: chưa nêu làm việc gì, cho ai."
        en = "The number is not tied to concrete work: it does not say what is done, for whom."
    else:
        vi = "Chưa có chỉ tiêu đo đếm được (con số, tỷ lệ hoặc sản phẩm có thời hạn)."
        en = "No measurable target (a number, a percentage or a dated deliverable)."
    return LintFinding(
        code=L001,
        message_vi=vi,
        message_en=en,
        hint_vi="Nêu việc cụ thể kèm con số cụ thể (số hồ sơ, %, số buổi, số hộ…) và thời "
        f"hạn. Ví dụ: '{example[0]}'.",
        hint_en=f"Name the work with a concrete number (files, %, sessions, households…) and "
        f"a deadline. Example: '{example[1]}'.",
    )


def _l002() -> LintFinding:
    return LintFinding(
        code=L002,
        message_vi="Chưa nêu thời hạn hoặc lịch thực hiện.",
        message_en="No deadline, timeframe or schedule.",
        hint_vi="Thêm thời hạn: 'trước 30/6/2025', 'trong quý III/2025', 'hằng tháng'.",
        hint_en="Add when: 'by 30/6/2025', 'in Q3/2025', 'every month'.",
    )


def _l003(phrase: str, span: tuple[int, int], example: tuple[str, str]) -> LintFinding:
    return LintFinding(
        code=L003,
        message_vi=f"Cụm từ chung chung '{phrase}', chưa nêu việc cụ thể đo đếm được.",
        message_en=f"Stock phrase '{phrase}' with no concrete, measurable work.",
        hint_vi=f"Thay bằng việc làm cụ thể: làm gì, bao nhiêu, đến khi nào. Ví dụ: "
        f"'{example[0]}'.",
        hint_en=f"Replace it with a concrete deed: what, how much, by when. Example: "
        f"'{example[1]}'.",
        span=span,
    )


def _l004(*, too_short: bool) -> LintFinding:
    if too_short:
        vi, en = "Quá ngắn để là một việc làm cụ thể.", "Too short to be a concrete deed."
    else:
        vi = "Chỉ nêu phẩm chất hoặc khẩu hiệu, không nêu hành động cụ thể."
        en = "Names virtues or a slogan, not an action."
    return LintFinding(
        code=L004,
        message_vi=vi,
        message_en=en,
        hint_vi="Bắt đầu bằng động từ hành động (giải quyết, soạn, vận động, giúp đỡ…), rồi "
        "nêu đối tượng, số lượng, thời hạn.",
        hint_en="Start with an action verb (resolve, draft, mobilise, help…), then say what, "
        "how many, by when.",
    )


def _l005(word: str, span: tuple[int, int]) -> LintFinding:
    return LintFinding(
        code=L005,
        message_vi=f"Từ '{word}' không đo đếm được.",
        message_en=f"'{word}' cannot be measured.",
        hint_vi=f"Thay '{word}' bằng tần suất hoặc số lượng (ví dụ: 'hằng tuần', "
        "'02 buổi/tháng', '05 hộ').",
        hint_en=f"Replace '{word}' with a frequency or an amount (e.g. 'every week', "
        "'2 sessions a month', '5 households').",
        span=span,
    )


def _l006(ref: str, span: tuple[int, int]) -> LintFinding:
    return LintFinding(
        code=L006,
        message_vi=f"Số '{ref}' là số hiệu hoặc số điều của văn bản, không phải chỉ tiêu.",
        message_en=f"'{ref}' identifies a document or counts its articles; it is not a target.",
        hint_vi="Giữ căn cứ văn bản, nhưng nêu thêm kết quả cần đạt bằng con số (ví dụ: "
        "'tham gia 12/12 buổi sinh hoạt chi bộ').",
        hint_en="Keep the reference, but add the result to reach as a number (e.g. 'attend "
        "12 of 12 cell meetings').",
        span=span,
    )


def _l007() -> LintFinding:
    return LintFinding(
        code=L007,
        message_vi="Nội dung được gõ không dấu nên không đánh giá được.",
        message_en="The text is typed without Vietnamese diacritics, so it cannot be judged.",
        hint_vi="Hãy gõ lại bằng tiếng Việt có dấu (bật bộ gõ Unikey/Telex hoặc bàn phím "
        "tiếng Việt trên điện thoại).",
        hint_en="Retype it in Vietnamese with diacritics (switch on a Vietnamese input "
        "method, e.g. Telex).",
    )
