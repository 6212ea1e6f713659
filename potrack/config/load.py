"""Loading: potrack.toml (or the built-in default) and the POTRACK_* environment as Settings.

`read_settings` only reads: it returns the settings and every secret found in them (the values ${VAR} expanded
to, channel URLs and passwords, subscribers' URLs and signing secrets, the store's and the sources' credentials, the
secret key, the admin password, the metrics token) and registers none. `register_secrets` hands them to
potrack.redact; `load_settings`, the start-up entry, does both.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from potrack import redact
from potrack.config.alerts import AlertSettings, parse_alerts
from potrack.config.model import DEFAULT_HOST, DEFAULT_LEASE_TTL_S, DEFAULT_PORT, Settings, SourceConfig
from potrack.config.sources import check_store_url, parse_sources
from potrack.config.subscribers import parse_subscribers
from potrack.config.toml import ConfigError, TomlTable, envbool, envint, envstr, expand, refuse_nul
from potrack.config.zone import time_zone

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass
class Secrets:
    """Values that must never be shown, as found while reading the configuration."""

    values: set[str] = field(default_factory=set)  # shown nowhere as they are
    urls: set[str] = field(default_factory=set)  # SQLAlchemy URLs: their passwords
    connection_strings: set[str] = field(default_factory=set)  # ODBC connection strings: their PWD= values

    def add(self, value: str | None) -> None:
        if value:
            self.values.add(value)

    def add_url(self, url: str | None) -> None:
        if url:
            self.urls.add(url)

    def add_connection_string(self, conn: str | None) -> None:
        if conn:
            self.connection_strings.add(conn)


@dataclass(frozen=True)
class Loaded:
    """Settings as read, and the secrets in them (not yet registered)."""

    settings: Settings
    secrets: Secrets


def register_secrets(secrets: Secrets) -> None:
    """Make potrack.redact mask every secret found in the configuration."""
    for value in sorted(secrets.values):
        redact.register_secret(value)
    for url in sorted(secrets.urls):
        redact.register_url(url)
    for conn in sorted(secrets.connection_strings):
        redact.register_connection_string(conn)


def load_settings(path: Path | None = None) -> Settings:
    """Read potrack.toml (or the built-in default) and the POTRACK_* environment, and register the secrets in them
    (those found before a ConfigError too, so the error is masked as well)."""
    secrets = Secrets()
    try:
        return read_settings(path, secrets=secrets).settings
    finally:
        register_secrets(secrets)


def read_settings(path: Path | None = None, *, secrets: Secrets | None = None) -> Loaded:
    """Read potrack.toml (or the built-in default) and the POTRACK_* environment; register nothing. Secrets are
    collected into `secrets` as they are found (a new collector when none is given)."""
    secrets = Secrets() if secrets is None else secrets
    explicit = path is not None or envstr("POTRACK_CONFIG") is not None
    config_path = path or Path(envstr("POTRACK_CONFIG", "potrack.toml") or "potrack.toml")
    instance_dir = Path(envstr("POTRACK_INSTANCE", "instance") or "instance").resolve()
    if instance_dir.exists() and not instance_dir.is_dir():
        raise ConfigError(f"POTRACK_INSTANCE: {instance_dir} is not a directory")
    data = _read_toml(config_path, explicit)
    refuse_nul(data, "")
    data = expand(data, config_path.name, secrets.values)
    timezone = envstr("POTRACK_TIMEZONE")
    zone = time_zone(timezone)  # the schedules' triggers are built in it below
    top = TomlTable(data, config_path.name)
    sources_data = top.get("sources", list)
    database = top.get("database", dict, {})
    alerts_data = top.get("alerts", dict, {})
    subscribers_data = top.get("subscribers", list)
    top.finish()
    sources = parse_sources(sources_data, config_path, zone)
    alerts = _alerts(alerts_data, sources, sources_data, secrets)
    subscribers = parse_subscribers(subscribers_data)
    for subscriber in subscribers:  # a webhook's URL may carry its token; its secret signs the bodies
        secrets.add(subscriber.url)
        secrets.add(subscriber.secret)
    database_url = _database_url(database, instance_dir, secrets)
    for src in sources:
        secrets.add_url(src.url)
        secrets.add_connection_string(src.connection_string)
    settings = Settings(
        sources=sources,
        database_url=database_url,
        instance_dir=instance_dir,
        timezone=timezone,
        config_path=config_path if config_path.exists() else None,
        alerts=alerts,
        subscribers=subscribers,
        **_environment(secrets),
    )
    return Loaded(settings=settings, secrets=secrets)


def _read_toml(config_path: Path, explicit: bool) -> dict[str, Any]:
    """The file's tables; none when it does not exist and was not named (POTRACK_CONFIG or a path)."""
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"POTRACK_CONFIG: file {config_path} does not exist")
        return {}
    try:
        return tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{config_path}: expected UTF-8 text, got a byte that is not UTF-8 at position {exc.start}"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot be read: {exc.strerror or exc}") from None


def _alerts(
    data: dict[str, Any], sources: tuple[SourceConfig, ...], sources_data: list[Any] | None, secrets: Secrets
) -> AlertSettings:
    """The `[alerts]` table and each source's `alerts` table; a webhook's URL carries its token, and SMTP
    passwords are secrets too."""
    source_alerts = {
        src.name: (raw["alerts"], f"sources[{i}].alerts")
        for i, (src, raw) in enumerate(zip(sources, sources_data or [], strict=False))
        if "alerts" in raw
    }
    alerts = parse_alerts(data, source_alerts)
    for channel in alerts.channels:
        secrets.add(channel.url)
        secrets.add(channel.password)
    return alerts


def _database_url(database: Any, instance_dir: Path, secrets: Secrets) -> str:
    """The store's URL: POTRACK_DATABASE_URL, else `[database] url`, else SQLite in the instance folder."""
    db = TomlTable(database, "database")
    toml_url = db.get("url", str)
    db.finish()
    database_url = envstr("POTRACK_DATABASE_URL") or toml_url or f"sqlite:///{instance_dir / 'potrack.db'}"
    check_store_url(database_url, "POTRACK_DATABASE_URL" if envstr("POTRACK_DATABASE_URL") else "database.url")
    secrets.add_url(database_url)
    return database_url


def _environment(secrets: Secrets) -> dict[str, Any]:
    """The settings only the environment sets: log level, keys and tokens, leases, proxies, the scheduler, the
    address served, the access log; each checked."""
    level = (envstr("POTRACK_LOG_LEVEL", "INFO") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"POTRACK_LOG_LEVEL: expected DEBUG, INFO, WARNING or ERROR, got {level!r}")
    secret_key, admin_password = envstr("POTRACK_SECRET_KEY"), envstr("POTRACK_ADMIN_PASSWORD")
    metrics_token = envstr("POTRACK_METRICS_TOKEN")
    for name, value in (("POTRACK_SECRET_KEY", secret_key), ("POTRACK_METRICS_TOKEN", metrics_token)):
        if value is not None and len(value) < 16:
            raise ConfigError(
                f"{name}: expected at least 16 characters (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`)"
            )
    for value in (secret_key, admin_password, metrics_token):
        secrets.add(value)
    lease_ttl_s = envint("POTRACK_LEASE_TTL_S", DEFAULT_LEASE_TTL_S)
    if not 3 <= lease_ttl_s <= 600:
        raise ConfigError(f"POTRACK_LEASE_TTL_S: expected whole seconds from 3 to 600, got {lease_ttl_s}")
    proxy_hops = envint("POTRACK_PROXY_HOPS", 0)
    if not 0 <= proxy_hops <= 5:
        raise ConfigError(
            f"POTRACK_PROXY_HOPS: expected the number of reverse proxies in front, 0 to 5, got {proxy_hops}"
        )
    port = envint("POTRACK_PORT", DEFAULT_PORT)  # served on by app.py and gunicorn; a bad one stops every start
    if not 1 <= port <= 65535:
        raise ConfigError(f"POTRACK_PORT: expected a TCP port from 1 to 65535, got {port}")
    return {
        "log_level": level,
        "secret_key": secret_key,
        "admin_password": admin_password,
        "metrics_token": metrics_token,
        "secure_cookies": envbool("POTRACK_SECURE_COOKIES", False),
        "lease_ttl_s": lease_ttl_s,
        "proxy_hops": proxy_hops,
        "scheduler": envbool("POTRACK_SCHEDULER", True),
        "host": envstr("POTRACK_HOST", DEFAULT_HOST) or DEFAULT_HOST,
        "port": port,
        "access_log": envbool("POTRACK_ACCESS_LOG", False),
    }
