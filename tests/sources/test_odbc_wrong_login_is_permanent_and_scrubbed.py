"""A login the ERP refuses is a permanent error: one attempt, a failed run, and the password shown nowhere.

The test server trusts every connection from 127.0.0.1, so it never checks a password: a wrong password for an
existing role would be accepted. A role that does not exist is refused before any password check (the server's
SQLSTATE 28000); psqlODBC reports it, like every failed connect, as 08001 with the server's text `role "..." does
not exist`, which is what potrack.sources.errors classifies as permanent. The connection string still carries a
PWD=, as a real one would, to check it never leaks.
"""

import json

from tests.support.cli import run_cli_process
from tests.support.odbc import odbc_connection_string
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

ROLE = "potrack_no_such_role"
PASSWORD = "0dbc-Login-5ecret"


def test_unknown_login_fails_once_as_permanent_and_its_password_is_in_no_output_log_or_store_row(workdir, odbc_erp):
    odbc_erp.write([])
    write_config(workdir, odbc_erp.config(connection_string=odbc_connection_string(user=ROLE, password=PASSWORD)))

    proc = run_cli_process(workdir, "run", "--source", "erp", "--json", env={"POTRACK_LOG_LEVEL": "DEBUG"})
    assert proc.returncode == 1, proc.stderr
    [report] = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    assert report["status"] == "failed"
    assert report["retry_attempts"] == 1 and report["errors"] == 1  # retry = { attempts = 3 } was not used
    assert report["error"].startswith("extract: ") and "08001" in report["error"]
    assert f'role "{ROLE}" does not exist' in report["error"]

    engine = open_store().engine
    [attempt] = store_rows(
        engine, "SELECT attempt, error, transient, wait_s FROM retry_attempts WHERE run_id = :r", r=report["run_id"]
    )
    assert (attempt["attempt"], bool(attempt["transient"]), attempt["wait_s"]) == (1, False, None)
    [run] = store_rows(engine, "SELECT status, error FROM runs WHERE id = :r", r=report["run_id"])
    assert run["status"] == "failed" and f'role "{ROLE}"' in run["error"]

    assert PASSWORD not in proc.stdout and PASSWORD not in proc.stderr
    assert PASSWORD not in run["error"] + attempt["error"]
    logs = list((workdir / "instance" / "logs").glob("*.log*"))
    assert logs and f'role "{ROLE}"' in logs[0].read_text(encoding="utf-8")  # the failure was logged, scrubbed
    # Every file of the instance: the log files and the store's database file itself.
    leaks = [p.name for p in (workdir / "instance").rglob("*") if p.is_file() and PASSWORD.encode() in p.read_bytes()]
    assert leaks == []
