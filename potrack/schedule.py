"""Cron schedules: next fire times, fire times in a span, and when a source's data turns stale."""

from __future__ import annotations

import datetime as dt
import functools

from apscheduler.triggers.cron import CronTrigger

STALE_MARGIN = dt.timedelta(hours=2)
_INTERVAL_SAMPLES = 16


def cron_trigger(cron: str, tz: dt.tzinfo) -> CronTrigger:
    """An APScheduler trigger for a 5-field cron expression read in a time zone."""
    return CronTrigger.from_crontab(cron, timezone=tz)


def next_fire(cron: str, tz: dt.tzinfo, after: dt.datetime) -> dt.datetime | None:
    """The first time the schedule fires at or after a moment (aware), None if never."""
    fire: dt.datetime | None = cron_trigger(cron, tz).get_next_fire_time(None, after)
    return fire


def fires_between(cron: str, tz: dt.tzinfo, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """Every time the schedule fires in [start, end]."""
    trigger, fires = cron_trigger(cron, tz), []
    fire = trigger.get_next_fire_time(None, start)
    while fire is not None and fire <= end:
        fires.append(fire)
        fire = trigger.get_next_fire_time(fire, fire + dt.timedelta(seconds=1))
    return fires


def longest_interval(cron: str, tz: dt.tzinfo, now: dt.datetime) -> dt.timedelta:
    """The longest gap between consecutive fire times over the next few firings (a week-day cron: the weekend)."""
    # Counted from the start of the hour and remembered: every page's health verdict asks for each source's (50
    # sources took 35 ms of APScheduler's cron arithmetic a page), and the answer changes only with the calendar.
    return _longest_interval(cron, tz, now.replace(minute=0, second=0, microsecond=0))


@functools.lru_cache(maxsize=1024)
def _longest_interval(cron: str, tz: dt.tzinfo, hour: dt.datetime) -> dt.timedelta:
    trigger = cron_trigger(cron, tz)
    fires = [trigger.get_next_fire_time(None, hour)]
    while len(fires) <= _INTERVAL_SAMPLES and fires[-1] is not None:
        fires.append(trigger.get_next_fire_time(fires[-1], fires[-1] + dt.timedelta(seconds=1)))
    gaps = [b - a for a, b in zip(fires, fires[1:], strict=False) if a is not None and b is not None]
    return max(gaps, default=dt.timedelta(days=365))


def stale_after(cron: str, tz: dt.tzinfo, now: dt.datetime) -> dt.timedelta:
    """How old a source's last good run may be before its data counts as stale: the interval + 2 h."""
    return longest_interval(cron, tz, now) + STALE_MARGIN
