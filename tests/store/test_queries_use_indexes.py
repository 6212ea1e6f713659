"""The list and trends queries read indexes (migration 0002): no query scans the runs table itself."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from potrack.store.run_history import RunFilter, list_runs, outcomes_by_day, run_series
from tests.support.web import UTC

SINCE = dt.datetime(2026, 10, 1, tzinfo=UTC)


def plans(engine, query, *args):
    """The SQLite query plan of every statement on runs that a query function executes."""
    seen = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "FROM runs" in statement:
            seen.append((statement, parameters))

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        with engine.connect() as conn:
            query(conn, *args)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    with engine.connect() as conn:
        return [
            " / ".join(row[-1] for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
            for sql, params in seen
        ]


def uses_an_index(plan):
    return "INDEX" in plan and not re.search(r"SCAN runs(?! USING)", plan)


@pytest.mark.parametrize(
    "flt",
    [
        RunFilter(),
        RunFilter(since=SINCE),
        RunFilter(statuses=("failed", "abandoned")),
        RunFilter(source="demo"),
        RunFilter(since=SINCE, statuses=("failed",), source="demo"),
    ],
    ids=["none", "date", "status", "source", "all"],
)
def test_the_run_list_reads_an_index(web, flt):
    for plan in plans(web.engine, list_runs, flt, 3):
        assert uses_an_index(plan), plan


def test_trends_read_indexes(web):
    flt = RunFilter(since=SINCE, source="demo")
    for plan in plans(web.engine, run_series, flt):
        assert uses_an_index(plan), plan
    for plan in plans(web.engine, outcomes_by_day, flt, ZoneInfo("Europe/Berlin")):
        assert uses_an_index(plan), plan  # (not covering: leaving row retries out reads each run's trigger)
