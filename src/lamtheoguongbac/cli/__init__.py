"""The command line (dòng lệnh): ``lamtheoguongbac …`` or ``python -m lamtheoguongbac``.

Everything that touches the terminal lives in this package; the commands call the public
library API. :func:`main` is the console-script entry point.
"""

from lamtheoguongbac.cli._group import cli, main

__all__ = ["cli", "main"]
