"""/api/failed-rows: rejected rows across runs, and retrying one row or all of a run's unresolved rows."""

from __future__ import annotations

import flask

from potrack.api.errors import ApiError
from potrack.api.params import Query, mutating
from potrack.api.runs import accepted
from potrack.api.serialize import page_json
from potrack.auth.roles import Action, Actor
from potrack.store.failed_rows import FailedRowFilter, list_failed_rows
from potrack.store.retries import queue_row_retry, unresolved_rows_of_run
from potrack.web import context

MAX_PER_PAGE = 500


def list_rows() -> flask.Response:
    """GET /api/failed-rows: rejected rows matching the filters, by their run's queue time, a page at a time."""
    query = Query(("source", "run_id", "since", "until", "resolved", "page", "per_page", "order"))
    since, until = query.span()
    flt = FailedRowFilter(query.text("source"), query.optional_integer("run_id"), since, until,
                          query.boolean("resolved"))
    page, per_page = query.page(50, MAX_PER_PAGE)
    newest = query.choice("order", ("newest", "oldest"), "newest") == "newest"
    found = context.read(list_failed_rows, flt, page, per_page, newest)
    return flask.jsonify(page_json(found.rows, found.total, found.page, found.pages, found.per_page))


def _retry(actor: Actor, row_ids: list[int]) -> flask.Response:
    """Queue a row_retry run per source for these rows in the actor's name: 202 with the runs."""
    queued = queue_row_retry(context.engine(), row_ids, actor.label)
    body = {"runs": [{"run_id": q.run_id, "source": q.source, "rows": q.rows} for q in queued], "status": "queued"}
    return accepted(body, queued[0].run_id)


def retry_row(row_id: int) -> flask.Response:
    """POST /api/failed-rows/<id>/retry: retry one unresolved rejected row."""
    Query()
    return _retry(mutating(Action.RETRY_ROWS), [row_id])


def retry_run_rows(run_id: int) -> flask.Response:
    """POST /api/runs/<id>/failed-rows/retry: retry every unresolved rejected row of a run."""
    Query()
    actor = mutating(Action.RETRY_ROWS)
    rows = context.read(unresolved_rows_of_run, run_id)
    if not rows:
        raise ApiError(409, f"run #{run_id} has no unresolved failed rows")
    return _retry(actor, rows)
