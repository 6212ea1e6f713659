"""Stage 4, diff: new keys, changed fields (one event per field, with old and new) and removed keys."""

import datetime as dt

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import audit_events, events, expect, lines, metrics, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT_1 = [erp_line("PO1", 1), erp_line("PO1", 2), erp_line("PO1", 3), erp_line("PO2", 1)]
NIGHT_2 = [
    erp_line("PO1", 1, promised_date="2026-12-09", unit_price=3),  # two fields changed
    erp_line("PO1", 2, description=None),  # an optional value cleared
    erp_line("PO1", 3),  # unchanged
    erp_line("PO3", 1),
    erp_line("PO3", 2, quantity_ordered=7),  # new; PO2/1 is gone
]


def test_incremental_night_classifies_every_line_and_records_one_event_per_change(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    _, [first] = run_cli("--source", "erp")
    erp.write(NIGHT_2)

    code, [second] = run_cli("--source", "erp")

    assert code == 0 and second["status"] == "success" and second["baseline"] is False
    assert metrics(second) == expect(lines_processed=5, lines_new=2, lines_changed=2, lines_removed=1, change_events=4)
    store = open_store().engine
    assert events(store, second["run_id"]) == [
        ("PO1", 1, "changed", "promised_date", "2026-12-01", "2026-12-09"),
        ("PO1", 1, "changed", "unit_price", "2.5", "3"),
        ("PO1", 2, "changed", "description", "PO1 line 2", None),
        ("PO2", 1, "removed", None, None, None),
        ("PO3", 1, "new", None, None, None),
        ("PO3", 2, "new", None, None, None),
    ]
    stored = lines(store)
    r1, r2 = first["run_id"], second["run_id"]
    assert (stored[("PO1", 1)]["promised_date"], stored[("PO1", 1)]["unit_price"]) == (dt.date(2026, 12, 9), 3.0)
    assert stored[("PO1", 2)]["description"] is None
    assert stored[("PO3", 2)]["quantity_ordered"] == 7.0
    run_ids = {k: (r["first_seen_run_id"], r["last_changed_run_id"], r["active"]) for k, r in stored.items()}
    assert run_ids == {
        ("PO1", 1): (r1, r2, True),
        ("PO1", 2): (r1, r2, True),
        ("PO1", 3): (r1, r1, True),
        ("PO2", 1): (r1, r2, False),
        ("PO3", 1): (r2, r2, True),
        ("PO3", 2): (r2, r2, True),
    }
    [audit] = audit_events(store, r2)
    assert (audit["event_type"], audit["severity"], audit["source"]) == ("ingestion.completed", "info", "erp")
    assert audit["details"] == {**metrics(second), "notes": []}
    finished_at = run_row(store, r2)["finished_at"]
    assert dt.timedelta(0) <= audit["at"] - finished_at < dt.timedelta(seconds=60)  # written at once


def test_unchanged_snapshot_writes_nothing(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    store = open_store().engine
    before = lines(store)

    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(report) == expect(lines_processed=4)
    assert events(store, report["run_id"]) == []
    assert lines(store) == before


def test_removed_line_that_reappears_is_new_again_active_and_marked_reappeared(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    _, [first] = run_cli("--source", "erp")
    erp.write(NIGHT_1[:3])
    _, [second] = run_cli("--source", "erp")
    assert metrics(second) == expect(lines_processed=3, lines_removed=1, change_events=1)

    erp.write(NIGHT_1[:2] + [erp_line("PO1", 3, status="closed"), erp_line("PO2", 1, status="closed")])
    code, [third] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(third) == expect(lines_processed=4, lines_new=1, lines_changed=1, change_events=1)
    store = open_store().engine
    assert events(store, third["run_id"]) == [
        ("PO1", 3, "changed", "status", "open", "closed"),
        ("PO2", 1, "new", None, None, "reappeared"),  # a `new` event, marked as a key that came back
    ]
    back = lines(store)[("PO2", 1)]
    assert back["active"] is True and back["status"] == "closed"
    assert (back["first_seen_run_id"], back["last_changed_run_id"]) == (first["run_id"], third["run_id"])
    assert len(lines(store)) == 4  # the same stored row came back: no second row for the key
