"""Times are stored in UTC and shown in the display zone, exact UTC on hover, relative where it helps."""

import dataclasses
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from pages._components import moment
from potrack import runtime
from potrack.config import ConfigError
from potrack.config import time_zone as local_zone
from potrack.runtime import Runtime
from potrack.timefmt import duration, length, local_day_start, local_text, relative, utc_text
from potrack.tz import offset_spans

UTC = dt.UTC
AT = dt.datetime(2026, 7, 1, 2, 0, 5, tzinfo=UTC)


def test_local_text_uses_the_zone_and_utc_text_is_exact():
    assert local_text(AT, ZoneInfo("Europe/Berlin")) == "2026-07-01 04:00 CEST"
    assert local_text(AT, ZoneInfo("America/New_York")) == "2026-06-30 22:00 EDT"
    assert utc_text(AT) == "2026-07-01 02:00:05 UTC"


@pytest.mark.parametrize(
    "delta, text",
    [
        (dt.timedelta(seconds=3), "just now"),
        (dt.timedelta(seconds=45), "45 s ago"),
        (dt.timedelta(minutes=12), "12 min ago"),
        (dt.timedelta(hours=3, minutes=5), "3 h ago"),
        (dt.timedelta(hours=30), "30 h ago"),
        (dt.timedelta(days=5), "5 days ago"),
        (-dt.timedelta(hours=22), "in 22 h"),
    ],
)
def test_relative_times(delta, text):
    assert relative(AT, AT + delta) == text


@pytest.mark.parametrize(
    "seconds, text",
    [
        (None, "—"),
        (0.421, "0.42 s"),
        (42.4, "42 s"),
        (65, "1 min 05 s"),
        (3725, "1 h 02 min"),
    ],
)
def test_durations(seconds, text):
    assert duration(seconds) == text


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "0 s"),
        (59.4, "59 s"),
        (59.6, "1 min"),  # rounded to the second first
        (60, "1 min"),
        (150, "2 min 30 s"),
        (299, "4 min 59 s"),
        (300, "5 min"),  # from 5 min on, whole minutes
        (45 * 60 + 20, "45 min"),
        (59 * 60 + 29, "59 min"),
        (59 * 60 + 30, "1 h"),  # 60 min is an hour
        (90 * 60, "1.5 h"),
        (26 * 3600, "26 h"),
        (27 * 3600 + 60, "27 h"),
        (47 * 3600 + 56 * 60, "47.9 h"),
        (47 * 3600 + 57 * 60, "2 days"),  # 48.0 h is two days
        (3.2 * 86400, "3.2 days"),
        (-150, "2 min 30 s"),
    ],
)
def test_alert_lengths_keep_the_minutes_and_seconds_that_matter(seconds, text):
    assert length(dt.timedelta(seconds=seconds)) == text


def test_local_days_start_at_local_midnight():
    assert local_day_start(dt.date(2026, 7, 1), ZoneInfo("Europe/Berlin")) == dt.datetime(2026, 6, 30, 22, tzinfo=UTC)


def test_offsets_follow_daylight_saving_changes():
    year = (dt.datetime(2026, 1, 1, tzinfo=UTC), dt.datetime(2026, 12, 31, tzinfo=UTC))
    spans = offset_spans(ZoneInfo("Europe/Berlin"), *year)
    assert spans == [
        (dt.datetime(2026, 3, 29, 1, tzinfo=UTC), 60),
        (dt.datetime(2026, 10, 25, 1, tzinfo=UTC), 120),
        (None, 60),
    ]
    assert offset_spans(UTC, AT, AT + dt.timedelta(days=400)) == [(None, 0)]


def test_timezone_setting_names_an_iana_zone_or_defaults_to_the_machine():
    assert str(local_zone("Asia/Tokyo")) == "Asia/Tokyo"
    assert local_zone(None) is not None
    with pytest.raises(ConfigError, match="POTRACK_TIMEZONE"):
        local_zone("Mars/Olympus")


def test_pages_show_moments_in_potrack_timezone_with_utc_on_hover(web):
    runtime.install(Runtime(dataclasses.replace(web.settings, timezone="Asia/Tokyo"), web.engine))
    span = moment(AT, AT + dt.timedelta(hours=3))
    assert (span.children, span.title) == ("2026-07-01 11:00 JST (3 h ago)", "2026-07-01 02:00:05 UTC")
