"""Ingestion Monitor: the run history, filtered through the URL, 50 runs a page, cards that expand in place."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

import pages._run_actions  # noqa: F401  (registers the Run now and Retry run callbacks)
from pages._components import (
    card_class,
    empty_state,
    first_changes,
    retry_toast,
    run_card,
    run_details,
    run_now_control,
    run_now_toast,
    run_summary,
)
from pages._ignored import ignored_note
from pages._lists import PER_PAGE, count_line, date_range, list_page
from pages._uploads import refresh_on_upload, upload_area, upload_outcome, upload_sources
from potrack import runtime, timefmt
from potrack.clock import utcnow
from potrack.store.models import RUN_STATUSES
from potrack.store.run_cards import card_detail, card_facts
from potrack.store.run_history import RunPage, RunRow, list_runs, run_sources, source_statuses
from potrack.store.run_status import ACTIVE, FAILED
from potrack.web.filters import RunView

dash.register_page(__name__, path="/runs", name="Ingestion Monitor", order=1)
TICK_MS = 2000
refresh_on_upload("runs-tick")  # an upload's run shows at once
CARD_ROWS = 20  # the rows an opened card lists of each of its tables; the run's page has them all


def layout(**query: str) -> html.Div:
    """Filters from the query string; the list itself is filled by refresh_runs."""
    view = RunView.from_params(query)
    sources = sorted(set(runtime.source_names()) | set(runtime.read(run_sources)))
    filters = dbc.Row(
        [
            dbc.Col(date_range("runs-filter-dates", view.start, view.end), width="auto"),
            dbc.Col(
                dcc.Dropdown(
                    id="runs-filter-status",
                    options=list(RUN_STATUSES),
                    value=list(view.statuses),
                    multi=True,
                    placeholder="any status",
                ),
                md=4,
            ),
            dbc.Col(
                dcc.Dropdown(id="runs-filter-source", options=sources, value=view.source, placeholder="any source"),
                md=2,
            ),
        ],
        className="g-2 mb-2 align-items-center",
    )
    uploads = [area for cfg in upload_sources() if (area := upload_area(cfg)) is not None]
    above = [
        html.Div(id="runs-run-now", className="mb-1"),
        *([html.Div(uploads, className="upload-areas mb-2")] if uploads else []),
        *[run_now_toast(name) for name in runtime.source_names()],
        retry_toast(),
        *upload_outcome(),
        html.Div(id="runs-banner"),
        ignored_note("runs", RunView.ignored(query)),
        filters,
    ]
    below = (dcc.Interval(id="runs-tick", interval=TICK_MS, disabled=True),)
    return list_page("runs", "Ingestion Monitor", view.page, above, below)


@dash.callback(
    Output("runs-url", "search"),
    Output("runs-pager", "active_page"),
    Input("runs-filter-dates", "start_date"),
    Input("runs-filter-dates", "end_date"),
    Input("runs-filter-status", "value"),
    Input("runs-filter-source", "value"),
    Input("runs-pager", "active_page"),
    State("runs-url", "search"),
    prevent_initial_call=True,
)
def filters_to_url(
    start: str | None,
    end: str | None,
    statuses: list[str] | None,
    source: str | None,
    page: int | None,
    search: str | None,
) -> tuple[str, int]:
    """Put the filters and page in the query string; a changed filter goes back to page 1."""
    return RunView.from_inputs(start, end, statuses, source, page).after_change(search)


def _count(page: RunPage, view: RunView) -> str:
    filtered = not view.same_filters(RunView())
    return count_line(page, "runs", "newest first", "No runs match these filters." if filtered else "No runs yet.")


def _banner(failures: list[RunRow], now: dt.datetime) -> list[dbc.Alert]:
    return [
        dbc.Alert(
            [
                html.Strong(f"The latest run of {run.source} {run.status} "),
                html.Span(timefmt.relative(run.queued_at, now)),
                f": {run.error or 'no reason was recorded'} ",
                dcc.Link(f"Open run #{run.id}", href=f"/runs/{run.id}"),
            ],
            color="danger",
            className=f"latest-failure latest-failure-{run.id} mb-2",
        )
        for run in failures
    ]


@dash.callback(
    Output("runs-list", "children"),
    Output({"type": "run-summary", "index": ALL}, "children"),
    Output({"type": "run-card", "index": ALL}, "className"),
    Output("runs-pager", "max_value"),
    Output("runs-count", "children"),
    Output("runs-banner", "children"),
    Output("runs-run-now", "children"),
    Output("runs-tick", "disabled"),
    Output({"type": "run-card", "index": ALL}, "data-status"),
    Input("runs-url", "search"),
    Input({"type": "run-now-toast", "source": ALL}, "is_open"),
    Input("retry-toast", "is_open"),
    Input("runs-tick", "n_intervals"),
    State({"type": "run-summary", "index": ALL}, "id"),
)
def refresh_runs(
    search: str | None, _toasts: list[bool], _retried: bool | None, _tick: int | None, shown: list[dict[str, Any]]
) -> tuple[Any, ...]:
    """Show the page of runs the URL asks for (again after a Run now or Retry run); when the same runs are shown,
    only their summaries, classes and data-status are redrawn."""
    view, tz, now = RunView.from_search(search), runtime.zone(), utcnow()
    page = runtime.read(list_runs, view.run_filter(tz), view.page, PER_PAGE)
    facts = runtime.read(card_facts, page.runs)
    statuses = runtime.read(source_statuses, runtime.source_names())
    failures = [s.last for s in statuses if s.last is not None and s.last.status in FAILED]
    failed_ids = {run.id for run in failures}
    if page.runs and [r.id for r in page.runs] == [s["index"] for s in shown]:
        cards: Any = no_update
        summaries: Any = [run_summary(r, now, facts.get(r.id)) for r in page.runs]
        classes: Any = [card_class(r.id in failed_ids) for r in page.runs]
        statuses_shown: Any = [r.status for r in page.runs]
    else:
        cards = [run_card(r, now, r.id in failed_ids, facts.get(r.id)) for r in page.runs] or empty_state(
            _count(page, view), "runs-empty"
        )
        summaries = classes = statuses_shown = [no_update] * len(shown)
    fed_by_uploads = {cfg.name for cfg in runtime.settings().sources if cfg.upload_only}  # nothing to run now
    run_now = [
        control
        for s in statuses
        if s.source not in fed_by_uploads and (control := run_now_control(s.source, s.active)) is not None
    ]
    active = any(s.active for s in statuses) or any(r.status in ACTIVE for r in page.runs)
    return (
        cards,
        summaries,
        classes,
        page.pages,
        _count(page, view),
        _banner(failures, now),
        run_now,
        not active,
        statuses_shown,
    )


@dash.callback(
    Output({"type": "run-collapse", "index": MATCH}, "is_open"),
    Output({"type": "run-details", "index": MATCH}, "children"),
    Input({"type": "run-summary", "index": MATCH}, "n_clicks"),
    State({"type": "run-collapse", "index": MATCH}, "is_open"),
    State({"type": "run-summary", "index": MATCH}, "id"),
    prevent_initial_call=True,
)
def toggle_card(n_clicks: int | None, is_open: bool | None, summary: dict[str, Any]) -> tuple[bool, Any]:
    """Expand a card and load its details (only now), or collapse it."""
    if not n_clicks:
        raise PreventUpdate
    if is_open:
        return False, no_update
    card = runtime.read(card_detail, int(summary["index"]), CARD_ROWS)
    if card is None:
        return True, empty_state("This run is no longer in the store.", "run-missing")
    return True, run_details(card, first_changes(card))
