"""The `[[sources]]` tables: each source's kind, location, schedule, columns, cross-reference, retries and demo
options, checked key by key; the built-in demo source; schedule and store URL checks."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from pathlib import Path
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from potrack.clock import utcnow
from potrack.config.model import (
    CRON_FIELDS,
    CUSTOM_TYPES,
    DEFAULT_MAX_REMOVED_FRACTION,
    DEFAULT_SCHEDULE,
    DEFAULT_UPLOAD_MAX_MB,
    DEMO_FAILURES,
    MAX_ATTEMPTS,
    MAX_BATCH_SIZE,
    MAX_DEMO_LINES,
    MAX_DEMO_NIGHT,
    MAX_UPLOAD_MAX_MB,
    MAX_WAIT_S,
    PROGRESS_MODES,
    SOURCE_KINDS,
    STORE_DRIVERS,
    DemoOptions,
    RetryPolicy,
    SourceConfig,
    XrefConfig,
    schedule_trigger,
)
from potrack.config.toml import ConfigError, TomlTable
from potrack.fields import CANONICAL, custom_key

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def default_sources() -> tuple[SourceConfig, ...]:
    """The built-in configuration used when no potrack.toml exists: one demo source."""
    return (SourceConfig(name="demo", kind="demo", custom_columns={"udf_project": "text", "udf_weight_kg": "number"}),)


def check_schedule(cron: str, zone: dt.tzinfo, key: str) -> None:
    """Build the trigger of a 5-field cron expression, failing with the key and the field that is wrong."""
    parts = cron.split()
    if len(parts) != len(CRON_FIELDS):
        raise ConfigError(
            f"{key}: expected a 5-field cron expression (minute hour day month day-of-week), got {cron!r}"
        )
    try:
        trigger = schedule_trigger(cron, zone)
    except ValueError as exc:
        for name, value in zip(CRON_FIELDS, parts, strict=True):  # name the field: APScheduler's message does not
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


def check_store_url(url: str, key: str) -> None:
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


def _name(t: TomlTable) -> str:
    name = t.get("name", str)
    if name is None or not _NAME.match(name):
        raise ConfigError(f"{t.key('name')}: expected 1-100 letters, digits, '_', '-' or '.', got {name!r}")
    return str(name)


def _location(t: TomlTable, kind: str, base_dir: Path) -> tuple[str | None, str | None, str | None]:
    """Where the source is read from, by kind: (url, connection string, path); a relative csv path is read from
    the configuration file's folder."""
    url = t.get("url", str)
    conn_str = t.get("connection_string", str)
    path = t.get("path", str)
    if kind == "sql" and not url:
        raise ConfigError(f'{t.key("url")}: required for kind = "sql" (a SQLAlchemy URL)')
    if kind == "sql" and url:
        _check_url(url, t.key("url"))
    if kind == "odbc" and not conn_str:
        raise ConfigError(f'{t.key("connection_string")}: required for kind = "odbc" (a pyodbc connection string)')
    if kind == "csv" and not path and t.get("upload", bool, False) is not True:
        raise ConfigError(
            f'{t.key("path")}: required for kind = "csv" (a file or glob), unless the source is fed by uploads '
            "(upload = true)"
        )
    if kind == "csv" and path and not Path(path).is_absolute():
        path = str(base_dir / path)
    return url, conn_str, path


def _encoding(t: TomlTable, kind: str) -> str:
    encoding = t.get("encoding", str, "utf-8")
    if kind != "csv" and "encoding" in t.data:
        raise ConfigError(f"{t.key('encoding')}: only csv sources have an encoding (a database driver decodes text)")
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ConfigError(f"{t.key('encoding')}: unknown encoding {encoding!r} (e.g. utf-8, cp1252, latin-1)") from None
    return str(encoding)


def _progress(t: TomlTable, kind: str) -> str:
    progress = t.choice("progress", PROGRESS_MODES, "estimate")
    if progress == "count" and kind not in ("sql", "odbc"):
        raise ConfigError(
            f'{t.key("progress")}: "count" runs a COUNT(*) over the source query, which only sql and odbc sources '
            f"have; a {kind} source's total is an estimate"
        )
    return progress


def _max_removed_fraction(t: TomlTable) -> float:
    fraction = t.get("max_removed_fraction", (int, float), DEFAULT_MAX_REMOVED_FRACTION)
    if not 0 <= fraction <= 1:
        raise ConfigError(
            f"{t.key('max_removed_fraction')}: expected a fraction from 0 to 1 (0.5 = 50 %), got {fraction}"
        )
    return float(fraction)


def _xref(t: TomlTable, kind: str, base_dir: Path) -> XrefConfig | None:
    if "xref" not in t.data:
        return None
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
    return XrefConfig(query=xq, path=xpath)


def _upload(t: TomlTable, kind: str) -> tuple[bool, int]:
    """Whether operators may upload snapshot files for the source, and the largest file taken (in bytes)."""
    upload = t.get("upload", bool, False)
    if upload and kind != "csv":
        raise ConfigError(
            f'{t.key("upload")}: only a csv source takes uploaded files (kind = "csv"; its path may be left out)'
        )
    if "upload_max_mb" in t.data and not upload:
        raise ConfigError(f"{t.key('upload_max_mb')}: the source takes no uploads (set upload = true)")
    max_mb = t.positive("upload_max_mb", DEFAULT_UPLOAD_MAX_MB, integer=True, most=MAX_UPLOAD_MAX_MB)
    return bool(upload), int(max_mb) * 1024 * 1024


def _retry(t: TomlTable) -> RetryPolicy:
    if "retry" not in t.data:
        return RetryPolicy()
    r = TomlTable(t.get("retry", dict), t.key("retry"))
    retry = RetryPolicy(
        attempts=r.positive("attempts", 5, integer=True, most=MAX_ATTEMPTS),
        backoff_initial_s=float(r.positive("backoff_initial_s", 1.0, integer=False, most=MAX_WAIT_S)),
        backoff_max_s=float(r.positive("backoff_max_s", 60.0, integer=False, most=MAX_WAIT_S)),
    )
    r.finish()
    return retry


def _demo(t: TomlTable) -> DemoOptions:
    if "demo" not in t.data:
        return DemoOptions()
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
    return demo


def parse_source(data: Any, index: int, base_dir: Path, zone: dt.tzinfo) -> SourceConfig:
    """The `index`th `[[sources]]` table; each key is checked in turn and the first wrong one is named."""
    t = TomlTable(data, f"sources[{index}]")
    name = _name(t)
    kind = t.choice("kind", SOURCE_KINDS)
    query = t.get("query", str, "SELECT * FROM po_lines")
    url, conn_str, path = _location(t, kind, base_dir)
    schedule = t.get("schedule", str, DEFAULT_SCHEDULE)
    check_schedule(schedule, zone, t.key("schedule"))
    custom = _custom_columns(t)
    columns = _renames(t, _string_map(t, "columns"), custom)
    encoding = _encoding(t, kind)
    fraction = _max_removed_fraction(t)
    xref, retry, demo = _xref(t, kind, base_dir), _retry(t), _demo(t)
    batch_size = t.positive("batch_size", 5000, integer=True, most=MAX_BATCH_SIZE)
    progress = _progress(t, kind)
    upload, upload_max_bytes = _upload(t, kind)
    t.get("alerts", dict)  # the source's alert thresholds: read by potrack.config.alerts
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
        max_removed_fraction=fraction,
        progress=progress,
        upload=upload,
        upload_max_bytes=upload_max_bytes,
    )


def parse_sources(sources_data: list[Any] | None, config_path: Path, zone: dt.tzinfo) -> tuple[SourceConfig, ...]:
    """Every `[[sources]]` table (the built-in demo source when there are none), with unique names; each
    schedule's trigger is built in `zone`."""
    if sources_data is None:
        sources = default_sources()
        for src in sources:
            check_schedule(src.schedule, zone, f"sources.{src.name}.schedule")  # builds its trigger
    else:
        if not sources_data:
            raise ConfigError("sources: expected at least one [[sources]] table")
        base_dir = config_path.resolve().parent
        sources = tuple(parse_source(s, i, base_dir, zone) for i, s in enumerate(sources_data))
    names = [s.name for s in sources]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"sources: name {name!r} is used by more than one source")
    return sources
