"""The access log: one line per HTTP request in the common log format, when POTRACK_ACCESS_LOG is on.

`host ident user [time] "request line" status bytes`, e.g.
`127.0.0.1 - - [06/Dec/2026:15:48:11 +0100] "GET /runs HTTP/1.1" 200 5124`; written through the logging module
(potrack.logs sends it to stderr and instance/logs/access.log, secrets scrubbed).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from potrack.logs import ACCESS_LOGGER

if TYPE_CHECKING:
    import flask
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

log = logging.getLogger(ACCESS_LOGGER)
# The common log format's English month names, whatever the machine's locale.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# What a request line may not carry into the log as it is: a quote would end the field, a control character
# (a newline) would forge a line.
_UNSAFE = re.compile(r'["\\\x00-\x1f\x7f-\x9f]')


class AccessLog:
    """WSGI middleware that logs each request once its answer has been sent (its size is what was sent)."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        received = dt.datetime.now().astimezone()
        status: list[str] = []

        def start(status_line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status[:] = [status_line.split(" ", 1)[0]]
            return start_response(status_line, headers, exc_info)

        return _Logged(self.app(environ, start), environ, received, status)


class _Logged:
    """An answer's body, counted as it is sent; the line is logged when the server closes it."""

    def __init__(
        self, body: Iterable[bytes], environ: WSGIEnvironment, received: dt.datetime, status: list[str]
    ) -> None:
        self.body, self.environ, self.received, self.status = body, environ, received, status
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.body:
            self.sent += len(chunk)
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            log.info(line(self.environ, self.received, self.status[0] if self.status else "-", self.sent))


def line(environ: WSGIEnvironment, received: dt.datetime, status: str, sent: int) -> str:
    """One request in the common log format (the client's address as the trusted proxies gave it)."""
    request = f"{environ.get('REQUEST_METHOD', '-')} {_target(environ)} {environ.get('SERVER_PROTOCOL', '-')}"
    return (
        f"{environ.get('REMOTE_ADDR') or '-'} - {_escape(environ.get('REMOTE_USER') or '-')} "
        f'[{clf_time(received)}] "{_escape(request)}" {status} {sent or "-"}'
    )


def clf_time(moment: dt.datetime) -> str:
    """`06/Dec/2026:15:48:11 +0100`: the common log format's time, with its UTC offset."""
    return f"{moment:%d}/{MONTHS[moment.month - 1]}/{moment:%Y:%H:%M:%S %z}"


def _target(environ: WSGIEnvironment) -> str:
    """The path and query as the client sent them (waitress and gunicorn keep it), else rebuilt from the parts."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        return str(raw)
    path = quote(f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '')}", safe="/;=,~!$&'()*+:@")
    query = environ.get("QUERY_STRING")
    return f"{path}?{query}" if query else path


def _escape(text: str) -> str:
    r"""A field that stays one field on one line: `"` as `\"`, a backslash doubled, a control character as \xNN."""
    return _UNSAFE.sub(lambda m: "\\" + m[0] if m[0] in '"\\' else f"\\x{ord(m[0]):02x}", text)


def log_requests(server: flask.Flask, on: bool) -> None:
    """Log every request the server answers (on), or none (off); called again, it replaces what it did before."""
    inner: WSGIApplication = server.wsgi_app
    if isinstance(inner, AccessLog):
        inner = inner.app
    wrapped: Any = AccessLog(inner) if on else inner
    server.wsgi_app = wrapped  # type: ignore[method-assign]  # (Flask's documented way to add WSGI middleware)
