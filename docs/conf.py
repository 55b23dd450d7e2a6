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
nitpicky = False
exclude_patterns = ["_build", "_ext"]
