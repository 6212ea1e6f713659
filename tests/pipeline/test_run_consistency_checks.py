"""After commit: every change event points at a stored line, and active lines = valid distinct keys of the
snapshot (plus active keys protected by a rejected row). A mismatch is logged and reported on the run."""

import pytest
import sqlalchemy as sa

from potrack.pipeline.consistency import check_run
from potrack.store.models import ChangeEvent, PoLine
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import expect, metrics, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT_1 = [erp_line("PO1", 1), erp_line("PO1", 2), erp_line("PO1", 3), erp_line("PO2", 1)]


def test_runs_that_keep_the_store_consistent_report_no_problem(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    _, [first] = run_cli("--source", "erp")
    # Changed, removed, new, a rejected row protecting its active line and a duplicated key, all at once.
    erp.write(
        [
            erp_line("PO1", 1, uom="KG"),
            erp_line("PO1", 2, unit_price="?"),
            erp_line("PO1", 3),
            erp_line("PO1", 3),
            erp_line("PO9", 1),
        ]
    )
    _, [second] = run_cli("--source", "erp")

    store = open_store().engine
    assert [run_row(store, r["run_id"])["check_problems"] for r in (first, second)] == [None, None]
    with store.connect() as conn:
        assert check_run(conn, "erp", second["run_id"], 4) == []


def test_check_run_finds_orphan_events_and_a_wrong_active_count(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_1[:3])
    _, [report] = run_cli("--source", "erp")
    run_id = report["run_id"]
    store = open_store().engine

    with store.begin() as conn:  # someone deletes the removed line and deactivates another behind potrack's back
        conn.execute(sa.delete(PoLine).where(PoLine.po_number == "PO2"))
        conn.execute(sa.update(PoLine).where(PoLine.po_number == "PO1", PoLine.line_number == 3).values(active=False))
    with store.connect() as conn:
        problems = check_run(conn, "erp", run_id, 3)
        orphans = conn.execute(
            sa.select(sa.func.count()).select_from(ChangeEvent).where(ChangeEvent.run_id == run_id)
        ).scalar_one()

    assert orphans == 1
    assert problems == [
        f"1 change event(s) of run #{run_id} point at no stored line",
        "2 active lines stored for erp, expected 3 (valid distinct keys of the snapshot plus protected rejected keys)",
    ]


# Triggers that delete a line when the run records its removal and close a line when it records a receipt.
SABOTAGE = {
    "sqlite": [
        "CREATE TRIGGER lose_removed AFTER INSERT ON change_events WHEN NEW.kind = 'removed' BEGIN "
        "DELETE FROM po_lines WHERE source = NEW.source AND po_number = NEW.po_number "
        "AND line_number = NEW.line_number; END",
        "CREATE TRIGGER close_received AFTER INSERT ON receipt_batches BEGIN "
        "UPDATE po_lines SET active = 0 WHERE source = NEW.source AND po_number = NEW.po_number "
        "AND line_number = NEW.line_number; END",
    ],
    "postgresql": [
        "CREATE FUNCTION lose_removed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF NEW.kind = 'removed' THEN DELETE FROM po_lines WHERE source = NEW.source "
        "AND po_number = NEW.po_number AND line_number = NEW.line_number; END IF; RETURN NULL; END $$",
        "CREATE TRIGGER lose_removed AFTER INSERT ON change_events FOR EACH ROW EXECUTE FUNCTION lose_removed()",
        "CREATE FUNCTION close_received() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "UPDATE po_lines SET active = false WHERE source = NEW.source AND po_number = NEW.po_number "
        "AND line_number = NEW.line_number; RETURN NULL; END $$",
        "CREATE TRIGGER close_received AFTER INSERT ON receipt_batches FOR EACH ROW EXECUTE FUNCTION close_received()",
    ],
}


def test_a_mismatch_during_a_run_is_logged_and_recorded_on_the_run(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    runtime = open_store()
    # Another writer inside the store (a trigger) that breaks what the run writes, in the run's own transaction.
    with runtime.engine.begin() as conn:
        for statement in SABOTAGE[conn.dialect.name]:
            conn.exec_driver_sql(statement)
    erp.write([erp_line("PO1", 1, quantity_received=5)] + NIGHT_1[1:3])

    code, [report] = run_cli("--source", "erp")

    run_id = report["run_id"]
    expected = [
        f"1 change event(s) of run #{run_id} point at no stored line",
        "2 active lines stored for erp, expected 3 (valid distinct keys of the snapshot plus protected rejected keys)",
    ]
    # The run itself committed: its outcome stands, and the problems are reported on it, not hidden.
    assert code == 0 and report["status"] == "success"
    assert metrics(report) == expect(
        lines_processed=3, lines_changed=1, lines_removed=1, change_events=2, batches_reconstructed=1
    )
    assert run_row(runtime.engine, run_id)["check_problems"] == "\n".join(expected)
    log = (workdir / "instance" / "logs" / "potrack.log").read_text(encoding="utf-8")
    for problem in expected:
        assert f"[ERROR] [potrack.pipeline] run #{run_id} erp: consistency check: {problem}" in log
