"""The date pickers open on the month the history is in: the selected end date's, else the newest run's local day's
(the display zone), else today's; the trends page's picker opens on its end date's month."""

import datetime as dt
from zoneinfo import ZoneInfo

from pages._lists import date_range
from pages.trends import layout
from potrack.web.picker_month import picker_month
from tests.support.web import UTC, add_run, find_by_id

BERLIN = ZoneInfo("Europe/Berlin")
NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_end_date_s_month_comes_first():
    assert picker_month(dt.date(2026, 2, 14), dt.datetime(2026, 3, 10, tzinfo=UTC), UTC, NOW) == "2026-02-01"


def test_without_an_end_date_the_newest_run_s_local_day_decides():
    late = dt.datetime(2026, 10, 31, 23, 30, tzinfo=UTC)  # already 1 November in Berlin
    assert picker_month(None, late, UTC, NOW) == "2026-10-01"
    assert picker_month(None, late, BERLIN, NOW) == "2026-11-01"


def test_on_an_empty_store_it_is_today_s_month_in_the_zone():
    assert picker_month(None, None, UTC, NOW) == "2026-12-01"
    assert picker_month(None, None, ZoneInfo("Pacific/Kiritimati"), dt.datetime(2026, 12, 31, 11, tzinfo=UTC)) == (
        "2027-01-01"  # UTC+14: already New Year's Day
    )


def test_the_list_pages_pickers_open_on_the_newest_run_s_month(web):
    add_run(web.engine, queued_at=dt.datetime(2026, 3, 10, 2, 0, tzinfo=UTC))
    assert date_range("some-dates", None, None).initial_visible_month == "2026-03-01"
    assert date_range("some-dates", None, dt.date(2026, 1, 20)).initial_visible_month == "2026-01-01"


def test_the_trends_picker_opens_on_its_end_date_s_month(web):
    picker = find_by_id(layout(start="2026-09-01", end="2026-10-20"), "trends-dates")
    assert picker.initial_visible_month == "2026-10-01"
