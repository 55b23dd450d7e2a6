"""Refuse names that would make a broken package, before anything is written."""

import re
import sys

DISTRIBUTION = "{{ cookiecutter.distribution_name }}"
PACKAGE = "{{ cookiecutter.package_name }}"
KIND = "{{ cookiecutter.plugin_kind }}"
NAME = "{{ cookiecutter.name }}"
SUFFIX = "{{ cookiecutter.suffix }}"

#: Names the library and its first-party plugins use: a plugin taking one is always in
#: conflict (or, installed first, would hide the first-party one).
TAKEN = {
    "storage": {
        "memory",
        "sqlite",
        "jsonl",
        "postgresql",
        "postgresql+psycopg",
        "sqlalchemy+sqlite",
    },
    "exporter": {"docx", "docx-report", "docx-yearbook"},
    "rules": {"ltgb"},
}

problems = []
if NAME.lower() in TAKEN.get(KIND, set()):
    what = {"storage": "storage scheme", "exporter": "exporter name", "rules": "rule-code prefix"}
    problems.append(
        f"name {NAME!r}: the {what[KIND]} is the library's or a first-party plugin's; "
        "choose your own"
    )
if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", DISTRIBUTION):
    problems.append(f"distribution_name {DISTRIBUTION!r}: lower-case letters, digits and '-'")
if not PACKAGE.isidentifier():
    problems.append(f"package_name {PACKAGE!r} is not a Python identifier")
if KIND == "storage" and not re.fullmatch(r"[a-z][a-z0-9+.-]*", NAME):
    problems.append(f"name {NAME!r} is not a URL scheme (a letter, then letters, digits, +.-)")
if KIND == "exporter" and not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", NAME):
    problems.append(f"name {NAME!r}: an exporter name is lower-case letters, digits, - and _")
if KIND in ("rules", "commands", "events") and not re.fullmatch(r"[a-z][a-z0-9]*", NAME):
    problems.append(f"name {NAME!r}: lower-case letters and digits (a rule-code prefix, a command)")
if KIND not in ("storage", "exporter", "rules", "commands", "events"):
    problems.append(f"plugin_kind {KIND!r}: storage, exporter, rules, commands or events")
if KIND == "exporter" and not re.fullmatch(r"\.[A-Za-z0-9]{1,16}", SUFFIX):
    problems.append(f"suffix {SUFFIX!r} must look like '.md'")
if problems:
    print("Không tạo được plugin / cannot generate the plugin:", *problems, sep="\n  - ")
    sys.exit(1)
