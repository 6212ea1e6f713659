"""potrack.sources.errors.is_transient on real exceptions: retry lost connections and timeouts, not bad SQL or
logins."""

import socket
import sqlite3

import pytest
import sqlalchemy as sa
import sqlalchemy.exc as sa_exc
from sqlalchemy.pool import NullPool

from potrack.sources.errors import SourceError, is_transient, sqlstate


def raised(fn):
    """The exception fn raises (it must raise)."""
    with pytest.raises(Exception) as info:
        fn()
    return info.value


# --- sqlite3 (DB-API) errors --------------------------------------------------------------------


def test_sqlite_no_such_table_is_permanent(tmp_path):
    con = sqlite3.connect(tmp_path / "erp.sqlite")
    exc = raised(lambda: con.execute("SELECT * FROM po_linez"))
    con.close()
    assert isinstance(exc, sqlite3.OperationalError) and "no such table" in str(exc)
    assert is_transient(exc) is False


def test_sqlite_no_such_column_is_permanent(tmp_path):
    con = sqlite3.connect(tmp_path / "erp.sqlite")
    con.execute("CREATE TABLE po_lines (po_number TEXT)")
    exc = raised(lambda: con.execute("SELECT promised_date FROM po_lines"))
    con.close()
    assert is_transient(exc) is False


def test_sqlite_syntax_error_is_permanent():
    con = sqlite3.connect(":memory:")
    exc = raised(lambda: con.execute("SELEC * FROM po_lines"))
    con.close()
    assert "syntax error" in str(exc)
    assert is_transient(exc) is False


def test_sqlite_database_is_locked_is_transient(tmp_path):
    path = tmp_path / "erp.sqlite"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    other = sqlite3.connect(path, timeout=0)
    try:
        exc = raised(lambda: other.execute("SELECT * FROM t").fetchall())
    finally:
        other.close()
        holder.execute("ROLLBACK")
        holder.close()
    assert "database is locked" in str(exc)
    assert is_transient(exc) is True


# --- sockets --------------------------------------------------------------------------------------


def test_connection_refused_is_transient():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens on this port any more
    exc = raised(lambda: socket.create_connection(("127.0.0.1", port), timeout=2))
    assert isinstance(exc, ConnectionRefusedError)
    assert is_transient(exc) is True


def test_socket_timeout_is_transient():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=0.05)
    try:
        exc = raised(lambda: client.recv(10))  # the server never answers
    finally:
        client.close()
        server.close()
    assert isinstance(exc, TimeoutError)
    assert is_transient(exc) is True


# --- SQLAlchemy ---------------------------------------------------------------------------------


def test_sqlalchemy_operational_error_from_a_failed_connection_is_transient(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'no-such-folder' / 'erp.sqlite'}", poolclass=NullPool)
    exc = raised(engine.connect)
    engine.dispose()
    assert isinstance(exc, sa_exc.OperationalError)
    assert is_transient(exc) is True


def test_sqlalchemy_operational_error_for_a_missing_table_is_permanent(tmp_path):
    """SQLite reports bad SQL as OperationalError too: the message decides, not the class."""
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'erp.sqlite'}", poolclass=NullPool)
    with engine.connect() as conn:
        exc = raised(lambda: conn.exec_driver_sql("SELECT * FROM po_linez"))
    engine.dispose()
    assert isinstance(exc, sa_exc.OperationalError)
    assert is_transient(exc) is False


# --- SQLSTATE in args[0], as pyodbc raises them ---------------------------------------------------


class PyodbcStyleError(Exception):
    """pyodbc.Error's shape: args = (SQLSTATE, message). pyodbc cannot load here (no unixODBC)."""


ODBC = "[Microsoft][ODBC Driver 18 for SQL Server]"
PYODBC_CASES = [
    ("08S01", f"[08S01] {ODBC}TCP Provider: Error code 0x68 (104) (SQLExecDirectW)", True),
    ("08001", f"[08001] {ODBC}Named Pipes Provider: Could not open a connection to SQL Server [53]. (53)", True),
    ("HYT00", f"[HYT00] {ODBC}Login timeout expired (0) (SQLDriverConnect)", True),
    ("HYT01", f"[HYT01] {ODBC}Connection timeout expired (0) (SQLDriverConnect)", True),
    ("28000", f"[28000] {ODBC}[SQL Server]Login failed for user 'potrack'. (18456) (SQLDriverConnect)", False),
    ("42S02", f"[42S02] {ODBC}[SQL Server]Invalid object name 'po_linez'. (208) (SQLExecDirectW)", False),
    ("42S22", f"[42S22] {ODBC}[SQL Server]Invalid column name 'PONUM'. (207) (SQLExecDirectW)", False),
]


@pytest.mark.parametrize(("state", "message", "transient"), PYODBC_CASES, ids=[c[0] for c in PYODBC_CASES])
def test_sqlstate_in_args_decides(state, message, transient):
    exc = PyodbcStyleError(state, message)
    assert sqlstate(exc) == state
    assert is_transient(exc) is transient


@pytest.mark.parametrize(("state", "message", "transient"), PYODBC_CASES, ids=[c[0] for c in PYODBC_CASES])
def test_sqlstate_decides_when_wrapped_by_sqlalchemy(state, message, transient):
    """As with mssql+pyodbc: SQLAlchemy wraps the driver's error and keeps it as .orig."""
    exc = sa_exc.OperationalError("SELECT * FROM po_lines", None, PyodbcStyleError(state, message))
    assert sqlstate(exc) == state
    assert is_transient(exc) is transient


def test_permanent_sqlstate_wins_over_a_timeout_word_in_the_message():
    exc = PyodbcStyleError("42S02", "[42S02] Invalid object name 'timeout_log'. (208)")
    assert is_transient(exc) is False


def test_no_sqlstate_when_args_do_not_start_with_one():
    assert sqlstate(PyodbcStyleError("connection refused")) is None
    assert sqlstate(ValueError(3)) is None


# --- potrack's own and other errors -------------------------------------------------------------


def test_source_error_carries_its_classification():
    assert is_transient(SourceError("ERP unreachable", transient=True)) is True
    assert is_transient(SourceError("connection refused, but the query is wrong", transient=False)) is False


def test_programming_errors_are_permanent():
    assert is_transient(raised(lambda: int("n/a"))) is False
    assert is_transient(raised(lambda: {}["po_number"])) is False
