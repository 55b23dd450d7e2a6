"""A template is a file from a user: a zip bomb, a huge, damaged or malformed .docx is a
TemplateError naming the file and the part — and one line from check_template, which never
raises — never a parser's traceback, minutes of work or gigabytes of memory.

Every file here is crafted in ``tmp_path`` from a template python-docx writes.
"""

from __future__ import annotations

import io
import struct
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lamtheoguongbac import TemplateError
from lamtheoguongbac import _fsutil as fsutil
from lamtheoguongbac_docx import DocxRenderer, _engine, check_template

TextTemplate = Callable[..., Path]
BODY = "word/document.xml"


def _rewrite(
    path: Path, change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
) -> Path:
    """``path`` with each entry passed through ``change`` (None drops it), ``extra`` added."""
    out = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = change(info.filename, src.read(info))
            if data is not None:
                dst.writestr(info.filename, data)
        for name, data in (extra or {}).items():
            dst.writestr(name, data)
    crafted = path.with_name(f"crafted-{path.name}")
    crafted.write_bytes(out.getvalue())
    return crafted


def _in_body(xml: bytes) -> Callable[[str, bytes], bytes]:
    """A change putting ``xml`` at the start of the document body."""
    return lambda name, data: (
        data.replace(b"<w:body>", b"<w:body>" + xml, 1) if name == BODY else data
    )


def _refused(path: Path) -> TemplateError:
    """The error of making a renderer for ``path``; check_template tells the same in a line."""
    with pytest.raises(TemplateError) as caught:
        DocxRenderer(path)
    error = caught.value
    assert str(error) == f"{error.message_vi} / {error.message_en}"
    assert check_template(path) == [str(error)]
    return error


def test_the_crafting_keeps_a_valid_template_valid(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    same = _rewrite(text_template("Họ tên: {{ member.full_name }}"), lambda n, d: d)

    assert DocxRenderer(same).render(context)
    assert check_template(same) == []


# --- zip bombs and sizes -------------------------------------------------------------------


def test_the_reported_zip_bomb_is_refused_at_once(text_template: TextTemplate) -> None:
    # The review's file, made smaller: runs of megabytes of one letter, ~1 000 times smaller
    # zipped. (80 runs of 5 MB took 2.7 GB and 65 s before the check.)
    run = b"<w:p><w:r><w:t>" + b"A" * 2_000_000 + b"</w:t></w:r></w:p>"
    bomb = _rewrite(text_template("{{ member.full_name }}"), _in_body(run * 4))
    assert bomb.stat().st_size < 100_000

    started = time.perf_counter()
    error = _refused(bomb)

    assert time.perf_counter() - started < 5
    assert error.message_vi.startswith(f"Tệp mẫu {bomb.name} bị từ chối: phần '{BODY}' giải nén")
    assert "nghi là bom nén" in error.message_vi
    assert f"template {bomb.name} was refused: entry '{BODY}' inflates to 7.6 MB" in (
        error.message_en
    )


def test_too_much_in_all_is_refused_naming_the_largest_part(
    text_template: TextTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = _rewrite(
        text_template("Xin chào"),
        lambda n, d: d,
        {"word/media/image1.png": bytes(range(256)) * 2400},
    )
    monkeypatch.setattr(fsutil, "MAX_ZIP_TOTAL_SIZE", 1_200_000)  # read when called

    error = _refused(template)

    assert "lớn nhất là phần 'word/media/image1.png'" in error.message_vi
    assert "the largest is 'word/media/image1.png'" in error.message_en


def test_a_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    huge = tmp_path / "lon.docx"
    with huge.open("wb") as file:
        file.truncate(fsutil.MAX_ZIP_FILE_SIZE + 1)

    error = _refused(huge)

    assert "tệp quá lớn" in error.message_vi
    assert "the file is too large" in error.message_en


def test_a_part_over_its_size_limit_is_refused(
    text_template: TextTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = text_template("{{ member.full_name }}")
    monkeypatch.setattr(_engine, "MAX_PART_SIZE", 1000)

    error = _refused(template)

    assert f"phần '{BODY}' quá lớn" in error.message_vi
    assert f"its part '{BODY}' is too large" in error.message_en


def test_a_template_of_too_many_tags_is_refused(
    text_template: TextTemplate, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = text_template(*["{{ member.full_name }} {% if 1 %}x{% endif %}"] * 4)
    monkeypatch.setattr(_engine, "MAX_TEMPLATE_TAGS", 11)

    error = _refused(template)

    assert "có 12 thẻ Jinja (tối đa 11)" in error.message_vi
    assert "it has 12 Jinja tags (at most 11)" in error.message_en


# --- damaged archives and malformed XML ----------------------------------------------------


def test_malformed_body_xml_names_the_file_and_the_part(text_template: TextTemplate) -> None:
    template = text_template("{{ member.full_name }}")
    broken = _rewrite(template, lambda n, d: d.replace(b"</w:body>", b"") if n == BODY else d)

    error = _refused(broken)

    assert error.message_vi.startswith(
        f"Tệp mẫu {broken.name}: phần '{BODY}' không phải XML hợp lệ ("
    )
    assert f"template {broken.name}: part '{BODY}' is not well-formed XML (" in error.message_en


@pytest.mark.parametrize(
    "part",
    [
        "word/_rels/document.xml.rels",
        "_rels/.rels",
        "[Content_Types].xml",
        # copied into each document as it is: Word could not open one (check passed it)
        "word/styles.xml",
        "docProps/core.xml",
    ],
)
def test_malformed_package_xml_names_its_part(text_template: TextTemplate, part: str) -> None:
    broken = _rewrite(text_template("Xin chào"), lambda n, d: d[:-5] if n == part else d)

    error = _refused(broken)

    assert f"phần '{part}' không phải XML hợp lệ" in error.message_vi


def test_a_malformed_header_names_the_header(
    make_template: Callable[[Callable[[Any], None]], Path],
) -> None:
    template = make_template(
        lambda d: d.sections[0].header.add_paragraph("Đầu trang {{ member.full_name }}")
    )
    with zipfile.ZipFile(template) as archive:
        header = next(n for n in archive.namelist() if n.startswith("word/header"))
    broken = _rewrite(template, lambda n, d: d.replace(b"</w:p>", b"</w:r>") if n == header else d)

    error = _refused(broken)

    assert f"phần '{header}' không phải XML hợp lệ" in error.message_vi


@pytest.mark.parametrize(
    ("dtd", "use"),
    [
        (b'<!DOCTYPE w:document [<!ENTITY x "Nguyen">]>', b"&x;"),
        (b'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"&x;"),
        (b'<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>', b"&b;"),
    ],
    ids=["internal", "external", "laughs"],
)
def test_a_dtd_is_refused_and_entities_never_expanded(
    text_template: TextTemplate, dtd: bytes, use: bytes
) -> None:
    def add(name: str, data: bytes) -> bytes:
        if name != BODY:
            return data
        head, _, rest = data.partition(b"?>")
        return head + b"?>" + dtd + rest.replace(b"Xin", use + b"Xin", 1)

    error = _refused(_rewrite(text_template("Xin chào"), add))

    assert f"phần '{BODY}' có khai báo DTD" in error.message_vi
    assert f"part '{BODY}' has a DTD declaration" in error.message_en


def test_a_truncated_file_is_refused(text_template: TextTemplate) -> None:
    template = text_template("Xin chào")
    cut = template.with_name("cut.docx")
    cut.write_bytes(template.read_bytes()[:-200])

    error = _refused(cut)

    assert error.message_vi.startswith("Không đọc được tệp mẫu cut.docx: không phải tệp .docx")


def test_a_part_larger_than_the_archive_says_is_damaged(text_template: TextTemplate) -> None:
    # The directory says the body is 100 bytes: it inflates to more, and is stopped there.
    template = text_template("Xin chào " * 50)
    data = bytearray(template.read_bytes())
    with zipfile.ZipFile(template) as archive:
        names = archive.namelist()
    record = data.find(b"PK\x01\x02")
    while True:
        name_len = struct.unpack_from("<H", data, record + 28)[0]
        if data[record + 46 : record + 46 + name_len] == BODY.encode():
            break
        record = data.find(b"PK\x01\x02", record + 4)
    struct.pack_into("<L", data, record + 24, 100)
    lying = template.with_name("lying.docx")
    lying.write_bytes(bytes(data))
    assert BODY in names

    error = _refused(lying)

    assert error.message_vi.startswith("Tệp mẫu lying.docx bị hỏng:")
    assert f"'{BODY}' does not inflate to its declared 100 bytes" in error.message_en


def test_a_table_without_its_grid_is_refused(
    make_template: Callable[[Callable[[Any], None]], Path],
) -> None:
    template = make_template(
        lambda d: d.add_table(rows=1, cols=2).cell(0, 0).add_paragraph("{{ member.full_name }}")
    )
    gridless = _rewrite(
        template,
        lambda n, d: (
            d.replace(d[d.find(b"<w:tblGrid>") : d.find(b"</w:tblGrid>") + 12], b"")
            if n == BODY
            else d
        ),
    )

    error = _refused(gridless)

    assert "bảng trong phần 'word/document.xml' bị hỏng" in error.message_vi
    assert "a table in part 'word/document.xml' is malformed" in error.message_en


# --- templates that ask for too much -------------------------------------------------------


def test_deep_nesting_is_a_template_error(text_template: TextTemplate) -> None:
    template = text_template("{{ " + "(" * 3000 + "1" + ")" * 3000 + " }}")

    error = _refused(template)

    assert "lồng nhau hoặc macro gọi lại chính nó quá sâu" in error.message_vi


def test_a_macro_calling_itself_forever_is_a_template_error(
    text_template: TextTemplate, context: dict[str, Any]
) -> None:
    renderer = DocxRenderer(text_template("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"))

    with pytest.raises(TemplateError, match="recursing, too deeply"):
        renderer.render(context)


def test_lxml_parsers_on_templates_are_the_safe_ones() -> None:
    # The options are not readable back from a parser: check them where they are made.
    source = Path(_engine.__file__).read_text(encoding="utf-8")

    assert source.count("etree.XMLParser(") == 2
    assert source.count("resolve_entities=False, no_network=True, huge_tree=False") == 2
