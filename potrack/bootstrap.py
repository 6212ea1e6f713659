"""Start-up shared by the CLI and the app: settings, logging, store schema, stale-run check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from potrack.config import Settings, load_settings
from potrack.logs import configure_logging
from potrack.store.engine import ensure_schema, make_engine
from potrack.store.runs import abandon_stale_runs


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
