"""Run liveness locks: the process executing a run holds a lock that the operating system or the database
releases the moment that process dies, so a crashed run is known dead at once instead of after a timeout.

- PostgreSQL store: a session advisory lock, on a connection the run keeps for its whole life.
- SQL Server store: `sp_getapplock` owned by the session, likewise.
- SQLite store (one host): an exclusive `flock` on a file in a directory beside the store file
  (`instance/potrack.db-runs/` by default), so every process using that store finds the same file whatever
  its working directory.

The lock is taken before the run is claimed and given up after its outcome is written: a run in status
`running` whose lock is free has lost its process.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa

LOCK_PREFIX = "potrack:run-alive:"


def _resource(run_id: int) -> str:
    return f"{LOCK_PREFIX}{run_id}"


def lock_dir(engine: sa.Engine) -> Path | None:
    """Where a SQLite store's run lock files live (None for an in-memory store, which no other process sees)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).resolve().parent / f"{Path(database).name}-runs"


def _lock_file(engine: sa.Engine, run_id: int) -> Path | None:
    directory = lock_dir(engine)
    return None if directory is None else directory / f"run-{run_id}.lock"


@contextlib.contextmanager
def _file_locked(path: Path, create: bool) -> Iterator[bool]:
    """Hold an exclusive flock on `path` for the block; yields False when another process holds it.

    flock (not fcntl's POSIX record locks) conflicts between two descriptors of one process too, and closing
    some other descriptor of the file does not drop it. The file goes when the lock does: a checker that opens
    it later finds no file, the sign of a run whose executor is gone.
    """
    fd = os.open(path, os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        yield False
        return
    try:
        yield True
    finally:
        path.unlink(missing_ok=True)
        os.close(fd)


def _pg_key(run_id: int) -> sa.ColumnElement[int]:
    """The advisory lock's key: advisory locks are per database, and two stores may share one in two schemas."""
    return sa.func.hashtextextended(sa.func.concat(sa.func.current_schema(), ":", _resource(run_id)), 0)


def try_lock_statement(dialect_name: str, run_id: int) -> sa.Executable:
    """The statement taking a run's session-owned lock without waiting; it returns true or a code >= 0 when taken."""
    if dialect_name == "postgresql":
        return sa.select(sa.func.pg_try_advisory_lock(_pg_key(run_id)))
    if dialect_name == "mssql":
        return sa.text(
            "DECLARE @potrack_lock int; "
            "EXEC @potrack_lock = sp_getapplock @Resource = :resource, @LockMode = 'Exclusive', "
            "@LockOwner = 'Session', @LockTimeout = 0; "
            "SELECT @potrack_lock;"
        ).bindparams(resource=_resource(run_id))
    raise ValueError(f"run liveness: the {dialect_name} store is not supported (SQLite, PostgreSQL, SQL Server are)")


def _granted(answer: object) -> bool:
    """pg_try_advisory_lock answers a boolean; sp_getapplock a code, >= 0 when the lock was granted."""
    return answer is True or (isinstance(answer, int) and not isinstance(answer, bool) and answer >= 0)


def unlock_statement(dialect_name: str, run_id: int) -> sa.Executable:
    """The statement giving a run's session-owned lock back."""
    if dialect_name == "postgresql":
        return sa.select(sa.func.pg_advisory_unlock(_pg_key(run_id)))
    return sa.text("EXEC sp_releaseapplock @Resource = :resource, @LockOwner = 'Session';").bindparams(
        resource=_resource(run_id)
    )


@contextlib.contextmanager
def held(engine: sa.Engine, run_id: int) -> Iterator[bool]:
    """Hold the run's liveness lock for the block; yields False (holding nothing) when another process holds it."""
    if engine.dialect.name == "sqlite":
        path = _lock_file(engine, run_id)
        if path is None:
            yield True
            return
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with _file_locked(path, create=True) as taken:
            yield taken
        return
    # Autocommit: the lock belongs to the session, and no transaction stays open for the run's whole life.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        if not _granted(conn.execute(try_lock_statement(conn.dialect.name, run_id)).scalar()):
            yield False
            return
        try:
            yield True
        finally:
            with contextlib.suppress(sa.exc.DBAPIError):  # a lost connection has released it already
                conn.execute(unlock_statement(conn.dialect.name, run_id))


@contextlib.contextmanager
def if_dead(engine: sa.Engine, run_id: int) -> Iterator[bool]:
    """Yields True, holding the run's lock for the block, when no live process holds it (its process died)."""
    if engine.dialect.name != "sqlite":
        with held(engine, run_id) as taken:
            yield taken
        return
    path = _lock_file(engine, run_id)
    if path is None:
        yield False  # an in-memory store dies with its only process
        return
    with contextlib.ExitStack() as stack:
        try:
            free = stack.enter_context(_file_locked(path, create=False))
        except FileNotFoundError:  # every executing run has its file from before its claim: none, its executor gone
            free = True
        yield free
