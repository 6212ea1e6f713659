"""Stage 6, custom columns: the configured extra columns, typed and stored per line."""

from __future__ import annotations

import datetime as dt
from typing import Any

from potrack.pipeline.validate import Line


def count_values(line: Line) -> int:
    """How many custom values of a line are not null."""
    return len(line.custom) - line.custom.count(None)


def count_stored(custom: dict[str, Any] | None, names: tuple[str, ...]) -> int:
    """How many of the configured custom values a stored line holds."""
    return sum(custom.get(n) is not None for n in names) if custom else 0


def custom_json(names: tuple[str, ...], values: tuple[Any, ...]) -> dict[str, Any] | None:
    """Custom values as stored on the line: typed JSON (numbers as numbers, dates as ISO text)."""
    out = {n: (v.isoformat() if isinstance(v, dt.date) else v) for n, v in zip(names, values) if v is not None}
    return out or None
