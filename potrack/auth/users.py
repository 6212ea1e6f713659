"""Dashboard users: add, list, change role, disable, check a password; the first admin on a fresh store."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from potrack.auth.roles import check_role
from potrack.clock import utcnow
from potrack.store import audit
from potrack.store.locks import lock_for_transaction
from potrack.store.models import User

FIRST_ADMIN = "admin"
MIN_PASSWORD = 8
# Checked when the user name is unknown, so a wrong name costs as long as a wrong password: a hash of "not a
# password" made once with werkzeug's default method (scrypt, the parameters of every stored hash) and kept here,
# because making it cost every process that imports this module a scrypt run at start-up.
_DUMMY_HASH = (
    "scrypt:32768:8:1$qDInS5CBupIMHBMC$aa1211e7fb679be37ac707efaf4d6e67660fc34bc047bd326f93b2a05e9a75740dba45ebd8f6c8"
    "d7d438396759ef797fa5f36b7c8396747be7971169d99dd6db"
)


class UserError(ValueError):
    """A user command that cannot be carried out (unknown user, taken name, weak password)."""


@dataclass(frozen=True)
class UserRow:
    """A user as listed (no password hash)."""

    id: int
    name: str
    role: str
    disabled: bool
    created_at: dt.datetime


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")
    return password


def add_user(engine: sa.Engine, name: str, role: str, password: str, actor: str = "cli") -> int:
    """Create a user; UserError when the name is taken or the password too short."""
    name = name.strip()
    if not name:
        raise UserError("the user name is empty")
    try:
        check_role(role)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    digest = generate_password_hash(check_password(password))
    with engine.begin() as conn:
        if conn.execute(sa.select(User.id).where(User.name == name)).first() is not None:
            raise UserError(f"a user named {name!r} already exists")
        return _insert_user(conn, name, role, digest, actor)


def _insert_user(conn: sa.Connection, name: str, role: str, digest: str, actor: str) -> int:
    user_id = conn.execute(
        sa.insert(User)
        .values(name=name, role=role, password_hash=digest, disabled=False, created_at=utcnow())
        .returning(User.id)
    ).scalar_one()
    audit.record(
        conn, "user.added", f"user {name} added with role {role}", actor=actor, details={"user": name, "role": role}
    )
    return int(user_id)


def list_users(conn: sa.Connection) -> list[UserRow]:
    """Every user, by name."""
    rows = conn.execute(sa.select(User.id, User.name, User.role, User.disabled, User.created_at).order_by(User.name))
    return [UserRow(*r) for r in rows]


def get_user(conn: sa.Connection, user_id: int) -> UserRow | None:
    """One user by id, or None."""
    row = conn.execute(
        sa.select(User.id, User.name, User.role, User.disabled, User.created_at).where(User.id == user_id)
    ).first()
    return None if row is None else UserRow(*row)


def _change(engine: sa.Engine, name: str, values: dict[str, object], event: str, message: str, actor: str) -> None:
    with engine.begin() as conn:
        if conn.execute(sa.update(User).where(User.name == name).values(**values)).rowcount != 1:
            raise UserError(f"there is no user named {name!r}")
        audit.record(conn, event, message, actor=actor, details={"user": name, **values})


def set_role(engine: sa.Engine, name: str, role: str, actor: str = "cli") -> None:
    """Give a user another role."""
    try:
        check_role(role)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    _change(engine, name, {"role": role}, "user.role_changed", f"user {name} now has role {role}", actor)


def disable_user(engine: sa.Engine, name: str, actor: str = "cli") -> None:
    """Stop a user from signing in (their open sessions end at their next request)."""
    _change(engine, name, {"disabled": True}, "user.disabled", f"user {name} disabled", actor)


def authenticate(conn: sa.Connection, name: str, password: str) -> UserRow | None:
    """The enabled user with this name and password, or None."""
    row = conn.execute(sa.select(User.id, User.password_hash, User.disabled).where(User.name == name)).first()
    if row is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password) or row.disabled:
        return None
    return get_user(conn, row.id)


def ensure_first_admin(engine: sa.Engine, password: str | None) -> str | None:
    """On a store with no users, create `admin`; returns the generated password (None when given or not needed).

    The check and the insert hold the store's lock: of app instances starting together on a new store, one
    creates the user (and prints its password), the others find it.
    """
    with engine.connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(User)).scalar_one():
            return None
    generated = None if password else secrets.token_urlsafe(12)
    digest = generate_password_hash(check_password(password or generated or ""))
    with engine.begin() as conn:
        lock_for_transaction(conn, "first-admin")
        if conn.execute(sa.select(sa.func.count()).select_from(User)).scalar_one():
            return None
        _insert_user(conn, FIRST_ADMIN, "admin", digest, "system")
    return generated
