"""Overview: a status board, one compact row per source, the worst first: its state and why, its last 30 runs as a
strip of squares linking to them, its data's age, its next scheduled run, its firing alerts and Run now."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import dash
from dash import ALL, Input, Output, dcc, html

import pages._run_actions  # noqa: F401  (registers the Run now callback its buttons use)
from pages._components import fragment, progress_bar, run_now_control, run_now_toast
from pages._uploads import refresh_on_upload, upload_area, upload_outcome
from potrack import runtime, timefmt
from potrack.alerts.message import TITLES
from potrack.auth.roles import Action
from potrack.clock import utcnow
from potrack.config import SourceConfig
from potrack.health import SourceVerdict, alert_color, by_severity, check_sources
from potrack.schedule import next_fire
from potrack.store.alerts import AlertRow
from potrack.store.run_strip import STRIP_RUNS, StripRun, last_runs
from potrack.web.access import may
from potrack.web.filters import RunView
from potrack.web.fragment import element, link, text

dash.register_page(__name__, path="/", name="Overview", order=0)
TICK_MS = 2000
HEADER = ("state", "source", "why", f"last {STRIP_RUNS} runs, oldest → newest", "data age", "next run", "")
refresh_on_upload("overview-tick")  # an upload's run shows at once


def alert_badges(alerts: Sequence[AlertRow], zone: dt.tzinfo) -> str:
    """A source's firing alerts as red or amber badges linking to /alerts ('consecutive failed runs since …'), the
    message on hover."""
    return "".join(
        link(
            "/alerts",
            text(f"{TITLES.get(a.rule, a.rule)} since {timefmt.local_text(a.opened_at, zone)}"),
            f"badge text-bg-{alert_color(a.rule)} me-1 text-decoration-none alert-badge alert-badge-{a.rule}",
            a.message,
        )
        for a in alerts
    )


def square(run: StripRun, zone: dt.tzinfo) -> str:
    """One run of the strip as a link to its page, coloured by status, its facts on hover."""
    tip = f"run #{run.id} · {run.status}{' · baseline' if run.baseline else ''} · "
    tip += f"{timefmt.local_text(run.queued_at, zone)} · {run.lines_processed:,} lines"
    return link(f"/runs/{run.id}", "", f"strip-run strip-{run.status}", tip, run_id=str(run.id), status=run.status)


def run_strip(runs: Sequence[StripRun], zone: dt.tzinfo) -> str:
    """A source's last runs, oldest first, as a strip of squares."""
    squares = "".join(square(r, zone) for r in runs) or element("span", "no run yet", "text-muted")
    return element("div", squares, "run-strip")


def why(verdict: SourceVerdict, now: dt.datetime, zone: dt.tzinfo) -> str:
    """The reasons when the source is not healthy (linked to the run behind the verdict), else its last run; and
    the firing alerts."""
    health, last = verdict.health, verdict.status.last
    if health.reasons:
        said, title, run_id = " · ".join(health.reasons), health.reason, health.run_id
    elif last is not None:
        said = f"run #{last.id} {last.status} {timefmt.relative(last.queued_at, now)}"
        said += f" · {timefmt.duration(last.duration_s)} · {last.lines_processed:,} lines"
        title, run_id = said, last.id
    else:
        said, title, run_id = "no run yet", None, None
    reason = (
        link(f"/runs/{run_id}", text(said), "board-reason", title)
        if run_id is not None
        else element("div", text(said), "board-reason", title)
    )
    return element("div", reason + alert_badges(verdict.alerts, zone), "board-why")


def data_age(verdict: SourceVerdict, now: dt.datetime, zone: dt.tzinfo) -> str:
    """How old the source's data is: since its last completed run finished (red when stale; the run on hover)."""
    ok = verdict.status.last_ok
    if ok is None:
        return element("div", "none yet", "board-age", "no completed run yet")
    done = ok.finished_at or ok.queued_at
    stale = " text-danger fw-bold" if verdict.stale else ""
    title = f"last completed run #{ok.id} finished {timefmt.local_text(done, zone)}"
    return element("div", text(timefmt.span(now - done)), "board-age" + stale, title)


def next_run(cfg: SourceConfig, now: dt.datetime, zone: dt.tzinfo) -> str:
    """When the schedule fires next ('in 9 h'; the local time and the cron on hover); for a source fed by uploads
    only, when its next file is expected ('file in 9 h'): its schedule queues nothing."""
    fire = next_fire(cfg.schedule, zone, now)
    if fire is None:
        return element("div", "never", "board-next", f"cron {cfg.schedule}")
    expected = "a file is expected by the schedule, uploaded by hand · " if cfg.upload_only else ""
    title = f"{expected}{timefmt.local_text(fire, zone)} · cron {cfg.schedule}"
    when = timefmt.relative(fire, now)
    return element("div", text(f"file {when}" if cfg.upload_only else when), "board-next", title)


def source_row(cfg: SourceConfig, verdict: SourceVerdict, runs: Sequence[StripRun], now: dt.datetime) -> html.Div:
    """A source's row: state, name, why, strip of runs, data age, next run; Run now (not for a source fed by uploads
    only) and, for a source that takes uploaded files, its upload area (operators and admins); a running run's
    progress.

    Everything but Run now and the progress bar is plain HTML in one component: the browser's time to draw a Dash
    page grows with the square of its components (docs/dashboard.md, Speed), and a component per square would make
    1,500 at 50 sources."""
    health, zone, active = verdict.health, runtime.zone(), verdict.status.active
    runs_page = f"/runs{RunView(source=cfg.name).search()}"
    cells = "".join(
        [
            element("div", text(health.label), f"badge text-bg-{health.color} board-state"),
            link(runs_page, text(cfg.name), "board-name", f"{cfg.kind} source: its runs"),
            why(verdict, now, zone),
            run_strip(runs, zone),
            data_age(verdict, now, zone),
            next_run(cfg, now, zone),
        ]
    )
    progress = [progress_bar(active, now)] if active is not None and active.status == "running" else []
    data: dict[str, Any] = {"data-source": cfg.name, "data-level": health.level}
    return html.Div(
        [
            fragment(cells, "board-cells"),
            None if cfg.upload_only else run_now_control(cfg.name, active),  # a file is all it can run
            *progress,
            upload_area(cfg, compact=True),
        ],
        id={"type": "source-row", "source": cfg.name},
        className=f"board-row board-{health.level}",
        **data,
    )


def board() -> tuple[list[html.Div], bool]:
    """Every configured source's row, worst first, and whether any source has a queued or running run."""
    cfgs, now = runtime.settings().sources, utcnow()
    verdicts = by_severity(runtime.read(check_sources, cfgs, runtime.zone(), now))
    strips = runtime.read(last_runs, [c.name for c in cfgs])
    by_name = {c.name: c for c in cfgs}
    header = html.Div([html.Span(h) for h in HEADER], className="board-row board-header text-muted small")
    rows = [source_row(by_name[v.status.source], v, strips[v.status.source], now) for v in verdicts]
    return [header, *rows], any(v.status.active for v in verdicts)


def layout(**_query: str) -> html.Div:
    """The board as it is now; it refreshes itself while a run is queued or running."""
    children, active = board()
    off = [] if runtime.scheduler_on() else [html.P("The scheduler is off in this process.", className="text-muted")]
    toasts = [run_now_toast(name) for name in runtime.source_names()] if may(Action.RUN_NOW) else []
    return html.Div(
        [
            html.H2("Overview"),
            *off,
            html.Div(children, id="overview-board", className="overview-board"),
            *toasts,
            *upload_outcome(),
            dcc.Interval(id="overview-tick", interval=TICK_MS, disabled=not active),
        ]
    )


@dash.callback(
    Output("overview-board", "children"),
    Output("overview-tick", "disabled"),
    Input("overview-tick", "n_intervals"),
    Input({"type": "run-now-toast", "source": ALL}, "is_open"),
    prevent_initial_call=True,
)
def refresh_overview(_tick: int | None, _toasts: list[bool]) -> tuple[list[html.Div], bool]:
    """Redraw the board; keep ticking only while something is queued or running."""
    children, active = board()
    return children, not active
