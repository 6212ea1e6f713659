"""The page for a path that names no page (Dash shows the module named not_found_404 then): says so inside the
navbar, with the way back to the Overview and the Ingestion Monitor."""

from __future__ import annotations

import dash
from dash import Input, Output, dcc, html

dash.register_page(__name__, name="Page not found", nav=False)


def layout(**_query: str) -> html.Div:
    """'Page not found', the path asked for (filled from the URL), and links back."""
    return html.Div(
        [
            html.H2("Page not found"),
            html.P(["potrack has no page at ", html.Code(id="not-found-path"), "."]),
            html.P(
                [
                    dcc.Link("Back to the Overview", href="/", id="not-found-home"),
                    " · ",
                    dcc.Link("Ingestion Monitor", href="/runs"),
                    " · ",
                    dcc.Link("Runbook", href="/runbook"),
                ]
            ),
        ],
        id="not-found",
    )


@dash.callback(Output("not-found-path", "children"), Input("shell-url", "pathname"))
def show_path(path: str | None) -> str:
    """The path that names no page."""
    return path or ""
