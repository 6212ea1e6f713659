"""/api/runs: the run history by keyset cursor, one run's detail and changes, run now, retry a run."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import flask

from potrack import actions, runtime
from potrack.api.contract import endpoint
from potrack.api.errors import ApiError
from potrack.api.models import RunChangesQuery, RunNowBody, RunPath, RunsQuery, encode_cursor
from potrack.api.responses import DETAIL_ROWS, Queued, RetryQueued, RunChangePage, RunDetail, RunPage
from potrack.api.serialize import page_json, run_detail_json, run_json
from potrack.auth.roles import Action, Actor
from potrack.clock import utcnow
from potrack.store.run_history import RunFilter, run_changes, run_record_detail, runs_after

QUEUED = {202: "Queued (Location: the queued run's URL)."}


def accepted(body: Mapping[str, Any], run_id: int) -> flask.Response:
    """202 Accepted with the queued run's URL."""
    response = flask.jsonify(body)
    response.status_code = 202
    response.headers["Location"] = flask.url_for("api_run", run_id=run_id)
    return response


def next_page(endpoint: str, at: dt.datetime, item_id: int) -> str:
    """The URL of a keyset list's next page: the same filters, the cursor after the page's last item."""
    args: dict[str, Any] = {k: v for k, v in flask.request.args.items() if k != "cursor"}
    return flask.url_for(endpoint, **args, cursor=encode_cursor(at, item_id))


def _missing(run_id: int) -> ApiError:
    return ApiError(404, f"there is no run #{run_id}")


@endpoint(RunPage, query=RunsQuery, answers={200: "A page of runs, newest first (keyset paging: follow `next`)."})
def list_runs(query: RunsQuery) -> flask.Response:
    """List runs, newest first (keyset paging)."""
    flt = RunFilter(query.since, query.until, query.status, query.source)
    found = runtime.read(runs_after, flt, query.limit, query.cursor)
    last = found.runs[-1] if found.more else None
    next_url = next_page("api_runs", last.queued_at, last.id) if last else None
    now = utcnow()
    return flask.jsonify({"count": found.total, "results": [run_json(r, now) for r in found.runs], "next": next_url})


@endpoint(RunDetail, path=RunPath, answers={200: "The run.", 404: "No such run."})
def get_run(path: RunPath) -> flask.Response:
    """One run in detail.

    The run, why it failed, its unmapped codes, attempts, rejected rows and first changes."""
    found = runtime.read(run_record_detail, path.run_id, DETAIL_ROWS)
    if found is None:
        raise _missing(path.run_id)
    return flask.jsonify(run_detail_json(*found, utcnow()))


@endpoint(
    RunChangePage,
    path=RunPath,
    query=RunChangesQuery,
    answers={200: "A page of changes, in the order written.", 404: "No such run."},
)
def list_changes(path: RunPath, query: RunChangesQuery) -> flask.Response:
    """A run's change events, paged, in the order they were written."""
    found = runtime.read(run_changes, path.run_id, query.page, query.per_page)
    if found is None:
        raise _missing(path.run_id)
    return flask.jsonify(
        {"run_id": path.run_id, **page_json(found.changes, found.total, found.page, found.pages, found.per_page)}
    )


@endpoint(
    Queued,
    body=RunNowBody,
    action=Action.RUN_NOW,
    answers={**QUEUED, 409: "The source already has a run queued or running (`run_id` names it)."},
)
def queue_run(body: RunNowBody, actor: Actor) -> flask.Response:
    """Run now.

    Queue a manual run of a source unless it has one queued or running; accepting removals beyond the source's
    limit needs the admin role."""
    run_id = actions.run_now(actor, body.source, accept_removals=body.accept_removals, baseline=body.baseline)
    return accepted({"run_id": run_id, "status": "queued"}, run_id)


@endpoint(
    RetryQueued,
    path=RunPath,
    action=Action.RETRY_RUN,
    answers={
        **QUEUED,
        404: "No such run.",
        409: "The run is not retryable, already has a retry queued or running, or its source is busy.",
    },
)
def retry_run(path: RunPath, actor: Actor) -> flask.Response:
    """Retry a run.

    Queue a retry of a failed, partial or abandoned run."""
    retry = actions.retry_run(actor, path.run_id)
    return accepted({"run_id": retry.run_id, "status": "queued", "retry_of": path.run_id}, retry.run_id)
