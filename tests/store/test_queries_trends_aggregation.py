"""Trends read aggregates from SQL: completed runs with a trailing 7-run average, and outcomes per local day."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from potrack.store.run_history import RunFilter, outcomes_by_day, run_series
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 10, 1, 2, 0, tzinfo=UTC)
DAY = dt.timedelta(days=1)
BERLIN = ZoneInfo("Europe/Berlin")


def test_series_holds_completed_runs_oldest_first_with_the_trailing_7_run_average(web):
    volumes = [100, 200, 300, 400, 500, 600, 700, 800, 900]
    for n, v in enumerate(volumes):
        add_run(web.engine, status="partial" if n == 4 else "success", queued_at=T0 + n * DAY, lines_processed=v)
    add_run(web.engine, status="failed", queued_at=T0 + 20 * DAY, lines_processed=0)
    with web.engine.connect() as conn:
        series = run_series(conn, RunFilter(source="demo"))
    assert series.total == 9 and [p.lines_processed for p in series.points] == volumes
    want = [sum(volumes[max(0, i - 6) : i + 1]) / len(volumes[max(0, i - 6) : i + 1]) for i in range(9)]
    assert [p.lines_avg7 for p in series.points] == want


def test_series_keeps_the_newest_runs_and_their_averages_use_the_runs_before_them(web):
    for n in range(20):
        add_run(web.engine, queued_at=T0 + n * DAY, lines_processed=n)
    with web.engine.connect() as conn:
        series = run_series(conn, RunFilter(source="demo"), limit=5)
    assert series.total == 20 and [p.lines_processed for p in series.points] == [15, 16, 17, 18, 19]
    assert series.points[0].lines_avg7 == sum(range(9, 16)) / 7


def test_outcomes_are_counted_per_day_and_status(web):
    for n, status in enumerate(["success", "success", "failed", "partial", "abandoned"]):
        add_run(web.engine, status=status, queued_at=T0 + (n // 2) * DAY + n * dt.timedelta(minutes=5))
    add_run(web.engine, status="running", queued_at=T0)
    with web.engine.connect() as conn:
        counts = outcomes_by_day(conn, RunFilter(source="demo"), UTC)
    got = {(c.day.isoformat(), c.status): c.runs for c in counts}
    assert got == {
        ("2026-10-01", "success"): 2,
        ("2026-10-02", "failed"): 1,
        ("2026-10-02", "partial"): 1,
        ("2026-10-03", "abandoned"): 1,
    }


def test_days_are_local_days_across_a_daylight_saving_change(web):
    # Berlin: UTC+2 until 2026-10-25 01:00 UTC, then UTC+1.
    add_run(web.engine, queued_at=dt.datetime(2026, 10, 23, 22, 30, tzinfo=UTC))  # 24 Oct 00:30 local (+2)
    add_run(web.engine, queued_at=dt.datetime(2026, 10, 26, 22, 30, tzinfo=UTC))  # 26 Oct 23:30 local (+1)
    add_run(web.engine, queued_at=dt.datetime(2026, 10, 26, 23, 30, tzinfo=UTC))  # 27 Oct 00:30 local (+1)
    with web.engine.connect() as conn:
        days = [c.day.isoformat() for c in outcomes_by_day(conn, RunFilter(), BERLIN)]
    assert days == ["2026-10-24", "2026-10-26", "2026-10-27"]


def test_no_runs_give_empty_results(web):
    with web.engine.connect() as conn:
        assert outcomes_by_day(conn, RunFilter(source="demo"), UTC) == []
        assert run_series(conn, RunFilter(source="demo")).points == []
