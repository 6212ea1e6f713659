"""The API's route table: every /api URL and the Prometheus scrape at /metrics, their methods and the views that
answer them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter, Map

from potrack.api import alerts, audit, changes, failed_rows, health, lines, metrics, runs, xref
from potrack.api.errors import ApiError, register_errors
from potrack.api.params import MAX_ID

GET, POST = ["GET"], ["POST"]


class IdConverter(IntegerConverter):
    """<id:name> in a rule: a positive whole number a store id column can hold."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ID)


def unknown(rest: str) -> Any:
    """Any other URL or method under /api: 405 when the URL is an endpoint taking other methods, else 404."""
    adapter = flask.current_app.url_map.bind_to_environ(flask.request.environ)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(method=method)
        except HTTPException:
            continue
        if endpoint != "api_unknown":
            allowed.append(method)
    if allowed:
        raise ApiError(405, f"{flask.request.method} is not allowed here: /api/{rest} takes {', '.join(allowed)}")
    raise ApiError(404, f"there is no API endpoint /api/{rest}")


ROUTES: list[tuple[str, str, list[str], Callable[..., Any]]] = [
    # rule                                      endpoint              methods     view
    ("/api/health",                             "api_health",         GET,        health.health),
    ("/api/openapi.json",                       "api_openapi",        GET,        health.openapi),
    ("/api/runs",                               "api_runs",           GET,        runs.list_runs),
    ("/api/runs",                               "api_run_now",        POST,       runs.queue_run),
    ("/api/runs/<id:run_id>",                   "api_run",            GET,        runs.get_run),
    ("/api/runs/<id:run_id>/changes",           "api_run_changes",    GET,        runs.list_changes),
    ("/api/runs/<id:run_id>/retry",             "api_run_retry",      POST,       runs.retry_run),
    ("/api/runs/<id:run_id>/failed-rows/retry", "api_run_rows_retry", POST,       failed_rows.retry_run_rows),
    ("/api/failed-rows",                        "api_failed_rows",    GET,        failed_rows.list_rows),
    ("/api/failed-rows/<id:row_id>/retry",      "api_row_retry",      POST,       failed_rows.retry_row),
    ("/api/audit",                              "api_audit",          GET,        audit.list_audit),
    ("/api/alerts",                             "api_alerts",         GET,        alerts.list_alerts),
    ("/api/changes",                            "api_changes",        GET,        changes.list_changes),
    ("/api/changes/export",                     "api_changes_export", GET,        changes.export_changes),
    ("/api/lines/<source>/<path:po_number>/<int:line_number>",
                                                "api_line",           GET,        lines.get_line),
    ("/api/xref/gaps",                          "api_xref_gaps",      GET,        xref.list_xref_gaps),
    ("/api/xref/mappings",                      "api_xref_mappings",  POST,       xref.add_mapping),
    # Outside /api where scrapers look by default; its own token, not a session (potrack.auth.session lets it by).
    ("/metrics",                                "metrics",            GET,        metrics.metrics),
    ("/api/<path:rest>",                        "api_unknown",        GET + POST, unknown),
]


def register_api(server: flask.Flask) -> None:
    """Add every API route and /metrics to the Flask server, and JSON error answers under /api."""
    server.url_map.converters["id"] = IdConverter
    for rule, endpoint, methods, view in ROUTES:
        server.add_url_rule(rule, endpoint, view, methods=methods)
    register_errors(server)
