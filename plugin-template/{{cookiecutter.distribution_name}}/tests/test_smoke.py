"""The plugin is found through its entry point, exactly as users will install it."""

from lamtheoguongbac.plugin import create_registry


def test_the_entry_point_loads_and_the_plugin_is_active() -> None:
    registry = create_registry()
    info = next((p for p in registry.plugins() if p.name == "{{ cookiecutter.name }}"), None)
    assert info is not None, "entry point not found: is the distribution installed?"
    assert info.status == "active", info.error
    assert info.distribution == "{{ cookiecutter.distribution_name }}"
{%- if cookiecutter.plugin_kind == "storage" %}
    assert "{{ cookiecutter.name }}" in registry.storage_backends()


def test_a_store_opens_by_url() -> None:
    from lamtheoguongbac import Handbooks

    with Handbooks.open("{{ cookiecutter.name }}:") as service:
        assert service.find(year=2025) == []
{%- else %}
    assert registry.exporter("{{ cookiecutter.name }}").suffix == "{{ cookiecutter.suffix }}"
{%- endif %}
