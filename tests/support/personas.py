"""Personas and signed-in clients: an admin (ada), an operator (otto) and a viewer (vera), real users in the store."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import flask_login
import sqlalchemy as sa

import app
from potrack.auth.session import SessionUser
from potrack.auth.tokens import create_token
from potrack.auth.users import add_user, get_user
from potrack.store.models import User

PASSWORD = "correct horse battery"
PERSONAS = {"ada": "admin", "otto": "operator", "vera": "viewer"}
ROLE_PERSONA = {role: name for name, role in PERSONAS.items()}


def add_personas(engine: sa.Engine) -> dict[str, str]:
    """Create the three personas (password PASSWORD); returns name → role."""
    for name, role in PERSONAS.items():
        add_user(engine, name, role, PASSWORD, actor="test")
    return dict(PERSONAS)


def persona_tokens(engine: sa.Engine) -> dict[str, str]:
    """An API token per role, role → token."""
    return {role: create_token(engine, f"{role}-token", role, actor="test") for role in PERSONAS.values()}


def csrf_token(client: Any, path: str = "/login") -> str:
    """The CSRF token of the sign-in form as the client's session holds it."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def sign_in(client: Any, name: str, password: str = PASSWORD, next_path: str = "/") -> Any:
    """Post the sign-in form as a browser would (CSRF token included); returns the response."""
    return client.post(
        "/login", data={"csrf_token": csrf_token(client), "username": name, "password": password, "next": next_path}
    )


def client_as(name: str) -> Any:
    """A Flask test client signed in as a persona."""
    client = app.server.test_client()
    answer = sign_in(client, name)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return client


@contextlib.contextmanager
def acting_as(engine: sa.Engine, name: str) -> Iterator[None]:
    """A request context in which a persona is signed in (to call a callback as a plain function)."""
    with engine.connect() as conn:
        user = get_user(conn, conn.execute(sa.select(User.id).where(User.name == name)).scalar_one())
    with app.server.test_request_context("/_dash-update-component", method="POST"):
        flask_login.login_user(SessionUser(user))
        yield
