"""Alert settings from potrack.toml: `[alerts]` defaults and channels, and each source's `alerts = {...}`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from potrack.config.toml import ConfigError, TomlTable

CHANNEL_KINDS = ("slack", "webhook", "email")
SECURITIES = ("starttls", "ssl", "none")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
# Bounds: a shorter or longer duration is a typo, and adding a longer one to a date could leave the calendar.
MIN_DURATION = dt.timedelta(seconds=1)
MAX_DURATION = dt.timedelta(days=3650)
# A mute ends within the calendar however it is shown (a time zone moves it by less than a day).
EARLIEST_TIME = dt.datetime(2, 1, 1, tzinfo=dt.UTC)
LATEST_TIME = dt.datetime(9998, 12, 31, tzinfo=dt.UTC)
MAX_COUNT = 1000  # runs in a row or in a window (a LIMIT in the store)
MAX_TIMEOUT_S = 300.0  # delivery is waited for; a larger socket timeout can overflow


@dataclass(frozen=True)
class RuleSettings:
    """The thresholds of the rules for one source (new_xref_gap is off unless new_gap_value is set)."""

    consecutive_failures: int = 2
    stale_after: dt.timedelta | None = None  # None: the schedule's longest interval + stale_grace
    stale_grace: dt.timedelta = dt.timedelta(hours=2)
    volume_drop_percent: float = 30.0
    volume_window: int = 14
    volume_min_runs: int = 7
    volume_min_mean: float = 100.0
    new_gap_value: float | None = None  # a new unmapped code whose open lines are worth more than this alerts
    muted_until: dt.datetime | None = None


@dataclass(frozen=True)
class ChannelConfig:
    """Where notifications go: a Slack-compatible webhook, a generic JSON webhook or SMTP e-mail."""

    name: str
    kind: str
    url: str | None = None
    host: str | None = None
    port: int = 587
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    sender: str | None = None
    to: tuple[str, ...] = ()
    timeout_s: float = 10.0


@dataclass(frozen=True)
class AlertSettings:
    """Every alert setting: links, reminders, channels, default and per-source thresholds."""

    dashboard_url: str = "http://127.0.0.1:8050"
    remind_every: dt.timedelta | None = None
    defaults: RuleSettings = field(default_factory=RuleSettings)
    per_source: dict[str, RuleSettings] = field(default_factory=dict)
    channels: tuple[ChannelConfig, ...] = ()

    def rules_for(self, source: str) -> RuleSettings:
        """A source's thresholds: its own where set, else the defaults."""
        return self.per_source.get(source, self.defaults)

    def channel(self, name: str) -> ChannelConfig:
        """The channel with this name; KeyError naming the configured ones."""
        for channel in self.channels:
            if channel.name == name:
                return channel
        raise KeyError(f"no alert channel named {name!r} (configured: {', '.join(c.name for c in self.channels)})")


def parse_duration(text: Any, key: str) -> dt.timedelta:
    """'90s', '30m', '4h' or '2d' (1 s to 3650 days) as a timedelta; ConfigError names the key otherwise."""
    match = _DURATION.match(text) if isinstance(text, str) else None
    value = None
    if match is not None:
        try:
            value = dt.timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
        except OverflowError:  # more days than a timedelta holds
            value = None
    if value is None or not MIN_DURATION <= value <= MAX_DURATION:
        raise ConfigError(
            f'{key}: expected a positive duration such as "30m", "4h" or "2d", from 1s to '
            f"{MAX_DURATION.days}d; got {text!r}"
        )
    return value


def parse_time(text: Any, key: str) -> dt.datetime:
    """An ISO 8601 time (a TOML datetime or a string); without an offset it is UTC."""
    value = text
    if isinstance(text, str):
        try:
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ConfigError(
                f'{key}: expected an ISO 8601 time such as "2026-12-01T06:00:00Z", got {text!r}'
            ) from None
    if not isinstance(value, dt.datetime):
        raise ConfigError(f'{key}: expected an ISO 8601 time such as "2026-12-01T06:00:00Z", got {text!r}')
    value = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
    try:
        inside = EARLIEST_TIME <= value <= LATEST_TIME
    except OverflowError:  # its offset moves it out of the calendar
        inside = False
    if not inside:
        raise ConfigError(f"{key}: expected a time from year {EARLIEST_TIME.year} to {LATEST_TIME.year}, got {text!r}")
    return value


def parse_rules(table: TomlTable, base: RuleSettings, *, per_source: bool) -> RuleSettings:
    """Thresholds from a TomlTable over `base`; stale_after and muted_until only for a source."""
    values: dict[str, Any] = {}
    for name in ("consecutive_failures", "volume_window", "volume_min_runs"):
        number = table.integer(name, None, least=1, most=MAX_COUNT)
        if number is not None:
            values[name] = number
    drop = table.get("volume_drop_percent", (int, float))
    if drop is not None:
        if not 0 < drop < 100:
            raise ConfigError(
                f"{table.key('volume_drop_percent')}: expected a percentage between 0 and 100, got {drop}"
            )
        values["volume_drop_percent"] = float(drop)
    least = table.get("volume_min_mean", (int, float))  # (finite: the table refuses nan and inf)
    if least is not None:
        if least < 0:
            raise ConfigError(f"{table.key('volume_min_mean')}: expected 0 or more lines, got {least}")
        values["volume_min_mean"] = float(least)
    gap_value = table.get("new_gap_value", (int, float, str))
    if gap_value == "off":
        values["new_gap_value"] = None
    elif gap_value is not None:
        if isinstance(gap_value, str) or gap_value <= 0:
            raise ConfigError(
                f'{table.key("new_gap_value")}: expected a positive open value (e.g. 10000) or "off", got {gap_value!r}'
            )
        values["new_gap_value"] = float(gap_value)
    grace = table.get("stale_grace", str)
    if grace is not None:
        values["stale_grace"] = parse_duration(grace, table.key("stale_grace"))
    if per_source:
        stale = table.get("stale_after", str)
        if stale is not None:
            values["stale_after"] = parse_duration(stale, table.key("stale_after"))
        muted = table.get("muted_until", (str, dt.datetime))
        if muted is not None:
            values["muted_until"] = parse_time(muted, table.key("muted_until"))
    table.finish()
    return replace(base, **values)


def parse_channel(table: TomlTable) -> ChannelConfig:
    """One `[[alerts.channels]]` table; every missing or bad key is named."""
    name = table.get("name", str)
    if not name:
        raise ConfigError(f'{table.key("name")}: required (a name for the channel, e.g. "ops-mail")')
    kind = table.choice("kind", CHANNEL_KINDS)
    timeout = float(table.positive("timeout_s", 10.0, integer=False, most=MAX_TIMEOUT_S))
    if kind in ("slack", "webhook"):
        url = table.get("url", str)
        if not url or not url.startswith(("http://", "https://")):
            raise ConfigError(f'{table.key("url")}: required for kind = "{kind}": an http:// or https:// URL')
        table.finish()
        return ChannelConfig(name=name, kind=kind, url=url, timeout_s=timeout)
    host = table.get("host", str)
    if not host:
        raise ConfigError(f'{table.key("host")}: required for kind = "email" (the SMTP server)')
    port = table.positive("port", 587, integer=True, most=65535)
    security = table.choice("security", SECURITIES, "starttls")
    username, password = table.get("username", str), table.get("password", str)
    if (username is None) != (password is None):
        raise ConfigError(
            f"{table.key('password' if password is None else 'username')}: username and password go together"
        )
    sender = table.get("from", str)
    if not sender or "@" not in sender:
        raise ConfigError(f'{table.key("from")}: required for kind = "email": the sender\'s address')
    to = table.get("to", list)
    if not to or not all(isinstance(a, str) and "@" in a for a in to):
        raise ConfigError(f'{table.key("to")}: required for kind = "email": a list of addresses')
    table.finish()
    return ChannelConfig(
        name=name,
        kind=kind,
        host=host,
        port=port,
        security=security,
        username=username,
        password=password,
        sender=sender,
        to=tuple(to),
        timeout_s=timeout,
    )


def parse_alerts(data: Any, source_tables: dict[str, tuple[Any, str]]) -> AlertSettings:
    """The `[alerts]` table (may be absent) and each source's `alerts` table, as AlertSettings.

    `source_tables` maps a source name to (its alerts data, its key prefix).
    """
    top = TomlTable(data or {}, "alerts")
    url = (top.get("dashboard_url", str, AlertSettings.dashboard_url) or "").rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ConfigError(f"alerts.dashboard_url: expected the dashboard's http:// or https:// address, got {url!r}")
    remind = top.get("remind_every", str, "off")
    remind_every = None if remind == "off" else parse_duration(remind, "alerts.remind_every")
    channels_data = top.get("channels", list, [])
    channels = tuple(parse_channel(TomlTable(c, f"alerts.channels[{i}]")) for i, c in enumerate(channels_data))
    names = [c.name for c in channels]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"alerts.channels: name {name!r} is used by more than one channel")
    defaults = parse_rules(top, RuleSettings(), per_source=False)
    per_source = {
        name: parse_rules(TomlTable(raw, prefix), defaults, per_source=True)
        for name, (raw, prefix) in source_tables.items()
    }
    return AlertSettings(
        dashboard_url=url, remind_every=remind_every, defaults=defaults, per_source=per_source, channels=channels
    )
