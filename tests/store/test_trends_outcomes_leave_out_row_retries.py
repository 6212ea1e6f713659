"""Trends' run outcomes per day count snapshot runs only: a row retry (a few rows read again) is not a night's run,
as the trends' docs say."""

import datetime as dt

import pytest

from potrack.store.run_history import RunFilter, outcomes_by_day
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

NIGHT = dt.datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


def test_a_row_retry_on_a_day_is_not_counted_among_that_day_s_runs(web):
    partial = add_run(web.engine, status="partial", queued_at=NIGHT)
    add_run(
        web.engine, status="success", queued_at=NIGHT + dt.timedelta(hours=3), trigger="row_retry", retry_of=partial
    )
    add_run(web.engine, status="failed", queued_at=NIGHT + dt.timedelta(hours=4), trigger="row_retry", retry_of=partial)
    add_run(web.engine, status="success", queued_at=NIGHT + dt.timedelta(days=1))
    with web.engine.connect() as conn:
        counts = outcomes_by_day(conn, RunFilter(source="demo"), UTC)
    assert {(c.day.isoformat(), c.status): c.runs for c in counts} == {
        ("2026-10-01", "partial"): 1,
        ("2026-10-02", "success"): 1,
    }


def test_a_day_with_only_row_retries_has_no_outcomes(web):
    partial = add_run(web.engine, status="partial", queued_at=NIGHT - dt.timedelta(days=1))
    add_run(web.engine, status="success", queued_at=NIGHT, trigger="row_retry", retry_of=partial)
    with web.engine.connect() as conn:
        days = {c.day for c in outcomes_by_day(conn, RunFilter(since=NIGHT, source="demo"), UTC)}
    assert days == set()
