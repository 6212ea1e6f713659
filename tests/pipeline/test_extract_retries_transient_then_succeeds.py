"""Extract retries: transient errors are retried with a recorded attempt each; permanent ones fail at once."""

import pytest
import sqlalchemy as sa

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config, unreachable_erp_url
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

FAST_RETRY = "retry = { attempts = 5, backoff_initial_s = 0.01, backoff_max_s = 0.02 }"


def attempts_of(engine, run_id):
    return store_rows(
        engine,
        "SELECT attempt, error, transient, wait_s FROM retry_attempts WHERE run_id = :r ORDER BY attempt",
        r=run_id,
    )


def test_source_failing_twice_then_succeeding_records_two_attempts_and_succeeds(workdir):
    write_config(
        workdir,
        f"""
[[sources]]
name = "erp"
kind = "demo"
demo = {{ fail = "flaky", fail_attempts = 2, night = 0, lines = 40 }}
{FAST_RETRY}
""",
    )
    code, [report] = run_cli("--source", "erp")
    assert code == 0
    assert report["status"] == "success" and report["error"] is None
    assert report["retry_attempts"] == 2
    assert report["errors"] == 0
    assert report["lines_processed"] == report["lines_new"] > 0

    engine = open_store().engine
    attempts = attempts_of(engine, report["run_id"])
    assert [a["attempt"] for a in attempts] == [1, 2]
    for a in attempts:
        assert "connection refused" in a["error"]
        assert a["transient"]
        assert a["wait_s"] is not None and 0 < a["wait_s"] <= 0.02  # capped by backoff_max_s
    [run] = store_rows(engine, "SELECT status, retry_attempts FROM runs WHERE id = :r", r=report["run_id"])
    assert (run["status"], run["retry_attempts"]) == ("success", 2)
    assert (
        store_rows(engine, "SELECT COUNT(*) AS n FROM po_lines WHERE active = :yes", yes=True)[0]["n"]
        == report["lines_new"]
    )


def sql_source_at(url: str) -> str:
    """A potrack.toml with one sql source `erp` at this URL, three fast attempts."""
    return f"""
[[sources]]
name = "erp"
kind = "sql"
url = "{url}"
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
"""


def test_erp_that_refuses_connections_is_transient_and_retried_until_attempts_run_out(workdir):
    write_config(workdir, sql_source_at(unreachable_erp_url()))
    code, [report] = run_cli("--source", "erp")
    assert code == 1
    assert report["status"] == "failed"
    assert report["retry_attempts"] == 3 and report["errors"] == 1
    assert report["error"].startswith("extract: ") and "refused" in report["error"]

    attempts = attempts_of(open_store().engine, report["run_id"])
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert all(a["transient"] for a in attempts)
    assert all("OperationalError" in a["error"] and "refused" in a["error"] for a in attempts)
    # The first two waited before the next attempt; the last one gave up without a wait.
    assert [a["wait_s"] is not None and 0 < a["wait_s"] <= 0.02 for a in attempts[:2]] == [True, True]
    assert attempts[2]["wait_s"] is None


def test_sqlite_erp_file_that_does_not_exist_fails_at_once_naming_it_and_is_not_created(workdir):
    missing = workdir / "no-such-folder" / "erp.sqlite"
    typo = workdir / "erp.sqllite"  # in a folder that exists: SQLite would have created an empty database
    for path in (missing, typo):
        write_config(workdir, sql_source_at(f"sqlite:///{path}"))
        code, [report] = run_cli("--source", "erp")
        assert code == 1 and report["status"] == "failed"
        assert report["error"] == f"extract: SourceError: ERP database file not found: {path}"
        assert report["retry_attempts"] == 1  # a wrong path is not retried
        assert not path.exists()


def test_sqlite_erp_is_opened_read_only(workdir, erp):
    erp.write([erp_line("PO1", 1)])
    write_config(
        workdir,
        sql_source_config(erp).replace(
            'query = "SELECT * FROM po_lines"', 'query = "DELETE FROM po_lines RETURNING *"'
        ),
    )
    code, [report] = run_cli("--source", "erp")
    assert code == 1 and "readonly database" in report["error"]
    assert store_rows(sa.create_engine(erp.url), "SELECT COUNT(*) AS n FROM po_lines") == [{"n": 1}]


def test_bad_sql_is_permanent_and_fails_after_one_attempt_without_retry(workdir, erp):
    erp.write([erp_line("PO1", 1)])
    write_config(
        workdir, sql_source_config(erp).replace('query = "SELECT * FROM po_lines"', 'query = "SELECT * FROM po_linez"')
    )
    code, [report] = run_cli("--source", "erp")
    assert code == 1
    assert report["status"] == "failed"
    assert "no such table: po_linez" in report["error"]
    assert report["retry_attempts"] == 1 and report["errors"] == 1

    [attempt] = attempts_of(open_store().engine, report["run_id"])
    assert attempt["attempt"] == 1
    assert not attempt["transient"]
    assert attempt["wait_s"] is None
    assert "no such table: po_linez" in attempt["error"]


def test_demo_bad_sql_is_permanent_and_fails_after_one_attempt(workdir):
    write_config(
        workdir,
        f"""
[[sources]]
name = "erp"
kind = "demo"
demo = {{ fail = "bad_sql", night = 0, lines = 20 }}
{FAST_RETRY}
""",
    )
    code, [report] = run_cli()
    assert (code, report["status"], report["retry_attempts"]) == (1, "failed", 1)
    [attempt] = attempts_of(open_store().engine, report["run_id"])
    assert (attempt["attempt"], bool(attempt["transient"]), attempt["wait_s"]) == (1, False, None)
