"""The monitor's list: newest first, 50 a page, paged in SQL, with the total and the number of pages."""

import datetime as dt

import pytest

from potrack.store.run_history import RunFilter, list_runs
from tests.support.web import UTC, add_run

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 11, 1, 2, 0, tzinfo=UTC)


def fill(engine, n):
    return [add_run(engine, queued_at=T0 + dt.timedelta(hours=i)) for i in range(n)]


def test_first_page_holds_the_50_newest_runs_newest_first(web):
    ids = fill(web.engine, 120)
    with web.engine.connect() as conn:
        page = list_runs(conn, RunFilter())
    assert [r.id for r in page.runs] == ids[::-1][:50]
    assert (page.total, page.page, page.pages) == (120, 1, 3)


def test_last_page_holds_the_rest_and_pages_do_not_overlap(web):
    ids = fill(web.engine, 120)
    with web.engine.connect() as conn:
        pages = [list_runs(conn, RunFilter(), n) for n in (1, 2, 3)]
    assert [len(p.runs) for p in pages] == [50, 50, 20]
    assert [r.id for p in pages for r in p.runs] == ids[::-1]


def test_a_page_past_the_end_shows_the_last_page(web):
    ids = fill(web.engine, 60)
    with web.engine.connect() as conn:
        page = list_runs(conn, RunFilter(), 99)
    assert page.page == 2 and [r.id for r in page.runs] == ids[::-1][50:]


def test_an_empty_store_has_one_empty_page(web):
    with web.engine.connect() as conn:
        page = list_runs(conn, RunFilter())
    assert (page.runs, page.total, page.pages) == ([], 0, 1)


def test_order_is_by_queue_time_not_by_id(web):
    late = add_run(web.engine, queued_at=T0 + dt.timedelta(days=2))
    early = add_run(web.engine, queued_at=T0)
    with web.engine.connect() as conn:
        assert [r.id for r in list_runs(conn, RunFilter()).runs] == [late, early]
