"""Every test's fixtures, registered here so that tests ask for them by name (nothing to import):

- tests/support/sql_server.py: every statement potrack runs is also compiled for SQL Server (autouse)
- tests/support/workdir.py: `workdir` (a directory of its own, no POTRACK_* leaking in) and, for every test,
  an instance directory of its own (autouse): the suite never writes ./instance in the checkout
- tests/support/backends.py: `store_backend`, `store_url`, `pg_schema`; tests marked `backends` run on both
- tests/support/erp.py: `erp`, a real SQLite ERP
- tests/support/web.py: `web`, the pages' runtime with the personas of tests/support/personas.py
- tests/support/receivers.py: `receiver` (a webhook) and `smtp` (a mail server) that record what they get
- tests/support/alerts.py: `alerts_web`, the pages' runtime with alert channels pointed at `receiver`
- tests/support/processes.py: `app_processes`, real app processes
- tests/support/odbc.py: `odbc_erp`, an ERP on PostgreSQL read through psqlODBC
- tests/support/faults.py: `clean_store`, the store a clean run leaves, to compare a faulted one with
- tests/support/browser.py: `browser`, `page`, `history_app` (headless Chromium and a served app)
"""

import pytest

# The helpers assert too: rewrite their asserts (pytest only rewrites test modules and plugins it imports itself).
pytest.register_assert_rewrite("tests.support")

import app  # noqa: E402, F401 - builds the Dash app (it starts nothing): page modules can be imported only after it
from tests.support import sql_server  # noqa: E402

pytest_plugins = [
    "tests.support.sql_server",
    "tests.support.workdir",
    "tests.support.backends",
    "tests.support.erp",
    "tests.support.web",
    "tests.support.receivers",
    "tests.support.alerts",
    "tests.support.processes",
    "tests.support.odbc",
    "tests.support.faults",
    "tests.support.browser",
    "tests.support.overview_board",
    "tests.support.uploads",
]

sql_server.watch_every_engine()
