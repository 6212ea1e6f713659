"""Reading configuration values: the ConfigError naming a key, POTRACK_* variables, ${VAR} references and typed
TOML tables. Nothing here registers a secret: the values ${VAR} expands to are collected for the caller."""

from __future__ import annotations

import math
import os
import re
from typing import Any

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
INT64 = 2**63  # TOML integers are 64-bit; a larger one overflows the store and SQLite


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


def refuse_nul(value: Any, key: str) -> None:
    """Fail naming the key of any text holding a NUL character: no path, query, name or URL can hold one."""
    if isinstance(value, str) and "\x00" in value:
        raise ConfigError(f"{key}: contains a NUL character (\\u0000)")
    if isinstance(value, list):
        for i, item in enumerate(value):
            refuse_nul(item, f"{key}[{i}]")
    if isinstance(value, dict):
        for k, item in value.items():
            refuse_nul(k, f"{key}.{k!r}" if key else repr(k))
            refuse_nul(item, f"{key}.{k}" if key else k)


def expand(value: Any, key: str, found: set[str]) -> Any:
    """Replace ${VAR} with the environment's value, adding each value used to `found` (they are secrets)."""
    if isinstance(value, str):

        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in os.environ:
                raise ConfigError(f"{key}: environment variable {name} is not set")
            found.add(os.environ[name])
            return os.environ[name]

        return _ENV_REF.sub(sub, value)
    if isinstance(value, list):
        return [expand(v, f"{key}[{i}]", found) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: expand(v, f"{key}.{k}", found) for k, v in value.items()}
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
        value: str = self.get(name, str, default)
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
