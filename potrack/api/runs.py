"""/api/runs: the run history by keyset cursor, one run's detail and changes, run now, retry a run."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import flask

from potrack.api.errors import ApiError, BadParameter
from potrack.api.params import Query, configured_source, decode_cursor, encode_cursor, json_body, mutating
from potrack.api.serialize import page_json, run_detail_json, run_json
from potrack.auth.roles import Action, require
from potrack.clock import utcnow
from potrack.store.api_queries import run_changes, run_record_detail, runs_after
from potrack.store.models import RUN_STATUSES
from potrack.store.queries import RunFilter
from potrack.store.retries import queue_retry
from potrack.store.runs import queue_run_unless_active
from potrack.web import context

DETAIL_CHANGES = 500
MAX_LIMIT = 500
MAX_CHANGES_PER_PAGE = 1000


def accepted(body: Mapping[str, Any], run_id: int) -> flask.Response:
    """202 Accepted with the queued run's URL."""
    response = flask.jsonify(body)
    response.status_code = 202
    response.headers["Location"] = flask.url_for("api_run", run_id=run_id)
    return response


def _missing(run_id: int) -> ApiError:
    return ApiError(404, f"there is no run #{run_id}")


def list_runs() -> flask.Response:
    """GET /api/runs: runs matching the filters, newest first, `limit` at a time, with the next page's URL."""
    query = Query(("status", "source", "since", "until", "limit", "cursor"))
    since, until = query.span()
    flt = RunFilter(since, until, query.choices("status", RUN_STATUSES), query.text("source"))
    found = context.read(runs_after, flt, query.integer("limit", 50, 1, MAX_LIMIT), decode_cursor(query.text("cursor")))
    next_url = None
    if found.more:
        last = found.runs[-1]
        args: dict[str, Any] = {k: v for k, v in flask.request.args.items() if k != "cursor"}
        next_url = flask.url_for("api_runs", **args, cursor=encode_cursor(last.queued_at, last.id))
    now = utcnow()
    return flask.jsonify({"count": found.total, "results": [run_json(r, now) for r in found.runs], "next": next_url})


def get_run(run_id: int) -> flask.Response:
    """GET /api/runs/<id>: the run, why it failed, its unmapped codes, attempts, rejected rows and first changes."""
    Query()
    found = context.read(run_record_detail, run_id, DETAIL_CHANGES)
    if found is None:
        raise _missing(run_id)
    return flask.jsonify(run_detail_json(*found, utcnow()))


def list_changes(run_id: int) -> flask.Response:
    """GET /api/runs/<id>/changes: a page of the run's change events, in the order they were written."""
    page, per_page = Query(("page", "per_page")).page(200, MAX_CHANGES_PER_PAGE)
    found = context.read(run_changes, run_id, page, per_page)
    if found is None:
        raise _missing(run_id)
    return flask.jsonify({"run_id": run_id, **page_json(found.changes, found.total, found.page, found.pages,
                                                        found.per_page)})


def queue_run() -> flask.Response:
    """POST /api/runs {"source", "baseline", "accept_removals"}: queue a manual run unless the source has one queued
    or running; accepting removals beyond the source's limit needs the admin role."""
    Query()
    actor = mutating(Action.RUN_NOW)
    body = json_body(("source", "baseline", "accept_removals"))
    source = configured_source(body)
    baseline, accept_removals = body.get("baseline", False), body.get("accept_removals", False)
    for name, value in (("baseline", baseline), ("accept_removals", accept_removals)):
        if not isinstance(value, bool):
            raise BadParameter(name, "must be true or false")
    if accept_removals:
        require(actor, Action.ACCEPT_REMOVALS)
    run_id, queued = queue_run_unless_active(context.engine(), source, "manual", requested_by=actor.label,
                                             baseline=baseline, accept_removals=accept_removals)
    if not queued:
        raise ApiError(409, f"{source} already has run #{run_id} queued or running; try again when it has finished",
                       run_id=run_id)
    return accepted({"run_id": run_id, "status": "queued"}, run_id)


def retry_run(run_id: int) -> flask.Response:
    """POST /api/runs/<id>/retry: queue a retry of a failed, partial or abandoned run."""
    Query()
    actor = mutating(Action.RETRY_RUN)
    retry = queue_retry(context.engine(), run_id, actor.label)
    return accepted({"run_id": retry.run_id, "status": "queued", "retry_of": run_id}, retry.run_id)
