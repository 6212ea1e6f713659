"""Run now, Retry run and Retry these rows: the callbacks behind the sources' Run now buttons (pages/runs.py,
pages/overview.py) and the Retry run and Retry these rows buttons of a run's details (pages/runs.py,
pages/run_detail.py), registered when a page imports this module. The work and its checks are potrack.actions';
here the outcome is told in the page's toast."""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, MATCH, Input, Output, State
from dash.exceptions import PreventUpdate

from pages._actions import clicked, refusal
from pages._components import run_link
from potrack import actions, runtime, timefmt
from potrack.actions import Refused
from potrack.clock import utcnow
from potrack.web.access import signed_in


@dash.callback(
    Output({"type": "run-now-toast", "source": MATCH}, "is_open"),
    Output({"type": "run-now-toast", "source": MATCH}, "children"),
    Output({"type": "run-now-toast", "source": MATCH}, "icon"),
    Output({"type": "run-now", "source": MATCH}, "disabled"),
    Input({"type": "run-now", "source": MATCH}, "n_clicks"),
    State({"type": "run-now", "source": MATCH}, "id"),
    State({"type": "run-now-accept", "source": MATCH}, "value"),
    prevent_initial_call=True,
)
def run_now(
    n_clicks: int | None, button: dict[str, str], accept_removals: bool | None = False
) -> tuple[bool, str, str, bool]:
    """Queue a manual run for the button's source unless it has one queued or running (accepting removals beyond
    the source's limit when an admin ticked the box); the toast says which."""
    if not n_clicks:
        raise PreventUpdate
    source = button["source"]
    try:
        run_id = actions.run_now(signed_in(), source, accept_removals=bool(accept_removals))
    except Refused as refused:
        if refused.kind == "conflict":
            active = refused.facts["run_id"]
            return True, f"{source} already has run #{active} queued or running: nothing new was queued.", "info", True
        if refused.field == "source":
            return True, f"There is no source named {source!r}.", "danger", True
        return True, refusal(refused)[0], "danger", True
    accepting = ", accepting removals beyond its limit" if accept_removals else ""
    when = timefmt.local_text(utcnow(), runtime.zone())
    return True, f"Run #{run_id} of {source} is queued{accepting} ({when}).", "success", True


def queue_retry_of(run_id: int) -> tuple[bool, Any, str]:
    """Queue a retry of a run in the signed-in user's name: the toast's (is_open, message, icon)."""
    try:
        queued = actions.retry_run(signed_in(), run_id)
    except Refused as refused:
        return (True, *refusal(refused))
    return (
        True,
        [
            f"Run #{queued.run_id} queued as a retry of #{run_id}. ",
            run_link(queued.run_id, f"Open run #{queued.run_id}"),
        ],
        "success",
    )


@dash.callback(
    Output("retry-toast", "is_open"),
    Output("retry-toast", "children"),
    Output("retry-toast", "icon"),
    Input({"type": "retry-run", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def retry_run(_clicks: list[int | None]) -> tuple[bool, Any, str]:
    """Retry the run whose Retry run button was clicked (not when a button merely appears)."""
    return queue_retry_of(int(clicked()["index"]))


def queue_rows_of(run_id: int) -> tuple[bool, Any, str]:
    """Queue a row retry of a run's unresolved rejected rows in the signed-in user's name (the same action as the
    API's and /failed-rows'): the toast's (is_open, message, icon)."""
    try:
        queued = actions.retry_unresolved_rows(signed_in(), run_id)
    except Refused as refused:
        return (True, *refusal(refused))
    message: list[Any] = []
    for q in queued:
        rows = f"{q.rows:,} rejected row" + ("s" if q.rows != 1 else "")
        message += [
            f"Run #{q.run_id} queued to retry {rows} of #{run_id}. ",
            run_link(q.run_id, f"Open run #{q.run_id}"),
        ]
    return True, message, "success"


@dash.callback(
    Output("retry-toast", "is_open", allow_duplicate=True),
    Output("retry-toast", "children", allow_duplicate=True),
    Output("retry-toast", "icon", allow_duplicate=True),
    Input({"type": "retry-rows", "index": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def retry_rows(_clicks: list[int | None]) -> tuple[bool, Any, str]:
    """Retry the unresolved rows of the run whose Retry these rows button was clicked."""
    return queue_rows_of(int(clicked()["index"]))
