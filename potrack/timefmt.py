"""How times and durations are shown: local time zone, exact UTC on hover, relative ages."""

from __future__ import annotations

import datetime as dt


def local_text(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """A moment in the display time zone, to the minute, with the zone's abbreviation."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z").strip()


def utc_text(moment: dt.datetime) -> str:
    """A moment in UTC to the second: the exact time shown on hover."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def span(delta: dt.timedelta) -> str:
    """A length of time, roughly: '45 s', '12 min', '3 h', '2 days'."""
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return f"{int(seconds)} s"
    if seconds < 3600:
        return f"{int(seconds // 60)} min"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h"
    return f"{int(seconds // 86400)} days"


def relative(moment: dt.datetime, now: dt.datetime) -> str:
    """How long ago (or until) a moment is: 'just now', '3 h ago', 'in 20 min'."""
    delta = now - moment
    if abs(delta.total_seconds()) < 10:
        return "just now"
    return f"{span(delta)} ago" if delta.total_seconds() > 0 else f"in {span(delta)}"


def duration(seconds: float | None) -> str:
    """A run's duration: '0.42 s', '1 min 05 s', '1 h 02 min'; '—' when unknown."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.0f} s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def local_day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """Midnight at the start of a calendar day in a time zone, as a UTC moment."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def length(delta: dt.timedelta) -> str:
    """An age or a limit as alerts word it, as exact as it matters: '45 s', '2 min 30 s' (under 5 min),
    '45 min', '1.5 h' and '27 h' (under 48 h), then '3.2 days'."""
    seconds = round(abs(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 300:
        minutes, rest = divmod(seconds, 60)
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    if round(seconds / 60) < 60:
        return f"{round(seconds / 60)} min"
    if round(seconds / 3600, 1) < 48:
        return f"{round(seconds / 3600, 1):g} h"
    return f"{round(seconds / 86400, 1):g} days"


def iso(moment: dt.datetime | None) -> str | None:
    """A moment as ISO 8601 in UTC with a Z, or None."""
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
