"""Consistency checks after a run commits: mismatches are reported, never hidden."""

from __future__ import annotations

import sqlalchemy as sa

from potrack.store.models import ChangeEvent, PoLine, ReceiptBatch

BATCH_TOLERANCE = 1e-6  # quantities are stored at 6 decimal places
SHOWN_LINES = 5


def check_run(conn: sa.Connection, source: str, run_id: int, expected_active: int | None) -> list[str]:
    """Problems found: change events pointing at no stored line, an active-line count that is off (unless
    `expected_active` is None), lines of the run whose receipt batches do not add up to their received quantity."""
    problems = []
    orphans = conn.execute(
        sa.select(sa.func.count())
        .select_from(ChangeEvent)
        .outerjoin(
            PoLine,
            sa.and_(
                PoLine.source == ChangeEvent.source,
                PoLine.po_number == ChangeEvent.po_number,
                PoLine.line_number == ChangeEvent.line_number,
            ),
        )
        .where(ChangeEvent.run_id == run_id, PoLine.id.is_(None))
    ).scalar_one()
    if orphans:
        problems.append(f"{orphans} change event(s) of run #{run_id} point at no stored line")
    if expected_active is not None:
        active = conn.execute(
            sa.select(sa.func.count()).select_from(PoLine).where(PoLine.source == source, PoLine.active == sa.true())
        ).scalar_one()
        if active != expected_active:
            problems.append(
                f"{active} active lines stored for {source}, expected {expected_active} "
                "(valid distinct keys of the snapshot plus protected rejected keys)"
            )
    problems.extend(batch_sum_problems(conn, source, run_id))
    return problems


def batch_sum_problems(conn: sa.Connection, source: str, run_id: int) -> list[str]:
    """The invariant of receipt batches, on the lines the run wrote: for a line whose quantity_received never
    fell, its batches add up to it (a reappearing line or a re-baseline must not record a receipt twice)."""
    total = sa.func.coalesce(sa.func.sum(ReceiptBatch.quantity), 0.0)
    off = conn.execute(
        sa.select(PoLine.po_number, PoLine.line_number, PoLine.quantity_received, total.label("batched"))
        .select_from(PoLine)
        .outerjoin(
            ReceiptBatch,
            sa.and_(
                ReceiptBatch.source == PoLine.source,
                ReceiptBatch.po_number == PoLine.po_number,
                ReceiptBatch.line_number == PoLine.line_number,
            ),
        )
        .where(PoLine.source == source, PoLine.last_changed_run_id == run_id, PoLine.received_decreased == sa.false())
        .group_by(PoLine.id, PoLine.po_number, PoLine.line_number, PoLine.quantity_received)
        .having(sa.func.abs(total - PoLine.quantity_received) > BATCH_TOLERANCE)
        .order_by(PoLine.po_number, PoLine.line_number)
    ).all()
    if not off:
        return []
    shown = ", ".join(
        f"{po}/{line}: batches {batched:g}, received {received:g}" for po, line, received, batched in off[:SHOWN_LINES]
    )
    return [
        f"{len(off)} line(s) whose received quantity never fell have receipt batches that do not add up to "
        f"it ({shown}{' …' if len(off) > SHOWN_LINES else ''})"
    ]
