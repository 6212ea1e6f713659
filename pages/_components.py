"""Reusable UI pieces: status badge, times, metric tiles, progress bar, run card and details, the Run now control,
the Retry run button and the toasts that tell their outcome (their callbacks: pages/_run_actions.py)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from potrack import runtime, timefmt
from potrack.auth.roles import Action
from potrack.links import key_of_row, line_path
from potrack.store.changes import Change, ChangeCounts
from potrack.store.run_cards import CardDetail, CardFacts, UploadedFile
from potrack.store.run_history import RunDetail, RunRow
from potrack.store.run_status import RETRYABLE
from potrack.web import figures
from potrack.web.access import may
from potrack.web.fragment import Cell, Link, Markup, cell, element, text
from potrack.web.fragment import table as html_table_markup
from potrack.web.palette import STATUS_COLOR


def status_badge(status: str) -> dbc.Badge:
    """A run status as a coloured badge."""
    return dbc.Badge(status, color=STATUS_COLOR.get(status, "secondary"), className=f"status-badge status-{status}")


def _moment_text(at: dt.datetime, now: dt.datetime | None) -> str:
    text = timefmt.local_text(at, runtime.zone())
    return text if now is None else f"{text} ({timefmt.relative(at, now)})"


def moment(at: dt.datetime | None, now: dt.datetime | None = None) -> html.Span:
    """A time in the display time zone, exact UTC on hover, and how long ago when `now` is given."""
    if at is None:
        return html.Span("—")
    return html.Span(_moment_text(at, now), title=timefmt.utc_text(at), className="moment")


def moment_cell(at: dt.datetime | None, now: dt.datetime | None = None) -> Markup:
    """moment() as a cell of a pre-rendered table."""
    if at is None:
        return Markup("—")
    return Markup(element("span", text(_moment_text(at, now)), "moment", timefmt.utc_text(at)))


def run_cell(run_id: int, label: str | None = None) -> Link:
    """run_link() as a cell of a pre-rendered table."""
    return Link(label or f"#{run_id}", f"/runs/{run_id}")


def line_cell(source: str, po_number: str, line_number: int, label: str | None = None) -> Link:
    """line_link() as a cell of a pre-rendered table."""
    return Link(label or f"{po_number}/{line_number}", line_path(source, po_number, line_number), "line-link")


def _tile_text(label: str, value: Any) -> str:
    return f"{value:,}\n{label}" if isinstance(value, int) else f"{value}\n{label}"


def metric_tile(label: str, value: Any, name: str | None = None) -> html.Div:
    """A small figure with its label underneath, as ONE component: the figure is the first line, styled by
    assets/potrack.css. (Dash's renderer slows down with the square of the components on a page: a page of 50
    cards took 5-7 s to draw in headless Chromium with three components per tile, about 2.7 s with one.)"""
    data: dict[str, Any] = {"data-metric": name} if name else {}
    return html.Div(_tile_text(label, value), className="metric-tile text-center px-2", **data)


def progress_bar(run: RunRow, now: dt.datetime) -> html.Div:
    """A running run's stage, rows done of total, percent and elapsed time (≈ while the total is an estimate)."""
    percent = run.percent()
    shown = "" if percent is None else f"{'≈' if run.rows_total_estimated else ''}{percent} %"
    elapsed = timefmt.span(now - run.started_at) if run.started_at else "—"
    facts = [f"stage {run.stage or 'extract'}", run.rows_read(), *([shown] if shown else []), f"{elapsed} elapsed"]
    return html.Div(
        [
            dbc.Progress(value=percent or 0, label=shown, striped=True, animated=True, className="mb-1"),
            html.Small(" · ".join(facts), className="text-muted"),
        ],
        className="run-progress",
    )


def run_metrics(run: RunRow) -> str:
    """The run's counts as a row of tiles (metric_tile's look), as HTML."""
    tiles = [
        ("lines processed", run.lines_processed, "lines_processed"),
        ("new lines", run.lines_new, "lines_new"),
        ("change events", run.change_events, "change_events"),
        ("batches", run.batches_reconstructed, "batches_reconstructed"),
        ("xref gaps", run.xref_gaps, "xref_gaps"),
        ("errors", run.errors, "errors"),
    ]
    cells = "".join(
        element("div", text(_tile_text(label, value)), "metric-tile text-center px-2", metric=name)
        for label, value, name in tiles
    )
    return element("div", cells, "d-flex flex-wrap")


def trigger_text(run: RunRow, upload: UploadedFile | None) -> str:
    """How a run came to be: 'schedule · baseline'; an upload's names its file and who sent it ('upload ·
    po_lines.csv by otto'), a retry of one its file ('retry · po_lines.csv')."""
    said = run.trigger
    if upload is not None:
        said += f" · {upload.file_name}" + (f" by {upload.uploaded_by}" if run.trigger == "upload" else "")
    return said + (" · baseline" if run.baseline else "")


def _summary_line(run: RunRow, now: dt.datetime, upload: UploadedFile | None) -> str:
    """'#41 · when · source · trigger · retry of · status · duration' as HTML."""
    when = moment_cell(run.queued_at, now).html
    tip = f"requested by {run.requested_by}" if run.requested_by else None
    if upload is not None:
        tip = f"upload #{upload.upload_id} · {upload.rows_total:,} data rows" + (f" · {tip}" if tip else "")
    trigger = element("span", text(trigger_text(run, upload)), "text-muted me-2 run-trigger", tip)
    retry_of = cell(Link(f"retry of #{run.retry_of}", f"/runs/{run.retry_of}", "retry-of me-2")) if run.retry_of else ""
    color = STATUS_COLOR.get(run.status, "secondary")
    parts = [
        element("span", text(f"#{run.id}"), "text-muted me-2"),
        when,
        element("strong", text(run.source), "mx-2"),
        trigger,
        retry_of,
        element("span", text(run.status), f"status-badge status-{run.status} badge bg-{color}"),
        element("span", text(timefmt.duration(run.duration_s)), "ms-2 text-muted", "duration"),
    ]
    return element("div", "".join(parts), "d-flex flex-wrap align-items-center mb-1")


def run_summary(run: RunRow, now: dt.datetime, facts: CardFacts | None = None) -> list[Any]:
    """What a collapsed run card shows: when, source, trigger, status, duration, metrics, progress or error, and
    its facts: why it rejected rows, a row retry's outcome, the retry that made it good. All but a running run's
    progress bar is ONE pre-rendered component: a page shows 50 cards."""
    lines = [_summary_line(run, now, facts.upload if facts else None), run_metrics(run)]
    if run.status == "abandoned" and run.error_stage:
        lines.append(
            element("small", text(f"stopped in stage {run.error_stage} · {run.rows_read()}"), "text-muted run-stopped")
        )
    if run.error:
        lines.append(element("div", text(run.error), "text-danger small mt-1 run-error"))
    if facts and facts.rejections:
        lines.append(element("div", text(facts.rejections.text()), "small mt-1 run-rejections"))
    if facts and facts.retry_outcome:
        lines.append(element("div", text(f"row retry: {facts.retry_outcome.text()}"), "small mt-1 run-retry-outcome"))
    if facts and facts.retried_ok:
        lines.append(
            element("div", text(f"retry #{facts.retried_ok} succeeded"), "small mt-1 text-success run-retried")
        )
    progress = [progress_bar(run, now)] if run.status == "running" else []
    return [fragment("".join(lines), "run-summary-text"), *progress]


def run_card(run: RunRow, now: dt.datetime, highlight: bool, facts: CardFacts | None = None) -> html.Div:
    """A run as a card that expands in place when its summary is clicked."""
    data: dict[str, Any] = {"data-run-id": str(run.id), "data-status": run.status}
    return html.Div(
        [
            html.Div(
                run_summary(run, now, facts),
                id={"type": "run-summary", "index": run.id},
                n_clicks=0,
                role="button",
                className="card-body py-2 run-summary",
                title="click to show or hide the details",
            ),
            dbc.Collapse(
                html.Div(id={"type": "run-details", "index": run.id}, className="card-body border-top"),
                id={"type": "run-collapse", "index": run.id},
                is_open=False,
            ),
        ],
        id={"type": "run-card", "index": run.id},
        className=card_class(highlight),
        **data,
    )


def card_class(highlight: bool) -> str:
    """A run card's classes; the latest failure is outlined in red."""
    return "card mb-2 run-card" + (" border-danger border-2 run-card-failed" if highlight else "")


def run_link(run_id: int, text: str | None = None, name: str = "") -> dcc.Link:
    """A link to a run's page ('#41' unless told)."""
    return dcc.Link(text or f"#{run_id}", href=f"/runs/{run_id}", className=name or None)


def line_link(source: str, po_number: str, line_number: int, text: str | None = None) -> dcc.Link:
    """A link to a PO line's history ('PO123/4' unless told)."""
    return dcc.Link(
        text or f"{po_number}/{line_number}", href=line_path(source, po_number, line_number), className="line-link"
    )


def table(header: list[str], rows: list[list[Any]], name: str) -> dbc.Table:
    """A small striped table; `name` is its class."""
    return dbc.Table(
        [
            html.Thead(html.Tr([html.Th(h) for h in header])),
            html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows]),
        ],
        size="sm",
        striped=True,
        className=f"{name} mb-2",
    )


def change_text(kind: str, field: str | None, old: str | None, new: str | None) -> str:
    """A change event in words: 'field: old → new' (∅ for no value), 'new line' or 'removed …'."""
    if kind == "changed":
        return f"{field}: {'∅' if old is None else old} → {'∅' if new is None else new}"
    return "new line" if kind == "new" else "removed (no longer in the snapshot)"


def graph(name: str, fig: figures.Figure) -> dcc.Graph:
    """A chart (`name`-graph), drawn responsive, without plotly's logo."""
    return dcc.Graph(id=f"{name}-graph", figure=fig, config={"displaylogo": False, "responsive": True})


def fragment(markup: str, name: str) -> html.Div:
    """HTML built by potrack.web.fragment (every text escaped) as ONE component, put in place by
    assets/fragments.js; `name` is its class."""
    data: dict[str, Any] = {"data-html": markup}
    return html.Div(className=name, **data)


def html_table(header: list[str], rows: list[list[Cell]], name: str) -> html.Div:
    """A table of any length drawn as ONE component (see potrack.web.fragment); `name` is its class."""
    return fragment(html_table_markup(header, rows), f"{name} mb-2")


def row_key_cell(source: str, row_key: str | None) -> Cell:
    """A failed row's key as a table cell, linked to the line's history when it names one."""
    key = key_of_row(row_key)
    return line_cell(source, *key, label=row_key) if key else (row_key or "(no key)")


def changes_table(changes: list[Change], source: str) -> html.Div:
    """Changes as 'PO/line — field: old → new' (or 'new line', 'removed …'), each line linked to its history."""
    rows: list[list[Cell]] = [
        [
            line_cell(source, c.po_number, c.line_number),
            change_text(c.kind, c.field, c.old_value, c.new_value),
        ]
        for c in changes
    ]
    return html_table(["PO line", "change"], rows, "changes")


def _section(title: str, body: Any, name: str) -> html.Div:
    return html.Div([html.H6(title, className="mt-2"), body], className=f"detail-{name}")


def _scroll(content: Any) -> html.Div:
    """A long table in a box of limited height with its header in view (assets/potrack.css): an expanded card
    stays compact, and the sections under it stay close."""
    return html.Div(content, className="detail-scroll")


def retry_chain(detail: RunDetail) -> html.P | None:
    """'retry of #41 · retried by #45, #46' (links), or None for a run outside any retry chain."""
    parts: list[Any] = []
    if detail.run.retry_of:
        parts += ["retry of ", run_link(detail.run.retry_of)]
    if detail.retried_by:
        parts += [" · " if parts else "", "retried by "]
        for n, run_id in enumerate(detail.retried_by):
            parts += [", " if n else "", run_link(run_id)]
    return html.P(parts, className="retry-chain mb-1") if parts else None


def retry_button(run: RunRow, facts: CardFacts | None = None) -> dbc.Button | None:
    """Retry run, for a failed, partial or abandoned run that no retry has already made good, when the signed-in
    user may retry runs."""
    if run.status not in RETRYABLE or (facts and facts.retried_ok) or not may(Action.RETRY_RUN):
        return None
    return dbc.Button(
        "Retry run",
        id={"type": "retry-run", "index": run.id},
        color="warning",
        size="sm",
        className="retry-run mb-1 me-2",
    )


def retry_rows_button(run: RunRow, facts: CardFacts) -> dbc.Button | None:
    """Retry these rows: a row retry of the run's unresolved rejected rows, when it has some and the signed-in user
    may retry rows."""
    if not facts.unresolved or not may(Action.RETRY_ROWS):
        return None
    return dbc.Button(
        f"Retry these rows ({counted(facts.unresolved, 'row')})",
        id={"type": "retry-rows", "index": run.id},
        color="warning",
        outline=True,
        size="sm",
        className="retry-rows mb-1",
    )


def _rejected(detail: RunDetail, facts: CardFacts) -> html.Div:
    """The first rejected rows as one table, their raw data folded until asked for, and where the rest are."""
    run = detail.run
    rows: list[list[Cell]] = [
        [r.stage, row_key_cell(r.source, r.row_key), r.error, r.location or ""] for r in detail.rejected
    ]
    raw = "\n".join(
        f"{r.row_key or '(no key)'}  {json.dumps(r.raw, ensure_ascii=False, sort_keys=True, default=str)}"
        for r in detail.rejected
    )
    more = detail.rejected_total - len(detail.rejected)
    parts: list[Any] = [
        html.P(facts.rejections.text(), className="rejection-summary mb-1") if facts.rejections else None,
        _scroll(html_table(["stage", "row key", "error", "where"], rows, "rejected")),
        html.Details(
            [html.Summary(f"row data of these {len(detail.rejected):,} rows (JSON)"), html.Pre(raw, className="json")],
            className="rejected-raw mb-1",
        ),
    ]
    if more > 0:
        parts.append(
            html.P(
                [f"… and {more:,} more rejected rows: ", dcc.Link("see them all", href=f"/failed-rows?run={run.id}")]
            )
        )
    return html.Div([p for p in parts if p is not None])


def counted(n: int, noun: str) -> str:
    """'1 new line', '8 new lines'."""
    return f"{n:,} {noun}{'s' if n != 1 else ''}"


def change_counts_text(counts: ChangeCounts) -> str:
    """'164 change events · 8 new lines': the words of the card's tiles, the run's page and the API."""
    return f"{counted(counts.events, 'change event')} · {counted(counts.new_lines, 'new line')}"


def run_details(card: CardDetail, changes: Any) -> html.Div:
    """The full story of a run: retries, failure, rejected rows, attempts, unmapped codes beside `changes` (the
    first of its change list and where the rest are)."""
    detail, facts = card.detail, card.facts
    run = detail.run
    actions = [b for b in (retry_button(run, facts), retry_rows_button(run, facts)) if b is not None]
    sections: list[Any] = [part for part in (retry_chain(detail),) if part is not None]
    if actions:
        sections.append(html.Div(actions, className="run-actions"))
    if facts.retried_ok:
        sections.append(html.P(["Retry ", run_link(facts.retried_ok), " succeeded."], className="retried-ok mb-1"))
    if facts.retry_outcome:
        sections.append(_section("Row retry outcome", html.P(facts.retry_outcome.text()), "retry-outcome"))
    if run.error:
        sections.append(
            _section(
                "Failure reason",
                dbc.Alert(
                    [
                        html.Strong(f"source {run.source} · stage {run.error_stage or '?'}: "),
                        run.error.removeprefix(f"{run.error_stage}: "),
                    ],
                    color="danger",
                    className="mb-1",
                ),
                "failure",
            )
        )
    if detail.notes:
        sections.append(
            _section(
                "Notes on the source's columns",
                html.Ul([html.Li(note) for note in detail.notes.splitlines()], className="mb-1"),
                "notes",
            )
        )
    if detail.check_problems:
        sections.append(_section("Consistency check problems", html.Pre(detail.check_problems), "checks"))
    if detail.rejected:
        sections.append(
            _section(f"Errors: rejected rows ({detail.rejected_total:,})", _rejected(detail, facts), "rejected")
        )
    if detail.attempts:
        attempts: list[list[Cell]] = [
            [
                str(a.attempt),
                a.error,
                "transient" if a.transient else "permanent",
                f"{a.wait_s:.2f} s" if a.wait_s is not None else "gave up",
                timefmt.local_text(a.at, runtime.zone()),
            ]
            for a in detail.attempts
        ]
        sections.append(
            _section(
                f"Extract attempts that failed ({len(detail.attempts)})",
                html_table(["attempt", "error", "kind", "wait before next", "at"], attempts, "attempts"),
                "attempts",
            )
        )
    changed = _section(f"Changes: {change_counts_text(card.counts)}", changes, "changes")
    if detail.unmapped:  # a narrow table: beside the changes
        codes: list[list[Cell]] = [[code, f"{count:,}"] for code, count in detail.unmapped[: card.limit]]
        hidden = len(detail.unmapped) - len(codes)
        unmapped = _section(
            f"Unmapped item codes ({len(detail.unmapped):,})",
            html.Div(
                [_scroll(html_table(["item code", "lines"], codes, "unmapped"))]
                + ([dcc.Link(f"… and {hidden:,} more on /xref", href="/xref")] if hidden > 0 else [])
            ),
            "unmapped",
        )
        sections.append(dbc.Row([dbc.Col(unmapped, md=4, xl=3), dbc.Col(changed, md=8, xl=9)]))
    else:
        sections.append(changed)
    return html.Div(sections, className="run-details")


def no_changes(run: RunRow) -> html.P:
    """What a run's change list says when it has none."""
    return html.P(
        "This run changed no PO line." + (" (A baseline records no change events.)" if run.baseline else ""),
        className="text-muted",
    )


def first_changes(card: CardDetail) -> html.Div | html.P:
    """A card's first change events, its new lines summed up, and a link to the whole list on the run's page."""
    counts, run = card.counts, card.detail.run
    if not counts.events and not counts.new_lines:
        return no_changes(run)
    more = counts.events - len(card.changes)
    parts: list[Any] = [_scroll(changes_table(card.changes, run.source))] if card.changes else []
    if counts.new_lines:
        parts.append(html.P(f"{counted(counts.new_lines, 'new line')}.", className="mb-1 new-lines"))
    link = dcc.Link(f"run #{run.id}'s page", href=f"/runs/{run.id}")
    rest = f"… and {more:,} more {'change event' if more == 1 else 'change events'}. " if more > 0 else ""
    parts.append(html.P([rest, "Every change is on ", link, "."]))
    return html.Div(parts)


def run_now_control(source: str, active: RunRow | None) -> html.Div | None:
    """A Run now button for a source, disabled with the reason while the source has a queued or running run, and
    for admins a checkbox to accept removals beyond the source's limit; None when the user may not run now."""
    if not may(Action.RUN_NOW):
        return None
    reason = f"Run #{active.id} is {active.status}." if active else ""
    # Rendered for everyone (the callback reads it), shown to admins only; the callback checks the role again.
    accept = dbc.Checkbox(
        id={"type": "run-now-accept", "source": source},
        value=False,
        label="accept removals",
        className="run-now-accept me-2 small",
        style=None if may(Action.ACCEPT_REMOVALS) else {"display": "none"},
    )
    return html.Div(
        [
            dbc.Button(
                f"Run {source} now",
                id={"type": "run-now", "source": source},
                color="primary",
                size="sm",
                disabled=active is not None,
                className="me-2",
            ),
            accept,
            html.Small(reason, className="text-muted run-now-reason"),
        ],
        className="run-now d-inline-flex align-items-center me-3 mb-2",
        title="accept removals: let this run remove more of the source's lines than its max_removed_fraction "
        "(a deliberate purge)",
    )


def toast(toast_id: Any, header: str, name: str) -> dbc.Toast:
    """Where an action's outcome is told (placed outside anything that re-renders); `name` is its class."""
    return dbc.Toast(
        id=toast_id,
        header=header,
        is_open=False,
        dismissable=True,
        duration=8000,
        className=name,
        style={"position": "fixed", "top": 70, "right": 20, "zIndex": 1080},
    )


def run_now_toast(source: str) -> dbc.Toast:
    """Where a Run now click is confirmed (one per source)."""
    return toast({"type": "run-now-toast", "source": source}, "Run now", "run-now-toast")


def retry_toast() -> dbc.Toast:
    """Where a Retry run click is confirmed or refused (one per page that shows run details)."""
    return toast("retry-toast", "Retry run", "retry-toast")


def empty_state(text: str, name: str) -> dbc.Alert:
    """A plain statement that there is nothing to show, and why."""
    return dbc.Alert(text, color="light", className=f"empty-state border {name}")


def grid_cells(values: list[Cell], columns: list[tuple[str, str]]) -> list[str]:
    """A grid row's static cells as HTML: each value in a div of its column's class (`columns`: header, class)."""
    return [element("div", cell(value), name) for value, (_, name) in zip(values, columns, strict=True)]


def grid_row(cells: list[str], control: Any = None, first: bool = False) -> html.Div:
    """A row of grid_table: its cells (each a div of HTML built with potrack.web.fragment) as ONE fragment, and its
    control, a real component, as its last cell (its first with `first`). A row with no control in a column that
    others fill puts an empty div among its cells instead, so the columns stay aligned."""
    static = fragment("".join(cells), "grid-cells")
    if control is None:
        return html.Div(static, className="grid-row")
    return html.Div([control, static] if first else [static, control], className="grid-row")


def grid_table(header: list[str], rows: list[html.Div], name: str) -> html.Div:
    """Rows that hold controls (grid_row) drawn like a small striped table: a CSS grid whose columns `name`'s rule
    in assets/potrack.css sets, its header one fragment; `name` is its class."""
    head = "".join(element("div", text(h)) for h in header)
    return html.Div([fragment(head, "grid-cells grid-head"), *rows], className=f"grid-table {name} mb-2")
