"""Read-only views of the store for the tests (typed: dates as dates, JSON decoded), and raw rows of any query."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from potrack.store.models import AuditEvent, ChangeEvent, FailedRow, PoLine, ReceiptBatch, Run, UnmappedCode

METRICS = (
    "lines_processed",
    "lines_new",
    "lines_changed",
    "lines_removed",
    "change_events",
    "batches_reconstructed",
    "custom_values",
    "xref_gaps",
    "errors",
    "retry_attempts",
)


def metrics(report: dict[str, Any]) -> dict[str, int]:
    """The run metrics of a `--json` report (or a run row), by name."""
    return {name: report[name] for name in METRICS}


def expect(**values: int) -> dict[str, int]:
    """Every metric: 0 unless given."""
    unknown = set(values) - set(METRICS)
    assert not unknown, f"not metrics: {unknown}"
    return {name: values.get(name, 0) for name in METRICS}


def lines(engine: sa.Engine, source: str = "erp") -> dict[tuple[str, int], dict[str, Any]]:
    """Every stored line of a source (active or not) by key."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(PoLine.__table__).where(PoLine.source == source)).mappings().all()
    return {(r["po_number"], r["line_number"]): dict(r) for r in rows}


def active_keys(engine: sa.Engine, source: str = "erp") -> set[tuple[str, int]]:
    return {k for k, r in lines(engine, source).items() if r["active"]}


def events(engine: sa.Engine, run_id: int) -> list[tuple[str, int, str, str | None, str | None, str | None]]:
    """(po, line, kind, field, old, new) of a run's change events, sorted."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                ChangeEvent.po_number,
                ChangeEvent.line_number,
                ChangeEvent.kind,
                ChangeEvent.field,
                ChangeEvent.old_value,
                ChangeEvent.new_value,
            ).where(ChangeEvent.run_id == run_id)
        ).all()
    return sorted((tuple(r) for r in rows), key=lambda t: tuple("" if v is None else str(v) for v in t))


def all_events(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(ChangeEvent.__table__).order_by(ChangeEvent.id)).all()]


def batches(engine: sa.Engine, run_id: int) -> list[tuple[str, int, float, float]]:
    """(po, line, quantity, cumulative_received) of a run's receipt batches, sorted."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                ReceiptBatch.po_number,
                ReceiptBatch.line_number,
                ReceiptBatch.quantity,
                ReceiptBatch.cumulative_received,
            ).where(ReceiptBatch.run_id == run_id)
        ).all()
    return sorted(tuple(r) for r in rows)


def all_batches(engine: sa.Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.select(ReceiptBatch.__table__).order_by(ReceiptBatch.id)).all()]


def unmapped(engine: sa.Engine, run_id: int) -> dict[str, int]:
    """item_code → line_count of a run's unmapped codes."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(UnmappedCode.item_code, UnmappedCode.line_count).where(UnmappedCode.run_id == run_id)
        ).all()
    return dict(rows)


def run_row(engine: sa.Engine, run_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(Run.__table__).where(Run.id == run_id)).mappings().one())


def failed_rows(engine: sa.Engine, run_id: int) -> list[dict[str, Any]]:
    """A run's failed rows with raw_data decoded, ordered by row key then error."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(FailedRow.__table__).where(FailedRow.run_id == run_id)).mappings().all()
    out = [{**r, "raw": json.loads(r["raw_data"])} for r in rows]
    return sorted(out, key=lambda r: (r["row_key"] or "", r["error"]))


def audit_events(engine: sa.Engine, run_id: int | None = None) -> list[dict[str, Any]]:
    stmt = sa.select(AuditEvent.__table__).order_by(AuditEvent.id)
    if run_id is not None:
        stmt = stmt.where(AuditEvent.run_id == run_id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def store_rows(engine: sa.Engine, sql: str, **params: Any) -> list[dict[str, Any]]:
    """Rows of a read-only query on the store, as dicts."""
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def json_value(value: Any) -> Any:
    """A JSON column's value as read back: SQLite returns the text, PostgreSQL the decoded value."""
    return json.loads(value) if isinstance(value, str) else value
