"""The display time zone (POTRACK_TIMEZONE or the machine's) and its UTC offsets over a span."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from potrack.config import ConfigError

_DAY = dt.timedelta(days=1)
_HOUR = dt.timedelta(hours=1)


@lru_cache(maxsize=8)
def local_zone(name: str | None) -> dt.tzinfo:
    """The named IANA time zone, or the machine's when none is named."""
    if not name:
        return tzlocal.get_localzone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        message = f"POTRACK_TIMEZONE: unknown time zone {name!r} (expected e.g. Europe/Berlin or UTC)"
        raise ConfigError(message) from None


def _offset(tz: dt.tzinfo, moment: dt.datetime) -> int:
    return int(moment.astimezone(tz).utcoffset().total_seconds() // 60)  # type: ignore[union-attr]


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
