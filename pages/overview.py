"""Overview: one card per source with its firing alerts, last run, data age, next scheduled run and a Run now
button."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, dcc, html

import pages._run_actions  # noqa: F401  (registers the Run now callback its buttons use)
from pages._components import moment, progress_bar, run_now_control, run_now_toast, status_badge
from potrack import runtime, timefmt
from potrack.alerts.message import TITLES
from potrack.clock import utcnow
from potrack.config import SourceConfig
from potrack.health import alert_color
from potrack.schedule import next_fire
from potrack.store.alerts import AlertRow, firing
from potrack.store.run_history import SourceStatus, source_statuses

dash.register_page(__name__, path="/", name="Overview", order=0)
TICK_MS = 2000


def _row(label: str, *value: Any) -> html.Tr:
    return html.Tr([html.Th(label, className="text-muted fw-normal pe-3"), html.Td(list(value))])


def alert_badges(alerts: Sequence[AlertRow]) -> html.Div | None:
    """A source's firing alerts as red or amber badges linking to /alerts ('consecutive failed runs since …'), the
    message on hover; None when none fires."""
    if not alerts:
        return None
    zone = runtime.zone()
    return html.Div(
        [
            dcc.Link(
                f"{TITLES.get(a.rule, a.rule)} since {timefmt.local_text(a.opened_at, zone)}",
                href="/alerts",
                title=a.message,
                className=f"badge text-bg-{alert_color(a.rule)} me-1 text-decoration-none "
                f"alert-badge alert-badge-{a.rule}",
            )
            for a in alerts
        ],
        className="mb-2 source-alerts",
    )


def source_card(cfg: SourceConfig, status: SourceStatus, now: dt.datetime, alerts: Sequence[AlertRow] = ()) -> dbc.Col:
    """A source's card: firing alerts, last run, last successful run and data age, next scheduled run, Run now."""
    last, ok, active = status.last, status.last_ok, status.active
    if last is None:
        last_run: list[Any] = ["no run yet"]
    else:
        last_run = [
            status_badge(last.status),
            " ",
            moment(last.queued_at, now),
            f" · {timefmt.duration(last.duration_s)} · {last.lines_processed:,} lines · ",
            dcc.Link(f"run #{last.id}", href=f"/runs/{last.id}"),
        ]
    if ok is None:
        last_ok: list[Any] = ["none yet"]
    else:
        done = ok.finished_at or ok.queued_at
        last_ok = [
            moment(done, now),
            " · data age ",
            html.Strong(timefmt.span(now - done)),
            " · ",
            dcc.Link(f"run #{ok.id}", href=f"/runs/{ok.id}"),
        ]
    fire = next_fire(cfg.schedule, runtime.zone(), now)
    scheduled: list[Any] = [moment(fire, now) if fire else "never", html.Code(f" {cfg.schedule}", className="ms-1")]
    if not runtime.scheduler_on():
        scheduled.append(html.Small(" (the scheduler is off in this process)", className="text-muted"))
    rows = [_row("Last run", *last_run), _row("Last successful run", *last_ok), _row("Next scheduled run", *scheduled)]
    body: list[Any] = [alert_badges(alerts), html.Table(html.Tbody(rows), className="mb-2")]
    if active is not None and active.status == "running":
        body.append(progress_bar(active, now))
    body.append(run_now_control(cfg.name, active))
    header = dbc.CardHeader([html.Strong(cfg.name), html.Small(f" {cfg.kind}", className="text-muted")])
    return dbc.Col(
        dbc.Card([header, dbc.CardBody(body)], className="h-100"),
        md=6,
        className="mb-3 source-card",
        id={"type": "source-card", "source": cfg.name},
    )


def cards() -> tuple[list[dbc.Col], bool]:
    """Every configured source's card, and whether any source has a queued or running run."""
    cfgs, now = runtime.settings().sources, utcnow()
    statuses, alerts = runtime.read(source_statuses, [c.name for c in cfgs]), runtime.read(firing)
    return (
        [
            source_card(c, s, now, [a for a in alerts if a.source == c.name])
            for c, s in zip(cfgs, statuses, strict=True)
        ],
        any(s.active for s in statuses),
    )


def layout(**_query: str) -> html.Div:
    """The overview as it is now; it refreshes itself while a run is queued or running."""
    children, active = cards()
    return html.Div(
        [
            html.H2("Overview"),
            dbc.Row(children, id="overview-cards"),
            *[run_now_toast(name) for name in runtime.source_names()],
            dcc.Interval(id="overview-tick", interval=TICK_MS, disabled=not active),
        ]
    )


@dash.callback(
    Output("overview-cards", "children"),
    Output("overview-tick", "disabled"),
    Input("overview-tick", "n_intervals"),
    Input({"type": "run-now-toast", "source": ALL}, "is_open"),
    prevent_initial_call=True,
)
def refresh_overview(_tick: int | None, _toasts: list[bool]) -> tuple[list[dbc.Col], bool]:
    """Redraw the cards; keep ticking only while something is queued or running."""
    children, active = cards()
    return children, not active
