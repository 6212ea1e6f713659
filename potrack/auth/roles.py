"""Roles and the actions each may take; every mutating callback and route asks `require` first."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from potrack.store.models import ROLES


class Action(enum.Enum):
    """Something that changes state."""

    RUN_NOW = "run now"
    RETRY_RUN = "retry a run"
    RETRY_ROWS = "retry rejected rows"
    MAP_ITEM_CODES = "map item codes to parts"
    MANAGE_USERS = "manage users"
    ALERT_SETTINGS = "change alert settings"
    ACCEPT_REMOVALS = "accept removals beyond a source's limit"
    UPLOAD = "upload snapshot files"
    SEE_SUBSCRIBERS = "see the subscribers and their deliveries"

    @property
    def label(self) -> str:
        """The action in words, for refusals."""
        return self.value

    @property
    def role(self) -> str:
        """The weakest role allowed to take the action."""
        return MINIMUM_ROLE[self]


MINIMUM_ROLE = {
    Action.RUN_NOW: "operator",
    Action.RETRY_RUN: "operator",
    Action.RETRY_ROWS: "operator",
    Action.MAP_ITEM_CODES: "operator",
    Action.MANAGE_USERS: "admin",
    Action.ALERT_SETTINGS: "admin",
    Action.ACCEPT_REMOVALS: "admin",
    Action.UPLOAD: "operator",
    Action.SEE_SUBSCRIBERS: "admin",
}


class Forbidden(Exception):
    """The actor's role may not take this action."""


class Unauthenticated(Exception):
    """Nobody is signed in (no session, no valid token)."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user or an API token, by name, with its role."""

    name: str
    role: str
    kind: str = "user"

    @property
    def label(self) -> str:
        """How the audit log names the actor."""
        return self.name if self.kind == "user" else f"token:{self.name}"


def check_role(role: str) -> str:
    """A role name, or ValueError naming the allowed ones."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    return role


def allowed(role: str, action: Action) -> bool:
    """Whether a role may take an action (roles are ordered viewer < operator < admin)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(action.role)


def require(actor: Actor | None, action: Action) -> Actor:
    """The actor when its role allows the action; Unauthenticated or Forbidden otherwise."""
    if actor is None:
        raise Unauthenticated("sign in first")
    if not allowed(actor.role, action):
        raise Forbidden(f"{actor.name} ({actor.role}) may not {action.label}: it needs the {action.role} role")
    return actor
