"""The monitor's filters narrow the list in SQL: queue time in [since, until), statuses, source, and all together."""

import datetime as dt

import pytest

from potrack.store.run_history import RunFilter, list_runs
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

DAY = dt.timedelta(days=1)
T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def ids(engine, flt):
    with engine.connect() as conn:
        return sorted(r.id for r in list_runs(conn, flt).runs)


def test_date_range_includes_since_and_excludes_until(web):
    runs = [add_run(web.engine, queued_at=T0 + n * DAY) for n in range(5)]
    assert ids(web.engine, RunFilter(since=T0 + DAY, until=T0 + 3 * DAY)) == runs[1:3]
    assert ids(web.engine, RunFilter(since=T0 + 3 * DAY)) == runs[3:]
    assert ids(web.engine, RunFilter(until=T0 + DAY)) == runs[:1]


def test_statuses_select_any_of_them(web):
    ok = add_run(web.engine, status="success")
    failed = add_run(web.engine, status="failed")
    abandoned = add_run(web.engine, status="abandoned")
    add_run(web.engine, status="partial")
    assert ids(web.engine, RunFilter(statuses=("failed", "abandoned"))) == [failed, abandoned]
    assert ids(web.engine, RunFilter(statuses=("success",))) == [ok]


def test_source_selects_one_source(web):
    demo = add_run(web.engine, source="demo")
    add_run(web.engine, source="erp")
    assert ids(web.engine, RunFilter(source="demo")) == [demo]
    assert ids(web.engine, RunFilter(source="nope")) == []


def test_filters_combine_and_the_total_counts_only_matches(web):
    want = add_run(web.engine, source="erp", status="failed", queued_at=T0 + DAY)
    add_run(web.engine, source="erp", status="failed", queued_at=T0 - DAY)
    add_run(web.engine, source="demo", status="failed", queued_at=T0 + DAY)
    add_run(web.engine, source="erp", status="success", queued_at=T0 + DAY)
    flt = RunFilter(since=T0, until=T0 + 2 * DAY, statuses=("failed",), source="erp")
    with web.engine.connect() as conn:
        page = list_runs(conn, flt)
    assert [r.id for r in page.runs] == [want] and page.total == 1
