"""The entry point: the ``@hookimpl`` functions lamtheoguongbac calls.

An implementation takes only the hook arguments it needs, by their exact names, and never
gives them defaults (pluggy does not pass an argument that has a default); a function named
like a hook but without ``@hookimpl`` is never called (``lamtheoguongbac plugins`` warns).
"""

from __future__ import annotations
{% if cookiecutter.plugin_kind == "storage" %}
from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac.plugin import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import StorageBackend


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the ``{{ cookiecutter.name }}:`` storage backend (kho lưu trữ)."""
    # Imported when the hook runs, not when lamtheoguongbac loads this module at start-up.
    from lamtheoguongbac.plugin import StorageBackend

    from {{ cookiecutter.package_name }}.store import SCHEME, Store

    register(
        StorageBackend(
            scheme=SCHEME,
            open=Store.from_url,
            description_vi="{{ cookiecutter.description_vi }}",
            description_en="{{ cookiecutter.description }}",
        )
    )
{%- elif cookiecutter.plugin_kind == "exporter" %}
from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac.plugin import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import Exporter


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``{{ cookiecutter.name }}`` exporter (bộ xuất văn bản) of handbooks."""
    # Imported when the hook runs, not when lamtheoguongbac loads this module at start-up.
    from lamtheoguongbac.plugin import DocumentKind, Exporter, settings_validator

    from {{ cookiecutter.package_name }}.renderer import NAME, SUFFIX, Renderer

    register(
        Exporter(
            name=NAME,
            suffix=SUFFIX,
            kind=DocumentKind.HANDBOOK,
            create_renderer=Renderer,
            # The settings users may give (--set heading=...), each checked and converted.
            validate_settings=settings_validator(heading=str),
            description_vi="{{ cookiecutter.description_vi }}",
            description_en="{{ cookiecutter.description }}",
        )
    )
{%- elif cookiecutter.plugin_kind == "rules" %}
from collections.abc import Callable
from typing import TYPE_CHECKING

from lamtheoguongbac.plugin import hookimpl

if TYPE_CHECKING:
    from lamtheoguongbac.plugin import Rule


@hookimpl
def register_rules(register: Callable[[Rule], None]) -> None:
    """Register this plugin's rules (quy tắc), added to every policy the service uses.

    If this hook raises, every step that runs rules is refused (rules fail closed).
    """
    # Imported when the hook runs, not when lamtheoguongbac loads this module at start-up.
    from {{ cookiecutter.package_name }}.rules import RULES

    for rule in RULES:
        register(rule)
{%- elif cookiecutter.plugin_kind == "commands" %}
from typing import Any

from lamtheoguongbac.plugin import hookimpl

from {{ cookiecutter.package_name }}.commands import COMMANDS


@hookimpl
def register_commands(cli: Any) -> None:
    """Add this plugin's commands to the ``lamtheoguongbac`` command line (a click group).

    A command name another plugin or the library already has is refused (conflict).
    """
    for command in COMMANDS:
        cli.add_command(command)
{%- else %}
from typing import TYPE_CHECKING

from lamtheoguongbac.plugin import hookimpl

from {{ cookiecutter.package_name }}.events import AUDIT

if TYPE_CHECKING:  # annotations only: lamtheoguongbac loads this module at every start
    from lamtheoguongbac import Event, Handbook
    from lamtheoguongbac.supervision import Reminder


@hookimpl
def handbook_changed(event: Event, handbook: Handbook) -> None:
    """Called after every stored lifecycle step: record it in the audit trail.

    An exception here never undoes the step, but marks the plugin failed: it is not called
    again in this process, so catch what you can retry.
    """
    AUDIT.changed(event, handbook)


@hookimpl
def reminders_due(reminders: tuple[Reminder, ...]) -> None:
    """Called with the reminders due (``lamtheoguongbac remind --send``)."""
    AUDIT.reminded(reminders)
{%- endif %}
