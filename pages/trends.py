"""Trends: lines per run with a 7-run average, new lines and changes, outcomes per day, duration."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from pages._components import empty_state, graph
from pages._ignored import ignored_note
from potrack import runtime
from potrack.clock import utcnow
from potrack.store.run_history import outcomes_by_day, run_series, run_sources
from potrack.web import figures
from potrack.web.filters import RunView
from potrack.web.picker_month import picker_month

dash.register_page(__name__, path="/trends", name="Trends", order=2)
DEFAULT_DAYS = 30
CHARTS = (
    ("trends-lines", "PO lines processed per run (trailing 7-run average)"),
    ("trends-volumes", "New lines and change events per run"),
    ("trends-outcomes", "Run outcomes per day"),
    ("trends-duration", "Duration per run"),
)


def layout(**query: str) -> html.Div:
    """Date range (default the last 30 days) and source (default the first configured one), and the charts drawn
    for them here (one round trip less than by callback: the browser starts loading plotly at once)."""
    view = RunView.from_params(query)
    now = utcnow()
    today = now.astimezone(runtime.zone()).date()
    start, end = view.start or today - dt.timedelta(DEFAULT_DAYS - 1), view.end or today
    sources = list(dict.fromkeys(runtime.source_names() + runtime.read(run_sources)))
    source = view.source or (sources[0] if sources else None)
    filters = dbc.Row(
        [
            dbc.Col(
                dcc.DatePickerRange(
                    id="trends-dates",
                    start_date=start,  # type: ignore[arg-type]  # (as in _lists)
                    end_date=end,  # type: ignore[arg-type]
                    initial_visible_month=picker_month(end, None, runtime.zone(), now),
                    display_format="YYYY-MM-DD",
                ),
                width="auto",
            ),
            dbc.Col(dcc.Dropdown(id="trends-source", options=sources, clearable=False, value=source), md=2),
        ],
        className="g-2 mb-3 align-items-center",
    )
    *drawn, note = trend_charts(start.isoformat(), end.isoformat(), source)
    charts = [
        dbc.Col(dbc.Card([dbc.CardHeader(title), dbc.CardBody(html.Div(chart, id=name))]), lg=6, className="mb-3")
        for (name, title), chart in zip(CHARTS, drawn, strict=True)
    ]
    return html.Div(
        [
            html.H2("Trends"),
            ignored_note("trends", RunView.ignored(query)),
            filters,
            html.P(note, id="trends-note", className="text-muted"),
            dbc.Row(charts),
        ]
    )


def trend_charts(start: str | None, end: str | None, source: str | None) -> tuple[Any, ...]:
    """The four charts and the note for a date range and source, aggregated in SQL; a plain message where there is
    no data."""
    view, tz = RunView.from_inputs(start, end, [], source), runtime.zone()
    if not view.source:
        message = empty_state("No source has runs yet.", "trends-empty")
        return message, message, message, message, ""
    flt = view.run_filter(tz)
    series = runtime.read(run_series, flt)
    outcomes = runtime.read(outcomes_by_day, flt, tz)
    span = f"between {view.start or 'the first run'} and {view.end or 'today'}"
    none_done = empty_state(f"No completed (success or partial) run of {view.source} {span}.", "trends-empty")
    note = f"{series.total:,} completed runs of {view.source} {span}" + (
        f"; the charts per run show the newest {len(series.points):,}." if len(series.points) < series.total else "."
    )
    return (
        graph("trends-lines", figures.lines_figure(series, tz)) if series.points else none_done,
        graph("trends-volumes", figures.volumes_figure(series, tz)) if series.points else none_done,
        graph("trends-outcomes", figures.outcomes_figure(outcomes))
        if outcomes
        else empty_state(f"No finished run of {view.source} {span}.", "trends-empty"),
        graph("trends-duration", figures.duration_figure(series, tz)) if series.points else none_done,
        note,
    )


@dash.callback(
    *[Output(name, "children") for name, _ in CHARTS],
    Output("trends-note", "children"),
    Input("trends-dates", "start_date"),
    Input("trends-dates", "end_date"),
    Input("trends-source", "value"),
    prevent_initial_call=True,
)
def refresh_trends(start: str | None, end: str | None, source: str | None) -> tuple[Any, ...]:
    """Draw the charts again when the date range or the source changes (the layout drew the first ones)."""
    return trend_charts(start, end, source)
