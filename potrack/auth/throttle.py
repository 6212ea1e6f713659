"""The sign-in throttle: at most 5 attempts of one user name from one address are checked within a minute.

An attempt is claimed before its password is checked: under a store lock on the name and address, the recent
attempts are counted and one is added only while fewer than 5 are there. The rows are in the store, so every
thread and worker process counts the same ones, and a burst of parallel attempts gets 5 checked, never more.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.store.locks import lock_for_transaction
from potrack.store.models import LoginFailure

MAX_ATTEMPTS = 5
WINDOW = dt.timedelta(minutes=1)
KEPT = 10 * WINDOW  # attempts older than this are deleted (they no longer count)
# Every delete of attempt rows holds this lock, so two deletes never wait on each other's rows.
_DELETE_LOCK = "login-attempts-delete"


def _key(name: str, address: str) -> tuple[str, str]:
    return name.strip().lower()[:100], address[:64]


def claim_attempt(engine: sa.Engine, name: str, address: str) -> bool:
    """Count one sign-in attempt of this name from this address, unless 5 were counted within a minute.

    True: the attempt may check its password. False: refused for now (nothing is counted).
    """
    user, addr = _key(name, address)
    now = utcnow()
    with engine.begin() as conn:
        # A row lock cannot guard the count of rows not inserted yet: lock the name and address instead.
        lock_for_transaction(conn, f"login:{user}:{addr}")
        recent = conn.execute(
            sa.select(sa.func.count())
            .select_from(LoginFailure)
            .where(LoginFailure.user_name == user, LoginFailure.address == addr, LoginFailure.at > now - WINDOW)
        ).scalar_one()
        if recent >= MAX_ATTEMPTS:
            return False
        conn.execute(sa.insert(LoginFailure).values(user_name=user, address=addr, at=now))
    return True


def forget_old(engine: sa.Engine) -> None:
    """Delete attempts too old to count, of every name and address."""
    with engine.begin() as conn:
        lock_for_transaction(conn, _DELETE_LOCK)
        conn.execute(sa.delete(LoginFailure).where(LoginFailure.at < utcnow() - KEPT))


def clear(engine: sa.Engine, name: str, address: str) -> None:
    """Forget the attempts of a name and address after a successful sign-in."""
    user, addr = _key(name, address)
    with engine.begin() as conn:
        lock_for_transaction(conn, _DELETE_LOCK)
        conn.execute(sa.delete(LoginFailure).where(LoginFailure.user_name == user, LoginFailure.address == addr))
