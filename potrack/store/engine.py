"""Creates the store's engine and brings its schema up to date with Alembic."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from potrack.store.locks import lock_for_transaction

MIGRATIONS = Path(__file__).parent / "migrations"


def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(url: str) -> sa.Engine:
    """An engine for the store; SQLite gets WAL, a busy timeout and foreign keys."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(u, connect_args={"timeout": 30, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(u, pool_pre_ping=True)


def alembic_config(engine: sa.Engine) -> Config:
    """Alembic configuration pointing at potrack's migrations and this engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: sa.Engine) -> str | None:
    """The store's schema revision, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine) -> None:
    """Apply every pending migration."""
    command.upgrade(alembic_config(engine), "head")


def ensure_schema(engine: sa.Engine) -> None:
    """Upgrade the store when it is not at the newest revision (a fresh one included).

    The check and the upgrade hold the store's schema lock: app instances starting together on a new
    store migrate it once, the others wait and find it at the newest revision.
    """
    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    if current_revision(engine) == head:
        return
    with engine.begin() as conn:
        lock_for_transaction(conn, "schema")
        if MigrationContext.configure(conn).get_current_revision() != head:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
