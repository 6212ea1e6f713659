"""Helpers for the column-mapping tests: ERP tables whose column names the test chooses, and a potrack.toml for them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any


def write_table(path: Path, columns: Iterable[str], rows: Iterable[Mapping[str, Any]], table: str = "po_lines") -> None:
    """Replace a table of a SQLite ERP file with these rows; columns are named exactly as given (quoted, no type),
    and each row gives its values by those names (a missing one is NULL)."""
    columns = list(columns)
    con = sqlite3.connect(path)
    with con:
        con.execute(f'DROP TABLE IF EXISTS "{table}"')
        con.execute(f'CREATE TABLE "{table}" ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)})')
        con.executemany(
            f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(columns))})',
            [tuple(row.get(c) for c in columns) for row in rows],
        )
    con.close()


def renamed(row: Mapping[str, Any], names: Mapping[str, str], omit: Iterable[str] = ()) -> dict[str, Any]:
    """An erp_line row with some columns under other names (canonical → ERP name) and some left out."""
    left_out = set(omit)
    return {names.get(k, k): v for k, v in row.items() if k not in left_out}


def source_config(
    url: str,
    *,
    query: str = "SELECT * FROM po_lines",
    columns: str | None = None,
    custom: str | None = None,
    xref: str | None = None,
    name: str = "erp",
) -> str:
    """A potrack.toml with one sql source; `columns`, `custom` and `xref` are TOML inline tables, as a user writes
    them (e.g. columns='{ status = "StatusText" }')."""
    lines = [
        "[[sources]]",
        f'name = "{name}"',
        'kind = "sql"',
        f'url = "{url}"',
        f"query = '{query}'",
        "retry = { attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }",
    ]
    if columns is not None:
        lines.append(f"columns = {columns}")
    if custom is not None:
        lines.append(f"custom_columns = {custom}")
    if xref is not None:
        lines.append(f"xref = {xref}")
    return "\n".join(lines) + "\n"
