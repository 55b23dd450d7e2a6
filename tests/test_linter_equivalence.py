"""The pledge linter's fast scan gives exactly the results of the plain one (issue 11).

The scan was sped up for the province benchmark (pattern gates, one pass over the phrase
lists, interval checks on token sets). Two guards keep its results unchanged:

* ``tests/data/linter-expected.json`` holds, for every pledge-like text of the project (the
  pledge data files, the strings of the linter and rule tests, the factories, the catalog,
  the examples and the docs), the full scan, the analysis and the findings as the linter
  gave them *before* the speed-up; the test compares each field;
* a Hypothesis property compares the scan with :func:`reference_scan` below - the plain
  implementation (every pattern searched from every token with look-arounds for token
  boundaries and no gate, every phrase list walked on its own, overlaps by pairwise
  comparison) kept here as the specification - on texts built from the linter's own
  vocabulary; another checks that the word lists written as tries match what the plain
  alternations, longest first, match.

Regenerate the data file only when the linter's *behaviour* changes on purpose:
``python tests/test_linter_equivalence.py`` rewrites it from the current implementation.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtheoguongbac import _linter as lt
from lamtheoguongbac._linter import _Hit, _Scan, _Token
from lamtheoguongbac.rules import analyse_text, lint_text
from lamtheoguongbac.text import nfc

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = Path(__file__).parent / "data" / "linter-expected.json"
WORK = ("Giáo viên Toán", "Chủ nhiệm lớp 9A")


# --- the reference: the plain scan, as it was before the speed-up ------------------------------


def ref_tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for m in lt._TOKEN_RE.finditer(text):
        kind = m.lastgroup or "punct"
        raw = m.group()
        if kind == "word":
            key = lt._word_key(raw)
            if not key:
                continue
        elif kind in ("num", "ref"):
            key = "".join(raw.split()).replace("–", "-").casefold()
        else:
            key = raw
        tokens.append(_Token(kind, key, m.start(), m.end()))
    return tokens


def ref_find(tokens: Sequence[_Token], pattern: re.Pattern[str], kind: str = "") -> list[_Hit]:
    """Every match of ``pattern`` over the key text, searched again from every next token."""
    starts: list[int] = []
    pos = 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok.key) + 1
    text = " ".join(t.key for t in tokens)
    hits: list[_Hit] = []
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        first = bisect_right(starts, m.start()) - 1
        last = bisect_right(starts, m.end() - 1) - 1
        hits.append(_Hit(first, last + 1, kind))
        if first + 1 >= len(starts):
            break
        pos = starts[first + 1]
    return hits


def ref_overlaps(h: _Hit, others: Iterable[_Hit]) -> bool:
    return any(h.start < o.stop and o.start < h.stop for o in others)


def ref_longest_first(hits: Iterable[_Hit]) -> list[_Hit]:
    chosen: list[_Hit] = []
    for h in sorted(hits, key=lambda h: (h.start - h.stop, h.start)):
        if not ref_overlaps(h, chosen):
            chosen.append(h)
    return sorted(chosen, key=lambda h: h.start)


def ref_match_phrases(
    tokens: Sequence[_Token], phrases: Iterable[tuple[str, ...]], kind: str = ""
) -> list[_Hit]:
    """Every occurrence of every phrase over the words and numbers, punctuation skipped; in
    text order, the longer phrase first at one position (the scan keeps that order)."""
    idx = [i for i, t in enumerate(tokens) if t.kind != "punct"]
    keys = [tokens[i].key for i in idx]
    ordered = sorted(phrases, key=lambda p: (-len(p), p))
    hits: list[_Hit] = []
    for j in range(len(keys)):
        for p in ordered:
            if p and tuple(keys[j : j + len(p)]) == p:
                hits.append(_Hit(idx[j], idx[j + len(p) - 1] + 1, kind))
    return hits


def ref_words_before(tokens: Sequence[_Token], i: int, n: int) -> tuple[str, ...]:
    out: list[str] = []
    j = i - 1
    while j >= 0 and len(out) < n and tokens[j].kind == "word":
        out.insert(0, tokens[j].key)
        j -= 1
    return tuple(out)


def ref_next_words(tokens: Sequence[_Token], i: int, n: int) -> tuple[str, ...]:
    out: list[str] = []
    for t in tokens[i : i + n]:
        if t.kind != "word":
            break
        out.append(t.key)
    return tuple(out)


def ref_starts_with(words: tuple[str, ...], phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(words[:n] in phrases for n in (1, 2, 3) if len(words) >= n)


def ref_ends_with(words: tuple[str, ...], phrases: frozenset[tuple[str, ...]]) -> bool:
    return any(words[-n:] in phrases for n in (1, 2, 3) if len(words) >= n)


def ref_is_reference(tokens: Sequence[_Token], i: int) -> bool:
    after: list[str] = []
    for t in tokens[i + 1 : i + 3]:
        if t.kind != "word":
            break
        after.append(t.key)
    if "/" not in tokens[i].key and any(tuple(after[:n]) in lt._RULE_COUNT_KEYS for n in (1, 2)):
        return True
    before = ref_words_before(tokens, i, 4)
    if before[-1:] == lt._SO:
        before = before[:-1]
    return ref_ends_with(before, lt._DOC_DESIGNATOR_KEYS) and not ref_ends_with(
        before, lt._NOT_DESIGNATORS
    )


def ref_is_label(tokens: Sequence[_Token], i: int, schedules: Sequence[_Hit]) -> bool:
    if any(h.start <= i - 1 < h.stop for h in schedules):
        return False
    before = ref_words_before(tokens, i, 3)
    return ref_ends_with(before, lt._DESIGNATOR_KEYS) and not ref_ends_with(
        before, lt._NOT_DESIGNATORS
    )


def ref_counts_tasks(tokens: Sequence[_Token], h: _Hit) -> bool:
    last = tokens[h.stop - 1]
    start = h.stop - 1 if last.kind == "word" else h.stop
    head = ref_next_words(tokens, start, 4)
    while head[:1] in lt._COUNT_FILLERS:
        head = head[1:]
    return ref_starts_with(head, lt._TASK_HEADS)


def reference_scan(raw: str) -> _Scan:
    """The scan as specified: the plain implementation the fast one must agree with."""
    text = nfc(raw)
    tokens = tuple(ref_tokenize(text))

    references = [
        _Hit(i, i + 1, "ref")
        for i, tok in enumerate(tokens)
        if tok.kind == "ref" or (tok.kind == "num" and ref_is_reference(tokens, i))
    ]
    ratios = ref_find(tokens, RATIO)
    ref_ends = {h.stop for h in references}
    date_hits: list[_Hit] = []
    doc_dates: list[_Hit] = []
    for kind, pattern in DATE_PATTERNS:
        for h in ref_find(tokens, pattern, kind):
            lead = h.start
            while lead > 0 and tokens[lead - 1].kind == "punct":
                lead -= 1
            if lead in ref_ends and tokens[h.start].key in lt._DOC_DATE_LEADS:
                doc_dates.append(h)
            else:
                date_hits.append(h)
    dates = ref_longest_first(
        h for h in date_hits if not ref_overlaps(h, doc_dates) and not ref_overlaps(h, ratios)
    )
    fixed_dates = [d for d in dates if d.kind != "recurring"]
    schedules = [d for d in dates if d.kind == "recurring"]

    quantity_hits: list[_Hit] = []
    open_hits = [
        h
        for h in ref_find(tokens, OPEN_QUANTITY)
        if not ref_overlaps(h, dates) and (tokens[h.stop - 1].key,) not in lt._ABSTRACT_KEYS
    ]
    for h in [*ref_find(tokens, QUANTITY), *open_hits]:
        if tokens[h.start].kind == "num" and ref_is_label(tokens, h.start, schedules):
            continue
        if tokens[h.start].kind == "word" and h.start > 0 and tokens[h.start - 1].kind == "num":
            continue
        if tuple(t.key for t in tokens[h.start : h.start + 2]) == lt._NAM_HOC:
            continue
        if ref_overlaps(h, fixed_dates) or ref_overlaps(h, references):
            continue
        if tokens[h.stop - 1].key == lt._NAM and ref_starts_with(
            ref_next_words(tokens, h.stop, 3), lt._ANNIVERSARY
        ):
            continue
        quantity_hits.append(h)
    quantity_hits.extend(ratios)
    quantity_hits.extend(ref_find(tokens, PERCENT))
    quantities = [h for h in ref_longest_first(quantity_hits) if not ref_counts_tasks(tokens, h)]
    quantities = ref_longest_first([*quantities, *ref_find(tokens, ZERO)])

    stock = ref_longest_first(ref_match_phrases(tokens, lt._STOCK_KEYS, "stock"))
    vague = [
        h
        for h in ref_longest_first(ref_match_phrases(tokens, lt._VAGUE_KEYS, "vague"))
        if not ref_overlaps(h, stock)
    ]
    actions = ref_longest_first(ref_match_phrases(tokens, lt._ACTION_KEYS, "action"))
    abstract = ref_match_phrases(tokens, lt._ABSTRACT_KEYS | lt._VAGUE_KEYS)
    covered: set[int] = set()
    for hits in (stock, dates, references, abstract):
        for h in hits:
            covered.update(range(h.start, h.stop))
    content = sum(1 for i, t in enumerate(tokens) if t.kind == "word" and i not in covered)
    dated = {i for h in (*dates, *references) for i in range(h.start, h.stop)}
    numbers = sum(1 for i, t in enumerate(tokens) if t.kind == "num" and i not in dated)
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
        word_count=sum(1 for t in tokens if t.kind != "punct"),
        content=content,
        numbers=numbers,
    )


def _plain(pattern: lt._Pattern) -> re.Pattern[str]:
    """The pattern as it was written before the speed-up: no gate, look-arounds as token
    boundaries, searched over the key text without the spaces around it."""
    return re.compile(rf"(?<!\S){pattern.body}(?!\S)")


DATE_PATTERNS = tuple((p.kind, _plain(p)) for p in lt._DATE_PATTERNS)
QUANTITY, OPEN_QUANTITY = _plain(lt._QUANTITY), _plain(lt._OPEN_QUANTITY)
RATIO, PERCENT, ZERO = _plain(lt._RATIO), _plain(lt._PERCENT), _plain(lt._ZERO)


# --- records: everything a caller can observe, as JSON ----------------------------------------


def _hits(hits: Iterable[_Hit]) -> list[list[Any]]:
    return [[h.start, h.stop, h.kind] for h in hits]


def scan_record(scan: _Scan) -> dict[str, Any]:
    assert scan.text == nfc(scan.text)
    return {
        "tokens": [f"{t.kind} {t.key} {t.start} {t.end}" for t in scan.tokens],
        "quantities": _hits(scan.quantities),
        "dates": _hits(scan.dates),
        "stock": _hits(scan.stock),
        "vague": _hits(scan.vague),
        "references": _hits(scan.references),
        "actions": _hits(scan.actions),
        # in text order; at one position the order of phrases was never specified
        "abstract": sorted(_hits(scan.abstract)),
        "word_count": scan.word_count,
        "content": scan.content,
        "numbers": scan.numbers,
    }


def record(text: str) -> dict[str, Any]:
    """The scan, the analysis and the findings of ``text`` (three ways of linting it)."""
    analysis = analyse_text(text)
    lints = {}
    for name, flags in (
        ("plain", {}),
        ("deadline", {"deadline_given": True}),
        ("target", {"target_given": True}),
    ):
        lints[name] = [
            [f.code, list(f.span) if f.span else None, f.message_en]
            for f in lint_text(text, work=WORK, **flags)
        ]
    return {
        "input": text,
        "scan": scan_record(lt._scan(text)),
        "analysis": {
            "quantities": list(analysis.quantities),
            "dates": list(analysis.dates),
            "stock_phrases": list(analysis.stock_phrases),
            "has_action": analysis.has_action,
            "references": list(analysis.references),
        },
        "lint": lints,
    }


# --- the corpus --------------------------------------------------------------------------------


def _corpus_strings() -> Iterator[str]:
    """Pledge-like texts of the project: data files, test and factory strings, catalog, docs."""
    for path in sorted((ROOT / "tests" / "data").glob("pledges*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            if line.strip():
                yield json.loads(line)["text"]
    for name in (
        "tests/test_linter.py",
        "tests/test_rules.py",
        "tests/strategies.py",
        "tests/test_references.py",
        "tests/test_hostile_text.py",
        "src/lamtheoguongbac/testing/_factories.py",
        "examples/demo.py",
        "examples/pages.py",
        "bench/bench_province.py",
    ):
        for node in ast.walk(ast.parse((ROOT / name).read_text("utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                yield node.value.replace("{year}", "2025")
    catalog = sorted((ROOT / "src" / "lamtheoguongbac" / "catalog").glob("*.json"))
    for path in [*catalog, ROOT / "examples" / "so-tay-2025.json"]:
        yield from _json_strings(json.loads(path.read_text("utf-8")))
    for path in sorted((ROOT / "docs").rglob("*.md")):
        yield from re.findall(r'"([^"\n]{3,600})"', path.read_text("utf-8"))


def _json_strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _json_strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _json_strings(v)


def corpus() -> list[str]:
    wanted = (s for s in _corpus_strings() if 3 <= len(s) <= 600 and " " in s.strip())
    return list(dict.fromkeys(s for s in wanted if not s.startswith(("http", "/"))))


def _write_expected() -> None:
    rows = [record(text) for text in corpus()]
    EXPECTED.write_text(
        "[\n"
        + ",\n".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) for r in rows)
        + "\n]\n",
        "utf-8",
    )


# --- the tests ---------------------------------------------------------------------------------


def _expected() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(EXPECTED.read_text("utf-8"))
    return rows


def test_the_stored_corpus_is_large_and_covers_the_pledge_data() -> None:
    rows = _expected()
    assert len(rows) >= 1000
    texts = {r["input"] for r in rows}
    assert "Thực hiện tốt 100% nhiệm vụ được giao trong năm 2025." in texts
    assert sum(1 for r in rows if r["scan"]["dates"]) >= 200
    assert sum(1 for r in rows if r["scan"]["quantities"]) >= 200
    assert sum(1 for r in rows if r["scan"]["references"]) >= 20


@pytest.mark.parametrize("start", range(0, 1400, 100), ids=lambda s: f"rows-{s}")
def test_results_are_those_stored_before_the_speed_up(start: int) -> None:
    for row in _expected()[start : start + 100]:
        assert record(row["input"]) == row, row["input"]


_VOCABULARY = sorted(
    {
        *lt.STOCK_PHRASES,
        *lt._UNITS,
        *lt._ACTIONS,
        *lt._DELIVERABLE_ACTIONS,
        *lt._ABSTRACT,
        *lt._VAGUE,
        *lt._DESIGNATORS,
        *lt._NUMBER_WORDS_NEXT,
        *lt._words(
            """
            trước, đến hết, đến, tới, trong, vào, cuối, đầu, giữa, hết, suốt, cả, chậm nhất,
            từ nay đến, hạn chót, trong suốt, trong vòng, trong thời hạn, thời hạn, ngày làm việc,
            hằng, hàng, mỗi, từng, đông xuân, hè thu, mùa, khô, mưa, lũ, thi, vụ, dịp, tết,
            nguyên đán, học kỳ, học kì, năm học, niên khóa, nhiệm kỳ, năm nay, đúng hạn,
            ngay trong ngày, thứ hai, thứ bảy, chủ nhật, sáng, chiều, tối, lần, một, trên, i, ii,
            iii, iv, q, Q3, q4, không để, không có, nào, bỏ học, hồ sơ, một cửa, cây keo,
            thành lập, ngày sinh, dứt điểm, tổng số, các, những, Kết luận, Quy định, số, Điều
            """
        ),
    }
)
_NUMBERS = [
    "2025", "2024-2025", "2025 - 2026", "30/6", "30/6/2025", "31/12/25", "1/2025", "15.3.2025",
    "01-10-2025", "100%", "4,2%", "12/12", "3/4", "06", "5", "20", "135", "1.500", "2,5",
    "10-15", "37-QĐ/TW", "123/QĐ-UBND", "08-QĐi/TW", "III/2025", "2/2025",
]  # fmt: skip
_SEPARATORS = [" ", " ", " ", " ", ", ", ". ", " / ", "/", " - ", "-", ": ", " (", ") ", "; "]

# The words the patterns are made of, drawn as often as the whole vocabulary: drawn only
# from the whole, "năm" next to "2025" would be rare.
_TIME_WORDS = lt._words(
    """
    ngày, tháng, năm, quý, học kỳ, năm học, nhiệm kỳ, giai đoạn, trong, trước, đến hết, vào,
    cuối, đầu, hằng, mỗi, tuần, lần, một, hai, ba, sáu, vụ, mùa, khô, hè, tết, dịp, Q2, q5,
    đúng hạn, trong ngày, thứ hai, chủ nhật, sáng, không để, không có, nào, buổi, hộ, III, ii
    """
)
# Pieces of pledges each pattern is for, to be cut and mixed with the rest.
_FRAGMENTS = [
    "năm 2025", "trong năm 2025", "đến hết năm nay", "tháng 6/2025", "quý III/2025",
    "quý 2 năm 2025", "học kỳ 2 năm học 2024-2025", "6 tháng đầu năm", "trong vòng 24 giờ",
    "trong thời hạn 20 ngày làm việc", "chậm nhất 3 ngày", "vụ đông xuân 2025",
    "vụ nuôi chính 2025", "trong mùa khô 2025", "hè 2025", "trước Tết Nguyên đán",
    "Q3/2025", "đúng hạn", "ngay trong ngày", "hằng tháng", "ngày 15 hằng tháng",
    "tối thứ Bảy cuối tháng", "chủ nhật đầu tháng", "2 buổi/tuần", "3 tháng/lần",
    "2 lần một tháng", "30/6/2025",
    "15.3.2025", "ngày 30 tháng 6 năm 2025", "giai đoạn 2025-2030", "05 hộ", "hai quần chúng",
    "10 đến 15 hộ", "12/12 buổi", "100%", "4,2 %", "không để trễ hồ sơ nào",
    "không có học sinh nào", "Nghị quyết số 04", "19 điều", "Kết luận 01-KL/TW ngày 18/5/2021",
    "năm học sinh", "135 năm ngày sinh", "thôn 3", "mỗi tuần 2 buổi", "100% nhiệm vụ",
    "15 máy bơm", "xử lý dứt điểm 6 đơn",
]  # fmt: skip
_WORD = st.one_of(
    st.sampled_from(_VOCABULARY),
    st.sampled_from(_TIME_WORDS),
    st.sampled_from(_NUMBERS),
    st.sampled_from(_FRAGMENTS),
)
pledge_like = st.lists(st.tuples(_WORD, st.sampled_from(_SEPARATORS)), max_size=24).map(
    lambda parts: "".join(w + s for w, s in parts)
)


@st.composite
def pledge_texts(draw: st.DrawFn) -> str:
    text = draw(pledge_like)
    if draw(st.booleans()):
        text = text.capitalize()
    if draw(st.integers(0, 5)) == 0:
        text = unicodedata.normalize("NFD", text.upper())
    return text


@settings(max_examples=500)
@given(pledge_texts())
def test_scan_agrees_with_the_reference_on_the_linters_vocabulary(text: str) -> None:
    assert scan_record(lt._scan(text)) == scan_record(reference_scan(text))


@given(st.text(max_size=200))
def test_scan_agrees_with_the_reference_on_any_text(text: str) -> None:
    assert scan_record(lt._scan(text)) == scan_record(reference_scan(text))


_KEYS = sorted(set(lt._k(*_VOCABULARY)))
_TAILS = ["(?= )", "(?: [^ ]+)?(?= )", " (?:\\d+|và)(?= )", "", "[^ ]"]


@st.composite
def literals_and_text(draw: st.DrawFn) -> tuple[list[str], str]:
    """Literals with their leading words among them too ("hộ", "hộ gia đình"), so that
    several fit at one position, and a text made of them."""
    chosen = draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=30, unique=True))
    literals = sorted(
        {" ".join(k.split()[:n]) for k in chosen for n in range(1, len(k.split()) + 1)}
    )
    text = draw(st.lists(st.sampled_from([*literals, "2025", "x"]), max_size=12))
    return literals, " ".join(text)


@settings(max_examples=300)
@given(case=literals_and_text(), tail=st.sampled_from(_TAILS))
def test_a_trie_matches_what_the_plain_alternation_longest_first_matches(
    case: tuple[list[str], str], tail: str
) -> None:
    """The reference scan reads the patterns' bodies, whose word lists are tries: this
    checks the tries against the alternation they replace, longest first, whatever follows."""
    literals, text = case
    plain = "(?:" + "|".join(re.escape(k) for k in sorted(literals, key=len, reverse=True)) + ")"
    padded = f" {text} "
    old, new = (re.compile(f"{a}{tail}") for a in (plain, lt._trie(literals)))
    for pos in range(len(padded)):
        expected, got = old.match(padded, pos), new.match(padded, pos)
        assert (got and got.span()) == (expected and expected.span())


if __name__ == "__main__":
    _write_expected()
    print(f"wrote {EXPECTED.relative_to(ROOT)}", file=sys.stderr)
