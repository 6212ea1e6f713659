"""Plotly figures of the trends page and the change explorer as plain figure dicts, built from the query results
(no SQL, no Dash).

Plain dicts rather than plotly.graph_objects: validating thousands of points costs more than the queries.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from potrack.store.changes import NightCount, SupplierSlips
from potrack.store.models import RUN_STATUSES
from potrack.store.run_history import OutcomeCount, RunSeries
from potrack.web.palette import HEX, status_hex

Figure = dict[str, Any]
BASELINE_HEX = "#6f42c1"  # no run status has it
_GRID = {"showgrid": True, "gridcolor": "#eee"}


def _figure(traces: list[dict[str, Any]], y_title: str, **layout: Any) -> Figure:
    return {
        "data": traces,
        "layout": {
            "margin": {"l": 50, "r": 10, "t": 10, "b": 40},
            "height": 300,
            "hovermode": "x unified",
            "legend": {"orientation": "h", "y": 1.12, "x": 0},
            "plot_bgcolor": "white",
            "paper_bgcolor": "white",
            "xaxis": {**_GRID, "type": "date"},
            "yaxis": {**_GRID, "rangemode": "tozero", "title": {"text": y_title}},
            **layout,
        },
    }


def _times(series: RunSeries, tz: dt.tzinfo) -> list[str]:
    """Queue times in the display time zone, without offset so that plotly shows them as they are."""
    return [p.queued_at.astimezone(tz).replace(tzinfo=None).isoformat(timespec="seconds") for p in series.points]


def _run_labels(series: RunSeries) -> list[str]:
    return [f"run #{p.id} ({p.status}{', baseline' if p.baseline else ''})" for p in series.points]


def _baselines(series: RunSeries, x: list[str], y: list[Any]) -> list[dict[str, Any]]:
    """The baseline runs among a chart's points as their own trace (a distinct marker and a legend entry): a
    baseline reads every line as new, so its spike is not a surge. None when the series has no baseline."""
    marked = [i for i, p in enumerate(series.points) if p.baseline]
    if not marked:
        return []
    return [
        {
            "type": "scatter",
            "x": [x[i] for i in marked],
            "y": [y[i] for i in marked],
            "mode": "markers",
            "name": "baseline",
            "marker": {"symbol": "diamond-open", "size": 14, "color": BASELINE_HEX, "line": {"width": 2}},
            "text": [f"run #{series.points[i].id}: a baseline, every line read as new" for i in marked],
        }
    ]


def _status_markers(series: RunSeries) -> dict[str, Any]:
    return {"color": [status_hex(p.status) for p in series.points], "size": 7}


def lines_figure(series: RunSeries, tz: dt.tzinfo) -> Figure:
    """PO lines processed per run, with the trailing 7-run average; baseline runs marked."""
    x, lines = _times(series, tz), [p.lines_processed for p in series.points]
    return _figure(
        [
            {
                "type": "scatter",
                "x": x,
                "y": lines,
                "mode": "markers",
                "name": "lines processed",
                "marker": _status_markers(series),
                "text": _run_labels(series),
            },
            {
                "type": "scatter",
                "x": x,
                "y": [round(p.lines_avg7, 1) for p in series.points],
                "mode": "lines",
                "name": "trailing 7-run average",
                "line": {"color": HEX["primary"], "width": 2},
            },
            *_baselines(series, x, lines),
        ],
        "PO lines",
    )


def volumes_figure(series: RunSeries, tz: dt.tzinfo) -> Figure:
    """New lines and change events per run; baseline runs marked on the new lines."""
    x, new = _times(series, tz), [p.lines_new for p in series.points]
    return _figure(
        [
            {
                "type": "scatter",
                "x": x,
                "y": new,
                "mode": "lines+markers",
                "name": "new lines",
                "line": {"color": HEX["info"]},
                "text": _run_labels(series),
            },
            {
                "type": "scatter",
                "x": x,
                "y": [p.change_events for p in series.points],
                "mode": "lines+markers",
                "name": "change events",
                "line": {"color": HEX["primary"]},
            },
            *_baselines(series, x, new),
        ],
        "per run",
    )


def outcomes_figure(counts: list[OutcomeCount]) -> Figure:
    """Runs per day stacked by outcome: the failure trend."""
    days = sorted({c.day for c in counts})
    by_status = {(c.day, c.status): c.runs for c in counts}
    statuses = [s for s in RUN_STATUSES if any(c.status == s for c in counts)]
    x = [d.isoformat() for d in days]
    fig = _figure(
        [
            {
                "type": "bar",
                "x": x,
                "y": [by_status.get((d, s), 0) for d in days],
                "name": s,
                "marker": {"color": status_hex(s)},
            }
            for s in statuses
        ],
        "runs",
        barmode="stack",
    )
    most = max((sum(by_status.get((d, s), 0) for s in statuses) for d in days), default=1)
    fig["layout"]["xaxis"]["tickformat"] = "%b %d"
    fig["layout"]["yaxis"]["dtick"] = max(1, -(-most // 5))  # whole runs only
    return fig


def duration_figure(series: RunSeries, tz: dt.tzinfo) -> Figure:
    """How long each run took."""
    return _figure(
        [
            {
                "type": "scatter",
                "x": _times(series, tz),
                "y": [p.duration_s for p in series.points],
                "mode": "lines+markers",
                "name": "duration",
                "line": {"color": HEX["secondary"], "width": 1},
                "marker": _status_markers(series),
                "text": _run_labels(series),
            }
        ],
        "seconds",
    )


def changes_per_night_figure(counts: list[NightCount]) -> Figure:
    """Changes per night stacked by field (new and removed lines as their own), most frequent fields first."""
    days = sorted({c.day for c in counts})
    totals: dict[str, int] = {}
    for c in counts:
        totals[c.what] = totals.get(c.what, 0) + c.changes
    by_key = {(c.day, c.what): c.changes for c in counts}
    x = [d.isoformat() for d in days]
    fig = _figure(
        [
            {
                "type": "bar",
                "x": x,
                "y": [by_key.get((d, what), 0) for d in days],
                "name": {"new": "new lines", "removed": "removed lines"}.get(what, what),
            }
            for what in sorted(totals, key=lambda w: (-totals[w], w))
        ],
        "changes",
        barmode="stack",
    )
    fig["layout"]["xaxis"]["tickformat"] = "%b %d"
    return fig


def supplier_slips_figure(suppliers: list[SupplierSlips]) -> Figure:
    """The suppliers with the most promised-date slips, most on top."""
    ordered = list(reversed(suppliers))
    fig = _figure(
        [
            {
                "type": "bar",
                "orientation": "h",
                "x": [s.slips for s in ordered],
                "y": [s.supplier_code for s in ordered],
                "name": "slips",
                "text": [f"{s.days:,} days in all" for s in ordered],
                "marker": {"color": HEX["warning"]},
            }
        ],
        "",
        hovermode="closest",
        showlegend=False,
    )
    fig["layout"]["xaxis"] = {**_GRID, "title": {"text": "promised-date slips"}, "rangemode": "tozero"}
    fig["layout"]["yaxis"] = {"type": "category", "automargin": True}
    return fig
