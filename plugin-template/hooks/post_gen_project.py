"""Keep only the files of the chosen kind of plugin (storage or exporter)."""

from pathlib import Path

KIND = "{{ cookiecutter.plugin_kind }}"
PACKAGE = Path("src") / "{{ cookiecutter.package_name }}"

UNUSED = {
    "storage": [PACKAGE / "renderer.py", Path("tests") / "test_exporter.py"],
    "exporter": [PACKAGE / "store.py", Path("tests") / "test_conformance.py"],
}

for path in UNUSED[KIND]:
    path.unlink()
