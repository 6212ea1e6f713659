"""Tells transient source errors (worth a retry) from permanent ones (need a fix)."""

from __future__ import annotations

import re
import socket

import sqlalchemy.exc as sa_exc

# SQLSTATEs: 08xxx connection exceptions, HYT00/HYT01 timeouts, 40001 serialization/deadlock,
# 57P01-57P03 PostgreSQL admin shutdown/cannot connect now. psqlODBC reports a session ended with
# pg_terminate_backend as 57P01 when it reads the server's farewell, as 08S01 when a fetch meets the closed socket.
_TRANSIENT_STATE = re.compile(r"^(08...|HYT0[01]|40001|57P0[123])$")
# 28xxx invalid authorization (login failed), 42xxx syntax error or access rule violation.
_PERMANENT_STATE = re.compile(r"^(28...|42...|3D000)$")
# 08001, client unable to establish a connection: psqlODBC reports every failed connect so, also the server
# refusing the login or the database (its FATAL text: role "x" does not exist, password authentication failed,
# database "x" does not exist; SQLSTATE 28000/28P01/3D000 on the server). For this state the text decides.
_CONNECT_FAILED_STATE = "08001"
_PERMANENT_TEXT = re.compile(
    r"(?i)(login failed|password authentication failed|authentication failed|access denied|permission denied|"
    r"syntax error|no such table|no such column|invalid column|invalid object name|does not exist|"
    r"unknown column|data source name not found|can't open lib)"
)
_TRANSIENT_TEXT = re.compile(
    r"(?i)(connection (refused|reset|lost|closed|timed out)|could not connect|server closed the connection|"
    r"timeout|timed out|database is locked|communication link failure|terminating connection|"
    r"network|unreachable|broken pipe)"
)


class SourceError(Exception):
    """An error reading a source, classified as transient or permanent."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def sqlstate(exc: BaseException) -> str | None:
    """The SQLSTATE carried by a DB-API error (pyodbc puts it first in args), if any."""
    orig = getattr(exc, "orig", None) or exc
    for attr in ("sqlstate", "pgcode"):
        value = getattr(orig, attr, None)
        if isinstance(value, str) and len(value) == 5:
            return value
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], str) and re.fullmatch(r"[0-9A-Z]{5}", args[0]):
        return args[0]
    return None


def is_transient(exc: BaseException) -> bool:
    """True when a retry may succeed: lost connections, timeouts, a busy database."""
    if isinstance(exc, SourceError):
        return exc.transient
    state = sqlstate(exc)
    text = str(getattr(exc, "orig", None) or exc)
    if state == _CONNECT_FAILED_STATE and _PERMANENT_TEXT.search(text):
        return False
    if state and _TRANSIENT_STATE.match(state):
        return True
    if state and _PERMANENT_STATE.match(state):
        return False
    if _PERMANENT_TEXT.search(text):
        return False
    if isinstance(exc, (ConnectionError, TimeoutError, socket.timeout)):
        return True
    if isinstance(exc, (sa_exc.DisconnectionError, sa_exc.OperationalError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    return bool(_TRANSIENT_TEXT.search(text)) and not isinstance(exc, (ValueError, KeyError))
