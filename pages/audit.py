"""Audit log: every recorded event newest first, filtered through the URL, 50 a page. Read-only."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from pages._components import empty_state, html_table, moment_cell, run_cell
from pages._ignored import ignored_note
from pages._lists import PER_PAGE, count_line, date_range, json_cell, list_page
from potrack import runtime
from potrack.store.audit import SEVERITIES, AuditEntry, event_types, list_events
from potrack.store.run_history import run_sources
from potrack.web.filters import AuditView
from potrack.web.fragment import Cell, Markup, element, text

dash.register_page(__name__, path="/audit", name="Audit log", order=6)
SEVERITY_COLOR = {
    "info": "text-muted",
    "warning": "text-warning-emphasis fw-semibold",
    "error": "text-danger fw-semibold",
}


def layout(**query: str) -> html.Div:
    """Filters from the query string; the events are listed by show_events."""
    view = AuditView.from_params(query)
    types = sorted(set(runtime.read(event_types)) | set(view.event_types))
    sources = sorted(set(runtime.source_names()) | set(runtime.read(run_sources)))
    filters = dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(
                    id="audit-filter-type",
                    options=types,
                    value=list(view.event_types),
                    multi=True,
                    placeholder="any event type",
                ),
                md=4,
            ),
            dbc.Col(
                dcc.Dropdown(
                    id="audit-filter-severity",
                    options=list(SEVERITIES),
                    value=list(view.severities),
                    multi=True,
                    placeholder="any severity",
                ),
                md=2,
            ),
            dbc.Col(
                dcc.Dropdown(id="audit-filter-source", options=sources, value=view.source, placeholder="any source"),
                md=2,
            ),
            dbc.Col(date_range("audit-filter-dates", view.start, view.end), width="auto"),
        ],
        className="g-2 mb-2 align-items-center",
    )
    return list_page("audit", "Audit log", view.page, [ignored_note("audit", AuditView.ignored(query)), filters])


@dash.callback(
    Output("audit-url", "search"),
    Output("audit-pager", "active_page"),
    Input("audit-filter-type", "value"),
    Input("audit-filter-severity", "value"),
    Input("audit-filter-source", "value"),
    Input("audit-filter-dates", "start_date"),
    Input("audit-filter-dates", "end_date"),
    Input("audit-pager", "active_page"),
    State("audit-url", "search"),
    prevent_initial_call=True,
)
def filters_to_url(
    types: list[str] | None,
    severities: list[str] | None,
    source: str | None,
    start: str | None,
    end: str | None,
    page: int | None,
    search: str | None,
) -> tuple[str, int]:
    """Put the filters and page in the query string; a changed filter goes back to page 1."""
    return AuditView.from_inputs(types, severities, source, start, end, page).after_change(search)


def events_table(events: list[AuditEntry]) -> html.Div:
    """The events, one a line: when, severity, type, source, run, actor, message, details (one component)."""

    def cells(event: AuditEntry) -> list[Cell]:
        """One event's cells."""
        severity = f"severity severity-{event.severity} {SEVERITY_COLOR.get(event.severity, '')}"
        return [
            moment_cell(event.at),
            Markup(element("span", text(event.severity), severity)),
            event.event_type,
            event.source or "",
            run_cell(event.run_id) if event.run_id else "",
            event.actor,
            event.message,
            json_cell(event.details) if event.details else "",
        ]

    header = ["at", "severity", "event", "source", "run", "actor", "message", "details"]
    return html_table(header, [cells(event) for event in events], "audit-events")


@dash.callback(
    Output("audit-list", "children"),
    Output("audit-pager", "max_value"),
    Output("audit-count", "children"),
    Input("audit-url", "search"),
)
def show_events(search: str | None) -> tuple[Any, int, str]:
    """The page of audit events the URL asks for."""
    view = AuditView.from_search(search)
    found = runtime.read(list_events, view.audit_filter(runtime.zone()), view.page, PER_PAGE)
    empty = "No audit events match these filters." if not view.same_filters(AuditView()) else "No audit events yet."
    count = count_line(found, "events", "newest first", empty)
    return (events_table(found.events) if found.events else empty_state(count, "audit-empty")), found.pages, count
