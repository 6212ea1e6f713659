"""Changes: every change event across runs, newest first, filtered through the URL, with summary tiles, changes per
night by field, the suppliers with the most promised-date slips, and the filtered set exported to Excel or CSV."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from pages._components import (
    change_text,
    empty_state,
    graph,
    html_table,
    line_cell,
    metric_tile,
    moment_cell,
    run_cell,
)
from pages._ignored import ignored_note
from pages._lists import PER_PAGE, count_line, date_range, list_page
from potrack import runtime
from potrack.export import export_url
from potrack.fields import FIELDS
from potrack.store.changes import (
    ChangeRow,
    ChangeSummary,
    changes_per_night,
    filter_choices,
    list_changes,
    summarize_changes,
    suppliers_by_slips,
)
from potrack.store.models import EVENT_KINDS
from potrack.web import figures
from potrack.web.filters import ChangeView
from potrack.web.fragment import Cell

dash.register_page(__name__, path="/changes", name="Changes", order=3)
KINDS = [{"label": kind, "value": kind} for kind in EVENT_KINDS]


def field_options() -> list[str]:
    """The fields a change can be of: the canonical ones, the part id, every source's custom columns."""
    custom = [name for src in runtime.settings().sources for name in src.custom_columns]
    return list(dict.fromkeys([*FIELDS, "internal_part_id", *custom]))


def _dropdown(name: str, options: list[str], value: Any, placeholder: str, multi: bool = False) -> dcc.Dropdown:
    return dcc.Dropdown(id=f"changes-filter-{name}", options=options, value=value, placeholder=placeholder, multi=multi)


def layout(**query: str) -> html.Div:
    """Filters from the query string; tiles, charts, list and export links are filled by show_changes."""
    view = ChangeView.from_params(query)
    choices = runtime.read(filter_choices)
    filters = html.Div(
        [
            dbc.Row(
                [
                    dbc.Col(date_range("changes-filter-dates", view.start, view.end), width="auto"),
                    dbc.Col(_dropdown("source", runtime.source_names(), view.source, "any source"), md=2),
                    dbc.Col(_dropdown("supplier", choices.suppliers, view.supplier, "any supplier"), md=2),
                    dbc.Col(_dropdown("buyer", choices.buyers, view.buyer, "any buyer"), md=2),
                    dbc.Col(_dropdown("plant", choices.plants, view.plant, "any plant"), md=2),
                ],
                className="g-2 mb-2 align-items-center",
            ),
            dbc.Row(
                [
                    dbc.Col(_dropdown("field", field_options(), list(view.fields), "any field", multi=True), md=4),
                    dbc.Col(
                        dbc.Checklist(id="changes-filter-kind", options=KINDS, value=list(view.kinds), inline=True),
                        width="auto",
                    ),
                    dbc.Col(
                        dbc.InputGroup(
                            [
                                dbc.InputGroupText("promised date slipped by more than"),
                                dbc.Input(
                                    id="changes-filter-slip",
                                    type="number",
                                    min=0,
                                    step=1,
                                    value=view.slipped_over,
                                    debounce=True,
                                    style={"maxWidth": "6rem"},
                                ),
                                dbc.InputGroupText("days"),
                            ],
                            size="sm",
                        ),
                        width="auto",
                    ),
                    dbc.Col(
                        [
                            html.A(
                                "Export to Excel",
                                id="changes-export-xlsx",
                                className="btn btn-sm btn-outline-secondary me-2",
                            ),
                            html.A("CSV", id="changes-export-csv", className="btn btn-sm btn-outline-secondary"),
                        ],
                        width="auto",
                        className="ms-auto",
                    ),
                ],
                className="g-2 mb-3 align-items-center",
            ),
        ]
    )
    charts = dbc.Row(
        [
            dbc.Col(
                dbc.Card([dbc.CardHeader("Changes per night by field"), dbc.CardBody(html.Div(id="changes-nights"))]),
                lg=7,
                className="mb-3",
            ),
            dbc.Col(
                dbc.Card(
                    [
                        dbc.CardHeader("Suppliers with the most promised-date slips"),
                        dbc.CardBody(html.Div(id="changes-suppliers")),
                    ]
                ),
                lg=5,
                className="mb-3",
            ),
        ]
    )
    above = [
        ignored_note("changes", ChangeView.ignored(query)),
        filters,
        html.Div(id="changes-tiles", className="d-flex flex-wrap gap-2 mb-3"),
        charts,
    ]
    return list_page("changes", "What changed on the POs", view.page, above)


@dash.callback(
    Output("changes-url", "search"),
    Output("changes-pager", "active_page"),
    Input("changes-filter-dates", "start_date"),
    Input("changes-filter-dates", "end_date"),
    Input("changes-filter-source", "value"),
    Input("changes-filter-supplier", "value"),
    Input("changes-filter-buyer", "value"),
    Input("changes-filter-plant", "value"),
    Input("changes-filter-field", "value"),
    Input("changes-filter-kind", "value"),
    Input("changes-filter-slip", "value"),
    Input("changes-pager", "active_page"),
    State("changes-url", "search"),
    prevent_initial_call=True,
)
def filters_to_url(
    start: str | None,
    end: str | None,
    source: str | None,
    supplier: str | None,
    buyer: str | None,
    plant: str | None,
    fields: list[str] | None,
    kinds: list[str] | None,
    slip: int | None,
    page: int | None,
    search: str | None,
) -> tuple[str, int]:
    """Put the filters and page in the query string; a changed filter goes back to page 1."""
    return ChangeView.from_inputs(start, end, source, supplier, buyer, plant, fields, kinds, slip, page).after_change(
        search
    )


def difference(row: ChangeRow) -> str:
    """How far a date moved ('+5 days') or a number ('+12.5 (+4.2 %)'), with a price change's value impact."""
    if row.days is not None:
        return f"{row.days:+d} day{'s' if abs(row.days) != 1 else ''}".replace("-", "−")
    if row.delta is None:
        return ""
    text = f"{row.delta:+,.4g}" + (f" ({row.percent:+.1f} %)" if row.percent is not None else "")
    if row.value_impact is not None:
        text += f" · impact {row.value_impact:+,.2f}"
    return text.replace("-", "−")


def changes_list(rows: list[ChangeRow]) -> html.Div:
    """The change events, one a line, each linked to its run and its line's history (one component)."""

    def cells(row: ChangeRow) -> list[Cell]:
        item = row.item_code or ""
        return [
            moment_cell(row.run_at),
            run_cell(row.run_id),
            row.source,
            line_cell(row.source, row.po_number, row.line_number),
            row.supplier_code or "",
            f"{item} → {row.internal_part_id}" if row.internal_part_id else item,
            row.buyer or "",
            row.plant or "",
            change_text(row.kind, row.field, row.old_value, row.new_value),
            difference(row),
        ]

    header = [
        "run time",
        "run",
        "source",
        "PO line",
        "supplier",
        "item → part",
        "buyer",
        "plant",
        "change",
        "difference",
    ]
    return html_table(header, [cells(row) for row in rows], "change-rows")


def tiles(summary: ChangeSummary) -> list[html.Div]:
    """The filtered set's figures: lines changed, slips (and median days), price changes (and value impact),
    removals and cancellations."""
    median = "—" if summary.median_slip_days is None else f"{summary.median_slip_days:g} days"
    return [
        metric_tile("lines changed", summary.lines_changed, "lines_changed"),
        metric_tile("change events", summary.events, "events"),
        metric_tile("promised-date slips", summary.slips, "slips"),
        metric_tile("median slip", median, "median_slip"),
        metric_tile("price changes", summary.price_changes, "price_changes"),
        metric_tile(
            "value impact (Δprice × open qty)", f"{summary.value_impact:+,.2f}".replace("-", "−"), "value_impact"
        ),
        metric_tile("removed lines", summary.removals, "removals"),
        metric_tile("cancellations", summary.cancellations, "cancellations"),
    ]


@dash.callback(
    Output("changes-list", "children"),
    Output("changes-pager", "max_value"),
    Output("changes-count", "children"),
    Output("changes-export-xlsx", "href"),
    Output("changes-export-csv", "href"),
    Input("changes-url", "search"),
)
def show_changes(search: str | None) -> tuple[Any, ...]:
    """The page of changes the URL asks for and the export links of everything it matches (the tiles and charts
    are callbacks of their own, below, so the list does not wait for the aggregates)."""
    view, tz = ChangeView.from_search(search), runtime.zone()
    flt = view.change_filter(tz)
    found = runtime.read(list_changes, flt, view.page, PER_PAGE)
    empty = "No change matches these filters." if not view.same_filters(ChangeView()) else "No change recorded yet."
    count = count_line(found, "changes", "newest first", empty)
    listing = changes_list(found.rows) if found.rows else empty_state(count, "changes-empty")
    return listing, found.pages, count, export_url(flt, "xlsx"), export_url(flt, "csv")


# The tiles and each chart are callbacks of their own, which the browser asks for at the same time as the list's:
# each is drawn when its aggregate is done (on 250,000 slips: tiles 260 ms, suppliers 420 ms, nights 120 ms),
# none waits for the slowest.


@dash.callback(Output("changes-tiles", "children"), Input("changes-url", "search"))
def show_tiles(search: str | None) -> list[html.Div]:
    """The summary tiles of every change the URL's filters match."""
    return tiles(runtime.read(summarize_changes, ChangeView.from_search(search).change_filter(runtime.zone())))


@dash.callback(Output("changes-nights", "children"), Input("changes-url", "search"))
def show_nights(search: str | None) -> Any:
    """The matching changes per night and field, as a chart."""
    tz = runtime.zone()
    nights = runtime.read(changes_per_night, ChangeView.from_search(search).change_filter(tz), tz)
    if not nights:
        return empty_state("No changes to chart.", "changes-nights-empty")
    return graph("changes-nights", figures.changes_per_night_figure(nights))


@dash.callback(Output("changes-suppliers", "children"), Input("changes-url", "search"))
def show_suppliers(search: str | None) -> Any:
    """The suppliers with the most promised-date slips among the matching changes, as a chart."""
    suppliers = runtime.read(suppliers_by_slips, ChangeView.from_search(search).change_filter(runtime.zone()))
    if not suppliers:
        return empty_state("No promised date slipped in this set.", "changes-suppliers-empty")
    return graph("changes-suppliers", figures.supplier_slips_figure(suppliers))
