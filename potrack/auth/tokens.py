"""API bearer tokens: created once (printed, never stored in clear), looked up by hash, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.auth.roles import Actor, check_role
from potrack.auth.users import UserError
from potrack.clock import utcnow
from potrack.store import audit
from potrack.store.models import ApiToken

PREFIX = "pot_"


@dataclass(frozen=True)
class TokenRow:
    """A token as listed (never its value)."""

    id: int
    name: str
    role: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(engine: sa.Engine, name: str, role: str, actor: str = "cli") -> str:
    """Create a token and return its value (the only time it is known)."""
    try:
        check_role(role)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    token = PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        if conn.execute(sa.select(ApiToken.id).where(ApiToken.name == name)).first() is not None:
            raise UserError(f"a token named {name!r} already exists")
        conn.execute(sa.insert(ApiToken).values(name=name, role=role, token_hash=_hash(token), created_at=utcnow()))
        audit.record(
            conn,
            "token.created",
            f"API token {name} created with role {role}",
            actor=actor,
            details={"token": name, "role": role},
        )
    return token


def revoke_token(engine: sa.Engine, name: str, actor: str = "cli") -> None:
    """Revoke a token: it is refused from now on."""
    with engine.begin() as conn:
        done = conn.execute(
            sa.update(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow())
        ).rowcount
        if done != 1:
            raise UserError(f"there is no active token named {name!r}")
        audit.record(conn, "token.revoked", f"API token {name} revoked", actor=actor, details={"token": name})


def list_tokens(conn: sa.Connection) -> list[TokenRow]:
    """Every token, by name."""
    rows = conn.execute(
        sa.select(ApiToken.id, ApiToken.name, ApiToken.role, ApiToken.created_at, ApiToken.revoked_at).order_by(
            ApiToken.name
        )
    )
    return [TokenRow(*r) for r in rows]


def actor_for_token(conn: sa.Connection, token: str) -> Actor | None:
    """The actor of a valid, unrevoked token, or None."""
    row = conn.execute(
        sa.select(ApiToken.name, ApiToken.role).where(
            ApiToken.token_hash == _hash(token), ApiToken.revoked_at.is_(None)
        )
    ).first()
    return None if row is None else Actor(row.name, row.role, kind="token")
