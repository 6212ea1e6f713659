"""What the tests share: helpers and fixtures, one module per thing they give (see tests/README.md).

Fixtures are registered for every test by tests/conftest.py (pytest_plugins), so tests ask for them by name;
helpers are imported from their module, e.g. `from tests.support.erp import erp_line`.
"""

from pathlib import Path

# The checkout: what the tests run potrack's scripts (app.py, `python -m potrack`) from.
ROOT = Path(__file__).resolve().parents[2]

# How the test run itself is configured, not potrack: kept when a test clears POTRACK_* from the environment.
SERVICE_SETTINGS = ("POTRACK_REQUIRE_SERVICES", "POTRACK_TEST_PG_URL", "POTRACK_CHROMIUM")
