"""potrack.sources.errors on the errors the real psqlODBC driver raises: the SQLSTATE pyodbc carries decides,
and for 08001 (psqlODBC's state for every failed connect) the server's text tells a refused login from an outage."""

import socket
from typing import Any

import pytest
import sqlalchemy as sa

from potrack.sources.errors import is_transient, sqlstate
from tests.support.odbc import odbc_connection_string
from tests.support.services import PG_URL


def raised(fn):
    """The exception fn raises (it must raise)."""
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def connect(conn_str: str) -> Any:
    """A pyodbc connection, as the odbc source opens it (pyodbc loads only where unixODBC is installed)."""
    import pyodbc

    return pyodbc.connect(conn_str, timeout=5, autocommit=True)


def closed_port() -> int:
    """A local port nothing listens on any more."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def terminate_and_wait(app: str) -> None:
    """End the sessions of this application_name and wait (up to 5 s) until their backends have gone."""
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            assert conn.execute(
                sa.text("SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE application_name = :app"),
                {"app": app},
            ).scalar()
    finally:
        admin.dispose()


def test_session_terminated_between_fetches_is_57p01_then_08s01_both_transient(odbc_erp):
    conn = connect(odbc_erp.connection_string(fetch=10))
    try:
        cursor = conn.cursor().execute("SELECT g FROM generate_series(1, 1000) g")
        assert len(cursor.fetchmany(15)) == 15  # the second round trip is done: the cursor is mid-stream
        terminate_and_wait(odbc_erp.schema.name)
        farewell = raised(lambda: cursor.fetchmany(10))  # reads the dying backend's FATAL message
        lost = raised(lambda: cursor.fetchmany(10))  # finds the connection gone
    finally:
        conn.close()
    assert sqlstate(farewell) == "57P01" and "terminating connection due to administrator command" in str(farewell)
    assert is_transient(farewell) is True
    assert sqlstate(lost) == "08S01" and "connection lost" in str(lost)
    assert is_transient(lost) is True


def test_unknown_role_is_08001_and_permanent(odbc_erp):
    exc = raised(lambda: connect(odbc_connection_string(user="potrack_no_such_role", password="x-y-z")))
    assert sqlstate(exc) == "08001" and 'role "potrack_no_such_role" does not exist' in str(exc)
    assert is_transient(exc) is False


def test_unknown_database_is_08001_and_permanent(odbc_erp):
    exc = raised(lambda: connect(odbc_connection_string(database="potrack_no_such_db")))
    assert sqlstate(exc) == "08001" and 'database "potrack_no_such_db" does not exist' in str(exc)
    assert is_transient(exc) is False


def test_nothing_listening_is_08001_and_transient(odbc_erp):
    exc = raised(lambda: connect(odbc_connection_string(port=closed_port())))
    assert sqlstate(exc) == "08001" and "Connection refused" in str(exc)
    assert is_transient(exc) is True


def test_unknown_table_is_42p01_and_permanent(odbc_erp):
    conn = connect(odbc_erp.connection_string())
    try:
        exc = raised(lambda: conn.cursor().execute("SELECT * FROM po_linez"))
    finally:
        conn.close()
    assert sqlstate(exc) == "42P01" and 'relation "po_linez" does not exist' in str(exc)
    assert is_transient(exc) is False
