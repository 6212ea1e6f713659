"""Typed configuration, read once from potrack.toml and the environment."""

from __future__ import annotations

import codecs
import datetime as dt
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tzlocal
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from potrack import redact
from potrack.alerts.settings import AlertSettings, parse_alerts
from potrack.clock import utcnow
from potrack.fields import CANONICAL, custom_key
from potrack.schedule import cron_trigger

SOURCE_KINDS = ("demo", "sql", "odbc", "csv")
CUSTOM_TYPES = ("text", "number", "date")
DEMO_FAILURES = ("none", "unreachable", "flaky", "slow", "bad_sql")
DEFAULT_SCHEDULE = "0 2 * * *"
DEFAULT_MAX_REMOVED_FRACTION = 0.5
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
CRON_FIELDS = ("minute", "hour", "day", "month", "day_of_week")
# The stores potrack runs on, by SQLAlchemy back-end: the one driver each is tested with (the URL's default).
STORE_DRIVERS = {"sqlite": "pysqlite", "postgresql": "psycopg", "mssql": "pyodbc"}
INT64 = 2**63  # TOML integers are 64-bit; a larger one overflows the store and SQLite
# Upper bounds: beyond them a value is a typo, and some would overflow a sleep, a socket timeout or a LIMIT.
MAX_ATTEMPTS = 100
MAX_WAIT_S = 3600.0
MAX_BATCH_SIZE = 1_000_000
MAX_DEMO_LINES = 10_000_000
MAX_DEMO_NIGHT = 10_000


class ConfigError(Exception):
    """A configuration value is missing or invalid; the message names the key."""


def envstr(name: str, default: str | None = None) -> str | None:
    """Return an environment variable, or the default when unset or empty."""
    value = os.environ.get(name, "")
    return value if value else default


def envint(name: str, default: int) -> int:
    """Return an integer environment variable, failing with the variable's name."""
    value = os.environ.get(name, "")
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name}: expected an integer, got {value!r}") from None


def envbool(name: str, default: bool) -> bool:
    """Return a boolean environment variable (1/true/yes/on or 0/false/no/off)."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected on/off, got {value!r}")


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


@lru_cache(maxsize=256)
def schedule_trigger(cron: str, zone: dt.tzinfo) -> CronTrigger:
    """A schedule's trigger, built once per expression and zone: the one checked at load is the one used later."""
    return cron_trigger(cron, zone)


def _check_schedule(cron: str, zone: dt.tzinfo, key: str) -> None:
    """Build the trigger of a 5-field cron expression, failing with the key and the field that is wrong."""
    parts = cron.split()
    if len(parts) != len(CRON_FIELDS):
        raise ConfigError(
            f"{key}: expected a 5-field cron expression (minute hour day month day-of-week), got {cron!r}"
        )
    try:
        trigger = schedule_trigger(cron, zone)
    except ValueError as exc:
        for name, value in zip(CRON_FIELDS, parts):  # name the field: APScheduler's message does not
            try:
                CronTrigger(**{name: value})
            except ValueError as field_exc:
                reason = re.sub(r"^Error validating expression '.*?': ", "", str(field_exc))
                raise ConfigError(
                    f"{key}: {cron!r} is not a cron schedule: the {name.replace('_', '-')} field "
                    f"{value!r} is wrong ({reason})"
                ) from None
        raise ConfigError(f"{key}: {cron!r} is not a cron schedule ({exc})") from None
    if trigger.get_next_fire_time(None, utcnow()) is None:
        raise ConfigError(f"{key}: {cron!r} never fires (a day the month never has?)")


# An app instance's leases (the scheduler's leadership, its sign of life) last this long unless renewed
# (every third of it): a dead leader is replaced, and its runs abandoned, within this time.
DEFAULT_LEASE_TTL_S = 30


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
        raise ConfigError(f"--source: no source named {name!r} (configured: {known})")


def _refuse_nul(value: Any, key: str) -> None:
    """Fail naming the key of any text holding a NUL character: no path, query, name or URL can hold one."""
    if isinstance(value, str) and "\x00" in value:
        raise ConfigError(f"{key}: contains a NUL character (\\u0000)")
    if isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_nul(item, f"{key}[{i}]")
    if isinstance(value, dict):
        for k, item in value.items():
            _refuse_nul(k, f"{key}.{k!r}" if key else repr(k))
            _refuse_nul(item, f"{key}.{k}" if key else k)


def _expand(value: Any, key: str) -> Any:
    """Replace ${VAR} with the environment's value, registering it as a secret."""
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{key}: environment variable {name} is not set")
            redact.register_secret(os.environ[name])
            return os.environ[name]

        return _ENV_REF.sub(sub, value)
    if isinstance(value, list):
        return [_expand(v, f"{key}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _expand(v, f"{key}.{k}") for k, v in value.items()}
    return value


class TomlTable:
    """Reads typed keys out of one TOML table and rejects keys it does not know."""

    def __init__(self, data: Any, prefix: str) -> None:
        if not isinstance(data, dict):
            raise ConfigError(f"{prefix}: expected a table, got {type(data).__name__}")
        self.data = data
        self.prefix = prefix
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}.{name}"

    def get(self, name: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        self.used.add(name)
        if name not in self.data:
            return default
        value = self.data[name]
        if isinstance(value, bool) and bool not in (kind if isinstance(kind, tuple) else (kind,)):
            raise ConfigError(f"{self.key(name)}: expected {_kind_name(kind)}, got a boolean")
        if not isinstance(value, kind):
            raise ConfigError(f"{self.key(name)}: expected {_kind_name(kind)}, got {type(value).__name__}")
        if isinstance(value, int) and not -INT64 <= value < INT64:
            raise ConfigError(f"{self.key(name)}: expected a 64-bit integer, got one of {len(str(abs(value)))} digits")
        if isinstance(value, float) and not math.isfinite(value):
            raise ConfigError(f"{self.key(name)}: expected a finite number, got {value}")
        return value

    def positive(self, name: str, default: float, *, integer: bool, most: float) -> Any:
        """A number above 0 and at most `most`."""
        kind: tuple[type, ...] = (int,) if integer else (int, float)
        value = self.get(name, kind, default)
        if not 0 < value <= most:
            shown = f"up to {most:,}, got {value:,}" if integer else f"up to {most:,g}, got {value:g}"
            raise ConfigError(f"{self.key(name)}: expected a positive {'whole ' if integer else ''}number {shown}")
        return value

    def integer(self, name: str, default: int | None, *, least: int, most: int) -> Any:
        """A whole number from `least` to `most` (None when absent and no default)."""
        value = self.get(name, int, default)
        if value is not None and not least <= value <= most:
            raise ConfigError(
                f"{self.key(name)}: expected {least:,} or more, at most {most:,} (a whole number); got {value:,}"
            )
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.get(name, str, default)
        if value not in choices:
            raise ConfigError(f"{self.key(name)}: expected one of {', '.join(choices)}; got {value!r}")
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ConfigError(f"{self.key(unknown[0])}: unknown key (known: {', '.join(sorted(self.used))})")


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {str: "a string", int: "an integer", float: "a number", dict: "a table", list: "a list", bool: "true/false"}
    return " or ".join(names.get(k, k.__name__) for k in kinds)


def _parse_url(url: str, key: str) -> URL:
    """A SQLAlchemy URL, or ConfigError naming the key (the value may hold a password: it is not shown)."""
    try:
        return make_url(url)
    except (ArgumentError, ValueError):
        raise ConfigError(
            f"{key}: expected a SQLAlchemy URL such as dialect+driver://user:password@host:port/database "
            "(the value is not shown: it may contain a password)"
        ) from None


def _driver(url: URL) -> str | None:
    """The URL's driver (its dialect's default when it names none); None when SQLAlchemy has no such dialect."""
    try:
        return url.get_driver_name()
    except ArgumentError:  # NoSuchModuleError: no such dialect or driver
        return None


def _check_url(url: str, key: str) -> None:
    """Fail with the key's name when a SQLAlchemy URL cannot be parsed or names no dialect SQLAlchemy has (only
    its scheme is shown)."""
    parsed = _parse_url(url, key)
    if _driver(parsed) is None:
        raise ConfigError(
            f"{key}: unknown database scheme {parsed.drivername!r} (SQLAlchemy has no such dialect or driver)"
        )


def _check_store_url(url: str, key: str) -> None:
    """Fail with the key's name unless the URL is a store potrack supports: SQLite, PostgreSQL (psycopg) or SQL
    Server (pyodbc)."""
    parsed = _parse_url(url, key)
    backend = parsed.get_backend_name()
    if backend not in STORE_DRIVERS or _driver(parsed) != STORE_DRIVERS[backend]:
        raise ConfigError(
            f"{key}: the store must be sqlite:///PATH, postgresql+psycopg://... or mssql+pyodbc://...; "
            f"got scheme {parsed.drivername!r}"
        )


def _string_map(table: TomlTable, name: str, values: tuple[str, ...] | None = None) -> dict[str, str]:
    raw = table.get(name, dict, {})
    for k, v in raw.items():
        if not isinstance(v, str):
            raise ConfigError(f"{table.key(name)}.{k}: expected a string, got {type(v).__name__}")
        if values is not None and v not in values:
            raise ConfigError(f"{table.key(name)}.{k}: expected one of {', '.join(values)}; got {v!r}")
    return dict(raw)


def _custom_columns(table: TomlTable) -> dict[str, str]:
    """Custom columns by normalised name (custom_key): their values are stored and diffed under it."""
    custom: dict[str, str] = {}
    for name, kind in _string_map(table, "custom_columns", CUSTOM_TYPES).items():
        key = custom_key(name)
        if key in CANONICAL:
            raise ConfigError(
                f"{table.key('custom_columns')}.{name}: {key} is a canonical field, not a custom "
                "column (map a source column onto it with `columns`)"
            )
        if key in custom:
            raise ConfigError(
                f"{table.key('custom_columns')}.{name}: the same column as another custom column "
                "(names are compared ignoring case)"
            )
        custom[key] = kind
    return custom


def _renames(table: TomlTable, raw: dict[str, str], custom: dict[str, str]) -> dict[str, str]:
    """Column renames as source column → canonical field or custom column (normalised); either side of each pair
    may be the canonical one."""
    targets = {name.lower() for name in CANONICAL} | set(custom)
    renames: dict[str, str] = {}
    for left, right in raw.items():
        if left.lower() in targets:
            source, target = right, left.lower()
        elif right.lower() in targets:
            source, target = left, right.lower()
        else:
            raise ConfigError(
                f"{table.key('columns')}.{left}: neither {left!r} nor {right!r} is a canonical field "
                f'or custom column (e.g. po_number = "PONUM")'
            )
        for other_source, other_target in renames.items():
            if other_target == target:
                raise ConfigError(
                    f"{table.key('columns')}.{left}: {target} is already read from {other_source!r}; "
                    "a field comes from one column"
                )
            if other_source.lower() == source.lower():
                raise ConfigError(
                    f"{table.key('columns')}.{left}: column {source!r} is already renamed to {other_target}"
                )
        renames[source] = target
    return renames


def _parse_source(data: Any, index: int, base_dir: Path, zone: dt.tzinfo) -> SourceConfig:
    t = TomlTable(data, f"sources[{index}]")
    name = t.get("name", str)
    if name is None or not _NAME.match(name):
        raise ConfigError(f"{t.key('name')}: expected 1-100 letters, digits, '_', '-' or '.', got {name!r}")
    kind = t.choice("kind", SOURCE_KINDS)
    query = t.get("query", str, "SELECT * FROM po_lines")
    url = t.get("url", str)
    conn_str = t.get("connection_string", str)
    path = t.get("path", str)
    if kind == "sql" and not url:
        raise ConfigError(f'{t.key("url")}: required for kind = "sql" (a SQLAlchemy URL)')
    if kind == "sql" and url:
        _check_url(url, t.key("url"))
    if kind == "odbc" and not conn_str:
        raise ConfigError(f'{t.key("connection_string")}: required for kind = "odbc" (a pyodbc connection string)')
    if kind == "csv" and not path:
        raise ConfigError(f'{t.key("path")}: required for kind = "csv" (a file or glob)')
    if kind == "csv" and path and not Path(path).is_absolute():
        path = str(base_dir / path)
    schedule = t.get("schedule", str, DEFAULT_SCHEDULE)
    _check_schedule(schedule, zone, t.key("schedule"))
    custom = _custom_columns(t)
    columns = _renames(t, _string_map(t, "columns"), custom)
    encoding = t.get("encoding", str, "utf-8")
    if kind != "csv" and "encoding" in data:
        raise ConfigError(f"{t.key('encoding')}: only csv sources have an encoding (a database driver decodes text)")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"{t.key('encoding')}: unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)") from None
    fraction = t.get("max_removed_fraction", (int, float), DEFAULT_MAX_REMOVED_FRACTION)
    if not 0 <= fraction <= 1:
        raise ConfigError(
            f"{t.key('max_removed_fraction')}: expected a fraction from 0 to 1 (0.5 = 50 %), got {fraction}"
        )
    xref = None
    if "xref" in data:
        x = TomlTable(t.get("xref", dict), t.key("xref"))
        xq, xp = x.get("query", str), x.get("path", str)
        x.finish()
        if (xq is None) == (xp is None):
            raise ConfigError(f"{t.key('xref')}: expected exactly one of query or path")
        if xq is not None and kind == "csv":
            raise ConfigError(f"{t.key('xref')}.query: a csv source has no database to query; use path")
        xpath = Path(xp) if xp else None
        if xpath is not None and not xpath.is_absolute():
            xpath = base_dir / xpath
        xref = XrefConfig(query=xq, path=xpath)
    retry = RetryPolicy()
    if "retry" in data:
        r = TomlTable(t.get("retry", dict), t.key("retry"))
        retry = RetryPolicy(
            attempts=r.positive("attempts", 5, integer=True, most=MAX_ATTEMPTS),
            backoff_initial_s=float(r.positive("backoff_initial_s", 1.0, integer=False, most=MAX_WAIT_S)),
            backoff_max_s=float(r.positive("backoff_max_s", 60.0, integer=False, most=MAX_WAIT_S)),
        )
        r.finish()
    demo = DemoOptions()
    if "demo" in data:
        d = TomlTable(t.get("demo", dict), t.key("demo"))
        demo = DemoOptions(
            lines=d.positive("lines", 1500, integer=True, most=MAX_DEMO_LINES),
            seed=d.get("seed", int, 7),
            night=d.integer("night", None, least=0, most=MAX_DEMO_NIGHT),
            fail=d.choice("fail", DEMO_FAILURES, "none"),
            fail_attempts=d.positive("fail_attempts", 2, integer=True, most=MAX_ATTEMPTS),
            slow_s=float(d.get("slow_s", (int, float), 0.0)),
        )
        d.finish()
        if not 0 <= demo.slow_s <= MAX_WAIT_S or (demo.fail == "slow" and demo.slow_s == 0):
            why = ' (fail = "slow" needs one)' if demo.fail == "slow" else ""
            raise ConfigError(
                f"{d.key('slow_s')}: expected a positive number of seconds per batch, up to "
                f"{MAX_WAIT_S:g}{why}, got {demo.slow_s:g}"
            )
    batch_size = t.positive("batch_size", 5000, integer=True, most=MAX_BATCH_SIZE)
    t.get("alerts", dict)  # the source's alert thresholds: read by potrack.alerts.settings
    t.finish()
    return SourceConfig(
        name=name,
        kind=kind,
        query=query,
        url=url,
        connection_string=conn_str,
        path=path,
        schedule=schedule,
        columns=columns,
        custom_columns=custom,
        xref=xref,
        retry=retry,
        batch_size=batch_size,
        demo=demo,
        encoding=encoding,
        max_removed_fraction=float(fraction),
    )


def default_sources() -> tuple[SourceConfig, ...]:
    """The built-in configuration used when no potrack.toml exists: one demo source."""
    return (SourceConfig(name="demo", kind="demo", custom_columns={"udf_project": "text", "udf_weight_kg": "number"}),)


def load_settings(path: Path | None = None) -> Settings:
    """Read potrack.toml (or the built-in default) and the POTRACK_* environment."""
    explicit = path is not None or envstr("POTRACK_CONFIG") is not None
    config_path = path or Path(envstr("POTRACK_CONFIG", "potrack.toml") or "potrack.toml")
    instance_dir = Path(envstr("POTRACK_INSTANCE", "instance") or "instance").resolve()
    if instance_dir.exists() and not instance_dir.is_dir():
        raise ConfigError(f"POTRACK_INSTANCE: {instance_dir} is not a directory")
    data: dict[str, Any] = {}
    if config_path.exists():
        try:
            data = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from None
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{config_path}: expected UTF-8 text, got a byte that is not UTF-8 at position {exc.start}"
            ) from None
        except OSError as exc:
            raise ConfigError(f"{config_path}: cannot be read: {exc.strerror or exc}") from None
    elif explicit:
        raise ConfigError(f"POTRACK_CONFIG: file {config_path} does not exist")
    _refuse_nul(data, "")
    data = _expand(data, config_path.name)
    timezone = envstr("POTRACK_TIMEZONE")
    zone = time_zone(timezone)  # the schedules' triggers are built in it below
    top = TomlTable(data, config_path.name)
    sources_data = top.get("sources", list)
    database = top.get("database", dict, {})
    alerts_data = top.get("alerts", dict, {})
    top.finish()
    if sources_data is None:
        sources = default_sources()
        for src in sources:
            _check_schedule(src.schedule, zone, f"sources.{src.name}.schedule")  # builds its trigger
    else:
        if not sources_data:
            raise ConfigError("sources: expected at least one [[sources]] table")
        base_dir = config_path.resolve().parent
        sources = tuple(_parse_source(s, i, base_dir, zone) for i, s in enumerate(sources_data))
    names = [s.name for s in sources]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"sources: name {name!r} is used by more than one source")
    source_alerts = {
        src.name: (raw["alerts"], f"sources[{i}].alerts")
        for i, (src, raw) in enumerate(zip(sources, sources_data or []))
        if "alerts" in raw
    }
    alerts = parse_alerts(alerts_data, source_alerts, TomlTable, ConfigError)
    for channel in alerts.channels:  # a webhook's URL carries its token; SMTP passwords are secrets too
        redact.register_secret(channel.url)
        redact.register_secret(channel.password)
    db = TomlTable(database, "database")
    toml_url = db.get("url", str)
    db.finish()
    database_url = envstr("POTRACK_DATABASE_URL") or toml_url or f"sqlite:///{instance_dir / 'potrack.db'}"
    _check_store_url(database_url, "POTRACK_DATABASE_URL" if envstr("POTRACK_DATABASE_URL") else "database.url")
    redact.register_url(database_url)
    for src in sources:
        redact.register_url(src.url)
        redact.register_connection_string(src.connection_string)
    level = (envstr("POTRACK_LOG_LEVEL", "INFO") or "INFO").upper()
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"POTRACK_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {level!r}")
    secret_key, admin_password = envstr("POTRACK_SECRET_KEY"), envstr("POTRACK_ADMIN_PASSWORD")
    metrics_token = envstr("POTRACK_METRICS_TOKEN")
    for name, value in (("POTRACK_SECRET_KEY", secret_key), ("POTRACK_METRICS_TOKEN", metrics_token)):
        if value is not None and len(value) < 16:
            raise ConfigError(
                f"{name}: expected at least 16 characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`)"
            )
    redact.register_secret(secret_key)
    redact.register_secret(admin_password)
    redact.register_secret(metrics_token)
    lease_ttl_s = envint("POTRACK_LEASE_TTL_S", DEFAULT_LEASE_TTL_S)
    if not 3 <= lease_ttl_s <= 600:
        raise ConfigError(f"POTRACK_LEASE_TTL_S: expected whole seconds from 3 to 600, got {lease_ttl_s}")
    proxy_hops = envint("POTRACK_PROXY_HOPS", 0)
    if not 0 <= proxy_hops <= 5:
        raise ConfigError(
            f"POTRACK_PROXY_HOPS: expected the number of reverse proxies in front, 0 to 5, got {proxy_hops}"
        )
    port = envint("POTRACK_PORT", 8050)  # read by app.py; checked here so that a bad one stops every start
    if not 1 <= port <= 65535:
        raise ConfigError(f"POTRACK_PORT: expected a TCP port from 1 to 65535, got {port}")
    return Settings(
        sources=sources,
        database_url=database_url,
        instance_dir=instance_dir,
        timezone=timezone,
        log_level=level,
        config_path=config_path if config_path.exists() else None,
        secret_key=secret_key,
        admin_password=admin_password,
        metrics_token=metrics_token,
        secure_cookies=envbool("POTRACK_SECURE_COOKIES", False),
        alerts=alerts,
        lease_ttl_s=lease_ttl_s,
        proxy_hops=proxy_hops,
    )
