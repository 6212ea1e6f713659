"""Reads and bulk writes of the current PO lines (no per-row round trips)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa

from potrack.fields import FIELDS, custom_key
from potrack.store.bulk import BulkStatement, insert_into, raw_rows, update_where
from potrack.store.models import ChangeEvent, PoLine, ReceiptBatch, UnmappedCode

Key = tuple[str, int]
CHUNK = 500
WRITE_BATCH = 5000


@dataclass(frozen=True)
class StoredState:
    """What the diff starts from: key → digest of the source's active lines, and whether any are inactive."""

    digests: dict[Key, int]
    has_inactive: bool


def open_quantity() -> sa.ColumnElement[Any]:
    """SQL: what is still to be received on a line now (0 once it is received in full or no longer active)."""
    still_open = sa.and_(PoLine.active == sa.true(), PoLine.quantity_ordered > PoLine.quantity_received)
    return sa.case((still_open, PoLine.quantity_ordered - PoLine.quantity_received), else_=0.0)


def stored_state_statement(dialect: sa.Dialect) -> BulkStatement:
    """The SELECT of a source's keys, digests and active flags, compiled for the dialect."""
    stmt = sa.select(PoLine.po_number, PoLine.line_number, PoLine.digest, PoLine.active).where(
        PoLine.source == sa.bindparam("source")
    )
    return BulkStatement(dialect, stmt, ["source"], {"source": PoLine.source.type})


def stored_state(conn: sa.Connection, source: str) -> StoredState:
    """Read the source's stored lines once (a million rows: through the driver's cursor, not Result rows)."""
    digests: dict[Key, int] = {}
    has_inactive = False
    for batch in stored_state_statement(conn.dialect).fetch(conn, (source,)):
        active = {(po, line): digest for po, line, digest, is_active in batch if is_active}
        has_inactive = has_inactive or len(active) < len(batch)  # keys are unique, so the rest are inactive
        digests.update(active)
    return StoredState(digests, has_inactive)


STORED_COLUMNS = ["po_number", "line_number", *FIELDS, "internal_part_id", "custom", "received_decreased"]
# What a line written over as a whole needs of its stored row (a re-baseline's lines, reappearing keys): receipts.
RECEIPT_COLUMNS = ["po_number", "line_number", "quantity_received", "received_decreased"]


def lines_of_pos(source: str, pos: list[str], columns: list[str] = STORED_COLUMNS) -> sa.Select[Any]:
    """These columns (the key's first) of every line of these POs of a source."""
    table = PoLine.__table__
    return sa.select(*[table.c[n] for n in columns]).where(table.c.source == source, table.c.po_number.in_(pos))


def stored_custom(value: str | dict[str, Any] | None) -> dict[str, Any]:
    """A line's stored custom values by normalised name (JSON text from drivers that leave it so; a store written
    before names were normalised holds the configured spelling)."""
    if not value:
        return {}
    values = json.loads(value) if isinstance(value, str) else value
    return {custom_key(name): v for name, v in values.items()}


def fetch_lines(
    conn: sa.Connection, source: str, keys: Iterable[Key], columns: list[str] = STORED_COLUMNS
) -> dict[Key, dict[str, Any]]:
    """These columns (STORED_COLUMNS: all the diff needs; RECEIPT_COLUMNS) of these keys' stored lines (those that
    exist), looked up by PO in chunks.

    Rows come straight from the driver: dates may be ISO text (SQLite) or dates, which compare the
    same once formatted; custom values are parsed from JSON text when the driver leaves them as text.
    """
    wanted = set(keys)
    pos = sorted({po for po, _line in wanted})
    found: dict[Key, dict[str, Any]] = {}
    for start in range(0, len(pos), CHUNK):
        for row in raw_rows(conn, lines_of_pos(source, pos[start : start + CHUNK], columns)):
            key = (row[0], row[1])
            if key in wanted:
                values = dict(zip(columns, row, strict=True))
                if "custom" in values:
                    values["custom"] = stored_custom(values["custom"])
                found[key] = values
    return found


LINE_VALUE_COLUMNS = [*FIELDS, "internal_part_id", "custom", "digest", "received_decreased"]
INSERT_COLUMNS = [
    "source",
    "po_number",
    "line_number",
    *LINE_VALUE_COLUMNS,
    "first_seen_run_id",
    "last_changed_run_id",
    "active",
]
UPDATE_COLUMNS = [*LINE_VALUE_COLUMNS, "last_changed_run_id", "active"]
KEY_COLUMNS = ["source", "po_number", "line_number"]
EVENT_COLUMNS = ["run_id", "source", "po_number", "line_number", "kind", "field", "old_value", "new_value"]
BATCH_COLUMNS = ["run_id", "source", "po_number", "line_number", "quantity", "cumulative_received", "received_at"]


class LineWriter:
    """The bulk statements of one run's commit, compiled once for the store's dialect.

    Rows are tuples: INSERT_COLUMNS for inserts; UPDATE_COLUMNS then KEY_COLUMNS for updates;
    digest then KEY_COLUMNS for refreshes; active, last_changed_run_id then KEY_COLUMNS for
    deactivations; EVENT_COLUMNS and BATCH_COLUMNS for events and batches.
    """

    def __init__(self, dialect: sa.Dialect) -> None:
        lines = cast(sa.Table, PoLine.__table__)  # (declarative classes type __table__ as a FromClause)
        self.insert = insert_into(dialect, lines, INSERT_COLUMNS)
        self.update = update_where(dialect, lines, UPDATE_COLUMNS, KEY_COLUMNS)
        self.refresh = update_where(dialect, lines, ["digest"], KEY_COLUMNS)
        self.deactivate = update_where(dialect, lines, ["active", "last_changed_run_id"], KEY_COLUMNS)
        self.events = insert_into(dialect, cast(sa.Table, ChangeEvent.__table__), EVENT_COLUMNS)
        self.batches = insert_into(dialect, cast(sa.Table, ReceiptBatch.__table__), BATCH_COLUMNS)


def insert_unmapped(conn: sa.Connection, run_id: int, counts: dict[str, int]) -> None:
    """Insert a run's unmapped item codes with their line counts."""
    rows = [{"run_id": run_id, "item_code": code, "line_count": n} for code, n in sorted(counts.items())]
    for start in range(0, len(rows), WRITE_BATCH):
        conn.execute(sa.insert(UnmappedCode), rows[start : start + WRITE_BATCH])
