"""Sign-in on the Flask server under Dash: Flask-Login sessions, bearer tokens for /api, and the gate that
lets nobody through unsigned except to the sign-in and sign-out pages, the health check, static files and /metrics
(which checks its own token, POTRACK_METRICS_TOKEN: a Prometheus scraper has no session)."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

import flask
import flask_login
import sqlalchemy as sa
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from potrack.auth import throttle
from potrack.auth.login_page import login_html, logout_html
from potrack.auth.roles import Action, Actor, require
from potrack.auth.secret_key import session_secret
from potrack.auth.tokens import actor_for_token
from potrack.auth.users import UserRow, authenticate, get_user
from potrack.runtime import Runtime, current
from potrack.store import audit

log = logging.getLogger("potrack.auth")
PUBLIC_PATHS = ("/login", "/logout", "/api/health", "/api/openapi.json", "/_favicon.ico", "/metrics")
PUBLIC_PREFIXES = ("/assets/",)
JSON_PREFIXES = ("/api/", "/_dash-", "/_reload-hash")
CSRF_FIELD = "csrf_token"
# C0, DEL and C1: never in a user name (and NUL cannot reach PostgreSQL text).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class SessionUser(flask_login.UserMixin):
    """The signed-in user as Flask-Login holds it (read from the store on every request)."""

    def __init__(self, user: UserRow) -> None:
        self.user = user
        self.id = str(user.id)


def _engine() -> sa.Engine:
    return current().engine


def current_actor() -> Actor | None:
    """Who makes the current request: a bearer token's actor, the signed-in user, or None."""
    token_actor: Actor | None = flask.g.get("token_actor")
    if token_actor is not None:
        return token_actor
    user = flask_login.current_user
    if user is not None and user.is_authenticated:
        return Actor(user.user.name, user.user.role)
    return None


def acting(action: Action) -> Actor:
    """The current actor when allowed to take the action; Unauthenticated or Forbidden otherwise."""
    return require(current_actor(), action)


def _load_user(user_id: str) -> SessionUser | None:
    with _engine().connect() as conn:
        user = get_user(conn, int(user_id)) if user_id.isdigit() else None
    return SessionUser(user) if user is not None and not user.disabled else None


def _unauthorized(message: str, status: int = 401) -> flask.Response:
    response = flask.jsonify({"error": "unauthorized" if status == 401 else "forbidden", "message": message})
    response.status_code = status
    return response


def _gate() -> BaseResponse | None:
    """Before every request: public paths pass, /api may use a bearer token, everything else needs a session."""
    path = flask.request.path
    if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return None
    header = flask.request.headers.get("Authorization", "")
    if path.startswith("/api/") and header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return _unauthorized("the Authorization header must be 'Bearer <token>'")
        with _engine().connect() as conn:
            actor = actor_for_token(conn, token.strip())
        if actor is None:
            return _unauthorized("the bearer token is unknown or revoked")
        flask.g.token_actor = actor
        return None
    if flask_login.current_user.is_authenticated:
        return None
    if path.startswith(JSON_PREFIXES):
        return _unauthorized("sign in first: no session (or it ended), and no bearer token")
    return flask.redirect(flask.url_for("potrack_login", next=flask.request.full_path.rstrip("?")))


def csrf_token() -> str:
    """The session's CSRF token (made when it has none), for the forms that post to /login and /logout."""
    if CSRF_FIELD not in flask.session:
        flask.session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return str(flask.session[CSRF_FIELD])


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) to go to after signing in."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _form_token_is_valid() -> bool:
    """Whether the form posted the session's CSRF token (sent only by this site's own pages)."""
    sent = flask.request.form.get(CSRF_FIELD, "")
    return bool(sent) and hmac.compare_digest(sent, str(flask.session.get(CSRF_FIELD, "")))


def _login() -> Any:
    """GET: the sign-in form. POST: check CSRF, claim an attempt from the throttle, check the password; sign in and
    go where the user was going."""
    next_path = _safe_next(flask.request.values.get("next"))
    if flask.request.method == "GET":
        if flask_login.current_user.is_authenticated:
            return flask.redirect(next_path)
        return login_html(csrf_token(), next_path)
    if not _form_token_is_valid():
        return login_html(csrf_token(), next_path, "The form expired or was not sent by this site; try again."), 400
    name = flask.request.form.get("username", "").strip()
    password = flask.request.form.get("password", "")
    address = _CONTROL.sub("?", flask.request.remote_addr or "unknown")
    if _CONTROL.search(name):
        # No user has such a name, and PostgreSQL cannot even compare text holding NUL.
        return login_html(csrf_token(), next_path, "The user name must not contain control characters."), 400
    engine = _engine()
    # The attempt is counted before the password is checked: parallel attempts cannot all pass a count made
    # before any of them was recorded.
    if not throttle.claim_attempt(engine, name, address):
        return login_html(
            csrf_token(), next_path, "Too many failed sign-ins: wait a minute, then try again.", name
        ), 429
    with engine.connect() as conn:
        user = authenticate(conn, name, password)
    if user is None:
        throttle.forget_old(engine)
        with engine.begin() as conn:
            audit.record(
                conn,
                "auth.login_failed",
                f"failed sign-in as {name[:100]!r} from {address}",
                severity="warning",
                actor=name[:100] or "(empty)",
            )
        return login_html(csrf_token(), next_path, "Wrong user name or password.", name), 401
    throttle.clear(engine, name, address)
    flask.session.clear()
    flask_login.login_user(SessionUser(user))
    with engine.begin() as conn:
        audit.record(conn, "auth.login", f"{user.name} signed in from {address}", actor=user.name)
    return flask.redirect(next_path)


def _logout() -> Any:
    """GET: a page asking to confirm (a link from another site must not sign anyone out). POST with the session's
    CSRF token: sign out and go to the sign-in form; without it: 400, still signed in."""
    if not flask_login.current_user.is_authenticated:
        return flask.redirect(flask.url_for("potrack_login"))  # nobody to sign out
    if flask.request.method == "GET":
        return logout_html(csrf_token())
    if not _form_token_is_valid():
        return logout_html(csrf_token(), "The form expired or was not sent by this site; you are still signed in."), 400
    flask_login.logout_user()
    flask.session.clear()
    return flask.redirect(flask.url_for("potrack_login"))


def init_auth(server: flask.Flask) -> None:
    """Wire sign-in into the server at build time (the secret key is set when a runtime is installed)."""
    manager = flask_login.LoginManager()
    manager.init_app(server)
    manager.user_loader(_load_user)
    server.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    server.before_request(_gate)
    server.add_url_rule("/login", "potrack_login", _login, methods=["GET", "POST"])
    server.add_url_rule("/logout", "potrack_logout", _logout, methods=["GET", "POST"])


def configure_session(server: flask.Flask, runtime: Runtime) -> None:
    """Give the server the runtime's session key, cookie security and trusted reverse proxies."""
    server.secret_key = session_secret(runtime.settings.secret_key, runtime.settings.instance_dir)
    server.config.update(
        SESSION_COOKIE_SECURE=runtime.settings.secure_cookies, REMEMBER_COOKIE_SECURE=runtime.settings.secure_cookies
    )
    trust_proxies(server, runtime.settings.proxy_hops)


def trust_proxies(server: flask.Flask, hops: int) -> None:
    """Read the client's address, scheme and host from the X-Forwarded-* headers of `hops` reverse proxies.

    Only proxies the operator put in front are trusted (a client can send those headers too): the sign-in
    throttle and the audit log then see each client's own address, not the proxy's.
    """
    direct = server.extensions.setdefault("potrack_direct_wsgi_app", server.wsgi_app)
    wrapped = ProxyFix(direct, x_for=hops, x_proto=hops, x_host=hops) if hops else direct
    server.wsgi_app = wrapped  # type: ignore[method-assign]  # (Flask's documented way to add WSGI middleware)
