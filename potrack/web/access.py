"""Who is signed in, as the pages see it: to show the user and to leave out the buttons a role may not use.
(The callbacks behind those buttons check again with potrack.auth.session.acting: hiding is not protecting.)"""

from __future__ import annotations

import flask

from potrack.auth.roles import Action, Actor, Forbidden, Unauthenticated, allowed
from potrack.auth.session import acting, current_actor


def signed_in() -> Actor | None:
    """The actor of the current request; None when nobody is signed in or there is no request."""
    return current_actor() if flask.has_request_context() else None


def may(action: Action) -> bool:
    """Whether the signed-in user's role allows an action (False when nobody is signed in)."""
    actor = signed_in()
    return actor is not None and allowed(actor.role, action)


def permitted(action: Action, undone: str = "queued") -> Actor | str:
    """The signed-in actor when allowed to take the action; else the refusal to show ('Nothing was `undone`.')."""
    try:
        return acting(action)
    except (Forbidden, Unauthenticated) as exc:
        return f"Refused: {exc}. Nothing was {undone}."
