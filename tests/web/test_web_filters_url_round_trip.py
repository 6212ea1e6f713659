"""The monitor's filters live in the URL: they round-trip through the query string, a filter change goes back to
page 1, and a page opened from a shared URL shows the same filters."""

import datetime as dt
from zoneinfo import ZoneInfo

from pages.runs import filters_to_url, layout
from potrack.web.filters import RunView
from tests.support.web import find_by_id

FULL = RunView(dt.date(2026, 11, 1), dt.date(2026, 11, 22), ("failed", "abandoned"), "demo", 3)


def test_filters_round_trip_through_the_query_string():
    search = FULL.search()
    assert search == "?start=2026-11-01&end=2026-11-22&status=failed,abandoned&source=demo&page=3"
    assert RunView.from_search(search) == FULL
    assert RunView().search() == "" and RunView.from_search("") == RunView()


def test_invalid_values_in_a_url_are_ignored():
    view = RunView.from_search("?start=yesterday&status=failed,bogus&page=-2&source=")
    assert view == RunView(statuses=("failed",))


def test_dates_are_whole_local_days():
    flt = RunView(dt.date(2026, 11, 1), dt.date(2026, 11, 1)).run_filter(ZoneInfo("Europe/Berlin"))
    assert (flt.since.isoformat(), flt.until.isoformat()) == ("2026-10-31T23:00:00+00:00", "2026-11-01T23:00:00+00:00")


def test_changing_a_filter_writes_the_url_and_goes_back_to_page_1():
    search, page = filters_to_url("2026-11-01", "2026-11-22", ["abandoned", "failed"], "demo", 3, "?page=3")
    assert (search, page) == ("?start=2026-11-01&end=2026-11-22&status=failed,abandoned&source=demo", 1)


def test_changing_the_page_keeps_the_filters():
    search, page = filters_to_url(None, None, ["failed"], None, 2, "?status=failed")
    assert (search, page) == ("?status=failed&page=2", 2)


def test_a_shared_url_opens_with_its_filters_set(web):
    page = layout(
        **{"start": "2026-11-01", "end": "2026-11-22", "status": "failed,abandoned", "source": "demo", "page": "3"}
    )
    dates = find_by_id(page, "runs-filter-dates")
    assert (str(dates.start_date), str(dates.end_date)) == ("2026-11-01", "2026-11-22")
    assert find_by_id(page, "runs-filter-status").value == ["failed", "abandoned"]
    assert find_by_id(page, "runs-filter-source").value == "demo"
    assert find_by_id(page, "runs-pager").active_page == 3
