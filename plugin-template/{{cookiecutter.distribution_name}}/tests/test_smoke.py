"""The plugin is found through its entry point, exactly as users will install it."""

from pathlib import Path

from lamtheoguongbac.plugin import create_registry


def test_the_entry_point_loads_and_the_plugin_is_active() -> None:
    registry = create_registry()
    info = next((p for p in registry.plugins() if p.name == "{{ cookiecutter.name }}"), None)
    assert info is not None, "entry point not found: is the distribution installed?"
    assert info.status == "active", info.error
    assert info.distribution == "{{ cookiecutter.distribution_name }}"
    assert info.warnings == ()
{%- if cookiecutter.plugin_kind == "storage" %}
    assert info.provides.storage == ("{{ cookiecutter.name }}",)


def test_a_store_opens_by_url(tmp_path: Path) -> None:
    from lamtheoguongbac import Handbooks
    from lamtheoguongbac.plugin import store_url

    # A path in tmp_path: works for a store kept in memory and for one kept in files.
    url = store_url("{{ cookiecutter.name }}", tmp_path / "kho")
    with Handbooks.open(url) as service:
        assert service.find(year=2025) == []
{%- elif cookiecutter.plugin_kind == "exporter" %}
    assert info.provides.exporters == (("{{ cookiecutter.name }}", "handbook"),)
    assert registry.exporter("{{ cookiecutter.name }}").suffix == "{{ cookiecutter.suffix }}"
{%- elif cookiecutter.plugin_kind == "rules" %}
    assert info.provides.rules
    assert registry.failed_rule_plugins() == []
{%- elif cookiecutter.plugin_kind == "commands" %}
    assert "register_commands" in info.hooks
{%- else %}
    assert info.provides.events == ("handbook_changed", "reminders_due")
{%- endif %}


def test_the_package_imports(tmp_path: Path) -> None:
    import {{ cookiecutter.package_name }}.plugin

    assert {{ cookiecutter.package_name }}.plugin.__doc__
