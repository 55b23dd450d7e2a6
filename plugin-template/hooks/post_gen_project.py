"""Keep only the files of the chosen kind of plugin."""

from pathlib import Path

KIND = "{{ cookiecutter.plugin_kind }}"
PACKAGE = Path("src") / "{{ cookiecutter.package_name }}"
TESTS = Path("tests")

FILES = {
    "storage": [PACKAGE / "store.py", TESTS / "test_conformance.py"],
    "exporter": [PACKAGE / "renderer.py", TESTS / "test_exporter.py"],
    "rules": [PACKAGE / "rules.py", TESTS / "test_rules.py"],
    "commands": [PACKAGE / "commands.py", TESTS / "test_commands.py"],
    "events": [PACKAGE / "events.py", TESTS / "test_events.py"],
}

for kind, paths in FILES.items():
    if kind != KIND:
        for path in paths:
            path.unlink()
