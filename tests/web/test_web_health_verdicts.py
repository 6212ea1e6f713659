"""The navbar's verdict: Failing when a source's latest run failed or was abandoned, Degraded when it was partial
or the data is stale (no completed run within the schedule's interval + 2 h), Healthy otherwise; reason and run."""

import datetime as dt

from pages._shell import refresh_health
from potrack.config import SourceConfig
from potrack.health import overall, source_health
from potrack.schedule import longest_interval, stale_after
from potrack.store.run_history import SourceStatus
from tests.support.runs import listed_run
from tests.support.web import UTC, add_run

NOW = dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NIGHTLY = SourceConfig(name="demo", kind="demo")


def run(run_id, status, age_h, error=None, errors=0):
    return listed_run(
        id=run_id,
        status=status,
        at=NOW - dt.timedelta(hours=age_h),
        errors=errors,
        error=error,
        error_stage="extract" if error else None,
    )


def verdict(last, last_ok, cfg=NIGHTLY):
    return source_health(SourceStatus(cfg.name, last, last_ok, None), cfg, UTC, NOW)


def test_latest_success_within_the_interval_is_healthy():
    ok = run(7, "success", 10)
    assert (verdict(ok, ok).level, verdict(ok, ok).run_id) == ("healthy", None)


def test_latest_failed_or_abandoned_is_failing_with_the_reason_and_the_run():
    ok = run(6, "success", 20)
    failed = verdict(run(7, "failed", 10, error="extract: ERP unreachable"), ok)
    assert (failed.level, failed.label, failed.run_id) == ("failing", "Failing", 7)
    assert "run #7 failed" in failed.reason and "ERP unreachable" in failed.reason
    assert verdict(run(8, "abandoned", 1, error="Abandoned: no heartbeat"), ok).level == "failing"


def test_latest_partial_is_degraded():
    partial = run(7, "partial", 3, errors=4)
    health = verdict(partial, partial)
    assert (health.level, health.run_id) == ("degraded", 7) and "4 rejected rows" in health.reason


def test_no_completed_run_within_interval_plus_two_hours_is_stale():
    assert stale_after(NIGHTLY.schedule, UTC, NOW) == dt.timedelta(hours=26)
    assert verdict(run(5, "success", 25), run(5, "success", 25)).level == "healthy"
    stale = verdict(run(5, "success", 27), run(5, "success", 27))
    assert (stale.level, stale.run_id) == ("degraded", 5)
    assert stale.reasons == ("data is stale: no completed run for 27 h (limit 26 h); the last was run #5",)


def test_a_source_that_never_completed_a_run_is_degraded():
    assert verdict(None, None).level == "degraded"


def test_a_week_day_schedule_allows_the_weekend():
    assert longest_interval("0 2 * * 1-5", UTC, NOW) == dt.timedelta(days=3)


def test_overall_is_the_worst_source_with_every_reason_worst_first():
    healthy = verdict(run(1, "success", 1), run(1, "success", 1))
    partial = verdict(run(2, "partial", 1, errors=1), run(2, "partial", 1, errors=1))
    failing = verdict(run(3, "failed", 1, error="boom"), run(2, "success", 3))
    total = overall([healthy, partial, failing])
    assert (total.level, total.run_id) == ("failing", 3)
    assert total.reasons == tuple(f"demo: {r}" for r in failing.reasons + partial.reasons)
    assert overall([healthy]).label == "Healthy"


def test_the_navbar_indicator_links_to_the_failed_run_with_the_reason_on_hover(web):
    add_run(web.engine, status="success", queued_at=dt.datetime.now(UTC) - dt.timedelta(hours=2))
    failed = add_run(web.engine, status="failed", error="extract: ERP unreachable")
    label, href, title, classes = refresh_health(None, "/")
    assert label.endswith("Failing") and href == f"/runs/{failed}" and "ERP unreachable" in title
    assert "text-bg-danger" in classes and "health-failing" in classes
