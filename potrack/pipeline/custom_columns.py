"""Stage 6, custom columns: the configured extra columns, typed and stored per line."""

from __future__ import annotations

import json
from typing import Any

from potrack.pipeline.validate import Line


def count_values(line: Line) -> int:
    """How many custom values of a line are not null."""
    return len(line.custom) - line.custom.count(None)


def count_stored(custom: dict[str, Any] | None, names: tuple[str, ...]) -> int:
    """How many of the configured custom values a stored line holds."""
    return sum(custom.get(n) is not None for n in names) if custom else 0


_JSON: dict[tuple[tuple[str, ...], tuple[Any, ...]], str | None] = {}  # custom values repeat across lines
_JSON_MAX = 100_000


def custom_json(names: tuple[str, ...], values: tuple[Any, ...]) -> str | None:
    """Custom values as stored on the line: JSON text of the non-null values (numbers as numbers, dates as ISO)."""
    key = (names, values)
    text = _JSON.get(key)
    if text is None and key not in _JSON:
        out = {n: v for n, v in zip(names, values, strict=True) if v is not None}
        text = json.dumps(out) if out else None
        if len(_JSON) >= _JSON_MAX:
            _JSON.clear()
        _JSON[key] = text
    return text
