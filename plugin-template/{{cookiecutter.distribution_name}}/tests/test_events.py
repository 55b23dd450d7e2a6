"""Every stored step and every reminder sent reaches the audit trail.

The registry holds this plugin only (not every installed one: another rules plugin, say,
must not refuse these steps) and the service's clock is fixed, so the tests give the same
result on any machine, any day.
"""

import datetime as dt
import json
from pathlib import Path

import pytest
from lamtheoguongbac import Handbooks
from lamtheoguongbac.plugin import Registry, create_registry
from lamtheoguongbac.supervision import LateMember, Reminder, ReminderStage
from lamtheoguongbac.testing import advance, make_handbook

from {{ cookiecutter.package_name }} import plugin
from {{ cookiecutter.package_name }}.events import AUDIT, LOG_ENV

#: A day the handbook's year is open (noon in Viet Nam).
NOON = dt.datetime(2025, 2, 3, 5, 0, tzinfo=dt.UTC)


def _registry() -> Registry:
    return create_registry(load_entrypoints=False, extra_plugins=[plugin])


def test_each_stored_step_is_recorded_and_logged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = tmp_path / "audit.jsonl"
    monkeypatch.setenv(LOG_ENV, str(log))
    AUDIT.records.clear()
    book = make_handbook()
    with Handbooks.open("memory:", registry=_registry(), clock=lambda: NOON) as service:
        service.roster.save(list(book.organisation), [book.member])
        created = service.create(book.member.id, year=book.year, actor=book.member)
        pledges = advance(book).handbook.pledges
        service.register_pledges(created.id, pledges, actor=created.member)
    assert [(r["kind"], r["version"]) for r in AUDIT.records] == [("created", 1), ("registered", 2)]
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert lines == AUDIT.records


def test_reminders_are_recorded() -> None:
    AUDIT.records.clear()
    reminder = Reminder(
        cell_id="cb-1",
        cell_name="Chi bộ ấp Đông",
        stage=ReminderStage.REGISTER,
        due=dt.date(2025, 3, 1),
        secretary_id="dv01",
        secretary_name="Nguyễn Văn An",
        members=(LateMember(member_id="dv02", full_name="Lê Thị Bình", handbook_id=None),),
    )
    _registry().call_each("reminders_due", reminders=(reminder,))
    assert AUDIT.records == [{"kind": "reminder", "text": reminder.text_vi()}]
