"""GET /metrics reports what the store holds after real pipeline runs: finished runs per source and status, the
latest finish times in Unix seconds (whatever the process's local time zone), the duration histogram, the latest
snapshot run's lines and xref gaps, and a firing alert; a row_retry run changes none of them."""

import os
import time

import pytest

import app
from potrack.pipeline.runner import Pipeline
from potrack.store.retries import queue_row_retry
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config, unreachable_erp_url
from tests.support.metrics import buckets, labels, scrape, unix
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends
# ITEM-1 .. ITEM-9 are in the test ERP's xref: ITEM-20 and ITEM-21 are two xref gaps, on three lines.
NIGHT = [
    erp_line("PO1", 1, item_code="ITEM-1"),
    erp_line("PO1", 2, item_code="ITEM-20"),
    erp_line("PO1", 3, item_code="ITEM-21"),
    erp_line("PO1", 4, item_code="ITEM-21"),
]
BAD = erp_line("PO2", 1, item_code="ITEM-2", quantity_ordered="lots")


@pytest.fixture
def away_from_utc():
    """The process's local time is UTC-3: a naive UTC time read as local time would be three hours off."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "America/Sao_Paulo"  # UTC-3 all year, no daylight saving
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def finished(engine):
    """The store's runs in order: trigger, status, finished_at and duration as written."""
    return store_rows(engine, "SELECT trigger, status, finished_at, duration_s FROM runs ORDER BY id")


def runs_total(success, partial, failed):
    return {
        labels(source="erp", status=status): n
        for status, n in (("success", success), ("partial", partial), ("failed", failed), ("abandoned", 0))
    }


def firing(rule=None):
    return {
        labels(source="erp", rule=r): float(r == rule)
        for r in ("consecutive_failures", "stale_data", "volume_drop", "new_xref_gap")
    }


def test_metrics_follow_the_runs_and_alerts_in_the_store(workdir, erp, away_from_utc):
    config = sql_source_config(erp).replace("attempts = 3", "attempts = 1")
    write_config(workdir, config)
    erp.write(NIGHT)
    assert run_cli()[0] == 0
    erp.write([*NIGHT, BAD])
    assert run_cli()[0] == 3  # partial: one rejected row
    runtime = open_store()
    app.install(runtime)
    [bad_row] = store_rows(runtime.engine, "SELECT id FROM failed_rows")
    [retry] = queue_row_retry(runtime.engine, [bad_row["id"]], "otto")
    assert Pipeline(runtime.settings, runtime.engine).execute(retry.run_id).metrics.lines_processed == 1

    success, partial, row_retry = finished(runtime.engine)
    assert (success["status"], partial["status"], row_retry["trigger"]) == ("success", "partial", "row_retry")
    m = scrape()
    assert m["potrack_runs_total"] == runs_total(1, 1, 0)
    assert m["potrack_last_run_timestamp_seconds"] == {
        labels(source="erp", status="success"): unix(success["finished_at"]),
        labels(source="erp", status="partial"): unix(partial["finished_at"]),
    }
    assert m["potrack_last_success_timestamp_seconds"] == {labels(source="erp"): unix(partial["finished_at"])}
    assert m["potrack_lines_processed"] == {labels(source="erp"): 5}  # the partial night, not the row retry's 1
    assert m["potrack_xref_gaps"] == {labels(source="erp"): 2}
    durations = [success["duration_s"], partial["duration_s"]]
    assert m["potrack_run_duration_seconds_bucket"] == buckets("erp", durations)
    assert m["potrack_run_duration_seconds_count"] == {labels(source="erp"): 2}
    assert m["potrack_run_duration_seconds_sum"] == {labels(source="erp"): pytest.approx(sum(durations))}
    assert m["potrack_alerts_firing"] == firing()

    # The ERP becomes unreachable: two failures in a row open the consecutive-failures alert.
    write_config(workdir, config.replace(erp.url, unreachable_erp_url()))
    assert [run_cli()[0], run_cli()[0]] == [1, 1]

    *_, failed = finished(runtime.engine)
    m = scrape()
    assert m["potrack_runs_total"] == runs_total(1, 1, 2)
    assert m["potrack_last_run_timestamp_seconds"][labels(source="erp", status="failed")] == unix(failed["finished_at"])
    assert m["potrack_last_success_timestamp_seconds"] == {labels(source="erp"): unix(partial["finished_at"])}
    assert (m["potrack_lines_processed"], m["potrack_xref_gaps"]) == ({labels(source="erp"): 0},) * 2
    snapshots = [r["duration_s"] for r in finished(runtime.engine) if r["trigger"] != "row_retry"]
    assert len(snapshots) == 4 and m["potrack_run_duration_seconds_bucket"] == buckets("erp", snapshots)
    assert m["potrack_alerts_firing"] == firing("consecutive_failures")
