"""The ERP session is ended with pg_terminate_backend while the odbc source streams the snapshot: the extract is
retried from scratch and the night is stored exactly once, as a clean run stores it.

The killer is a thread outside potrack watching pg_stat_activity, as a DBA would: with UseDeclareFetch=1 psqlODBC
reads the snapshot through a cursor, and each round trip after the first shows as the session's query `fetch 10 in
"SQL_CUR..."`; the xref (9 rows) and the row count (1 row) fit in their cursor's first round trip, so a bare fetch
is the snapshot's, sent once the first batch has been consumed.

Which SQLSTATE psqlODBC reports depends on the race with the driver's next round trip: 57P01 (FATAL: terminating
connection due to administrator command) when it reads the dying backend's message, 08S01 (server closed the
connection unexpectedly) when its fetch finds the socket already closed. Both are transient states.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line
from tests.support.erp_nights import XREF
from tests.support.services import SessionKiller
from tests.support.store import METRICS, store_rows
from tests.support.workdir import open_store, write_config

FETCH = 10  # rows a round trip, the same as the source's batch_size: many round trips to be killed in
LINES = 3000
WATCH_S = 60.0


def night(n: int) -> list[dict]:
    """Night 0: LINES lines. Night 1: every 7th receives 5 more, every 500th is removed, three are new."""
    rows = []
    for i in range(LINES):
        if n == 1 and i % 500 == 3:
            continue
        received = 10 + (5 if n == 1 and i % 7 == 0 else 0)
        rows.append(erp_line(f"PO{i // 10}", i % 10 + 1, item_code=f"ITEM-{i % 12}", quantity_received=received))
    if n == 1:
        rows += [erp_line("PO-NEW", line) for line in (1, 2, 3)]
    return rows


def run_night(instance: Path, monkeypatch: pytest.MonkeyPatch, *, baseline: bool = False) -> dict:
    """One CLI run of the erp source into the store of this instance folder."""
    monkeypatch.setenv("POTRACK_INSTANCE", str(instance))
    code, [report] = run_cli("--source", "erp", *(["--baseline"] if baseline else []))
    assert code == 0 and report["status"] == "success", report
    return report


def stored_counts(instance: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many lines, change events, receipt batches and unmapped codes the store of this instance holds."""
    monkeypatch.setenv("POTRACK_INSTANCE", str(instance))
    engine = open_store().engine
    return {
        table: store_rows(engine, f"SELECT COUNT(*) AS n FROM {table}")[0]["n"]
        for table in ("po_lines", "change_events", "receipt_batches", "unmapped_codes")
    }


def test_session_killed_mid_extract_is_retried_by_its_sqlstate_and_applies_the_night_once(
    workdir, odbc_erp, monkeypatch
):
    write_config(
        workdir,
        odbc_erp.config(connection_string=odbc_erp.connection_string(fetch=FETCH), extra=f"batch_size = {FETCH}"),
    )
    odbc_erp.write_xref(XREF)
    clean, killed = workdir / "clean", workdir / "killed"

    odbc_erp.write(night(0))
    run_night(clean, monkeypatch, baseline=True)
    run_night(killed, monkeypatch, baseline=True)
    odbc_erp.write(night(1))
    expected = run_night(clean, monkeypatch)

    killer = SessionKiller(odbc_erp.schema.name, "fetch %")  # psqlODBC's cursor
    killer.start()
    try:
        report = run_night(killed, monkeypatch)
    finally:
        killer.stop.set()
        killer.join(WATCH_S)
    assert killer.killed is not None, "the watcher never saw the snapshot's session mid-fetch"
    assert killer.killed.startswith(f"fetch {FETCH} in ")  # a round trip of psqlODBC's cursor, Fetch rows

    # One failed attempt, raised by SQLFetch and classified transient by its SQLSTATE.
    assert report["retry_attempts"] == 1 and report["errors"] == 0
    [attempt] = store_rows(
        open_store().engine,
        "SELECT attempt, error, transient, wait_s FROM retry_attempts WHERE run_id = :r",
        r=report["run_id"],
    )
    assert attempt["attempt"] == 1 and attempt["transient"]
    assert re.match(r"(Error|OperationalError): \('(57P01|08S01)', .*\(SQLFetch\)", attempt["error"]), attempt["error"]
    assert attempt["wait_s"] is not None and 0 < attempt["wait_s"] <= 0.02

    # The retried night is the clean night: the same metrics and the same store, nothing applied twice.
    assert {m: report[m] for m in METRICS if m != "retry_attempts"} == {
        m: expected[m] for m in METRICS if m != "retry_attempts"
    }
    assert (report["lines_processed"], report["lines_new"], report["lines_removed"]) == (LINES - 6 + 3, 3, 6)
    assert report["lines_changed"] == len([i for i in range(LINES) if i % 7 == 0 and i % 500 != 3])
    assert stored_counts(killed, monkeypatch) == stored_counts(clean, monkeypatch)
