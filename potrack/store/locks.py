"""A lock on a name for the length of a transaction, in whatever database holds the store."""

from __future__ import annotations

import sqlalchemy as sa

LOCK_TIMEOUT_MS = 30_000


def lock_statement(dialect_name: str, name: str) -> sa.Executable:
    """The statement that waits for the lock on `name` and holds it until the transaction ends, per dialect."""
    if dialect_name == "postgresql":
        return sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(name, 0)))
    if dialect_name == "mssql":
        # sp_getapplock returns a negative code instead of raising when it times out or is chosen as a deadlock
        # victim: raise then, or the caller would go on without the lock.
        return sa.text(
            "DECLARE @potrack_lock int; "
            "EXEC @potrack_lock = sp_getapplock @Resource = :resource, @LockMode = 'Exclusive', "
            f"@LockOwner = 'Transaction', @LockTimeout = {LOCK_TIMEOUT_MS}; "
            "IF @potrack_lock < 0 THROW 51001, 'potrack: timed out waiting for a store lock', 1;"
        ).bindparams(resource=f"potrack:{name}")
    if dialect_name == "sqlite":
        # SQLite has one lock, the database's write lock: take it now (the driver takes it at the first write).
        return sa.text("BEGIN IMMEDIATE")
    raise ValueError(f"locking: the {dialect_name} store is not supported (SQLite, PostgreSQL, SQL Server are)")


def lock_for_transaction(conn: sa.Connection, name: str) -> None:
    """Wait until no other transaction holds the lock on `name`, then hold it until this one ends.

    Used where a check and an insert must not interleave between app instances (queueing a run unless
    one is active): a row lock cannot guard a row that does not exist yet.
    """
    stmt = lock_statement(conn.dialect.name, name)
    if conn.dialect.name != "sqlite":
        conn.execute(stmt)
    # (an open connection has its DB-API connection; sqlite3's has in_transaction)
    elif not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
        conn.exec_driver_sql(str(stmt))  # the driver's own BEGIN, not SQLAlchemy's (already begun lazily)
