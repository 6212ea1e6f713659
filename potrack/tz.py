"""A time zone's UTC offsets over a span (the zone itself is potrack.config.time_zone)."""

from __future__ import annotations

import datetime as dt

_DAY = dt.timedelta(days=1)
_HOUR = dt.timedelta(hours=1)


def _offset(tz: dt.tzinfo, moment: dt.datetime) -> int:
    offset = moment.astimezone(tz).utcoffset() or dt.timedelta(0)  # (an aware moment always has one)
    return int(offset.total_seconds() // 60)


def offset_spans(tz: dt.tzinfo, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime | None, int]]:
    """A time zone's UTC offset in minutes over [start, end] as (until this UTC hour, offset); the last has None."""
    spans: list[tuple[dt.datetime | None, int]] = []
    moment = start.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)
    current = _offset(tz, moment)
    while moment <= end:
        step = _DAY if _offset(tz, moment + _DAY) == current else _HOUR
        moment += step
        if _offset(tz, moment) != current:
            spans.append((moment, current))
            current = _offset(tz, moment)
    spans.append((None, current))
    return spans
