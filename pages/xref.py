"""Xref gaps: every unmapped item code with its lifecycle, the costliest (open value) first; operators map a code
to an internal part, which is stored, audited and applies from the source's next run."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html, no_update

from pages._actions import refusal
from pages._components import empty_state, grid_cells, grid_row, grid_table, moment_cell, run_cell, toast
from pages._ignored import ignored_note
from pages._lists import PER_PAGE, count_line, list_page
from potrack import actions, runtime
from potrack.actions import Refused
from potrack.auth.roles import Action
from potrack.store.xref import GAP_STATES, Gap, list_gaps
from potrack.web.access import may, signed_in
from potrack.web.filters import GapView
from potrack.web.fragment import Cell, Markup, cell, element, text
from potrack.xref_wording import gap_resolution

dash.register_page(__name__, path="/xref", name="Xref gaps", order=4)
STATES = [{"label": state, "value": state} for state in GAP_STATES]
FIELD_NAMES = {"internal_part_id": "the internal part id", "item_code": "the item code"}


def layout(**query: str) -> html.Div:
    """Filters from the query string; the gaps are listed by show_gaps."""
    view = GapView.from_params(query)
    filters = dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(
                    id="xref-filter-source", options=runtime.source_names(), value=view.source, placeholder="any source"
                ),
                md=2,
            ),
            dbc.Col(
                dbc.RadioItems(id="xref-filter-state", options=STATES, value=view.state, inline=True), width="auto"
            ),
        ],
        className="g-2 mb-2 align-items-center",
    )
    note = html.P(
        "Open value: Σ open quantity × unit price of the code's active unmapped lines, in their currency. "
        "A mapping made here applies from the source's next run and wins over the source's own xref.",
        className="small text-muted",
    )
    return list_page(
        "xref",
        "Xref gaps: unmapped item codes",
        view.page,
        [
            toast("xref-toast", "Map an item code", "xref-toast"),
            dcc.Store(id="xref-mapped", data=0),
            ignored_note("xref", GapView.ignored(query)),
            filters,
            note,
        ],
    )


@dash.callback(
    Output("xref-url", "search"),
    Output("xref-pager", "active_page"),
    Input("xref-filter-source", "value"),
    Input("xref-filter-state", "value"),
    Input("xref-pager", "active_page"),
    State("xref-url", "search"),
    prevent_initial_call=True,
)
def filters_to_url(source: str | None, state: str | None, page: int | None, search: str | None) -> tuple[str, int]:
    """Put the filters and page in the query string; a changed filter goes back to page 1."""
    return GapView.from_inputs(source, state, page).after_change(search)


def _map_control(gap: Gap) -> dbc.InputGroup | None:
    """A part id box and Map button for an open gap (operators and admins only)."""
    if not gap.is_open or not may(Action.MAP_ITEM_CODES):
        return None
    key = {"source": gap.source, "code": gap.item_code}
    return dbc.InputGroup(
        [
            dbc.Input(
                id={"type": "xref-part", **key},
                placeholder="internal part id",
                maxLength=64,
                value=gap.mapping.internal_part_id if gap.mapping else None,
            ),
            dbc.Button("Map", id={"type": "xref-map", **key}, color="primary"),
        ],
        size="sm",
        className="xref-map-control",
        style={"minWidth": "16rem"},
    )


# A gap's columns: header and class of each static cell; the map control is the last column.
COLUMNS = [
    ("source", "xref-source"),
    ("item code", "xref-item-code"),
    ("first seen", "xref-first-seen"),
    ("last seen", "xref-last-seen"),
    ("nights", "xref-nights"),
    ("lines now", "xref-lines-now"),
    ("open value", "xref-open-value"),
    ("resolved", "xref-resolved"),
    ("state", "xref-state"),
]


def _seen(at: dt.datetime | None, run_id: int) -> Markup:
    """When and in which run: '2026-11-01 02:00 (#4)'."""
    return Markup(f"{cell(moment_cell(at))} ({cell(run_cell(run_id))})")


def gap_cells(gap: Gap) -> list[str]:
    """A gap's static cells as HTML: code, when first and last seen, nights, lines and value now, where it stands
    (the map control is a component of its own)."""
    value = f"{gap.open_value:,.2f} {gap.currency or ''}".strip() if gap.lines_now else "—"
    state = element("span", text(gap_resolution(gap)), f"gap-{'open' if gap.is_open else 'resolved'}")
    values: list[Cell] = [
        gap.source,
        Markup(element("code", text(gap.item_code))),
        _seen(gap.first_seen_at, gap.first_run_id),
        _seen(gap.last_seen_at, gap.last_run_id),
        f"{gap.nights:,}",
        f"{gap.lines_now:,}",
        value,
        _seen(gap.resolved_at, gap.resolved_run_id) if gap.resolved_run_id else "",
        Markup(state),
    ]
    return grid_cells(values, COLUMNS)


def gaps_table(gaps: list[Gap]) -> html.Div:
    """The gaps, one a line, each line's static cells ONE component and its map control (or an empty cell) last:
    a page of 50 gaps is some 250 components instead of 1,000 (Dash's time to draw grows with them)."""

    def row(gap: Gap) -> html.Div:
        control = _map_control(gap)
        if control is None:
            return grid_row([*gap_cells(gap), element("div", "", "xref-no-control")])
        return grid_row(gap_cells(gap), control)

    return grid_table([h for h, _ in COLUMNS] + [""], [row(gap) for gap in gaps], "xref-gaps")


@dash.callback(
    Output("xref-list", "children"),
    Output("xref-pager", "max_value"),
    Output("xref-count", "children"),
    Input("xref-url", "search"),
    Input("xref-mapped", "data"),
)
def show_gaps(search: str | None, _mapped: int | None) -> tuple[Any, int, str]:
    """The page of gaps the URL asks for (again after each mapping)."""
    view = GapView.from_search(search)
    found = runtime.read(list_gaps, view.gap_filter(), view.page, PER_PAGE, tz=runtime.zone())
    empty = {
        "open": "No open xref gap: every item code of the latest runs is mapped.",
        "resolved": "No resolved xref gap yet.",
    }.get(view.state, "No xref gap recorded yet.")
    count = count_line(found, "item codes", "costliest first", empty)
    return (gaps_table(found.gaps) if found.gaps else empty_state(count, "xref-empty")), found.pages, count


def map_code(source: str, item_code: str, part_id: str | None) -> tuple[bool, Any, str]:
    """Map a code in the signed-in user's name: the toast's (is_open, message, icon)."""
    try:
        done = actions.map_item_code(signed_in(), source, item_code, part_id)
    except Refused as refused:
        if refused.field == "source":
            return True, f"Not mapped: {source!r} is not a configured source.", "warning"
        if refused.field is not None:
            return True, f"Not mapped: {FIELD_NAMES.get(refused.field, refused.field)} {refused.reason}.", "warning"
        return (True, *refusal(refused, "mapped"))
    mapping = done.mapping
    was = f" (was {done.replaced})" if done.replaced not in (None, mapping.internal_part_id) else ""
    return (
        True,
        f"{mapping.item_code} of {source} is mapped to {mapping.internal_part_id}{was}; it applies from the next run.",
        "success",
    )


@dash.callback(
    Output("xref-toast", "is_open"),
    Output("xref-toast", "children"),
    Output("xref-toast", "icon"),
    Output("xref-mapped", "data"),
    Input({"type": "xref-map", "source": ALL, "code": ALL}, "n_clicks"),
    State({"type": "xref-part", "source": ALL, "code": ALL}, "value"),
    State({"type": "xref-part", "source": ALL, "code": ALL}, "id"),
    State("xref-mapped", "data"),
    prevent_initial_call=True,
)
def map_clicked(
    clicks: list[int | None], parts: list[str | None], part_ids: list[dict[str, str]], mapped: int | None
) -> tuple[bool, Any, Any, Any]:
    """The Map button of one gap was clicked: store its part id box's value as the code's mapping."""
    button = dash.ctx.triggered_id
    if not button or not any(clicks):
        return False, no_update, no_update, no_update
    part = next(
        (
            value
            for value, pid in zip(parts, part_ids, strict=False)
            if (pid["source"], pid["code"]) == (button["source"], button["code"])
        ),
        None,
    )
    outcome = map_code(button["source"], button["code"], part)
    return (*outcome, (mapped or 0) + 1 if outcome[2] == "success" else no_update)
