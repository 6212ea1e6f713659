"""Subscribers from potrack.toml: each `[[subscribers]]` table, who hears which topic and how (a webhook, or a Python
function in-process whose target is imported and checked at load, so a wrong one stops the start naming the key)."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from potrack.config.alerts import MAX_TIMEOUT_S
from potrack.config.model import SUBSCRIBER_KINDS, SUBSCRIBER_TOPICS, SubscriberConfig
from potrack.config.sources import _name
from potrack.config.toml import ConfigError, TomlTable

MAX_KEYS = 1_000_000  # keys in one po_lines.changed delivery: more would be one giant body again
EventFunction = Callable[[str, dict[str, Any]], None]


def target_function(target: str) -> EventFunction:
    """The function a python subscriber's "package.module:function" names; ValueError saying what is wrong."""
    module_name, colon, function_name = target.partition(":")
    if not colon or not module_name or not function_name:
        raise ValueError(f'expected "package.module:function", got {target!r}')
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # the module's own code runs on import: any error of it names the target
        raise ValueError(f"module {module_name!r} cannot be imported: {type(exc).__name__}: {exc}") from None
    function = getattr(module, function_name, None)
    if not callable(function):
        raise ValueError(f"{module_name} has no function {function_name!r}")
    return function  # type: ignore[no-any-return]  # (checked callable; its signature is the subscriber's promise)


def parse_subscriber(table: TomlTable) -> SubscriberConfig:
    """One `[[subscribers]]` table; the first missing or bad key is named."""
    name = _name(table)
    topic = table.choice("topic", SUBSCRIBER_TOPICS)
    kind = table.choice("kind", SUBSCRIBER_KINDS)
    timeout = float(table.positive("timeout_s", SubscriberConfig.timeout_s, integer=False, most=MAX_TIMEOUT_S))
    max_keys = table.integer("max_keys", SubscriberConfig.max_keys, least=1, most=MAX_KEYS)
    if kind == "webhook":
        url = table.get("url", str)
        if not url or not url.startswith(("http://", "https://")):
            raise ConfigError(f'{table.key("url")}: required for kind = "webhook": an http:// or https:// URL')
        secret = table.get("secret", str)
        if secret == "":
            raise ConfigError(f"{table.key('secret')}: expected the signing secret, got an empty string")
        table.finish()
        return SubscriberConfig(name, topic, kind, url=url, secret=secret, timeout_s=timeout, max_keys=max_keys)
    target = table.get("target", str)
    if target is None:
        raise ConfigError(f'{table.key("target")}: required for kind = "python": "package.module:function"')
    try:
        target_function(target)
    except ValueError as exc:
        raise ConfigError(f"{table.key('target')}: {exc}") from None
    table.finish()
    return SubscriberConfig(name, topic, kind, target=target, timeout_s=timeout, max_keys=max_keys)


def parse_subscribers(data: list[Any] | None) -> tuple[SubscriberConfig, ...]:
    """Every `[[subscribers]]` table (none when absent), with unique names."""
    subscribers = tuple(parse_subscriber(TomlTable(raw, f"subscribers[{i}]")) for i, raw in enumerate(data or []))
    names = [s.name for s in subscribers]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(f"subscribers: name {name!r} is used by more than one subscriber")
    return subscribers
