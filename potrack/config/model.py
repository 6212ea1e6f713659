"""The typed configuration: Settings and the sources, retry policies, cross-references and demo options in it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from apscheduler.triggers.cron import CronTrigger

from potrack.config.alerts import AlertSettings
from potrack.config.toml import ConfigError
from potrack.config.zone import time_zone
from potrack.schedule import cron_trigger

SOURCE_KINDS = ("demo", "sql", "odbc", "csv")
# How a run knows its total rows for the progress bar: the previous run's count, shown as an estimate (a CSV
# source: the share of its files read), or an exact COUNT(*) over the query first (sql and odbc sources).
PROGRESS_MODES = ("estimate", "count")
CUSTOM_TYPES = ("text", "number", "date")
DEMO_FAILURES = ("none", "unreachable", "flaky", "slow", "bad_sql")
DEFAULT_SCHEDULE = "0 2 * * *"
DEFAULT_MAX_REMOVED_FRACTION = 0.5
CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
# The stores potrack runs on, by SQLAlchemy back-end: the one driver each is tested with (the URL's default).
STORE_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg", "mssql": "pyodbc"}
# Upper bounds: beyond them a value is a typo, and some would overflow a sleep, a socket timeout or a LIMIT.
MAX_ATTEMPTS = 100
MAX_WAIT_S = 3600.0
MAX_BATCH_SIZE = 1_000_000
MAX_DEMO_LINES = 10_000_000
MAX_DEMO_NIGHT = 10_000
# An app instance's leases (the scheduler's leadership, its sign of life) last this long unless renewed
# (every third of it): a dead leader is replaced, and its runs abandoned, within this time.
DEFAULT_LEASE_TTL_S = 30
# Uploads: a file over its source's limit is refused (413); the limit's ceiling keeps a typo from allowing 200 GB.
DEFAULT_UPLOAD_MAX_MB = 200
MAX_UPLOAD_MAX_MB = 100_000
SUBSCRIBER_TOPICS = ("po_lines.changed", "run.finished", "*")
SUBSCRIBER_KINDS = ("webhook", "python")
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8050


@lru_cache(maxsize=256)
def schedule_trigger(cron: str, zone: dt.tzinfo) -> CronTrigger:
    """A schedule's trigger, built once per expression and zone: the one checked at load is the one used later."""
    return cron_trigger(cron, zone)


@dataclass(frozen=True)
class RetryPolicy:
    """How the extract stage retries transient errors."""

    attempts: int = 5
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 60.0


@dataclass(frozen=True)
class XrefConfig:
    """Where item codes are mapped to internal part ids: a query on the source or a CSV file."""

    query: str | None = None
    path: Path | None = None


@dataclass(frozen=True)
class DemoOptions:
    """Shape and failure mode of the embedded demo ERP."""

    lines: int = 1500
    seed: int = 7
    night: int | None = None
    fail: str = "none"
    fail_attempts: int = 2
    slow_s: float = 0.0


@dataclass(frozen=True)
class SourceConfig:
    """One ERP source and how to read it."""

    name: str
    kind: str
    query: str = "SELECT * FROM po_lines"
    url: str | None = None
    connection_string: str | None = None
    path: str | None = None
    schedule: str = DEFAULT_SCHEDULE
    columns: dict[str, str] = field(default_factory=dict)  # source column → canonical field or custom column
    custom_columns: dict[str, str] = field(default_factory=dict)  # normalised name (custom_key) → type
    xref: XrefConfig | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    batch_size: int = 5000
    demo: DemoOptions = field(default_factory=DemoOptions)
    encoding: str = "utf-8"  # csv sources: the files' encoding
    max_removed_fraction: float = DEFAULT_MAX_REMOVED_FRACTION  # a snapshot removing more fails (the guard)
    progress: str = "estimate"  # one of PROGRESS_MODES
    upload: bool = False  # csv sources: operators may upload snapshot files from the dashboard
    upload_max_bytes: int = DEFAULT_UPLOAD_MAX_MB * 1024 * 1024

    @property
    def upload_only(self) -> bool:
        """Fed by uploads alone: no path, so its schedule queues nothing (it says when a file is expected)."""
        return self.upload and self.path is None


@dataclass(frozen=True)
class SubscriberConfig:
    """A `[[subscribers]]` table: who hears which topic, and how (a webhook, or a Python function in-process)."""

    name: str
    topic: str  # one of SUBSCRIBER_TOPICS
    kind: str  # one of SUBSCRIBER_KINDS
    url: str | None = None  # webhook: where the event is POSTed (may carry a token: never shown)
    secret: str | None = None  # webhook: the body is signed with HMAC-SHA256 under it
    target: str | None = None  # python: "package.module:function"
    timeout_s: float = 10.0
    max_keys: int = 10_000  # po_lines.changed: at most this many keys in one delivery; more are paged

    def hears(self, topic: str) -> bool:
        """Whether this subscriber is sent events of the topic."""
        return self.topic in ("*", topic)


@dataclass(frozen=True)
class Settings:
    """Everything potrack reads at start, validated."""

    sources: tuple[SourceConfig, ...]
    database_url: str
    instance_dir: Path
    timezone: str | None = None
    log_level: str = "INFO"
    config_path: Path | None = None
    secret_key: str | None = None
    admin_password: str | None = None
    secure_cookies: bool = False
    alerts: AlertSettings = field(default_factory=AlertSettings)
    metrics_token: str | None = None  # when set, GET /metrics needs it as a bearer token
    lease_ttl_s: int = DEFAULT_LEASE_TTL_S
    proxy_hops: int = 0  # reverse proxies in front whose X-Forwarded-For/-Proto/-Host are trusted
    scheduler: bool = True  # whether this process runs the scheduler (POTRACK_SCHEDULER)
    host: str = DEFAULT_HOST  # where `python app.py` and gunicorn listen (POTRACK_HOST, POTRACK_PORT)
    port: int = DEFAULT_PORT
    access_log: bool = False  # one common-log-format line per HTTP request (POTRACK_ACCESS_LOG)
    subscribers: tuple[SubscriberConfig, ...] = ()

    @property
    def zone(self) -> dt.tzinfo:
        """The time zone cron schedules are read in and pages show times in (checked at load)."""
        return time_zone(self.timezone)

    def trigger(self, source: SourceConfig) -> CronTrigger:
        """A source's cron trigger in the configured zone: the one built and checked when the settings were loaded."""
        return schedule_trigger(source.schedule, self.zone)

    def source(self, name: str) -> SourceConfig:
        """Return the source with this name or raise ConfigError listing the known ones."""
        for src in self.sources:
            if src.name == name:
                return src
        known = ", ".join(s.name for s in self.sources)
        raise ConfigError(f"no source named {name!r} (configured: {known})")
