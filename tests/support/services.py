"""The real services some tests need (PostgreSQL, the psqlODBC driver, Chromium), with one rule for when they are
missing: skip with the reason, or fail when POTRACK_REQUIRE_SERVICES=1 (CI sets it); and loopback ports and
child processes for the servers tests start.

PostgreSQL tests work in a scratch schema of the server's `test` database (POTRACK_TEST_PG_URL overrides the
URL): `PgSchema` creates it, gives a SQLAlchemy URL whose connections use it (search_path) and tag themselves
with the schema's name as application_name, and on drop terminates every session still tagged so and drops it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa

PG_URL = os.environ.get("POTRACK_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
ODBC_DRIVER = "PostgreSQL Unicode"
ODBCINST = Path("/etc/odbcinst.ini")


def free_port() -> int:
    """A TCP port on 127.0.0.1 where nothing listens now (a server can take it; connections to it are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: a server the tests start gets SIGTERM when the test process dies, so it never outlives the tests."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def required() -> bool:
    """Whether a missing service must fail the tests rather than skip them (CI)."""
    return os.environ.get("POTRACK_REQUIRE_SERVICES", "").strip().lower() in ("1", "true", "yes", "on")


def unavailable(reason: str) -> None:
    """Skip the test because a service is missing, or fail it when services are required."""
    if required():
        pytest.fail(f"POTRACK_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class PgSchema:
    """A scratch schema on the real PostgreSQL server."""

    name: str

    @property
    def url(self) -> str:
        """A store URL whose connections work in this schema (search_path) and carry its name."""
        options = quote(f"-csearch_path={self.name}")
        return f"{PG_URL}?application_name={self.name}&options={options}"

    def engine(self) -> sa.Engine:
        return sa.create_engine(self.url)

    def drop(self) -> None:
        """End every session of this schema still open (an app process, a pooled connection) and drop it."""
        admin = sa.create_engine(PG_URL)
        try:
            with admin.begin() as conn:
                conn.execute(
                    sa.text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE application_name = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": self.name},
                )
                conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{self.name}" CASCADE'))
        finally:
            admin.dispose()


def create_pg_schema(prefix: str = "potrack_test") -> PgSchema:
    """A new scratch schema, or the test is skipped (failed under POTRACK_REQUIRE_SERVICES=1)."""
    schema = PgSchema(f"{prefix}_{uuid.uuid4().hex[:10]}")
    admin = sa.create_engine(PG_URL)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema.name}"'))
    except (sa.exc.OperationalError, ModuleNotFoundError) as exc:
        unavailable(f"PostgreSQL is not reachable at {PG_URL}: {getattr(exc, 'orig', exc)}")
    finally:
        admin.dispose()
    return schema


def missing_odbc() -> str | None:
    """Why the ODBC tests cannot run here, or None."""
    try:
        import pyodbc
    except ImportError as exc:
        return f"pyodbc cannot be imported ({exc}); apt-get install -y unixodbc"
    if ODBC_DRIVER not in pyodbc.drivers():
        return f"the ODBC driver {{{ODBC_DRIVER}}} is not registered; apt-get install -y odbc-postgresql"
    return None


def quiet_odbcinst(directory: Path) -> Path:
    """A copy of the system's odbcinst.ini with CommLog=0 for every driver, for ODBCSYSINI to point at.

    Debian's psqlODBC otherwise writes /tmp/psqlodbc_*.log for every process (CommLog=0 in the connection
    string does not stop it).
    """
    directory.mkdir(parents=True, exist_ok=True)
    lines = []
    for line in ODBCINST.read_text(encoding="utf-8").splitlines():
        if not line.strip().lower().startswith(("commlog", "debug")):
            lines.append(line)
        if line.strip().startswith("[") and line.strip() != "[ODBC]":
            lines.extend(["CommLog=0", "Debug=0"])
    (directory / "odbcinst.ini").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


class SessionKiller(threading.Thread):
    """Ends, once, the first PostgreSQL session of `app` (its application_name) seen running a statement LIKE
    `pattern` (a fetch from the snapshot's cursor: mid-read); keeps that statement in `killed`."""

    def __init__(self, app: str, pattern: str) -> None:
        super().__init__(name="session-killer", daemon=True)
        self.app, self.pattern = app, pattern
        self.killed: str | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                while self.killed is None and not self.stop.wait(0.001):
                    row = conn.execute(
                        sa.text(
                            "SELECT query, pg_terminate_backend(pid) AS ended FROM pg_stat_activity "
                            "WHERE application_name = :app AND query LIKE :pattern LIMIT 1"
                        ),
                        {"app": self.app, "pattern": self.pattern},
                    ).first()
                    if row is not None and row.ended:
                        self.killed = row.query
        finally:
            admin.dispose()
