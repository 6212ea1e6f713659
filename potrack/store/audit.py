"""Audit events: appended here and listed for the audit page and API. Nothing updates or deletes one
(and a database trigger rejects it: migration 0003)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.redact import scrub
from potrack.store.models import AuditEvent
from potrack.store.paging import Paged, clamp_page

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
            at=utcnow(),
            severity=severity,
            event_type=event_type,
            source=source,
            run_id=run_id,
            actor=actor,
            message=scrub(message)[:1000],
            details=details,
        )
    )


@dataclass(frozen=True)
class AuditFilter:
    """Which audit events to list: of some types and severities, of a source, at in [since, until) (UTC)."""

    event_types: tuple[str, ...] = ()
    severities: tuple[str, ...] = ()
    source: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def where(self) -> list[sa.ColumnElement[bool]]:
        """The filter as SQL conditions on audit_events."""
        conditions: list[sa.ColumnElement[bool]] = []
        if self.event_types:
            conditions.append(AuditEvent.event_type.in_(self.event_types))
        if self.severities:
            conditions.append(AuditEvent.severity.in_(self.severities))
        if self.source:
            conditions.append(AuditEvent.source == self.source)
        if self.since is not None:
            conditions.append(AuditEvent.at >= self.since)
        if self.until is not None:
            conditions.append(AuditEvent.at < self.until)
        return conditions


@dataclass(frozen=True)
class AuditEntry:
    """One audit event as listed."""

    id: int
    at: dt.datetime
    severity: str
    event_type: str
    source: str | None
    run_id: int | None
    actor: str
    message: str
    details: dict[str, Any] | None


@dataclass(frozen=True)
class AuditPage(Paged):
    """One page of audit events, newest first, and how many match in all."""

    events: list[AuditEntry]
    total: int
    page: int
    per_page: int


def list_events(conn: sa.Connection, flt: AuditFilter, page: int = 1, per_page: int = 50) -> AuditPage:
    """A page of the audit events matching a filter, newest first."""
    where = flt.where()
    total = conn.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(*where)).scalar_one()
    page = clamp_page(page, total, per_page)
    rows = conn.execute(
        sa.select(
            AuditEvent.id,
            AuditEvent.at,
            AuditEvent.severity,
            AuditEvent.event_type,
            AuditEvent.source,
            AuditEvent.run_id,
            AuditEvent.actor,
            AuditEvent.message,
            AuditEvent.details,
        )
        .where(*where)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return AuditPage([AuditEntry(*r) for r in rows], total, page, per_page)


def event_types(conn: sa.Connection) -> list[str]:
    """The event types that occur in the log, by name."""
    return list(conn.execute(sa.select(AuditEvent.event_type).distinct().order_by(AuditEvent.event_type)).scalars())
