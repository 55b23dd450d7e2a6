"""{{ cookiecutter.description }} (plugin cho lamtheoguongbac).

Installing this distribution is all it takes: lamtheoguongbac finds
:mod:`{{ cookiecutter.package_name }}.plugin` through the ``lamtheoguongbac`` entry-point group.
"""

__version__ = "0.1.0"
