"""The hooks a plugin can implement (điểm mở rộng cho plugin).

Write a plugin as a module with functions marked ``@hookimpl`` (imported from the package
root) and name it in your distribution's entry points::

    [project.entry-points.lamtheoguongbac]
    my_plugin = "my_package.plugin"

Registration hooks hand the plugin a ``register`` callback; call it once per thing you
provide. The host checks each plugin's registrations as a whole, in priority order: a
plugin registering a name an earlier one provides (built-ins first) is marked *conflict*,
both providers named, and none of its registrations is used; a plugin raising in any hook is
marked *failed* and not called again (see :class:`lamtheoguongbac.plugin.Registry`). Every call goes
through pluggy, one plugin at a time, so ``@hookimpl(wrapper=True)`` implementations and
``add_hookcall_monitoring`` see it. Hook evolution: arguments may be added in later releases,
never removed without a deprecation cycle; an implementation takes only the arguments it
needs (pluggy passes them by name), and must not give them defaults (pluggy never passes an
argument that has a default; ``lamtheoguongbac plugins`` warns).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from lamtheoguongbac._audit import RecordEvent
    from lamtheoguongbac._exemplars import Exemplar
    from lamtheoguongbac._inspections import Inspection
    from lamtheoguongbac._model import Event, Handbook
    from lamtheoguongbac._reminders import Reminder
    from lamtheoguongbac._storage.base import StorageBackend
    from lamtheoguongbac.export._base import Exporter
    from lamtheoguongbac.rules._base import Rule

PROJECT = "lamtheoguongbac"

hookspec = pluggy.HookspecMarker(PROJECT)


# pluggy's marker is @final only for its typing; a subclass adds nothing but the docstring
# the API reference shows for ``hookimpl`` (an instance documents itself with its class's).
class _HookimplMarker(pluggy.HookimplMarker):  # type: ignore[misc]
    """The marker of hook implementations (đánh dấu hàm hook) — ``@hookimpl`` on a
    module-level function or a method, ``@hookimpl(wrapper=True)`` for a wrapper. Required:
    a function is never picked up by its name alone.

    Example:
        >>> from lamtheoguongbac import Handbooks, hookimpl
        >>> from lamtheoguongbac.plugin import create_registry
        >>> from lamtheoguongbac.testing import make_roster
        >>> class Audit:
        ...     seen: list[str] = []
        ...
        ...     @hookimpl
        ...     def handbook_changed(self, event, handbook):
        ...         self.seen.append(f"{event.kind.value} {handbook.id}")
        ...
        >>> registry = create_registry(load_entrypoints=False, extra_plugins=[Audit()])
        >>> roster = make_roster(cells=1, members_per_cell=2)
        >>> with Handbooks.open("memory:", registry=registry) as service:
        ...     service.roster.save(roster.units, roster.members)
        ...     book = service.create(roster.members[1].id, year=2025, actor=roster.members[0])
        ...
        >>> Audit.seen
        ['created cb-00-0000-dv001-2025']
    """


hookimpl = _HookimplMarker(PROJECT)

__all__ = [
    "PROJECT",
    "exemplar_changed",
    "handbook_changed",
    "hookimpl",
    "hookspec",
    "inspection_changed",
    "register_commands",
    "register_exporters",
    "register_rules",
    "register_storage_backends",
    "reminders_due",
]


@hookspec
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register storage backends: call ``register(StorageBackend(scheme=..., open=...))``.

    Example::

        @hookimpl
        def register_storage_backends(register):
            register(StorageBackend(scheme="jsonl", open=JsonLinesStore.from_url))
    """


@hookspec
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register document exporters: call ``register(Exporter(name=..., suffix=..., kind=...,
    ...))``; ``kind`` is the document rendered (``"handbook"``, ``"yearbook"``, ``"report"``).

    Example::

        @hookimpl
        def register_exporters(register):
            register(Exporter(name="md", suffix=".md", kind="handbook",
                              create_renderer=MarkdownRenderer))
    """


@hookspec
def register_rules(register: Callable[[Rule], None]) -> None:
    """Register extra rules, added to every policy the service uses. If this raises (or a
    rule's check does), steps that run rules are refused until the plugin is fixed: rules
    fail closed.

    Example::

        @hookimpl
        def register_rules(register):
            register(Rule(code="XYZ-001", stage=Stage.REGISTRATION, title_vi="…",
                          title_en="…", check=my_check))
    """


@hookspec
def register_commands(cli: Any) -> None:
    """Add commands to the ``lamtheoguongbac`` CLI; ``cli`` is its ``click.Group``.

    Example::

        @hookimpl
        def register_commands(cli):
            @cli.command()
            def hello():
                click.echo("xin chào")
    """


@hookspec
def handbook_changed(event: Event, handbook: Handbook) -> None:
    """Called after every lifecycle step has been stored, with its event and the new handbook.

    Use it to notify, sync or audit. An exception here is reported (logged with the
    plugin's name) and never undoes the stored step nor stops other plugins.

    Example::

        @hookimpl
        def handbook_changed(event, handbook):
            audit_log.append((event.kind.value, handbook.id, event.version))
    """


@hookspec
def exemplar_changed(event: RecordEvent, exemplar: Exemplar) -> None:
    """Called after an exemplar's nomination or commendation has been stored, with its event
    (``event.action`` is ``nominated`` or ``commended``) and the exemplar as stored.

    Like ``handbook_changed``: inside ``Handbooks.transaction()`` it fires once the block has
    committed; an exception here is reported and never undoes the stored step.

    Example::

        @hookimpl
        def exemplar_changed(event, exemplar):
            audit_log.append((event.action.value, exemplar.id, event.version))
    """


@hookspec
def inspection_changed(event: RecordEvent, inspection: Inspection) -> None:
    """Called after an inspection or a follow-up to one of its requests has been stored, with
    its event (``event.action`` is ``inspected`` or ``followed_up``) and the inspection as
    stored.

    Example::

        @hookimpl
        def inspection_changed(event, inspection):
            if event.action.value == "inspected":
                notify_cells(inspection.cells, inspection.findings)
    """


@hookspec
def reminders_due(reminders: list[Reminder]) -> None:
    """Called with the reminders due (``lamtheoguongbac remind --send`` or
    ``Handbooks.send_reminders``); each :class:`~lamtheoguongbac._reminders.Reminder` is one
    cell's late members for one step, addressed to the cell's secretary.

    Example::

        @hookimpl
        def reminders_due(reminders):
            for r in reminders:
                mailer.send(to=r.secretary_id, body=r.text_vi())
    """
