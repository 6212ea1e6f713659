"""A gap's nights are the distinct local days (in the display zone) on which completed snapshot runs that listed
its code started: three runs on one day are one night, a row retry is none."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from potrack.store.models import UnmappedCode
from potrack.store.xref import GapFilter, list_gaps
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

BERLIN = ZoneInfo("Europe/Berlin")  # UTC+2 in early October
CODE = "ITEM-UNMAPPED"
# Three runs on Berlin's 5 October (the first is still 4 October in UTC), one on its 7 October.
STARTS = [
    dt.datetime(2026, 10, 4, 22, 30, tzinfo=UTC),
    dt.datetime(2026, 10, 5, 0, 0, tzinfo=UTC),
    dt.datetime(2026, 10, 5, 21, 30, tzinfo=UTC),
    dt.datetime(2026, 10, 7, 0, 0, tzinfo=UTC),
]


def listed(engine, **run):
    run_id = add_run(engine, **run)
    with engine.begin() as conn:
        conn.execute(sa.insert(UnmappedCode).values(run_id=run_id, item_code=CODE, line_count=1))
    return run_id


def nights(engine, tz):
    with engine.connect() as conn:
        (gap,) = list_gaps(conn, GapFilter(source="demo", state="all"), tz=tz).gaps
    return gap.nights


def test_three_runs_on_one_day_and_one_on_another_are_two_nights(web):
    for start in STARTS:
        listed(web.engine, queued_at=start)
    assert nights(web.engine, BERLIN) == len({s.astimezone(BERLIN).date() for s in STARTS}) == 2


def test_the_night_is_the_day_of_the_zone_given(web):
    for start in STARTS:
        listed(web.engine, queued_at=start)
    assert nights(web.engine, UTC) == len({s.date() for s in STARTS}) == 3


def test_a_row_retry_that_lists_the_code_adds_no_night(web):
    first = listed(web.engine, queued_at=STARTS[0], status="partial")
    listed(web.engine, queued_at=STARTS[-1], trigger="row_retry", retry_of=first)
    assert nights(web.engine, BERLIN) == 1
