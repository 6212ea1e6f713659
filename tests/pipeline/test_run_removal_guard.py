"""The removal guard: a snapshot that would remove more than the source's `max_removed_fraction` (default 0.5) of
its active lines fails the run at stage diff (exit 1, status failed, audited as ingestion.failed) and changes
nothing — no line, change event or receipt batch, and not even the snapshot's rejected rows are stored. Exactly
the limit is allowed. `max_removed_fraction` from 0 (no removal) to 1 (any) sets the limit; anything else is a
configuration error naming it. `--accept-removals` lets a deliberate purge through and is recorded on the run;
a retry does not carry it over. A guarded run counts as a failure for the consecutive_failures alert.
`"accept_removals": true` in POST /api/runs is for admins only (403 for an operator, nothing queued; 400 for a
value that is not a boolean); GET /api/runs/<id> shows the run's `notes` and `accept_removals`."""

import pytest
import sqlalchemy as sa

import app
from potrack.runtime import start
from potrack.store.models import AuditEvent, Run
from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import erp_line, sql_source_config
from tests.support.personas import add_personas, client_as
from tests.support.store import (
    active_keys,
    all_batches,
    all_events,
    audit_events,
    events,
    expect,
    failed_rows,
    lines,
    metrics,
    run_row,
    store_rows,
    unmapped,
)
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

TEN = [erp_line("PO1", n) for n in range(1, 11)]


def ten_active_lines(workdir, erp, extra: str = ""):
    """A source whose store holds the 10 active lines PO1/1 .. PO1/10; returns the store's engine."""
    write_config(workdir, sql_source_config(erp, extra=extra))
    erp.write(TEN)
    code, [report] = run_cli("--source", "erp")
    assert (code, report["lines_new"]) == (0, 10)
    return open_store().engine


def guard_error(percent: int, limit: int, active: int = 10) -> str:
    return (
        f"diff: snapshot would remove {percent} % of {active} active lines; limit {limit} %; "
        "run with --accept-removals or raise max_removed_fraction"
    )


@pytest.mark.parametrize("kept", [6, 5], ids=["4_removed", "5_removed_exactly_the_limit"])
def test_removing_up_to_half_of_the_active_lines_succeeds(workdir, erp, kept):
    store = ten_active_lines(workdir, erp)
    erp.write(TEN[:kept])

    code, [report] = run_cli("--source", "erp")

    assert (code, report["status"]) == (0, "success")
    assert metrics(report) == expect(lines_processed=kept, lines_removed=10 - kept, change_events=10 - kept)
    assert active_keys(store) == {("PO1", n) for n in range(1, kept + 1)}
    assert events(store, report["run_id"]) == sorted(
        [("PO1", n, "removed", None, None, None) for n in range(kept + 1, 11)], key=lambda t: str(t[1])
    )


def test_removing_6_of_10_fails_at_diff_and_changes_nothing_not_even_failed_rows(workdir, erp):
    store = ten_active_lines(workdir, erp)
    before = (lines(store), all_events(store), all_batches(store))
    # Tonight: PO1/1 received 7, PO1/2 .. PO1/4 as before, a new line with an unmapped code, a bad row; 6 missing.
    erp.write(
        [
            erp_line("PO1", 1, quantity_received=7),
            *TEN[1:4],
            erp_line("PO2", 1, item_code="NEW-CODE"),
            erp_line("PO3", 1, quantity_ordered="ten"),
        ]
    )

    code, [report] = run_cli("--source", "erp")

    assert (code, report["status"]) == (1, "failed")
    assert report["error"] == guard_error(60, 50)
    assert metrics(report) == expect(lines_processed=6, errors=1)
    assert (lines(store), all_events(store), all_batches(store)) == before
    assert failed_rows(store, report["run_id"]) == []
    assert unmapped(store, report["run_id"]) == {}
    run = run_row(store, report["run_id"])
    assert (run["status"], run["error_stage"], run["error"]) == ("failed", "diff", guard_error(60, 50))
    assert [(e["event_type"], e["severity"]) for e in audit_events(store, report["run_id"])] == [
        ("ingestion.failed", "error")
    ]


def test_the_limit_is_a_fraction_of_the_active_lines_only(workdir, erp):
    store = ten_active_lines(workdir, erp)
    erp.write(TEN[:8] + [erp_line("PO2", n) for n in range(1, 5)])  # 2 removed (inactive now), 4 new: 12 active
    assert run_cli("--source", "erp")[0] == 0
    erp.write(TEN[:5] + [erp_line("PO2", 1)])  # 6 of the 12 active lines missing: 50 %, allowed
    assert run_cli("--source", "erp")[0] == 0
    erp.write(TEN[:2])  # 4 of the 6 active lines missing (the 6 inactive ones do not count): 67 %

    code, [report] = run_cli("--source", "erp")

    assert (code, report["error"]) == (1, guard_error(66.7, 50, active=6))
    assert len(active_keys(store)) == 6


def test_rejected_rows_of_active_lines_are_not_removals(workdir, erp):
    store = ten_active_lines(workdir, erp)
    # Tonight 6 of the 10 lines come as bad rows: their stored lines stay, so nothing is removed.
    erp.write(TEN[:4] + [erp_line("PO1", n, status=None) for n in range(5, 11)])

    code, [report] = run_cli("--source", "erp")

    assert (code, report["status"]) == (3, "partial")
    assert metrics(report) == expect(lines_processed=10, errors=6)
    assert active_keys(store) == {("PO1", n) for n in range(1, 11)}
    assert len(failed_rows(store, report["run_id"])) == 6


def test_a_re_baseline_is_guarded_too_and_a_first_run_removes_nothing(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([])
    code, [first] = run_cli("--source", "erp")  # the source's first run: an empty snapshot, nothing to remove
    assert (code, first["status"], first["baseline"]) == (0, "success", True)
    erp.write(TEN)
    assert run_cli("--source", "erp")[0] == 0
    erp.write(TEN[:3])

    code, [report] = run_cli("--source", "erp", "--baseline")

    assert (code, report["baseline"], report["error"]) == (1, True, guard_error(70, 50))
    assert len(active_keys(open_store().engine)) == 10


@pytest.mark.parametrize(
    ("fraction", "kept", "exit_code", "error"),
    [
        ("0.8", 4, 0, None),  # 60 % removed, 80 % allowed
        ("0", 9, 1, guard_error(10, 0)),  # no removal at all
        ("0", 10, 0, None),  # ... but a night that removes nothing passes
        ("1", 0, 0, None),  # everything may go
    ],
    ids=["0.8_lets_60_percent_through", "0_refuses_one_removal", "0_without_removals", "1_allows_all"],
)
def test_max_removed_fraction_sets_the_limit(workdir, erp, fraction, kept, exit_code, error):
    store = ten_active_lines(workdir, erp, extra=f"max_removed_fraction = {fraction}")
    erp.write(TEN[:kept])

    code, [report] = run_cli("--source", "erp")

    assert (code, report["error"]) == (exit_code, error)
    if exit_code == 0:
        assert (report["lines_removed"], report["change_events"]) == (10 - kept, 10 - kept)
        assert active_keys(store) == {("PO1", n) for n in range(1, kept + 1)}
    else:
        assert active_keys(store) == {("PO1", n) for n in range(1, 11)}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.5", "expected a fraction from 0 to 1 (0.5 = 50 %), got 1.5"),
        ("-0.1", "expected a fraction from 0 to 1 (0.5 = 50 %), got -0.1"),
        ('"0.5"', "got str"),
        ("true", "got a boolean"),
    ],
    ids=["over_1", "negative", "a_string", "a_boolean"],
)
def test_a_max_removed_fraction_outside_0_to_1_or_not_a_number_is_a_configuration_error(workdir, erp, value, expected):
    write_config(workdir, sql_source_config(erp, extra=f"max_removed_fraction = {value}"))
    proc = run_cli_process(workdir, "run", "--json")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "configuration error" in proc.stderr and "Traceback" not in proc.stderr
    assert "sources[0].max_removed_fraction: " in proc.stderr and expected in proc.stderr


def test_accept_removals_lets_an_empty_snapshot_through_and_is_recorded_on_the_run(workdir, erp):
    store = ten_active_lines(workdir, erp)
    erp.write([])
    code, [refused] = run_cli("--source", "erp")
    assert (code, refused["error"]) == (1, guard_error(100, 50))
    assert run_row(store, refused["run_id"])["accept_removals"] is False

    code, [purge] = run_cli("--source", "erp", "--accept-removals")

    assert (code, purge["status"]) == (0, "success")
    assert metrics(purge) == expect(lines_removed=10, change_events=10)
    assert active_keys(store) == set()
    assert len(events(store, purge["run_id"])) == 10
    assert {e[2] for e in events(store, purge["run_id"])} == {"removed"}
    assert run_row(store, purge["run_id"])["accept_removals"] is True


def test_two_guarded_failures_in_a_row_open_the_consecutive_failures_alert(workdir, erp):
    store = ten_active_lines(workdir, erp)
    erp.write([])

    assert run_cli("--source", "erp")[0] == 1
    assert store_rows(store, "SELECT rule, state FROM alerts") == []  # one failure is no streak
    assert run_cli("--source", "erp")[0] == 1

    assert store_rows(store, "SELECT source, rule, state FROM alerts") == [
        {"source": "erp", "rule": "consecutive_failures", "state": "firing"}
    ]


def queued(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(Run.source, Run.status, Run.requested_by, Run.accept_removals).order_by(Run.id)
        ).all()


def requested(engine):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(AuditEvent.actor, AuditEvent.severity, AuditEvent.message).where(
                AuditEvent.event_type == "ingestion.requested"
            )
        ).all()


def test_an_operator_asking_the_api_to_accept_removals_is_403_naming_the_admin_role_and_nothing_is_queued(web):
    answer = client_as("otto").post("/api/runs", json={"source": "demo", "accept_removals": True})
    body = answer.get_json()
    assert answer.status_code == 403 and body["error"] == "forbidden"
    assert body["message"] == "otto (operator) may not accept removals beyond a source's limit: it needs the admin role"
    assert queued(web.engine) == [] and requested(web.engine) == []


def test_an_operator_may_say_accept_removals_false(web):
    answer = client_as("otto").post("/api/runs", json={"source": "demo", "accept_removals": False})
    assert answer.status_code == 202
    assert queued(web.engine) == [("demo", "queued", "otto", False)]


def test_an_admin_queues_a_run_accepting_removals_audited_as_a_warning(web):
    answer = client_as("ada").post("/api/runs", json={"source": "demo", "accept_removals": True})
    assert answer.status_code == 202
    run_id = answer.get_json()["run_id"]
    assert queued(web.engine) == [("demo", "queued", "ada", True)]
    assert requested(web.engine) == [
        ("ada", "warning", f"run #{run_id} of demo queued (manual, accepting removals beyond the source's limit)")
    ]
    shown = client_as("vera").get(f"/api/runs/{run_id}").get_json()
    assert (shown["accept_removals"], shown["notes"]) == (True, [])


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_accept_removals_that_is_not_a_boolean_is_400_naming_it(web, value):
    answer = client_as("ada").post("/api/runs", json={"source": "demo", "accept_removals": value})
    body = answer.get_json()
    assert answer.status_code == 400 and (body["error"], body["parameter"]) == ("bad_parameter", "accept_removals")
    assert queued(web.engine) == []


WITHOUT_PLANT = (
    "SELECT po_number, line_number, item_code, supplier_code, description, uom, quantity_ordered, "
    "quantity_received, unit_price, currency, order_date, promised_date, need_by_date, status, buyer, "
    "udf_1, udf_3 FROM po_lines"
)


def test_the_api_shows_a_runs_notes_and_accept_removals_and_a_retry_does_not_carry_the_acceptance(workdir, erp):
    write_config(workdir, sql_source_config(erp).replace("SELECT * FROM po_lines", WITHOUT_PLANT))
    erp.write(TEN)
    assert run_cli("--source", "erp")[0] == 0
    erp.write([erp_line("PO9", 1, quantity_ordered="ten")])
    code, [guarded] = run_cli("--source", "erp")
    assert code == 1
    code, [purge] = run_cli("--source", "erp", "--accept-removals")  # partial: its one row is rejected
    assert code == 3
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    vera = client_as("vera")

    shown = vera.get(f"/api/runs/{guarded['run_id']}").get_json()
    assert (shown["status"], shown["error"], shown["error_stage"]) == ("failed", guard_error(100, 50), "diff")
    assert (shown["notes"], shown["accept_removals"]) == (["not provided by the source: plant"], False)
    assert (shown["rejected_total"], shown["rejected"]) == (0, [])
    shown = vera.get(f"/api/runs/{purge['run_id']}").get_json()
    assert (shown["status"], shown["notes"], shown["accept_removals"]) == (
        "partial",
        ["not provided by the source: plant"],
        True,
    )
    assert shown["lines_removed"] == 10 and shown["rejected_total"] == 1

    answer = client_as("otto").post(f"/api/runs/{purge['run_id']}/retry", json={})
    assert answer.status_code == 202
    retry = vera.get(f"/api/runs/{answer.get_json()['run_id']}").get_json()
    assert (retry["retry_of"], retry["accept_removals"]) == (purge["run_id"], False)
