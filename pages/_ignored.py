"""The note a list page shows when its URL asks for a filter it cannot apply (a bad filter), instead of failing."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html


def ignored_note(name: str, problems: tuple[str, ...]) -> html.Div:
    """A warning listing what the URL asked for that the page ignores and why (empty when nothing was)."""
    if not problems:
        return html.Div(id=f"{name}-ignored")
    return html.Div(
        dbc.Alert(
            [
                html.Span("Bad filter in the URL, ignored: "),
                html.Ul([html.Li(problem) for problem in problems], className="mb-0"),
            ],
            color="warning",
            className="bad-filter mb-2",
        ),
        id=f"{name}-ignored",
    )
