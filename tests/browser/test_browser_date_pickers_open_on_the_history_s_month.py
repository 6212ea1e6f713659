"""In real Chromium against `python app.py`: a date picker opens on the month the history is in — the selected end
date's month, else the newest run's — not on the browser's current or next month."""

import datetime as dt

import pytest

from tests.support.browser import open_runtime, serve, sign_in, write_demo_config
from tests.support.web import add_run

pytestmark = pytest.mark.browser
NEWEST = dt.datetime(2026, 3, 10, 2, 0, tzinfo=dt.UTC)  # months before today: the history ended in March


@pytest.fixture
def old_history_app(browser, tmp_path):
    """The app (scheduler off) on a store whose runs all ran in February and March 2026."""
    write_demo_config(tmp_path)
    with open_runtime(tmp_path) as runtime:
        for days in (30, 20, 10, 0):
            add_run(runtime.engine, queued_at=NEWEST - dt.timedelta(days=days))
    with serve(tmp_path) as app:
        yield app


def opened_month(page, picker):
    """The month and year the picker's calendar shows once its start field (its id) is clicked."""
    page.click(f"#{picker}")
    return " ".join(page.inner_text(".dash-datepicker-calendar-month-header").split())


def test_with_no_dates_the_picker_opens_on_the_newest_run_s_month(old_history_app, page):
    sign_in(page, old_history_app, "vera", "/runs")
    assert opened_month(page, "runs-filter-dates") == "March 2026"


def test_with_an_end_date_the_picker_opens_on_its_month(old_history_app, page):
    sign_in(page, old_history_app, "vera", "/runs?start=2026-01-05&end=2026-02-14")
    assert opened_month(page, "runs-filter-dates") == "February 2026"
