"""Which month a date picker opens on: the month the history shown is in, not the browser's next month."""

from __future__ import annotations

import datetime as dt


def picker_month(end: dt.date | None, newest_run: dt.datetime | None, tz: dt.tzinfo, now: dt.datetime) -> str:
    """The first day (YYYY-MM-DD) of the month of the selected end date, else of the newest run's local day, else
    of today in the display zone."""
    day = end or (newest_run or now).astimezone(tz).date()
    return day.replace(day=1).isoformat()
