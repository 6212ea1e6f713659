"""How the pages' buttons reach potrack.actions: which pattern-matched button was clicked, and a refusal in the
words of a toast."""

from __future__ import annotations

from typing import Any

import dash
from dash.exceptions import PreventUpdate

from potrack.actions import Refused


def clicked() -> dict[str, Any]:
    """The id of the pattern-matched button whose click fired the callback; PreventUpdate when a button merely
    appeared (its n_clicks went to None)."""
    button = dash.ctx.triggered_id
    if not isinstance(button, dict) or not dash.ctx.triggered[0]["value"]:
        raise PreventUpdate
    return button


def refusal(refused: Refused, undone: str = "queued") -> tuple[str, str]:
    """A toast's message and icon for an action not taken: who may not, in red ('Refused: …. Nothing was
    queued.'); why not now, in amber ('Not queued: ….')."""
    if refused.kind in ("unauthenticated", "forbidden"):
        return f"Refused: {refused.reason}. Nothing was {undone}.", "danger"
    return f"Not {undone}: {refused.reason}.", "warning"
