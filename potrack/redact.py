"""Keeps secrets (passwords, connection strings, tokens) out of logs, errors and the store."""

from __future__ import annotations

import logging
import re
import threading

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

MASK = "***"
_lock = threading.Lock()
_secrets: set[str] = set()
# Where a quoted or braced value ends: before a separator or at the end of the text.
_CLOSED = r"(?=[\s;,)\]}]|\Z)"
# The value of a credential's key=value pair, whatever it holds, to its delimiter: a braced ODBC value (which may
# hold ';' and '}}', the escape of '}'), a brace left open (to the end of the line), a quoted value, else
# everything up to ';' or the end of the line (spaces included: "PWD=Sp ace_secret;" is one value).
_VALUE = (
    r"\{(?:[^}]|\}\})*\}" + _CLOSED + r"|\{[^\r\n]*"
    r"|'[^'\r\n]*'" + _CLOSED + r"|\"[^\"\r\n]*\"" + _CLOSED + r"|[^;\r\n]+"
)
_PATTERNS = (
    # key=value pairs of ODBC and libpq connection strings: PWD=..., Password=...;
    (re.compile(r"(?i)\b(pwd|password|passwd|secret|token|api[_-]?key)(\s*=\s*)(?:" + _VALUE + ")"), r"\1\2" + MASK),
    # credentials inside URLs: scheme://user:password@host
    (re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^:/@\s]*):([^@\s]+)@"), r"\1:" + MASK + "@"),
    (re.compile(r"(?i)\b(bearer\s+)[A-Za-z0-9._~+/=-]+"), r"\1" + MASK),
)


# One attribute of an ODBC connection string: key=value or key={value that may hold ; and }}}.
_ODBC_ATTRIBUTE = re.compile(r"([^=;]+)=(\{(?:[^}]|\}\})*\}|[^;]*)")


def register_secret(value: str | None) -> None:
    """Remember a value that must never be shown (e.g. one read from ${VAR})."""
    if value and len(value) >= 3:
        with _lock:
            _secrets.add(value)


def register_url(url: str | None) -> None:
    """Remember the password of a SQLAlchemy URL."""
    if not url:
        return
    try:
        register_secret(make_url(url).password)
    except (ArgumentError, ValueError):
        return


def register_connection_string(conn: str | None) -> None:
    """Remember the password of an ODBC connection string (PWD= or Password=)."""
    if not conn:
        return
    for match in _ODBC_ATTRIBUTE.finditer(conn):
        key, value = match.group(1).strip().lower(), match.group(2).strip()
        if key in ("pwd", "password"):
            if value.startswith("{") and value.endswith("}"):
                register_secret(value[1:-1])  # as written, '}}' escapes included
                value = value[1:-1].replace("}}", "}")
            register_secret(value)


def scrub(text: str) -> str:
    """Return text with every known secret and credential-looking value masked.

    Known secrets go first, whole: a pattern masking part of one first would leave the rest unrecognisable.
    """
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, MASK)
    for pattern, repl in _PATTERNS:
        text = pattern.sub(repl, text)
    return text


def safe_reason(exc: BaseException, limit: int = 500) -> str:
    """A short, scrubbed, one-line description of an exception for users and the store."""
    message = str(exc).strip()
    # SQLAlchemy appends the statement and parameters after the first line: leave them out.
    first = message.splitlines()[0] if message else ""
    first = first.split("[SQL:")[0].strip()
    text = scrub(f"{type(exc).__name__}: {first}" if first else type(exc).__name__)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ScrubFilter(logging.Filter):
    """Logging filter that masks secrets in the final message and any traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
