"""A lock on a name for the length of a transaction, in whatever database holds the store."""

from __future__ import annotations

import sqlalchemy as sa


def lock_for_transaction(conn: sa.Connection, name: str) -> None:
    """Wait until no other transaction holds the lock on `name`, then hold it until this one ends.

    Used where a check and an insert must not interleave between app instances (queueing a run unless
    one is active): a row lock cannot guard a row that does not exist yet.
    """
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(name, 0))))
    elif dialect == "mssql":
        conn.execute(sa.text("EXEC sp_getapplock @Resource = :name, @LockMode = 'Exclusive', "
                             "@LockOwner = 'Transaction', @LockTimeout = 30000"), {"name": f"potrack:{name}"})
    elif dialect == "sqlite":
        # SQLite has one lock, the database's write lock: take it now (the driver takes it at the first write).
        if not conn.connection.dbapi_connection.in_transaction:  # type: ignore[union-attr]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        raise ValueError(f"locking: the {dialect} store is not supported (SQLite, PostgreSQL, SQL Server are)")
