"""Leases: named claims in the store that expire unless renewed, so several app instances agree on who does what.

Taking a lease is a conditional UPDATE (the holder's own lease, or an expired one) and, for a name never
taken, an INSERT that the primary key lets only one instance win — the same on SQLite, PostgreSQL and
SQL Server, with no lock held between calls.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import socket
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store.models import Lease

SCHEDULER = "scheduler"
INSTANCE_PREFIX = "instance:"


@dataclass(frozen=True)
class Holding:
    """Who holds a lease and until when."""

    name: str
    holder: str
    acquired_at: dt.datetime
    expires_at: dt.datetime


def new_instance_id() -> str:
    """An id for this app process: host, pid and a random part (a restarted process with the same pid differs)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def instance_lease(instance_id: str) -> str:
    """The name of the lease an app instance renews while it is alive."""
    return f"{INSTANCE_PREFIX}{instance_id}"


def acquire(engine: sa.Engine, name: str, holder: str, ttl: dt.timedelta) -> bool:
    """Take or renew a lease for `ttl`; False when another holder has it and it has not expired."""
    now = utcnow()
    with engine.begin() as conn:
        renewed = conn.execute(
            sa.update(Lease)
            .where(Lease.name == name, sa.or_(Lease.holder == holder, Lease.expires_at < now))
            .values(
                holder=holder,
                renewed_at=now,
                expires_at=now + ttl,
                acquired_at=sa.case((Lease.holder == holder, Lease.acquired_at), else_=now),
            )
        ).rowcount
    if renewed:
        return True
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.insert(Lease).values(name=name, holder=holder, acquired_at=now, renewed_at=now, expires_at=now + ttl)
            )
    except sa.exc.IntegrityError:  # another instance holds it, or inserted it first
        return False
    return True


def holds(engine: sa.Engine, name: str, holder: str) -> bool:
    """Whether `holder` has the lease now (read at the moment of asking, not remembered)."""
    with engine.connect() as conn:
        return (
            conn.execute(
                sa.select(Lease.name).where(Lease.name == name, Lease.holder == holder, Lease.expires_at >= utcnow())
            ).first()
            is not None
        )


def release(engine: sa.Engine, name: str, holder: str) -> None:
    """Give a lease up at once (a clean shutdown), so another instance need not wait for it to expire."""
    with engine.begin() as conn:
        conn.execute(sa.delete(Lease).where(Lease.name == name, Lease.holder == holder))


def holding(engine: sa.Engine, name: str) -> Holding | None:
    """The current holder of a lease, or None when nobody holds it."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Lease.name, Lease.holder, Lease.acquired_at, Lease.expires_at).where(
                Lease.name == name, Lease.expires_at >= utcnow()
            )
        ).first()
    return Holding(*row) if row else None


def live_instances(engine: sa.Engine) -> list[Holding]:
    """The app instances whose sign of life has not expired, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(Lease.name, Lease.holder, Lease.acquired_at, Lease.expires_at)
            .where(Lease.name.startswith(INSTANCE_PREFIX), Lease.expires_at >= utcnow())
            .order_by(Lease.acquired_at, Lease.name)
        ).all()
    return [Holding(*row) for row in rows]


def forget_dead_instances(engine: sa.Engine, older_than: dt.timedelta) -> int:
    """Delete instance leases expired for longer than `older_than` (each restart leaves one)."""
    with engine.begin() as conn:
        return conn.execute(
            sa.delete(Lease).where(Lease.name.startswith(INSTANCE_PREFIX), Lease.expires_at < utcnow() - older_than)
        ).rowcount
