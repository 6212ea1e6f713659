"""The sign-in throttle: after 5 failures of one user name from one address within a minute, refuse for a minute.

Failures are rows in the store, so every worker process counts the same ones.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store.models import LoginFailure

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=1)


def _key(name: str, address: str) -> tuple[str, str]:
    return name.strip().lower()[:100], address[:64]


def is_locked(conn: sa.Connection, name: str, address: str) -> bool:
    """Whether sign-in for this name from this address is refused right now."""
    user, addr = _key(name, address)
    recent = conn.execute(sa.select(sa.func.count()).select_from(LoginFailure).where(
        LoginFailure.user_name == user, LoginFailure.address == addr, LoginFailure.at > utcnow() - WINDOW)).scalar_one()
    return recent >= MAX_FAILURES


def record_failure(engine: sa.Engine, name: str, address: str) -> None:
    """Count one failed sign-in, and forget failures too old to matter."""
    user, addr = _key(name, address)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(sa.delete(LoginFailure).where(LoginFailure.at < now - 10 * WINDOW))
        conn.execute(sa.insert(LoginFailure).values(user_name=user, address=addr, at=now))


def clear(engine: sa.Engine, name: str, address: str) -> None:
    """Forget the failures of a name and address after a successful sign-in."""
    user, addr = _key(name, address)
    with engine.begin() as conn:
        conn.execute(sa.delete(LoginFailure).where(LoginFailure.user_name == user, LoginFailure.address == addr))
