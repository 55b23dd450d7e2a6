"""``python -m lamtheoguongbac``: the command line."""

from lamtheoguongbac.cli import main

main()
