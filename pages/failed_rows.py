"""Failed rows: rejected rows across runs, filtered through the URL, 50 a page; operators retry them."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html, no_update
from dash.exceptions import PreventUpdate

from pages._actions import refusal
from pages._components import (
    empty_state,
    grid_cells,
    grid_row,
    grid_table,
    moment_cell,
    row_key_cell,
    run_cell,
    run_link,
    toast,
)
from pages._ignored import ignored_note
from pages._lists import PER_PAGE, count_line, date_range, json_cell, list_page
from potrack import actions, runtime, timefmt
from potrack.actions import Refused
from potrack.auth.roles import Action
from potrack.store.failed_rows import FailedRowItem, list_failed_rows
from potrack.store.retries import FinishedRowRetry, QueuedRetry, finished_row_retries
from potrack.store.run_history import run_sources
from potrack.web.access import may, signed_in
from potrack.web.filters import ROW_ORDERS, ROW_STATES, FailedRowView
from potrack.web.fragment import Cell, Markup, cell, element, text

dash.register_page(__name__, path="/failed-rows", name="Failed rows", order=5)
STATES = [{"label": state, "value": state} for state in ROW_STATES]
ORDERS = [{"label": f"{order} first", "value": order} for order in ROW_ORDERS]
WATCH_MS = 2000  # how often a queued row retry is looked at until it has finished


def _actions(view: FailedRowView) -> html.Div | None:
    """Retry selected rows, and Retry all unresolved rows of the run filtered on (operators and admins only)."""
    if not may(Action.RETRY_ROWS):
        return None
    label, name = _run_button(view)
    return html.Div(
        [
            dbc.Button(
                "Retry selected rows",
                id="failed-retry-selected",
                color="warning",
                size="sm",
                className="me-2",
                disabled=True,  # until a row is checked (enable_retry_selected)
            ),
            dbc.Button(label, id="failed-retry-run", color="warning", outline=True, size="sm", className=name),
        ],
        className="mb-2 failed-actions",
    )


def _run_button(view: FailedRowView) -> tuple[str, str]:
    """The run button's label and class: hidden unless a run is filtered on."""
    if view.run_id is None:
        return "", "d-none"
    return f"Retry all unresolved rows of run #{view.run_id}", ""


def _id_filter(component_id: str, value: int | None, placeholder: str) -> dbc.Col:
    """A filter on one id (a run's, an upload's): a whole number from 1, applied once typing stops."""
    return dbc.Col(
        dbc.Input(id=component_id, type="number", min=1, step=1, value=value, placeholder=placeholder, debounce=True),
        width=1,
        style={"minWidth": "7rem"},
    )


def layout(**query: str) -> html.Div:
    """Filters from the query string (default: unresolved rows, newest first); the list is filled by show_rows."""
    view = FailedRowView.from_params(query)
    sources = sorted(set(runtime.source_names()) | set(runtime.read(run_sources)))
    filters = dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(id="failed-filter-source", options=sources, value=view.source, placeholder="any source"),
                md=2,
            ),
            _id_filter("failed-filter-run", view.run_id, "run #"),
            _id_filter("failed-filter-upload", view.upload_id, "upload #"),
            dbc.Col(date_range("failed-filter-dates", view.start, view.end), width="auto"),
            dbc.Col(
                dbc.RadioItems(id="failed-filter-state", options=STATES, value=view.state, inline=True), width="auto"
            ),
            dbc.Col(
                dbc.RadioItems(id="failed-filter-sort", options=ORDERS, value=view.order, inline=True), width="auto"
            ),
        ],
        className="g-2 mb-2 align-items-center",
    )
    return list_page(
        "failed",
        "Failed rows",
        view.page,
        [
            toast("failed-toast", "Retry rows", "failed-toast"),
            dcc.Store(id="failed-watch", data=[]),
            dcc.Interval(id="failed-watch-tick", interval=WATCH_MS, disabled=True),
            ignored_note("failed", FailedRowView.ignored(query)),
            filters,
            _actions(view),
        ],
    )


@dash.callback(
    Output("failed-url", "search"),
    Output("failed-pager", "active_page"),
    Input("failed-filter-source", "value"),
    Input("failed-filter-run", "value"),
    Input("failed-filter-dates", "start_date"),
    Input("failed-filter-dates", "end_date"),
    Input("failed-filter-state", "value"),
    Input("failed-filter-sort", "value"),
    Input("failed-pager", "active_page"),
    Input("failed-filter-upload", "value"),
    State("failed-url", "search"),
    prevent_initial_call=True,
)
def filters_to_url(
    source: str | None,
    run_id: int | None,
    start: str | None,
    end: str | None,
    state: str | None,
    order: str | None,
    page: int | None,
    upload_id: int | None,
    search: str | None,
) -> tuple[str, int]:
    """Put the filters and page in the query string; a changed filter goes back to page 1."""
    return FailedRowView.from_inputs(source, run_id, start, end, state, order, page, upload_id).after_change(search)


# A row's columns: header and class of each static cell; the checkbox, when rows may be picked, is the first column.
COLUMNS = [
    ("row key", "failed-key"),
    ("source", "failed-source"),
    ("stage", "failed-stage"),
    ("row data", "failed-data"),
    ("error", "failed-error"),
    ("where", "failed-where"),
    ("run", "failed-run"),
    ("rejected", "failed-rejected"),
    ("retries", "failed-retries"),
    ("resolution", "failed-resolution"),
]


def _resolution(row: FailedRowItem) -> Cell:
    """'unresolved', or how it was resolved and by which run, the exact UTC time on hover."""
    if row.resolved_at is None:
        return "unresolved"
    by = f" by {cell(run_cell(row.resolved_by_run_id))}" if row.resolved_by_run_id else ""
    return Markup(element("span", text(row.resolution or "resolved") + by, title=timefmt.utc_text(row.resolved_at)))


def row_cells(row: FailedRowItem) -> list[str]:
    """A rejected row's static cells as HTML: key (linked to its line), source, stage, data, error, where, run,
    when, retries, resolution (its checkbox is a component of its own)."""
    values: list[Cell] = [
        row_key_cell(row.source, row.row_key),
        row.source,
        row.stage,
        json_cell(row.raw),
        row.error,
        row.location or "",
        run_cell(row.run_id),
        moment_cell(row.rejected_at),
        str(row.retry_count),
        _resolution(row),
    ]
    return grid_cells(values, COLUMNS)


def rows_table(rows: list[FailedRowItem], selectable: bool) -> html.Div:
    """The rejected rows, each row's static cells ONE component; with `selectable`, a checkbox before each
    unresolved one (an empty cell before a resolved one): a page of 50 rows is some 150 components instead of 800
    (Dash's time to draw grows with them)."""
    header = [h for h, _ in COLUMNS]
    if not selectable:
        return grid_table(header, [grid_row(row_cells(row)) for row in rows], "failed-rows")

    def row(item: FailedRowItem) -> html.Div:
        if item.resolved_at is not None:
            return grid_row([element("div", "", "failed-no-pick"), *row_cells(item)])
        pick = dbc.Checkbox(id={"type": "failed-row-pick", "index": item.id}, value=False, className="failed-pick")
        return grid_row(row_cells(item), pick, first=True)

    return grid_table(["", *header], [row(item) for item in rows], "failed-rows failed-rows-pickable")


@dash.callback(
    Output("failed-list", "children"),
    Output("failed-pager", "max_value"),
    Output("failed-count", "children"),
    Input("failed-url", "search"),
    Input("failed-watch", "data"),
)
def show_rows(search: str | None, _watched: list[int] | None = None) -> tuple[Any, int, str]:
    """The page of rejected rows the URL asks for (again when a row retry was queued or has finished)."""
    view = FailedRowView.from_search(search)
    found = runtime.read(
        list_failed_rows, view.row_filter(runtime.zone()), view.page, PER_PAGE, newest_first=view.order == "newest"
    )
    empty = (
        "No failed rows match these filters."
        if not view.same_filters(FailedRowView())
        else "No unresolved failed rows."
    )
    count = count_line(found, "failed rows", f"{view.order} first", empty)
    listing = rows_table(found.rows, may(Action.RETRY_ROWS)) if found.rows else empty_state(count, "failed-empty")
    return listing, found.pages, count


@dash.callback(
    Output("failed-retry-run", "children"),
    Output("failed-retry-run", "className"),
    Input("failed-url", "search"),
)
def show_run_button(search: str | None) -> tuple[str, str]:
    """Offer to retry all unresolved rows of a run while the list is filtered on that run."""
    return _run_button(FailedRowView.from_search(search))


def _queued(retries: list[QueuedRetry]) -> list[Any]:
    parts: list[Any] = []
    for q in retries:
        parts += [
            run_link(q.run_id, f"Run #{q.run_id}"),
            f" of {q.source} queued to retry {q.rows:,} failed row" + ("s. " if q.rows != 1 else ". "),
        ]
    return parts


def queue_rows(picked: list[int], run_id: int | None = None) -> tuple[bool, Any, str, list[int]]:
    """Queue a row retry of the picked rows, or (given a run) of all its unresolved rows, in the signed-in user's
    name: the toast's (is_open, message, icon) and the queued runs."""
    actor = signed_in()
    try:
        queued = actions.retry_rows(actor, picked) if run_id is None else actions.retry_unresolved_rows(actor, run_id)
    except Refused as refused:
        return (True, *refusal(refused), [])
    return True, _queued(queued), "success", [q.run_id for q in queued]


@dash.callback(
    Output("failed-toast", "is_open"),
    Output("failed-toast", "children"),
    Output("failed-toast", "icon"),
    Output({"type": "failed-row-pick", "index": ALL}, "value"),
    Output("failed-watch", "data"),
    Output("failed-watch-tick", "disabled"),
    Input("failed-retry-selected", "n_clicks"),
    Input("failed-retry-run", "n_clicks"),
    State({"type": "failed-row-pick", "index": ALL}, "value"),
    State({"type": "failed-row-pick", "index": ALL}, "id"),
    State("failed-url", "search"),
    State("failed-watch", "data"),
    prevent_initial_call=True,
)
def retry_rows(
    _selected: int | None,
    _run: int | None,
    picks: list[bool | None],
    pick_ids: list[dict[str, Any]],
    search: str | None,
    watched: list[int] | None = None,
) -> tuple[Any, ...]:
    """Retry the checked rows, or every unresolved row of the run filtered on, whichever button was clicked; the
    checkboxes clear once a retry is queued, and the queued runs are watched until they have finished."""
    if dash.ctx.triggered_id == "failed-retry-run":
        outcome = queue_rows([], FailedRowView.from_search(search).run_id or 0)
    else:
        outcome = queue_rows([int(i["index"]) for i, on in zip(pick_ids, picks, strict=False) if on])
    *toast, queued = outcome
    if not queued:
        return (*toast, [no_update for _ in picks], no_update, no_update)
    return (*toast, [False for _ in picks], [*(watched or []), *queued], False)


@dash.callback(
    Output("failed-retry-selected", "disabled"),
    Input({"type": "failed-row-pick", "index": ALL}, "value"),
)
def enable_retry_selected(picks: list[bool | None]) -> bool:
    """Retry selected rows is offered once a row is checked."""
    return not any(picks)


def told(done: list[FinishedRowRetry]) -> list[Any]:
    """What finished row retries did, for the toast: 'Run #9 (partial) retried 3 rows: 2 rows written, 1 still
    failing, 0 superseded.'"""
    parts: list[Any] = []
    for retry in done:
        taken = retry.outcome.written + retry.outcome.failing + retry.outcome.superseded
        parts += [
            run_link(retry.run_id, f"Run #{retry.run_id}"),
            f" ({retry.status}) retried {taken:,} row{'s' if taken != 1 else ''}: {retry.outcome.text()}. ",
        ]
    return parts


@dash.callback(
    Output("failed-toast", "is_open", allow_duplicate=True),
    Output("failed-toast", "children", allow_duplicate=True),
    Output("failed-toast", "icon", allow_duplicate=True),
    Output("failed-watch", "data", allow_duplicate=True),
    Output("failed-watch-tick", "disabled", allow_duplicate=True),
    Input("failed-watch-tick", "n_intervals"),
    State("failed-watch", "data"),
    prevent_initial_call=True,
)
def watch_retries(_tick: int | None, watched: list[int] | None) -> tuple[Any, ...]:
    """Tell a queued row retry's outcome once it has finished (rows written, still failing, superseded)."""
    done = runtime.read(finished_row_retries, watched or [])
    if not done:
        raise PreventUpdate
    waiting = [run_id for run_id in watched or [] if run_id not in {r.run_id for r in done}]
    failing = any(r.outcome.failing or r.status != "success" for r in done)
    return True, told(done), "warning" if failing else "success", waiting, not waiting
