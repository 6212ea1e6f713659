"""Consistency checks after a run commits: mismatches are reported, never hidden."""

from __future__ import annotations

import sqlalchemy as sa

from potrack.store.models import ChangeEvent, PoLine


def check_run(conn: sa.Connection, source: str, run_id: int, expected_active: int) -> list[str]:
    """Problems found: change events pointing at no stored line, or an active-line count that is off."""
    problems = []
    orphans = conn.execute(
        sa.select(sa.func.count()).select_from(ChangeEvent)
        .outerjoin(PoLine, sa.and_(PoLine.source == ChangeEvent.source, PoLine.po_number == ChangeEvent.po_number,
                                   PoLine.line_number == ChangeEvent.line_number))
        .where(ChangeEvent.run_id == run_id, PoLine.id.is_(None))
    ).scalar_one()
    if orphans:
        problems.append(f"{orphans} change event(s) of run #{run_id} point at no stored line")
    active = conn.execute(
        sa.select(sa.func.count()).select_from(PoLine).where(PoLine.source == source, PoLine.active.is_(True))
    ).scalar_one()
    if active != expected_active:
        problems.append(f"{active} active lines stored for {source}, expected {expected_active} "
                        "(valid distinct keys of the snapshot plus protected rejected keys)")
    return problems
