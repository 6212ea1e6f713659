"""Baseline: no diff, every valid line is new, zero change events, and stored lines missing from the snapshot
become inactive without events. A source's first run is a baseline by itself."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import active_keys, all_events, events, expect, lines, metrics, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT_1 = [erp_line("PO1", 1), erp_line("PO1", 2, quantity_received=4), erp_line("PO2", 1)]


def test_first_run_of_a_source_is_a_baseline(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)

    code, [report] = run_cli("--source", "erp")  # no --baseline

    assert code == 0
    assert report["baseline"] is True
    assert metrics(report) == expect(lines_processed=3, lines_new=3, batches_reconstructed=1)
    store = open_store().engine
    assert run_row(store, report["run_id"])["baseline"] is True
    assert all_events(store) == []  # not even "new" events
    assert active_keys(store) == {("PO1", 1), ("PO1", 2), ("PO2", 1)}


def test_first_run_is_a_baseline_per_source(workdir, erp):
    write_config(workdir, sql_source_config(erp) + sql_source_config(erp, name="erp_copy"))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write(NIGHT_1 + [erp_line("PO3", 1)])
    _, [second] = run_cli("--source", "erp")

    code, [other] = run_cli("--source", "erp_copy")

    assert second["baseline"] is False and second["lines_new"] == 1
    assert code == 0 and other["baseline"] is True
    assert metrics(other) == expect(lines_processed=4, lines_new=4, batches_reconstructed=1)
    store = open_store().engine
    assert events(store, other["run_id"]) == []
    assert set(lines(store, "erp_copy")) == set(lines(store, "erp"))


def test_deliberate_baseline_makes_every_line_new_without_events_and_deactivates_missing_lines(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    _, [first] = run_cli("--source", "erp")
    erp.write(NIGHT_1[:2])  # PO2/1 removed
    _, [second] = run_cli("--source", "erp")
    assert second["lines_removed"] == 1
    store = open_store().engine
    events_before = all_events(store)

    # Tonight PO1/1 changed, PO1/2 is gone, PO2/1 is back and PO3/1 is new.
    erp.write([erp_line("PO1", 1, unit_price=9), erp_line("PO2", 1), erp_line("PO3", 1, quantity_received=1)])
    code, [third] = run_cli("--source", "erp", "--baseline")

    assert code == 0 and third["baseline"] is True
    # Every valid line is new; PO1/2 is deactivated (counted as removed) but no event says so.
    assert metrics(third) == expect(lines_processed=3, lines_new=3, lines_removed=1, batches_reconstructed=1)
    assert all_events(store) == events_before
    stored = lines(store)
    assert len(stored) == 4
    assert active_keys(store) == {("PO1", 1), ("PO2", 1), ("PO3", 1)}
    assert stored[("PO1", 1)]["unit_price"] == 9.0
    r1, r3 = first["run_id"], third["run_id"]
    assert {k: (r["first_seen_run_id"], r["last_changed_run_id"]) for k, r in stored.items()} == {
        ("PO1", 1): (r1, r3),
        ("PO1", 2): (r1, r3),
        ("PO2", 1): (r1, r3),
        ("PO3", 1): (r3, r3),
    }
    assert run_row(store, r3)["check_problems"] is None


def test_source_whose_lines_were_all_removed_is_not_rebaselined(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    run_cli("--source", "erp")
    erp.write([])
    _, [empty] = run_cli("--source", "erp", "--accept-removals")  # a deliberate purge (the guard stops it otherwise)
    assert metrics(empty) == expect(lines_removed=3, change_events=3)

    erp.write(NIGHT_1[:1])
    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["baseline"] is False
    assert metrics(report) == expect(lines_processed=1, lines_new=1)
    assert events(open_store().engine, report["run_id"]) == [("PO1", 1, "new", None, None, "reappeared")]
