"""Shared test configuration: Hypothesis profiles and the library's own pytest plugin."""

import importlib.metadata
import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci",
    deadline=None,
    derandomize=True,
    max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=20, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

# The fixtures come from the pytest11 entry point once the package is installed with it;
# before that, load the plugin by name (never both: pytest refuses a double registration).
_PLUGIN = "lamtheoguongbac.testing.pytest_plugin"
if not any(ep.value == _PLUGIN for ep in importlib.metadata.entry_points(group="pytest11")):
    pytest_plugins = [_PLUGIN]
