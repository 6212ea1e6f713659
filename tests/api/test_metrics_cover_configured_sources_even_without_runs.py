"""Every configured source is in /metrics from the start: its counts at 0 (runs per final status, the empty duration
histogram, each alert rule not firing) and its last success at 0; the gauges of a run (last run time, lines, xref
gaps) appear once it has one. Runs of a source no longer configured are not reported."""

from tests.support.metrics import labels, scrape
from tests.support.web import add_run

STATUSES = ("success", "partial", "failed", "abandoned")
RULES = ("consecutive_failures", "stale_data", "volume_drop", "new_xref_gap")
RUN_GAUGES = ("potrack_last_run_timestamp_seconds", "potrack_lines_processed", "potrack_xref_gaps")


def test_a_source_without_runs_has_zero_counts_and_no_run_gauges(web):
    m = scrape()

    assert m["potrack_runs_total"] == {labels(source="demo", status=s): 0 for s in STATUSES}
    assert set(m["potrack_run_duration_seconds_bucket"].values()) == {0}
    assert len(m["potrack_run_duration_seconds_bucket"]) == 11  # ten bounds and +Inf
    assert (
        m["potrack_run_duration_seconds_count"] == m["potrack_run_duration_seconds_sum"] == {labels(source="demo"): 0}
    )
    assert m["potrack_last_success_timestamp_seconds"] == {labels(source="demo"): 0}
    assert m["potrack_alerts_firing"] == {labels(source="demo", rule=r): 0 for r in RULES}
    assert not set(RUN_GAUGES) & set(m)


def test_runs_of_a_source_no_longer_configured_are_not_reported(web):
    add_run(web.engine, source="retired", status="success", lines_processed=10)

    m = scrape()

    assert {dict(s)["source"] for series in m.values() for s in series} == {"demo"}
