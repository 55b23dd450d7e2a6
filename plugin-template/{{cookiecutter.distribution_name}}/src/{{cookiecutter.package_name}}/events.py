"""The audit trail (nhật ký) this plugin keeps from the library's events.

``handbook_changed`` runs after every stored lifecycle step, ``reminders_due`` with the
reminders sent. Here each becomes a line in a JSON-lines file named by the environment
variable ``{{ cookiecutter.package_name | upper }}_LOG`` (nothing is written without it) and a
record in :data:`AUDIT` for tests. Replace :meth:`Audit.write` with your notification,
synchronisation or audit system.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # annotations only: lamtheoguongbac loads the plugin at every start
    from lamtheoguongbac import Event, Handbook
    from lamtheoguongbac.supervision import Reminder

LOG_ENV = "{{ cookiecutter.package_name | upper }}_LOG"


class Audit:
    """Keeps the records of this process, and appends them to the log file if one is set."""

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def changed(self, event: Event, handbook: Handbook) -> None:
        """Record one stored step."""
        self.write(
            {
                "kind": event.kind.value,
                "handbook": handbook.id,
                "version": event.version,
                "status": handbook.status.value,
                "actor": event.actor_name,
                "at": event.at.isoformat(),
            }
        )

    def reminded(self, reminders: Sequence[Reminder]) -> None:
        """Record the reminders sent, one record per cell and step."""
        for reminder in reminders:
            self.write({"kind": "reminder", "text": reminder.text_vi()})

    def write(self, record: dict[str, Any]) -> None:
        """Keep ``record`` and append it to the log file (one JSON object per line)."""
        with self._lock:
            self.records.append(record)
            path = os.environ.get(LOG_ENV)
            if path:
                with Path(path).open("a", encoding="utf-8") as log:
                    log.write(json.dumps(record, ensure_ascii=False) + "\n")


AUDIT = Audit()
