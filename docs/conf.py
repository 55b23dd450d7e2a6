"""Sphinx configuration for the lamtheoguongbac documentation.

Build: ``.venv/bin/python -m sphinx -W --keep-going -b html docs out/docs`` (``make docs``).
The code blocks of these pages run as tests (``tests/test_docs.py``).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "lamtheoguongbac"
author = "lamtheoguongbac developers"
copyright = "2026, lamtheoguongbac developers"
language = "en"

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.viewcode",
    "ltgb_docs",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
html_theme = "furo"
html_title = "lamtheoguongbac"
autodoc_member_order = "bysource"
# Signatures show defaults as written (``policy=DEFAULT_POLICY``), not their reprs.
autodoc_preserve_defaults = True
autodoc_typehints = "description"
autodoc_default_options = {"members": True, "undoc-members": False}
# Every cross-reference must resolve: a broken one fails ``make docs`` (``-W``).
nitpicky = True
# The build is offline (nothing may download at build or run time), so there is no
# intersphinx: types of the standard library and of our dependencies, as the annotations
# spell them, cannot resolve. Only those are ignored, with the type variables; every
# reference to this package must resolve.
nitpick_ignore_regex = [
    (
        r"py:(class|exc|func|data|meth)",
        r"(datetime|dt|collections\.abc|pathlib|os|decimal|concurrent\.futures|cf"
        r"|contextlib|zipfile)\.\w+(\.\w+)*",
    ),
    # Standard-library names the annotations import bare.
    (r"py:class", r"Path|Decimal"),
    # Third-party types shown in signatures.
    (r"py:class", r"cattrs\.converters\.Converter|distributed\.Client"),
    (r"py:class", r"hypothesis\._settings\.settings"),
    # Type variables: ours, and pluggy's in ``hookimpl``'s signature.
    (r"py:class", r"lamtheoguongbac\.(serde|text|_storage\.contract)\.T|_F|E"),
]
# References in modules another change is editing (to fix there): listed, not for keeping.
exclude_patterns = ["_build", "_ext"]
