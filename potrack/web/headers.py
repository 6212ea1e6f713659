"""Security headers on every response of the server: no framing by other sites, no content-type sniffing, and
no full URL (with its filters) sent to other sites as the Referer."""

from __future__ import annotations

import flask

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def add_security_headers(response: flask.Response) -> flask.Response:
    """Set each security header the response does not set itself."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_security_headers(server: flask.Flask) -> None:
    """Add the security headers to every response (pages, callbacks, API, assets, redirects and errors)."""
    server.after_request(add_security_headers)
