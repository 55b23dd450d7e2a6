"""The yearbook of exemplars and the committee's summary report: their contexts, their export
through a registered exporter, and the ``yearbook`` and ``report`` commands on a real SQLite
store (these write Word files through the ``lamtheoguongbac-docx`` plugin when installed)."""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner, Result

from lamtheoguongbac import (
    Exemplar,
    ExemplarKind,
    Handbooks,
    HandbookStatus,
    Member,
    PluginError,
    RatingLevel,
    Role,
    RoleAssignment,
    ValidationFailed,
    hookimpl,
)
from lamtheoguongbac._rollup import summarise
from lamtheoguongbac.cli import cli
from lamtheoguongbac.cli._reports import summary_report, yearbook
from lamtheoguongbac.committee import ExemplarDetails, ExemplarField, Figure, Locality
from lamtheoguongbac.export import (
    build_report_context,
    build_yearbook_context,
    export_rollup_report,
    export_yearbook,
)
from lamtheoguongbac.export._report import REPORT_SCHEMA
from lamtheoguongbac.export._yearbook import YEARBOOK_SCHEMA, committee_of
from lamtheoguongbac.plugin import Exporter, ExportOptions, Registry, Schema, create_registry
from lamtheoguongbac.rules import DEFAULT_POLICY
from lamtheoguongbac.supervision import Rollup
from lamtheoguongbac.testing import (
    creation_event,
    make_commendation,
    make_exemplar,
    make_handbook,
    make_organisation,
    make_roster,
)

TODAY = dt.date(2026, 1, 5)
TITLE = (
    "KỶ YẾU GƯƠNG ĐIỂN HÌNH HỌC TẬP VÀ LÀM THEO TƯ TƯỞNG, ĐẠO ĐỨC, PHONG CÁCH HỒ CHÍ MINH NĂM 2025"
)


def _conforms(value: Any, schema: Schema, path: str = "$") -> None:
    """``value`` has exactly the documented shape, every string NFC."""
    if isinstance(schema, dict):
        assert isinstance(value, dict), path
        assert set(value) == set(schema), (path, set(value) ^ set(schema))
        for key, shape in schema.items():
            _conforms(value[key], shape, f"{path}.{key}")
    elif isinstance(schema, list):
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            _conforms(item, schema[0], f"{path}[{i}]")
    else:
        assert type(value) is schema, (path, value)
        if isinstance(value, str):
            assert unicodedata.is_normalized("NFC", value), path


# --- the yearbook context ------------------------------------------------------------------


def _named(kind: ExemplarKind, name: str, index: int, cell: str = "chibo-01") -> Exemplar:
    return make_exemplar(kind, name=name, index=index, cell=cell, commended=index % 2 == 0)


PEOPLE = ["Nguyễn Văn An", "Đỗ Văn Đức", "Lê An", "Phạm Thị Ánh", "Trần Thị Bình"]
UNITS = ["Chi bộ ấp Đông", "Chi bộ Ấp 3", "Chi bộ ấp Bắc"]


@pytest.fixture(scope="module")
def exemplars() -> list[Exemplar]:
    people = [_named(ExemplarKind.INDIVIDUAL, n, i) for i, n in enumerate(PEOPLE, start=1)]
    units = [
        _named(ExemplarKind.COLLECTIVE, n, 0, cell=f"chibo-{i:02d}")
        for i, n in enumerate(UNITS, start=2)
    ]
    return [units[0], *people, *units[1:]]


def test_the_yearbook_puts_collectives_first_then_people_by_given_name(
    exemplars: list[Exemplar],
) -> None:
    context = build_yearbook_context(
        exemplars,
        title_year=2025,
        organisation_name="Đảng bộ xã Tịnh Biên",
        superior_name="Đảng bộ tỉnh An Giang",
        place="Tịnh Biên",
        today=TODAY,
        signer_name="Nguyễn Văn Hải",
    )

    assert context["context_version"] == 2
    assert context["yearbook"]["title"] == TITLE
    names = [e["name"] for e in context["exemplars"]]
    assert names == [
        "Chi bộ Ấp 3",
        "Chi bộ ấp Bắc",
        "Chi bộ ấp Đông",
        "Lê An",
        "Nguyễn Văn An",
        "Phạm Thị Ánh",
        "Trần Thị Bình",
        "Đỗ Văn Đức",
    ]
    assert [e["number"] for e in context["exemplars"]] == list(range(1, 9))
    [part] = context["parts"]  # every exemplar here is of the default field
    assert (part["number"], part["title_upper"], part["count"]) == ("I", "LĨNH VỰC KHÁC", 8)
    assert [(g["number"], g["title"], len(g["exemplars"])) for g in part["groups"]] == [
        ("1", "Tập thể", 3),
        ("2", "Cá nhân", 5),
    ]
    assert part["groups"][0]["exemplars"] == context["collectives"]
    unit, first = context["exemplars"][0], context["exemplars"][3]
    assert first["heading"] == "Đồng chí Lê An"
    assert first["standing"] == "Đảng viên"
    assert first["unit_line"] == "Chi bộ ấp Tân Lợi (chibo-01), Đảng bộ xã Tịnh Biên (dangbo-xa-tb)"
    assert (unit["heading"], unit["unit_label"]) == ("Chi bộ Ấp 3", "Trực thuộc")
    assert unit["unit_line"] == "Đảng bộ xã Tịnh Biên (dangbo-xa-tb)"
    assert context["superior"]["name_upper"] == "ĐẢNG BỘ TỈNH AN GIANG"
    assert context["committee"]["name_upper"] == "ĐẢNG ỦY XÃ TỊNH BIÊN"
    assert context["signature"] == {
        "on_behalf": "T/M ĐẢNG ỦY",
        "title": "BÍ THƯ",
        "name": "Nguyễn Văn Hải",
    }
    assert context["place_date"] == "Tịnh Biên, ngày 05 tháng 01 năm 2026"
    foreword = " ".join(context["foreword"]["paragraphs"])
    assert "năm 2025 Đảng ủy xã Tịnh Biên" in foreword
    assert "8 gương điển hình (3 tập thể, 5 cá nhân" in foreword
    # The index mixes people and collectives in Vietnamese order, people by given name.
    assert [i["name"] for i in context["index"]] == [
        "Lê An",
        "Nguyễn Văn An",
        "Phạm Thị Ánh",
        "Trần Thị Bình",
        "Chi bộ Ấp 3",
        "Chi bộ ấp Bắc",
        "Chi bộ ấp Đông",
        "Đỗ Văn Đức",
    ]
    counts = {
        k: context["yearbook"][k]
        for k in ("count", "individual_count", "collective_count", "commended_count")
    }
    assert counts == {
        "count": 8,
        "individual_count": 5,
        "collective_count": 3,
        "commended_count": 5,
    }


def test_the_yearbook_groups_by_field_and_prints_exemplars_among_the_people(
    exemplars: list[Exemplar],
) -> None:
    road = ExemplarDetails(
        field=ExemplarField.NEW_RURAL,
        locality=Locality(hamlet="Ấp 3", commune="xã An Phú"),
        figures=(Figure(amount=Decimal(50_000_000), unit="đồng", what="tiền mặt"),),
        proposed_by="Ban Công tác Mặt trận ấp 3",
    )
    household = attrs.evolve(
        exemplars[0], name="Hộ ông Trần Văn Ba", party=False, details=road, id="ho-ba"
    )
    teacher = attrs.evolve(
        exemplars[1],
        member_id=None,
        party=False,
        name="Lê Thị Hoa",
        details=ExemplarDetails(field=ExemplarField.EDUCATION),
        id="co-hoa",
    )
    context = build_yearbook_context(
        [exemplars[2], teacher, household],
        title_year=2025,
        organisation_name="Đảng bộ xã An Phú",
        today=TODAY,
        foreword="Đoạn một.\n\nĐoạn   hai.",
    )
    assert [(p["number"], p["title"]) for p in context["parts"]] == [
        ("I", "Xây dựng nông thôn mới, đô thị văn minh"),
        ("II", "Giáo dục, khuyến học"),
        ("III", "Lĩnh vực khác"),
    ]
    first = context["parts"][0]["exemplars"][0]
    assert first["heading"] == "Hộ ông Trần Văn Ba"
    assert (first["standing"], first["party_code"]) == ("Tập thể", "quan_chung")
    assert (first["unit_label"], first["unit_line"]) == ("Địa bàn", "Ấp 3, xã An Phú")
    assert first["figures_line"] == "50.000.000 đồng tiền mặt"
    assert first["proposed_by"] == "Ban Công tác Mặt trận ấp 3"
    assert context["parts"][1]["exemplars"][0]["heading"] == "Lê Thị Hoa"  # no "Đồng chí"
    assert context["yearbook"]["people_count"] == 2
    assert context["foreword"]["paragraphs"] == ["Đoạn một.", "Đoạn hai."]
    _conforms(context, YEARBOOK_SCHEMA)


def test_the_yearbook_context_is_plain_nfc_data_of_the_documented_shape(
    exemplars: list[Exemplar],
) -> None:
    commended = attrs.evolve(exemplars[1], commendation=make_commendation(2025), version=2)
    context = build_yearbook_context(
        [commended, exemplars[3]],
        title_year=2025,
        organisation_name=unicodedata.normalize("NFD", "  Đảng bộ xã   Tịnh Biên "),
        today=TODAY,
    )

    _conforms(context, YEARBOOK_SCHEMA)
    assert json.loads(json.dumps(context)) == context
    assert context["organisation"]["name"] == "Đảng bộ xã Tịnh Biên"
    assert context["place_date"] == "Ngày 05 tháng 01 năm 2026"
    assert [g["kind_code"] for p in context["parts"] for g in p["groups"]] == ["ca_nhan"]
    by_id = {e["id"]: e for e in context["exemplars"]}
    assert by_id[commended.id]["commendation"] == {
        "text": commended.commendation_text(),
        "authority": "Ban Thường vụ Đảng ủy xã Tịnh Biên",
        "form": "Giấy khen",
        "decision_number": "125-QĐ/ĐU",
        "decided_on": "05/01/2026",
        "decided_on_phrase": "ngày 05 tháng 01 năm 2026",
    }
    assert set(by_id[exemplars[3].id]["commendation"].values()) == {""}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"exemplars": []}, "exemplars"),
        ({"title_year": 1800}, "title_year"),
        ({"organisation_name": "  "}, "organisation_name"),
        ({"exemplars": ["not an exemplar"]}, "exemplars[0]"),
    ],
)
def test_a_bad_yearbook_argument_is_named(
    exemplars: list[Exemplar], change: dict[str, Any], field: str
) -> None:
    arguments: dict[str, Any] = {
        "exemplars": exemplars[:1],
        "title_year": 2025,
        "organisation_name": "Đảng bộ xã Tịnh Biên",
        **change,
    }
    with pytest.raises(ValidationFailed) as caught:
        build_yearbook_context(arguments.pop("exemplars"), **arguments)
    assert caught.value.field == field


def test_the_same_exemplar_twice_is_refused(exemplars: list[Exemplar]) -> None:
    with pytest.raises(ValidationFailed, match="given twice") as caught:
        build_yearbook_context(
            [exemplars[0], exemplars[0]], title_year=2025, organisation_name="Đảng bộ xã"
        )
    assert caught.value.field == "exemplars[1]"


# --- the report context --------------------------------------------------------------------

ROSTER = make_roster(cells=3, members_per_cell=4)
LEVELS = list(RatingLevel)


def _secretary(cell_id: str) -> Member:
    return next(m for m in ROSTER.members if m.cell_id == cell_id and m.id.endswith("dv000"))


def _handbooks() -> list[Any]:
    """Every member but the last of each cell has a handbook; the first cell's are assessed
    HTXSNV (over the cap), the others' get one level each, the last cell's one is reported."""
    books = []
    for c, cell in enumerate(ROSTER.cell_ids):
        members = [m for m in ROSTER.members if m.cell_id == cell][:-1]
        for i, member in enumerate(members):
            status = HandbookStatus.REPORTED if (c, i) == (2, 2) else HandbookStatus.ASSESSED
            books.append(
                make_handbook(
                    status,
                    member=member,
                    organisation=ROSTER.organisation(cell),
                    secretary=_secretary(cell),
                    rating=RatingLevel.EXCELLENT if c == 0 else LEVELS[i],
                )
            )
    return books


HANDBOOKS = _handbooks()


@pytest.fixture(scope="module")
def rolled() -> Rollup:
    return summarise(
        organisation=ROSTER.units[1],
        units=ROSTER.units,
        members=ROSTER.members,
        handbooks=HANDBOOKS,
        policy=DEFAULT_POLICY,
        year=2025,
        today=TODAY,
    )


def test_the_report_context_has_the_figures_per_cell_and_the_chart_data(rolled: Rollup) -> None:
    context = build_report_context(rolled, superior_name="Đảng bộ tỉnh An Giang", place="An Phú")

    _conforms(context, REPORT_SCHEMA)
    assert json.loads(json.dumps(context)) == context
    names = [c.cell_name for c in rolled.cells]
    assert [c["name"] for c in context["cells"]] == names
    assert [c["number"] for c in context["cells"]] == [1, 2, 3]
    total = context["total"]
    assert (total["name"], total["members"], total["handbooks"]) == ("Tổng cộng", 12, 9)
    assert (total["registered"], total["reported"], total["assessed"]) == (9, 9, 8)
    assert total["ratings"] == {
        "HTXSNV": 5,
        "HTTNV": 2,
        "HTNV": 1,
        "KHTNV": 0,
        "not_rated": 4,
        "not_rated_by_rule": 0,
        "not_assessed": 4,
        "assessed_unrated": 0,
    }
    assert total["specific_share"] == "100%"
    chart = context["charts"]["ratings"]
    assert chart["placeholder"] == "[[chart:ratings]]"
    assert chart["categories"] == names
    # "not rated" in two parts (nobody was assessed without a rating: no third series)
    codes = ["HTXSNV", "HTTNV", "HTNV", "KHTNV", "not_rated_by_rule", "not_assessed"]
    assert [s["code"] for s in chart["series"]] == codes
    for i, cell in enumerate(rolled.cells):
        values = cell.figures.ratings.to_dict()
        assert [s["values"][i] for s in chart["series"]] == [values[c] for c in codes]
    assert context["summary"][0] == (
        f"{rolled.organisation_name} có 3 chi bộ với 12 đảng viên; 9 đảng viên đã lập sổ tay "
        "năm 2025."
    )
    assert context["summary"][-1] == (
        "Kết quả xếp loại: 5 HTXSNV, 2 HTTNV, 1 HTNV, 0 KHTNV; 0 đảng viên không xếp loại theo "
        "quy định (đình chỉ sinh hoạt đảng; miễn công tác và sinh hoạt đảng); 4 đảng viên chưa "
        "được chi bộ nhận xét, đánh giá."
    )
    # the committee issues it: derived from the organisation's name when no heading is given
    assert context["committee"]["name_upper"] == "ĐẢNG ỦY XÃ SỐ 1"
    assert context["document"]["number_line"] == "Số       -BC/ĐU"
    assert context["signature"]["on_behalf"] == "T/M ĐẢNG ỦY"
    assert context["recipients"][-1] == "- Lưu Văn phòng Đảng ủy."
    [cap] = context["caps"]
    assert (cap["top_count"], cap["allowed"], cap["status_code"]) == (5, 0, "exceeded")
    assert cap["text"].endswith("— vượt tỷ lệ cho phép.")
    assert (context["caps_exceeded"], context["caps_note"]) == (1, "")
    assert context["place_date"] == "An Phú, ngày 05 tháng 01 năm 2026"


def test_a_report_of_nothing_says_so(rolled: Rollup) -> None:
    empty = attrs.evolve(rolled, cells=(), caps=())

    context = build_report_context(empty)

    assert context["total"]["specific_share"] == "—"
    assert context["charts"]["ratings"]["categories"] == []
    assert "không có đảng viên nào trễ hạn" in context["summary"][2]
    assert context["summary"][3] == "Chưa có việc làm theo nào được đăng ký."
    assert context["caps_note"].startswith("Chưa có số liệu")
    with pytest.raises(ValidationFailed, match="Rollup"):
        build_report_context("not a rollup")  # type: ignore[arg-type]


# --- writing through a registered exporter -------------------------------------------------


class _JsonRenderer:
    """Writes the context and the template it was made with, as JSON."""

    def __init__(self, options: ExportOptions) -> None:
        self.template = options.template

    def render(self, context: Mapping[str, Any]) -> bytes:
        return json.dumps({"template": str(self.template), **context}).encode()

    def merge(self, documents: Sequence[bytes]) -> bytes:
        raise NotImplementedError


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    for kind in ("yearbook", "report"):
        register(
            Exporter(name=f"json-{kind}", suffix=".json", kind=kind, create_renderer=_JsonRenderer)
        )


@pytest.fixture
def json_registry() -> Registry:
    return create_registry(load_entrypoints=False, extra_plugins=[sys.modules[__name__]])


def test_both_documents_are_written_whole_by_the_named_exporter(
    tmp_path: Path, json_registry: Registry, exemplars: list[Exemplar], rolled: Rollup
) -> None:
    book = export_yearbook(
        tmp_path / "new" / "ky-yeu.json",
        exemplars,
        title_year=2025,
        organisation_name="Đảng bộ xã",
        today=TODAY,
        registry=json_registry,
        exporter="json-yearbook",
        options=ExportOptions(template=tmp_path / "mau.docx"),
    )
    summary = export_rollup_report(
        tmp_path / "bao-cao.json", rolled, registry=json_registry, exporter="json-report"
    )

    written = json.loads(book.path.read_bytes())
    assert written["template"] == str(tmp_path / "mau.docx")
    assert written["yearbook"]["count"] == len(exemplars)
    assert json.loads(summary.path.read_bytes())["cells"][0]["name"] == rolled.cells[0].cell_name
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["bao-cao.json", "ky-yeu.json", "new"]


def test_the_default_exporter_is_chosen_by_kind(
    tmp_path: Path, json_registry: Registry, rolled: Rollup
) -> None:
    summary = export_rollup_report(tmp_path / "bao-cao.json", rolled, registry=json_registry)
    assert json.loads(summary.path.read_bytes())["cells"][0]["name"] == rolled.cells[0].cell_name


def test_an_exporter_of_another_kind_is_refused_and_nothing_is_written(
    tmp_path: Path, json_registry: Registry, rolled: Rollup
) -> None:
    with pytest.raises(PluginError, match=r"json-yearbook.*yearbook.*report"):
        export_rollup_report(
            tmp_path / "bao-cao.json", rolled, registry=json_registry, exporter="json-yearbook"
        )
    assert list(tmp_path.iterdir()) == []


def test_without_an_exporter_of_the_kind_nothing_is_written(tmp_path: Path, rolled: Rollup) -> None:
    bare = create_registry(load_entrypoints=False)
    with pytest.raises(PluginError, match=r"report"):
        export_rollup_report(tmp_path / "bao-cao.docx", rolled, registry=bare)
    assert list(tmp_path.iterdir()) == []


# --- the commands, on a SQLite store -------------------------------------------------------

CELL = ROSTER.cell_ids[1]


@pytest.fixture
def store(tmp_path: Path) -> str:
    """A store with the roster, the handbooks and three exemplars of 2025: two commended (a
    member of ``CELL`` and the first cell), one not (another member of ``CELL``)."""
    url = f"sqlite:///{tmp_path / 'so-tay.db'}"
    # The Bí thư of the grassroots committee (a member of the first cell) nominates the
    # collective and records the commendations; the roster says so.
    top = ROSTER.units[1].id
    head = _secretary(ROSTER.cell_ids[0])
    head = attrs.evolve(
        head,
        roles=(
            *head.roles,
            RoleAssignment(role=Role.SECRETARY, unit_id=top, start=dt.date(2020, 1, 1)),
        ),
    )
    members = [head if m.id == head.id else m for m in ROSTER.members]
    with Handbooks.open(url, registry=create_registry(load_entrypoints=False)) as service:
        service.roster.save(ROSTER.units, members)
        for handbook in HANDBOOKS:
            service.store.add(handbook, creation_event(handbook))
        secretary = _secretary(CELL)
        picked = [hb for hb in HANDBOOKS if hb.cell.id == CELL][:2]
        on = dt.date(2025, 12, 22)
        first = service.exemplars.nominate_from_handbook(picked[0].id, actor=secretary, on=on)
        service.exemplars.nominate_from_handbook(picked[1].id, actor=secretary, on=on)
        unit = service.exemplars.nominate_collective(
            ROSTER.cell_ids[0],
            year=2025,
            achievements="1. 100% đảng viên đăng ký việc làm cụ thể, lượng hóa được\n"
            "2. Vận động nhân dân hiến 2.400 m² đất làm đường",
            actor=head,
            on=on,
        )
        for found in (first, unit):
            service.exemplars.commend(found.id, make_commendation(2025), actor=head)
    return url


def _docx_text(path: Path) -> str:
    docx = pytest.importorskip("docx")
    document = docx.Document(str(path))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


@pytest.fixture
def run(store: str, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    registry = create_registry()
    if "docx-yearbook" not in registry.exporters():
        pytest.skip("the lamtheoguongbac-docx plugin is not installed")
    # What the lead adds to cli.py, for the length of each test.
    monkeypatch.setitem(cli.commands, "yearbook", yearbook)
    monkeypatch.setitem(cli.commands, "summary-report", summary_report)
    runner = CliRunner()

    def invoke(*args: str) -> Result:
        return runner.invoke(
            cli, ["--store", store, *args], obj={"registry": registry}, catch_exceptions=False
        )

    return invoke


def test_the_yearbook_command_writes_the_commended_exemplars(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "ky-yeu.docx"

    done = run("yearbook", "--year", "2025", "--out", str(out))

    assert done.exit_code == 0, done.output
    assert f"Đã ghi kỷ yếu 2 gương điển hình (1 cá nhân, 1 tập thể) vào {out}" in done.output
    text = _docx_text(out)
    people = [hb.member.full_name for hb in HANDBOOKS if hb.cell.id == CELL][:2]
    assert "ĐẢNG ỦY TỈNH AN GIANG" in text  # the one root's committee compiles it
    assert "1. Chi bộ" in text  # collectives first
    assert f"2. Đồng chí {people[0]}" in text
    assert "T/M ĐẢNG ỦY\nBÍ THƯ" in text
    assert people[1] not in text  # not commended
    assert "2. Vận động nhân dân hiến 2.400 m² đất làm đường" in text
    assert "Được Ban Thường vụ Đảng ủy xã Tịnh Biên tặng Giấy khen" in text

    everyone = run(
        "--lang", "en", "yearbook", "--year", "2025", "--org", CELL, "--all", "--out", str(out)
    )
    assert everyone.exit_code == 0, everyone.output
    assert "Wrote the yearbook of 2 exemplars (2 individuals, 0 collectives)" in everyone.output
    text = _docx_text(out)
    assert all(name in text for name in people)
    assert "chưa có quyết định khen thưởng" in text
    # The cell compiles it: its committee (chi ủy) issues it.
    assert committee_of(ROSTER.organisation(CELL)[-1].name).upper() in text


def test_a_yearbook_of_nothing_is_an_error_that_hints_at_all(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "ky-yeu.docx"

    nothing = run("yearbook", "--year", "2025", "--org", ROSTER.cell_ids[2], "--out", str(out))

    assert nothing.exit_code == 2
    assert "không có gương điển hình nào đã được khen thưởng năm 2025 (--all)" in nothing.stderr
    assert not out.exists()


def test_the_report_command_writes_the_figures_and_the_chart(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "bao-cao.docx"
    top = ROSTER.units[1]

    done = run(
        "summary-report",
        "--org",
        top.id,
        "--year",
        "2025",
        "--today",
        "05/01/2026",
        "--number",
        "15",
        "--recipient",
        "Ban Tuyên giáo và Dân vận Tỉnh ủy",
        "--out",
        str(out),
    )

    assert done.exit_code == 0, done.output
    assert f"Đã ghi báo cáo tổng hợp năm 2025 của {top.name} (3 chi bộ) vào {out}" in done.output
    assert f"Lưu ý: {top.name} vượt tỷ lệ xếp loại Hoàn thành xuất sắc nhiệm vụ" in done.output
    text = _docx_text(out)
    for expected in (
        "BÁO CÁO",
        "ĐẢNG BỘ TỈNH AN GIANG",
        "ĐẢNG ỦY XÃ SỐ 1",
        "Số 15-BC/ĐU",
        "- Ban Tuyên giáo và Dân vận Tỉnh ủy,",
        "- Lưu Văn phòng Đảng ủy.",
        "T/M ĐẢNG ỦY",
        "(Số liệu tính đến ngày 05 tháng 01 năm 2026)",
        "Tổng cộng",
        *(c for c in ROSTER.cell_ids),
    ):
        assert expected in text, expected
    with zipfile.ZipFile(out) as archive:
        chart = archive.read("word/charts/chart1.xml").decode()
    assert all(f"<c:v>{name}</c:v>" in chart for name in (u.name for u in ROSTER.units[2:]))

    bad = run(
        "summary-report", "--org", top.id, "--year", "2025", "--today", "hôm nay", "--out", str(out)
    )
    assert bad.exit_code == 2
    assert "dd/mm/yyyy" in bad.output


def test_the_report_of_an_unknown_unit_is_a_bilingual_error(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    result = run(
        "--lang",
        "en",
        "summary-report",
        "--org",
        "khong-co",
        "--year",
        "2025",
        "--out",
        str(tmp_path / "x.docx"),
    )

    assert result.exit_code == 2
    assert "no unit 'khong-co'" in result.stderr


def test_the_documents_open_as_word_files(run: Callable[..., Result], tmp_path: Path) -> None:
    out = tmp_path / "ky-yeu.docx"
    run("yearbook", "--year", "2025", "--out", str(out))

    with zipfile.ZipFile(io.BytesIO(out.read_bytes())) as archive:
        assert archive.testzip() is None
        assert "{{" not in archive.read("word/document.xml").decode()
    assert committee_of(make_organisation()[0].name).upper() in _docx_text(out)
