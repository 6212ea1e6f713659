"""When the newest run was queued: where the history ends (the date pickers open on its month)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from potrack.store.models import Run


def newest_queued_at(conn: sa.Connection) -> dt.datetime | None:
    """When the newest run of any source was queued (None on an empty store); read from ix_runs_queued_status."""
    return conn.execute(sa.select(sa.func.max(Run.queued_at))).scalar()
