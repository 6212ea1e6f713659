"""Run history: the newest runs and their metrics."""

import dash
from dash import html

from potrack import bootstrap
from potrack.store.queries import recent_runs

dash.register_page(__name__, path="/", name="Runs")

COLUMNS = ("id", "source", "trigger", "status", "queued_at", "duration_s", "lines_processed", "lines_new",
           "lines_changed", "lines_removed", "change_events", "batches_reconstructed", "xref_gaps", "errors", "error")


def layout() -> html.Div:
    """The page is rebuilt from the store on every visit."""
    with bootstrap.current().engine.connect() as conn:
        runs = recent_runs(conn)
    if not runs:
        return html.Div([html.H2("Runs"), html.P("No runs yet: run `python -m potrack run`.")])
    header = html.Tr([html.Th(c.replace("_", " ")) for c in COLUMNS])
    body = [html.Tr([html.Td(str(getattr(r, c)) if getattr(r, c) is not None else "") for c in COLUMNS]) for r in runs]
    return html.Div([html.H2("Runs"), html.Table([html.Thead(header), html.Tbody(body)])])
