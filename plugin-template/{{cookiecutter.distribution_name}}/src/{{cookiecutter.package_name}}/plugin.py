"""The entry point: the ``@hookimpl`` functions lamtheoguongbac calls.

An implementation takes only the hook arguments it needs, by their exact names, and never
gives them defaults (pluggy does not pass an argument that has a default).
"""

from __future__ import annotations

from collections.abc import Callable
{% if cookiecutter.plugin_kind == "storage" %}
from lamtheoguongbac.plugin import StorageBackend, hookimpl

from {{ cookiecutter.package_name }}.store import SCHEME, Store


@hookimpl
def register_storage_backends(register: Callable[[StorageBackend], None]) -> None:
    """Register the ``{{ cookiecutter.name }}:`` storage backend (kho lưu trữ)."""
    register(
        StorageBackend(
            scheme=SCHEME,
            open=Store.from_url,
            description_vi="{{ cookiecutter.description }}",
            description_en="{{ cookiecutter.description }}",
        )
    )
{%- else %}
from lamtheoguongbac.plugin import Exporter, hookimpl

from {{ cookiecutter.package_name }}.renderer import NAME, SUFFIX, Renderer


@hookimpl
def register_exporters(register: Callable[[Exporter], None]) -> None:
    """Register the ``{{ cookiecutter.name }}`` exporter (bộ xuất văn bản)."""
    register(
        Exporter(
            name=NAME,
            suffix=SUFFIX,
            create_renderer=Renderer,
            description_vi="{{ cookiecutter.description }}",
            description_en="{{ cookiecutter.description }}",
        )
    )
{%- endif %}
