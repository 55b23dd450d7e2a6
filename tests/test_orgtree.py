"""Tests for lamtheoguongbac._orgtree: the organisation tree, checked once, with validity dates."""

from __future__ import annotations

import datetime as dt
import itertools

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lamtheoguongbac import Handbook, NotFound, OrgUnit, Period, ValidationFailed
from lamtheoguongbac.roster import OrgTree
from strategies import MEMBER

# An Giang before and after the 2025 reform: the district level ends on 30/6/2025 and the
# xã moves directly under the province.
TINH = OrgUnit(id="tinh-ag", name="Đảng bộ tỉnh An Giang", level="Đảng bộ tỉnh")
HUYEN = OrgUnit(
    id="huyen-tb",
    name="Đảng bộ huyện Tịnh Biên",
    level="Đảng bộ huyện",
    parent_id=TINH.id,
    valid_to=dt.date(2025, 6, 30),
)
XA_CU = OrgUnit(
    id="xa-an-phu-cu",
    name="Đảng bộ xã An Phú",
    level="Đảng bộ cơ sở",
    parent_id=HUYEN.id,
    grassroots=True,
    valid_to=dt.date(2025, 6, 30),
)
XA = OrgUnit(
    id="xa-tb",
    name="Đảng bộ xã Tịnh Biên",
    level="Đảng bộ xã",
    parent_id=TINH.id,
    grassroots=True,
    valid_from=dt.date(2025, 7, 1),
)
CHI_BO = OrgUnit(id="chibo-tanloi", name="Chi bộ ấp Tân Lợi", level="Chi bộ", parent_id=XA.id)
CHI_BO_2 = OrgUnit(id="chibo-anhoa", name="Chi bộ ấp An Hòa", level="Chi bộ", parent_id=XA.id)
CHI_BO_CU = OrgUnit(
    id="chibo-phuhiep",
    name="Chi bộ ấp Phú Hiệp",
    level="Chi bộ",
    parent_id=XA_CU.id,
    valid_to=dt.date(2025, 6, 30),
)
UNITS = [CHI_BO, CHI_BO_CU, XA, CHI_BO_2, XA_CU, HUYEN, TINH]  # any order


@pytest.fixture
def tree() -> OrgTree:
    return OrgTree(UNITS)


def test_lookup(tree: OrgTree) -> None:
    assert len(tree) == 7
    assert "xa-tb" in tree
    assert "xa-khong-co" not in tree
    assert tree.unit("chibo-anhoa") == CHI_BO_2
    with pytest.raises(NotFound) as info:
        tree.unit("xa-khong-co")
    assert "xa-khong-co" in info.value.message_vi


def test_chain_from_the_root_down(tree: OrgTree) -> None:
    assert tree.chain("chibo-tanloi") == (TINH, XA, CHI_BO)
    assert tree.chain("chibo-phuhiep") == (TINH, HUYEN, XA_CU, CHI_BO_CU)
    assert tree.chain("tinh-ag") == (TINH,)
    with pytest.raises(NotFound):
        tree.chain("chibo-khong-co")


def test_chain_makes_a_handbook_organisation(tree: OrgTree) -> None:
    hb = Handbook(
        id="sotay-2025-dv-an",
        member=MEMBER,
        organisation=tree.chain(MEMBER.cell_id, on=dt.date(2025, 12, 31)),
        period=Period.year(2025),
    )
    assert hb.grassroots == XA
    assert hb.superior == XA


def test_chain_checks_validity_dates(tree: OrgTree) -> None:
    assert tree.chain("chibo-phuhiep", on=dt.date(2024, 12, 31))[1] == HUYEN
    assert tree.chain("chibo-phuhiep", on=dt.date(2025, 6, 30))[1] == HUYEN
    with pytest.raises(ValidationFailed) as info:
        tree.chain("chibo-phuhiep", on=dt.date(2025, 7, 1))
    assert "Đảng bộ huyện Tịnh Biên" in info.value.message_vi
    assert "01/07/2025" in info.value.message_vi
    assert "2025-07-01" in info.value.message_en
    with pytest.raises(ValidationFailed) as info:
        tree.chain("chibo-tanloi", on=dt.date(2025, 6, 30))
    assert "Đảng bộ xã Tịnh Biên" in info.value.message_vi
    assert tree.chain("chibo-tanloi", on=dt.date(2025, 7, 1)) == (TINH, XA, CHI_BO)


def test_subtree(tree: OrgTree) -> None:
    assert {u.id for u in tree.subtree("xa-tb")} == {"xa-tb", "chibo-tanloi", "chibo-anhoa"}
    assert {u.id for u in tree.subtree("huyen-tb")} == {"huyen-tb", "xa-an-phu-cu", "chibo-phuhiep"}
    assert len(tree.subtree("tinh-ag")) == 7
    assert tree.subtree("chibo-anhoa") == [CHI_BO_2]
    with pytest.raises(NotFound):
        tree.subtree("khong-co")


def test_unknown_parent_refused() -> None:
    with pytest.raises(ValidationFailed) as info:
        OrgTree([TINH, CHI_BO])  # the xã is missing
    assert info.value.field == "OrgUnit.parent_id"
    assert "xa-tb" in info.value.message_en


def test_unknown_grandparent_is_a_validation_error_too() -> None:
    # the cell is walked first and its parent exists; the xã's parent does not
    with pytest.raises(ValidationFailed) as info:
        OrgTree([CHI_BO, XA])
    assert info.value.field == "OrgUnit.parent_id"
    assert "tinh-ag" in info.value.message_en


@pytest.mark.parametrize("size", [2, 3, 5])
def test_cycles_refused(size: int) -> None:
    units = [
        OrgUnit(id=f"u{i}", name=f"Chi bộ {i}", level="Chi bộ", parent_id=f"u{(i + 1) % size}")
        for i in range(size)
    ]
    with pytest.raises(ValidationFailed) as info:
        OrgTree([TINH, *units])
    assert info.value.field == "OrgUnit.parent_id"
    assert "vòng lặp" in info.value.message_vi
    assert "cycle" in info.value.message_en


def test_duplicate_ids() -> None:
    assert len(OrgTree([TINH, TINH, XA])) == 2  # the same unit twice is harmless
    renamed = attrs.evolve(XA, name="Đảng bộ xã Tịnh Biên (mới)")
    with pytest.raises(ValidationFailed) as info:
        OrgTree([TINH, XA, renamed])
    assert "xa-tb" in info.value.message_en


def test_a_unit_cannot_be_its_own_parent() -> None:
    with pytest.raises(ValidationFailed) as info:
        attrs.evolve(TINH, parent_id=TINH.id)
    assert info.value.field == "OrgUnit.parent_id"


@st.composite
def forests(draw: st.DrawFn) -> list[OrgUnit]:
    """Random forests: each unit's parent is one built before it (or none)."""
    n = draw(st.integers(1, 25))
    units: list[OrgUnit] = []
    for i in range(n):
        parent = draw(st.none() | st.integers(0, i - 1)) if i else None
        units.append(
            OrgUnit(
                id=f"u{i:02d}",
                name=f"Chi bộ số {i}",
                level="Chi bộ" if parent is not None else "Đảng bộ tỉnh",
                parent_id=None if parent is None else f"u{parent:02d}",
            )
        )
    return draw(st.permutations(units))


@settings(max_examples=40, deadline=None)
@given(forests())
def test_chains_and_subtrees_agree(units: list[OrgUnit]) -> None:
    tree = OrgTree(units)
    for u in units:
        chain = tree.chain(u.id)
        assert chain[-1] == u
        assert chain[0].parent_id is None
        for parent, child in itertools.pairwise(chain):
            assert child.parent_id == parent.id
        for ancestor in chain:
            assert u in tree.subtree(ancestor.id)
    roots = [u for u in units if u.parent_id is None]
    assert sum(len(tree.subtree(r.id)) for r in roots) == len(units)
