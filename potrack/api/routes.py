"""The API's route table: every /api URL and the Prometheus scrape at /metrics, their methods and the views that
answer them. Each view declares its contract (contract.endpoint: the models of its path, query and body); the
OpenAPI document is generated from this table and those declarations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flask
from werkzeug.exceptions import HTTPException

from potrack.api import alerts, audit, changes, failed_rows, health, lines, metrics, openapi, runs, uploads, xref
from potrack.api.boundary import register_boundary
from potrack.api.errors import ApiError, register_errors

GET, POST = ["GET"], ["POST"]


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
    ("/api/health", "api_health", GET, health.health),
    ("/api/openapi.json", "api_openapi", GET, openapi.openapi),
    ("/api/runs", "api_runs", GET, runs.list_runs),
    ("/api/runs", "api_run_now", POST, runs.queue_run),
    ("/api/runs/<run_id>", "api_run", GET, runs.get_run),
    ("/api/runs/<run_id>/changes", "api_run_changes", GET, runs.list_changes),
    ("/api/runs/<run_id>/retry", "api_run_retry", POST, runs.retry_run),
    ("/api/runs/<run_id>/failed-rows/retry", "api_run_rows_retry", POST, failed_rows.retry_run_rows),
    ("/api/failed-rows", "api_failed_rows", GET, failed_rows.list_rows),
    ("/api/failed-rows/<row_id>/retry", "api_row_retry", POST, failed_rows.retry_row),
    ("/api/uploads", "api_uploads", GET, uploads.list_recent),
    ("/api/uploads", "api_upload", POST, uploads.upload),
    ("/api/audit", "api_audit", GET, audit.list_audit),
    ("/api/alerts", "api_alerts", GET, alerts.list_alerts),
    ("/api/changes", "api_changes", GET, changes.list_changes),
    ("/api/changes/export", "api_changes_export", GET, changes.export_changes),
    ("/api/lines/<source>/<path:po_number>/<line_number>", "api_line", GET, lines.get_line),
    ("/api/xref/gaps", "api_xref_gaps", GET, xref.list_xref_gaps),
    ("/api/xref/mappings", "api_xref_mappings", POST, xref.add_mapping),
    # Path variables are plain text in the rules: each view's path model reads and bounds them (404 naming one).
    # Outside /api where scrapers look by default; its own token, not a session (potrack.auth.session lets it by).
    ("/metrics", "metrics", GET, metrics.metrics),
    ("/api/<path:rest>", "api_unknown", GET + POST, unknown),
]


def register_api(server: flask.Flask) -> None:
    """Add every API route and /metrics to the Flask server, the OpenAPI document, the bounds on every request's
    body, and JSON error answers under /api."""
    for rule, endpoint, methods, view in ROUTES:
        server.add_url_rule(rule, endpoint, view, methods=methods)
    server.extensions["potrack.openapi"] = openapi.document(ROUTES)
    register_boundary(server)
    register_errors(server)
