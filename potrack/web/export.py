"""CSV export of a run's changed lines."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from potrack.store.queries import get_run, iter_changes

HEADER = ("run_id", "source", "po_number", "line_number", "change", "field", "old_value", "new_value")


def changes_csv(conn: sa.Connection, run_id: int) -> str | None:
    """A run's change events as CSV text with a header, one row per event; None when the run does not exist."""
    run = get_run(conn, run_id)
    if run is None:
        return None
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for c in iter_changes(conn, run_id):
        writer.writerow(
            (
                run_id,
                run.source,
                c.po_number,
                c.line_number,
                c.kind,
                c.field or "",
                c.old_value or "",
                c.new_value or "",
            )
        )
    return out.getvalue()
