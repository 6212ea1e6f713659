"""Writes audit events. The table is append-only: this module only ever inserts."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.redact import scrub
from potrack.store.models import AuditEvent

SEVERITIES = ("info", "warning", "error")


def record(
    conn: sa.Connection,
    event_type: str,
    message: str,
    *,
    severity: str = "info",
    source: str | None = None,
    run_id: int | None = None,
    actor: str = "system",
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event, with secrets scrubbed from its message."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}, got {severity!r}")
    conn.execute(
        sa.insert(AuditEvent).values(
            at=utcnow(), severity=severity, event_type=event_type, source=source, run_id=run_id,
            actor=actor, message=scrub(message)[:1000], details=details,
        )
    )
