"""Run detail /runs/<id>: everything about one run, the full change list paged (what changed first, then the new
lines), and a CSV of the changes. A queued or running run's summary (its progress) is redrawn every 2 s, and its
details once more when it has ended."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

import pages._run_actions  # noqa: F401  (registers the Run now and Retry run callbacks)
from pages._components import changes_table, empty_state, no_changes, retry_toast, run_details, run_summary
from potrack import runtime
from potrack.bounds import id_of, lenient, whole_number
from potrack.clock import utcnow
from potrack.export import changes_csv
from potrack.store.models import Run
from potrack.store.paging import page_count
from potrack.store.run_cards import CardDetail, card_detail, change_list_page
from potrack.store.run_status import ACTIVE

dash.register_page(__name__, path_template="/runs/<run_id>", name="Run", nav=False)
CHANGES_PER_PAGE = 200
TICK_MS = 2000
RUN_ID = lenient(id_of(Run.id))  # ASCII digits within the column's range ('²' or 3000000000 name no run)
PAGE = lenient(whole_number(1, 2**31 - 1))


def layout(run_id: str | None = None, **_query: str) -> html.Div:
    """The run's summary and details; the changes are paged by show_changes, an active run redrawn by refresh_run."""
    number = RUN_ID(run_id) if run_id else None
    card = runtime.read(card_detail, number, CHANGES_PER_PAGE, True) if number is not None else None
    if card is None:
        return html.Div(
            [
                html.H2("Run not found"),
                empty_state(f"There is no run {run_id!r} in the store.", "run-missing"),
                dcc.Link("Back to the Ingestion Monitor", href="/runs"),
            ]
        )
    run = card.detail.run
    return html.Div(
        [
            dcc.Store(id="detail-run-id", data=run.id),
            dcc.Store(id="detail-run-source", data=run.source),
            retry_toast(),
            html.H2(f"Run #{run.id} · {run.source}"),
            dcc.Link("← Ingestion Monitor", href="/runs"),
            html.Div(run_summary(run, utcnow(), card.facts), id="detail-summary", className="card card-body my-2"),
            html.Div(details(card), id="detail-more"),
            dcc.Interval(id="detail-tick", interval=TICK_MS, disabled=run.status not in ACTIVE),
        ],
        id="run-detail",
    )


def details(card: CardDetail) -> html.Div:
    """The run's details with the first page of its change list, its pager and the CSV download."""
    run = card.detail.run
    total = card.counts.events + card.counts.new_lines
    pages = page_count(total, CHANGES_PER_PAGE)
    changes = html.Div(
        [
            html.Div(
                [
                    dbc.Button(
                        "Download the changes (CSV)",
                        id="detail-csv",
                        color="secondary",
                        size="sm",
                        className="me-2",
                        disabled=not total,
                    ),
                    dcc.Download(id="detail-download"),
                ],
                className="mb-2",
            ),
            dbc.Pagination(
                id="detail-changes-pager",
                max_value=pages,
                active_page=1,
                fully_expanded=False,
                first_last=True,
                previous_next=True,
                size="sm",
                className="" if pages > 1 else "d-none",
            ),
            html.Div(
                changes_table(card.changes, run.source) if total else no_changes(run),
                id="detail-changes",
            ),
        ]
    )
    return run_details(card, changes)


@dash.callback(
    Output("detail-summary", "children"),
    Output("detail-more", "children"),
    Output("detail-tick", "disabled"),
    Input("detail-tick", "n_intervals"),
    State("detail-run-id", "data"),
    prevent_initial_call=True,
)
def refresh_run(_tick: int | None, run_id: int) -> tuple[Any, Any, bool]:
    """While the run is queued or running, its summary as it is now (stage, rows, percent, elapsed); once it has
    ended, its details too, and the ticking stops."""
    number = RUN_ID(run_id)
    card = runtime.read(card_detail, number, CHANGES_PER_PAGE, True) if number is not None else None
    if card is None:
        return no_update, no_update, True
    run = card.detail.run
    active = run.status in ACTIVE
    return run_summary(run, utcnow(), card.facts), no_update if active else details(card), not active


@dash.callback(
    Output("detail-changes", "children"),
    Input("detail-changes-pager", "active_page"),
    State("detail-run-id", "data"),
    State("detail-run-source", "data"),
    prevent_initial_call=True,
)
def show_changes(page: int | None, run_id: int, source: str) -> html.Div:
    """One page of the run's change list (change events, then new lines), paged in SQL (the run and page as the
    browser sent them, bounded)."""
    number = RUN_ID(run_id)
    if number is None:
        raise PreventUpdate
    return changes_table(runtime.read(change_list_page, number, PAGE(page) or 1, CHANGES_PER_PAGE), source)


@dash.callback(
    Output("detail-download", "data"),
    Input("detail-csv", "n_clicks"),
    State("detail-run-id", "data"),
    prevent_initial_call=True,
)
def download_changes(n_clicks: int | None, run_id: int) -> dict[str, object]:
    """The run's change events as a CSV file."""
    number = RUN_ID(run_id)
    text = runtime.read(changes_csv, number) if n_clicks and number is not None else None
    if text is None:
        raise PreventUpdate
    sent: dict[str, object] = dcc.send_string(text, f"potrack-run-{run_id}-changes.csv")
    return sent
