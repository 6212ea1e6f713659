"""Who is signed in, as the pages see it: to show the user, to leave out the buttons a role may not use, and to
name the actor to potrack.actions (which checks the role again: hiding is not protecting)."""

from __future__ import annotations

import flask

from potrack.auth.roles import Action, Actor, allowed
from potrack.auth.session import current_actor


def signed_in() -> Actor | None:
    """The actor of the current request; None when nobody is signed in or there is no request."""
    return current_actor() if flask.has_request_context() else None


def may(action: Action) -> bool:
    """Whether the signed-in user's role allows an action (False when nobody is signed in)."""
    actor = signed_in()
    return actor is not None and allowed(actor.role, action)
