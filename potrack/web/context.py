"""The pages' access to the running potrack: settings, display time zone, store reads, scheduler switch."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa

from potrack import bootstrap
from potrack.config import Settings, envbool
from potrack.tz import local_zone

P = ParamSpec("P")
T = TypeVar("T")


def settings() -> Settings:
    """The settings of the installed runtime."""
    return bootstrap.current().settings


def engine() -> sa.Engine:
    """The store's engine."""
    return bootstrap.current().engine


def zone() -> dt.tzinfo:
    """The display time zone (POTRACK_TIMEZONE or the machine's)."""
    return local_zone(settings().timezone)


def source_names() -> list[str]:
    """The configured sources, in configuration order."""
    return [s.name for s in settings().sources]


def scheduler_on() -> bool:
    """Whether this process runs the scheduler (POTRACK_SCHEDULER, default on)."""
    return envbool("POTRACK_SCHEDULER", True)


def read(query: Callable[Concatenate[sa.Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one read query of potrack.store.queries on a fresh connection."""
    with engine().connect() as conn:
        return query(conn, *args, **kwargs)
