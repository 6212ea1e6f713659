"""/api/failed-rows: rejected rows across runs, and retrying one row or all of a run's unresolved rows."""

from __future__ import annotations

import flask

from potrack import actions, runtime
from potrack.api.contract import endpoint
from potrack.api.models import FailedRowsQuery, RowPath, RunPath
from potrack.api.responses import FailedRowPage, RowRetryPending, RowsQueued
from potrack.api.runs import QUEUED, accepted
from potrack.api.serialize import page_json
from potrack.auth.roles import Action, Actor
from potrack.store.failed_rows import FailedRowFilter, list_failed_rows, retry_count
from potrack.store.retries import QueuedRetry


@endpoint(FailedRowPage, query=FailedRowsQuery, answers={200: "A page of rows."})
def list_rows(query: FailedRowsQuery) -> flask.Response:
    """List rejected rows, by their run's queue time, a page at a time."""
    flt = FailedRowFilter(
        query.source, query.run_id, query.since, query.until, query.resolved, upload_id=query.upload_id
    )
    found = runtime.read(list_failed_rows, flt, query.page, query.per_page, query.order == "newest")
    return flask.jsonify(page_json(found.rows, found.total, found.page, found.pages, found.per_page))


def _queued(queued: list[QueuedRetry]) -> flask.Response:
    """202 with the row_retry runs queued (one per source)."""
    body = {"runs": [{"run_id": q.run_id, "source": q.source, "rows": q.rows} for q in queued], "status": "queued"}
    return accepted(body, queued[0].run_id)


@endpoint(
    RowRetryPending,
    path=RowPath,
    action=Action.RETRY_ROWS,
    answers={
        **QUEUED,
        404: "No such failed row.",
        409: "The row is resolved, already being retried, or its source is busy.",
    },
)
def retry_row(path: RowPath, actor: Actor) -> flask.Response:
    """Retry one failed row.

    Queue a row_retry run for one unresolved rejected row; the answer says the retry count it will have."""
    [queued] = actions.retry_rows(actor, [path.row_id])
    count = runtime.read(retry_count, path.row_id) + 1
    body = {
        "status": "pending",
        "message": f"failed row #{path.row_id} of {queued.source} is queued for retry #{count} in run #{queued.run_id}",
        "retry_count": count,
        "run_id": queued.run_id,
        "runs": [{"run_id": queued.run_id, "source": queued.source, "rows": queued.rows}],
    }
    return accepted(body, queued.run_id)


@endpoint(
    RowsQueued,
    path=RunPath,
    action=Action.RETRY_ROWS,
    answers={
        **QUEUED,
        404: "No such run.",
        409: "The run has no unresolved rows, a row is already being retried, or the source is busy.",
    },
)
def retry_run_rows(path: RunPath, actor: Actor) -> flask.Response:
    """Retry a run's failed rows.

    Queue a row_retry run for every unresolved rejected row of a run."""
    return _queued(actions.retry_unresolved_rows(actor, path.run_id))
