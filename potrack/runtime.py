"""The running potrack: its settings and store engine, installed once at start-up and read by pages, API and jobs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

import sqlalchemy as sa

from potrack.config import Settings, load_settings, time_zone
from potrack.logs import configure_logging
from potrack.store.engine import ensure_schema, make_engine
from potrack.store.runs import abandon_stale_runs

P = ParamSpec("P")
T = TypeVar("T")


@dataclass(frozen=True)
class Runtime:
    """The settings and store engine of one potrack process."""

    settings: Settings
    engine: sa.Engine


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    """Make a runtime the one the web pages read through."""
    global _current
    _current = runtime


def current() -> Runtime:
    """The runtime installed by the app."""
    if _current is None:
        raise RuntimeError("potrack's runtime is not installed: build the app with app.py")
    return _current


def start(config_path: Path | None = None) -> Runtime:
    """Read the configuration, set up logging, upgrade the store and abandon runs whose heartbeat stopped or whose
    app instance is gone."""
    settings = load_settings(config_path)
    configure_logging(settings.instance_dir, settings.log_level)
    engine = make_engine(settings.database_url)
    ensure_schema(engine)
    abandon_stale_runs(engine)  # (each one logged and audited with its reason)
    return Runtime(settings=settings, engine=engine)


def settings() -> Settings:
    """The settings of the installed runtime."""
    return current().settings


def engine() -> sa.Engine:
    """The store's engine."""
    return current().engine


def zone() -> dt.tzinfo:
    """The display time zone (POTRACK_TIMEZONE or the machine's)."""
    return time_zone(settings().timezone)


def source_names() -> list[str]:
    """The configured sources, in configuration order."""
    return [s.name for s in settings().sources]


def scheduler_on() -> bool:
    """Whether this process runs the scheduler (POTRACK_SCHEDULER, default on)."""
    return settings().scheduler


def read(query: Callable[Concatenate[sa.Connection, P], T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one read query of the store on a fresh connection."""
    with engine().connect() as conn:
        return query(conn, *args, **kwargs)
