"""PO line history: every stored fact about one line — its current values, mapped part and custom columns, its
changes night by night, its reconstructed receipt batches, the runs that touched it and the rows rejected with its
key. Linked from change rows, run cards and failed rows; not in the navbar (the search box finds lines)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._components import change_text, empty_state, moment, run_link, status_badge, table
from pages._lists import json_text
from potrack import runtime
from potrack.links import line_from_path, search_path
from potrack.store.line_history import LineHistory, line_history

dash.register_page(__name__, path_template="/lines/<source>/<po>/<line>", name="PO line", nav=False)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    return f"{value:,.15g}" if isinstance(value, float) else str(value)


def _section(title: str, body: Any, name: str) -> html.Div:
    return html.Div([html.H4(title, className="mt-3"), body], className=f"line-{name}")


def current_values(history: LineHistory) -> dbc.Table:
    """The line's fields as stored now, its part id and its custom columns."""
    rows = [[name, _shown(value)] for name, value in history.values.items()]
    rows.append(["internal part", history.internal_part_id or "unmapped"])
    rows += [[f"{name} (custom)", _shown(value)] for name, value in history.custom.items()]
    return table(["field", "value"], rows, "line-values")


def timeline(history: LineHistory) -> Any:
    """One row per run that changed the line, oldest first, with every field it changed."""
    if not history.nights:
        return html.P(
            "No run has changed this line since it was first seen (a baseline records no events).",
            className="text-muted",
        )
    rows = [
        [
            moment(night.run_at),
            run_link(night.run_id),
            night.trigger,
            html.Ul(
                [html.Li(change_text(c.kind, c.field, c.old_value, c.new_value)) for c in night.changes],
                className="mb-0 ps-3",
            ),
        ]
        for night in history.nights
    ]
    return table(["run time", "run", "trigger", "changes"], rows, "line-timeline")


def receipts(history: LineHistory) -> Any:
    """The reconstructed receipt batches, oldest first: quantity, cumulative of ordered."""
    if not history.receipts:
        return html.P("No receipt reconstructed yet (quantity_received has not risen).", className="text-muted")
    rows = [
        [
            moment(r.received_at),
            run_link(r.run_id),
            f"{r.quantity:,.15g}",
            f"{r.cumulative:,.15g} of {r.ordered:,.15g}"
            + (f" ({100 * r.cumulative / r.ordered:.0f} %)" if r.ordered else ""),
        ]
        for r in history.receipts
    ]
    return table(["received (run time)", "run", "quantity", "cumulative of ordered"], rows, "line-receipts")


def touching_runs(history: LineHistory) -> dbc.Table:
    """The runs that touched the line, oldest first, and how."""
    rows = [
        [moment(t.run_at), run_link(t.run_id), t.trigger, status_badge(t.status), ", ".join(t.how)]
        for t in history.runs
    ]
    return table(["run time", "run", "trigger", "status", "what it did"], rows, "line-runs")


def rejected_rows(history: LineHistory) -> Any:
    """The source rows rejected with this line's key."""
    if not history.rejected:
        return html.P("No row with this key was rejected.", className="text-muted")
    rows = [
        [
            moment(r.rejected_at),
            run_link(r.run_id),
            r.stage,
            r.error,
            json_text(r.raw),
            r.resolution or ("resolved" if r.resolved_at else "unresolved"),
        ]
        for r in history.rejected
    ]
    return table(["rejected (run time)", "run", "stage", "error", "row data", "resolution"], rows, "line-rejected")


def layout(source: str | None = None, po: str | None = None, line: str | None = None, **_query: str) -> html.Div:
    """The line the path names (its parts quoted: a PO number may hold '/')."""
    key = line_from_path(source or "", po or "", line or "")
    history = runtime.read(line_history, *key) if key else None
    if key is None or history is None:
        named = f"{key[1]}/{key[2]} of source {key[0]}" if key else repr(f"{po}/{line}")
        return html.Div(
            [
                html.H2("PO line not found"),
                empty_state(f"The store has no line {named}.", "line-missing"),
                dcc.Link("Search lines", href=search_path(key[1] if key else po or "")),
            ],
            id="line-history",
        )
    state = dbc.Badge(
        "active" if history.active else "no longer in the ERP's snapshot",
        color="success" if history.active else "secondary",
        className="ms-2",
    )
    return html.Div(
        [
            html.H2([f"{history.po_number} / line {history.line_number}", state]),
            html.P(
                [
                    f"source {history.source} · ",
                    dcc.Link(f"all lines of {history.po_number}", href=search_path(history.po_number)),
                    " · first seen in ",
                    run_link(history.first_seen_run_id),
                    " · last changed in ",
                    run_link(history.last_changed_run_id),
                ],
                className="text-muted",
            ),
            dbc.Row(
                [
                    dbc.Col(_section("Now", current_values(history), "now"), lg=4),
                    dbc.Col(
                        [
                            _section(f"Changes, night by night ({len(history.nights)})", timeline(history), "changes"),
                            _section(f"Receipt batches ({len(history.receipts)})", receipts(history), "batches"),
                        ],
                        lg=8,
                    ),
                ]
            ),
            _section(f"Runs that touched it ({len(history.runs)})", touching_runs(history), "touched"),
            _section(f"Rejected rows with its key ({len(history.rejected)})", rejected_rows(history), "rejections"),
        ],
        id="line-history",
    )
