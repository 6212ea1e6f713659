"""Creates the store's engine and brings its schema up to date with Alembic, or writes the migrations as SQL for a
database administrator to apply (offline, for a dialect, no server needed)."""

from __future__ import annotations

import io
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import DBAPIConnection, DBAPICursor

from potrack import owner_only
from potrack.store.locks import lock_for_transaction

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic (and every migration with it) is loaded only when the schema must change or be written out: a store at
# the newest revision, the nightly case, is told from the version files' names and one read (issue 17's start-up).
MIGRATIONS = Path(__file__).parent / "migrations"
VERSIONS = MIGRATIONS / "versions"
# Alembic's version table, as its default configuration (migrations/env.py) creates it.
ALEMBIC_VERSION = sa.table("alembic_version", sa.column("version_num", sa.String))
OFFLINE_DIALECTS = ("mssql", "postgresql", "sqlite")
# The oldest SQL Server potrack supports, 2016 (13.x): filtered indexes, THROW in triggers, OFFSET ... FETCH,
# DATE and VARCHAR(max). SQL written without a server is written for it.
SQL_SERVER_VERSION = (13, 0)
SQLITE_BUSY_S = 30  # how long a SQLite connection waits for another's lock


def _sqlite_pragmas(dbapi_conn: DBAPIConnection, _record: object) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_S * 1000}")
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _write_ahead_log(cursor: DBAPICursor) -> None:
    """Put the store in WAL mode (kept in its file). Switching a new store's mode does not wait for a connection of
    another instance switching it at the same moment (SQLite answers "database is locked" at once): try again."""
    deadline = time.monotonic() + SQLITE_BUSY_S
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def make_engine(url: str) -> sa.Engine:
    """An engine for the store; SQLite gets WAL, a busy timeout and foreign keys."""
    u = sa.engine.make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            # Created here, before SQLite would create it with the umask's mode (0644): owner only. Its -wal
            # and -shm files take the store's mode.
            owner_only.create_file(Path(u.database))
        engine = sa.create_engine(u, connect_args={"timeout": SQLITE_BUSY_S, "check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(u, pool_pre_ping=True)


def _migrations() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def alembic_config(engine: sa.Engine) -> Config:
    """Alembic configuration pointing at potrack's migrations and this engine."""
    cfg = _migrations()
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    """The newest migration's revision, from the version files' names without loading them: a migration's file is
    named by its revision, numbered in order (0001_initial_schema.py); a test holds this to Alembic's head."""
    return max((path.name.partition("_")[0] for path in VERSIONS.glob("[0-9]*.py")), key=int)


def _revision(conn: sa.Connection) -> str | None:
    """The revision in the store's version table, read as Alembic reads it; None for an empty database."""
    if not sa.inspect(conn).has_table(ALEMBIC_VERSION.name):
        return None
    return conn.execute(sa.select(ALEMBIC_VERSION.c.version_num)).scalar_one_or_none()


def current_revision(engine: sa.Engine) -> str | None:
    """The store's schema revision, or None for an empty database."""
    with engine.connect() as conn:
        return _revision(conn)


def ensure_schema(engine: sa.Engine) -> None:
    """Upgrade the store when it is not at the newest revision (a fresh one included); a revision this potrack does
    not know (a newer potrack's) fails as Alembic reports it.

    The check and the upgrade hold the store's schema lock: app instances starting together on a new
    store migrate it once, the others wait and find it at the newest revision.
    """
    if current_revision(engine) == head_revision():
        return
    from alembic import command
    from alembic.script import ScriptDirectory

    cfg = alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()  # (what Alembic upgrades to, whatever the names say)
    with engine.begin() as conn:
        lock_for_transaction(conn, "schema")
        if _revision(conn) != head:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")


def prepare_offline_dialect(dialect: sa.Dialect) -> None:
    """Make a dialect that has no server to ask compile as it would for the oldest supported server version.

    SQLAlchemy's SQL Server dialect learns the version when it connects; without it, it would write DATETIME
    for DATE, TEXT for VARCHAR(max) and ROW_NUMBER() for OFFSET ... FETCH.
    """
    if dialect.name == "mssql":
        # (attributes of SQLAlchemy's mssql dialect that its base Dialect type does not declare)
        dialect.server_version_info = SQL_SERVER_VERSION
        dialect.deprecate_large_types = True  # type: ignore[attr-defined]
        dialect._setup_version_attributes()  # type: ignore[attr-defined]  # what connecting would do
        dialect._supports_nvarchar_max = True  # type: ignore[attr-defined]


def _known_dialect(name: str) -> str:
    if name not in OFFLINE_DIALECTS:
        raise ValueError(f"dialect: expected one of {', '.join(OFFLINE_DIALECTS)}, got {name!r}")
    return name


def offline_dialect(name: str) -> sa.Dialect:
    """A dialect of this name (its default driver) for compiling SQL without a server."""
    dialect_class = sa.engine.make_url(f"{_known_dialect(name)}://").get_dialect()
    # Without its driver loaded a dialect writes named parameters; pyodbc's are question marks.
    # (Dialect.__init__ takes paramstyle, but SQLAlchemy types it on the concrete dialects only.)
    dialect = dialect_class(paramstyle="qmark") if name == "mssql" else dialect_class()  # type: ignore[call-arg]
    prepare_offline_dialect(dialect)
    return dialect


def migration_sql(dialect_name: str, start: str | None = None) -> str:
    """Every migration from `start` (None: an empty database) to the newest, as SQL for this dialect."""
    from alembic import command

    cfg = _migrations()
    out = io.StringIO()
    cfg.attributes.update(dialect_name=_known_dialect(dialect_name), output_buffer=out)
    command.upgrade(cfg, f"{start}:head" if start else "head", sql=True)
    return out.getvalue()
