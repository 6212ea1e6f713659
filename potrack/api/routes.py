"""The API's route table: every /api URL, its methods and the view that answers it."""

from __future__ import annotations

import flask

ROUTES: list[tuple[str, str, list[str], object]] = []


def register_api(server: flask.Flask) -> None:
    """Add every API route to the Flask server."""
    for rule, endpoint, methods, view in ROUTES:
        server.add_url_rule(rule, endpoint, view, methods=methods)  # type: ignore[arg-type]
