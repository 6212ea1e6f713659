"""Typed configuration, read once from potrack.toml and the environment.

toml: ConfigError, POTRACK_* variables, ${VAR} references, typed TOML tables; zone: the time zone; alerts: the
alert settings; model: Settings and the source settings; sources: the `[[sources]]` tables; load: reading it all
(`read_settings`, which registers no secret) and `load_settings`, the start-up entry that also registers them.
"""

from potrack.config.alerts import AlertSettings, ChannelConfig, RuleSettings
from potrack.config.load import Loaded, Secrets, load_settings, read_settings, register_secrets
from potrack.config.model import (
    DEFAULT_LEASE_TTL_S,
    DEFAULT_MAX_REMOVED_FRACTION,
    DEFAULT_SCHEDULE,
    SOURCE_KINDS,
    DemoOptions,
    RetryPolicy,
    Settings,
    SourceConfig,
    SubscriberConfig,
    XrefConfig,
    schedule_trigger,
)
from potrack.config.sources import default_sources
from potrack.config.toml import ConfigError, TomlTable, envbool, envint, envstr
from potrack.config.zone import time_zone

__all__ = [
    "DEFAULT_LEASE_TTL_S",
    "DEFAULT_MAX_REMOVED_FRACTION",
    "DEFAULT_SCHEDULE",
    "SOURCE_KINDS",
    "AlertSettings",
    "ChannelConfig",
    "ConfigError",
    "DemoOptions",
    "Loaded",
    "RetryPolicy",
    "RuleSettings",
    "Secrets",
    "Settings",
    "SourceConfig",
    "SubscriberConfig",
    "TomlTable",
    "XrefConfig",
    "default_sources",
    "envbool",
    "envint",
    "envstr",
    "load_settings",
    "read_settings",
    "register_secrets",
    "schedule_trigger",
    "time_zone",
]
