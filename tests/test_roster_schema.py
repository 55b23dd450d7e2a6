"""The JSON Schema of the roster ships in the package and agrees with the library."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import attrs
import jsonschema
import pytest

from lamtheoguongbac import Member, OrgUnit, RoleAssignment
from lamtheoguongbac._roster import MEMBER_COLUMNS, UNIT_COLUMNS, read_roster
from lamtheoguongbac.serde import SCHEMA_VERSION, to_dict
from lamtheoguongbac.testing import make_roster

DOCS = Path(__file__).resolve().parents[1] / "docs"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    text = files("lamtheoguongbac").joinpath("schemas/roster.schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    jsonschema.Draft202012Validator.check_schema(loaded)
    return loaded


def _item(value: Any) -> dict[str, Any]:
    data = to_dict(value)
    data.pop("schema_version", None)
    return data


def test_rosters_the_library_writes_are_valid(schema: dict[str, Any]) -> None:
    sample = make_roster(cells=2, members_per_cell=3)
    imported = read_roster([EXAMPLES / "to-chuc.csv", EXAMPLES / "dang-vien.csv"])
    for units, members in ((sample.units, sample.members), (imported.units, imported.members)):
        document = {
            "schema_version": SCHEMA_VERSION,
            "units": [_item(u) for u in units],
            "members": [_item(m) for m in members],
        }
        jsonschema.validate(document, schema)


def test_what_the_schema_refuses_the_library_refuses_too(
    schema: dict[str, Any], tmp_path: Path
) -> None:
    bad = {"members": [{"id": "dv-1", "full_name": "Lê An", "cell_id": "cb", "que": "Huế"}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)
    path = tmp_path / "dv.json"
    path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValueError, match="que"):
        read_roster([path])


@pytest.mark.parametrize(
    ("definition", "cls"), [("unit", OrgUnit), ("member", Member), ("role", RoleAssignment)]
)
def test_the_schema_names_every_field_and_only_those(
    schema: dict[str, Any], definition: str, cls: type
) -> None:
    described = schema["$defs"][definition]
    fields = attrs.fields(cls)
    assert set(described["properties"]) == {f.name for f in fields}
    required = {f.name for f in fields if f.default is attrs.NOTHING}
    assert set(described["required"]) == required


def test_every_csv_column_is_documented() -> None:
    page = (DOCS / "roster.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"\| `([a-z_]+)` \|", page))
    assert keys >= UNIT_COLUMNS | MEMBER_COLUMNS
