"""Regenerate the byte samples in this directory (see README.md).

Run from the repository root: ``.venv/bin/python tests/data/legacy/make_samples.py``.
tests/test_legacy.py checks that the committed files equal what this script produces.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2] / "src"))

from lamtheoguongbac._legacy import encode_bytes  # noqa: E402

# A party cell's pledge sheet: header in capitals (typed in a capital font for TCVN3), a
# place-date line, a roster and a pledge sentence.
CAPS_LINES = frozenset({0, 2})
LINES = (
    "ĐẢNG CỘNG SẢN VIỆT NAM",
    "Hà Nội, ngày 05 tháng 01 năm 2015",
    "BẢN CAM KẾT HỌC TẬP VÀ LÀM THEO TƯ TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH",
    "Chi bộ: Khu phố 3, phường Quán Thánh",
    "1. Lê Minh Đức, bí thư chi bộ",
    "2. Trần Thị Hoà, phó bí thư",
    "3. Phạm Quốc Thuỷ, đảng viên",
    "4. Nguyễn Thị Ngọc Ánh, đảng viên",
    "Tôi xin cam kết thực hiện tốt việc học tập và làm theo gương Bác trong năm 2015.",
)
# TCVN3's lowercase fonts have no "Á"; the TCVN3 sample writes that roster line in lowercase
# initials the way .VnTime users did, so the expected text differs on that line only.
TCVN3_LINE_7 = "4. Nguyễn Thị Ngọc ánh, đảng viên"


def expected_text(encoding: str) -> str:
    lines = list(LINES)
    if encoding == "tcvn3":
        lines[7] = TCVN3_LINE_7
    return "\r\n".join(lines) + "\r\n"


def sample_bytes(encoding: str) -> bytes:
    if encoding == "tcvn3":
        parts = [
            encode_bytes(line, "tcvn3", errors="lower" if i in CAPS_LINES else "strict")
            for i, line in enumerate(expected_text("tcvn3").split("\r\n"))
        ]
        return b"\r\n".join(parts)
    if encoding == "utf-8-nfd":
        return unicodedata.normalize("NFD", expected_text(encoding)).encode("utf-8")
    if encoding.startswith("utf-8-sig-mojibake-"):
        # The same, saved by Notepad's "UTF-8", which writes a BOM.
        legacy = encoding.removeprefix("utf-8-sig-mojibake-")
        return sample_bytes(legacy).decode("cp1252").encode("utf-8-sig")
    if encoding.startswith("utf-8-mojibake-"):
        # A legacy file that some tool re-saved as UTF-8 after reading it as cp1252.
        legacy = encoding.removeprefix("utf-8-mojibake-")
        return sample_bytes(legacy).decode("cp1252").encode("utf-8")
    return encode_bytes(expected_text(encoding), encoding)


SAMPLES = {
    "sample_tcvn3.txt": "tcvn3",
    "sample_vni.txt": "vni",
    "sample_cp1258.txt": "cp1258",
    "sample_utf8_bom.txt": "utf-8-sig",
    "sample_utf8_nfd.txt": "utf-8-nfd",
    "sample_utf8_mojibake_tcvn3.txt": "utf-8-mojibake-tcvn3",
    "sample_utf8_mojibake_vni.txt": "utf-8-mojibake-vni",
    "sample_utf8_bom_mojibake_tcvn3.txt": "utf-8-sig-mojibake-tcvn3",
}


def main() -> None:
    for name, encoding in SAMPLES.items():
        (HERE / name).write_bytes(sample_bytes(encoding))
    (HERE / "expected.txt").write_bytes(expected_text("vni").encode("utf-8"))
    (HERE / "expected_tcvn3.txt").write_bytes(expected_text("tcvn3").encode("utf-8"))


if __name__ == "__main__":
    main()
