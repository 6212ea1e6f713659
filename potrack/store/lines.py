"""Reads and bulk writes of the current PO lines (no per-row round trips)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from potrack.store.models import ChangeEvent, PoLine, ReceiptBatch, UnmappedCode

Key = tuple[str, int]
CHUNK = 500
WRITE_BATCH = 5000
LINE_COLUMNS = [c.name for c in PoLine.__table__.columns if c.name != "id"]


def active_digests(conn: sa.Connection, source: str) -> dict[Key, int]:
    """Key → digest of the source's active lines: the previous state the diff compares against."""
    result = conn.execute(
        sa.select(PoLine.po_number, PoLine.line_number, PoLine.digest)
        .where(PoLine.source == source, PoLine.active.is_(True))
    )
    return {(po, line): digest for po, line, digest in result}


def count_inactive(conn: sa.Connection, source: str) -> int:
    """How many stored lines of the source are inactive."""
    return int(conn.execute(
        sa.select(sa.func.count()).select_from(PoLine).where(PoLine.source == source, PoLine.active.is_(False))
    ).scalar_one())


def fetch_lines(conn: sa.Connection, source: str, keys: Iterable[Key]) -> dict[Key, dict[str, Any]]:
    """The stored rows of these keys (those that exist), looked up by PO in chunks."""
    wanted = set(keys)
    by_po: dict[str, set[int]] = defaultdict(set)
    for po, line in wanted:
        by_po[po].add(line)
    pos = sorted(by_po)
    found: dict[Key, dict[str, Any]] = {}
    for start in range(0, len(pos), CHUNK):
        rows = conn.execute(
            sa.select(PoLine.__table__).where(PoLine.source == source, PoLine.po_number.in_(pos[start : start + CHUNK]))
        ).mappings()
        for row in rows:
            key = (row["po_number"], row["line_number"])
            if key in wanted:
                found[key] = dict(row)
    return found


def _in_batches(conn: sa.Connection, stmt: sa.Executable, rows: Sequence[dict[str, Any]]) -> None:
    for start in range(0, len(rows), WRITE_BATCH):
        conn.execute(stmt, list(rows[start : start + WRITE_BATCH]))


def insert_lines(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert new lines (each row holds every column but id)."""
    _in_batches(conn, sa.insert(PoLine), rows)


def _by_key() -> sa.ColumnElement[bool]:
    return sa.and_(
        PoLine.source == sa.bindparam("k_source"),
        PoLine.po_number == sa.bindparam("k_po"),
        PoLine.line_number == sa.bindparam("k_line"),
    )


def update_lines(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Overwrite lines by key; each row holds k_source, k_po, k_line and the columns to set."""
    if not rows:
        return
    columns = [c for c in rows[0] if not c.startswith("k_")]
    stmt = sa.update(PoLine).where(_by_key()).values({c: sa.bindparam(c) for c in columns})
    _in_batches(conn, stmt, rows)


def deactivate_lines(conn: sa.Connection, source: str, keys: Sequence[Key], run_id: int) -> None:
    """Mark lines inactive (removed from the ERP's active set)."""
    rows = [{"k_source": source, "k_po": po, "k_line": line} for po, line in keys]
    stmt = sa.update(PoLine).where(_by_key()).values(active=False, last_changed_run_id=run_id)
    _in_batches(conn, stmt, rows)


def insert_events(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert change events."""
    _in_batches(conn, sa.insert(ChangeEvent), rows)


def insert_batches(conn: sa.Connection, rows: Sequence[dict[str, Any]]) -> None:
    """Insert reconstructed receipt batches."""
    _in_batches(conn, sa.insert(ReceiptBatch), rows)


def insert_unmapped(conn: sa.Connection, run_id: int, counts: dict[str, int]) -> None:
    """Insert a run's unmapped item codes with their line counts."""
    rows = [{"run_id": run_id, "item_code": code, "line_count": n} for code, n in sorted(counts.items())]
    _in_batches(conn, sa.insert(UnmappedCode), rows)
