"""The time zone potrack reads schedules in and shows times in: POTRACK_TIMEZONE, or the machine's."""

from __future__ import annotations

import datetime as dt
import os
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal

from potrack.config.toml import ConfigError


@lru_cache(maxsize=16)
def time_zone(name: str | None) -> dt.tzinfo:
    """The named IANA time zone (POTRACK_TIMEZONE), or the machine's when none is named; ConfigError otherwise."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a directory such as "America"
            raise ConfigError(
                f"POTRACK_TIMEZONE: unknown time zone {name!r} (expected e.g. Europe/Berlin or UTC)"
            ) from None
    try:
        return tzlocal.get_localzone()
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ConfigError(
            f"POTRACK_TIMEZONE: not set, and the machine's time zone (TZ={os.environ.get('TZ', '')!r}, "
            "/etc/localtime) is not one potrack knows; set it, e.g. Europe/Berlin or UTC"
        ) from None
