"""The public endpoints: the health verdict (as the navbar shows it) and the API's OpenAPI description."""

from __future__ import annotations

from pathlib import Path

import flask

from potrack.api.params import Query
from potrack.api.serialize import health_json
from potrack.clock import utcnow
from potrack.web import context
from potrack.web.health import check_sources, overall

OPENAPI = Path(__file__).with_name("openapi.json")


def health() -> flask.Response:
    """GET /api/health: healthy, degraded or failing, and each source's latest run and freshness."""
    Query()
    verdicts = context.read(check_sources, context.settings().sources, context.zone(), utcnow())
    response = flask.jsonify(health_json(overall([v.health for v in verdicts]).level, verdicts))
    response.headers["Cache-Control"] = "no-store"
    return response


def openapi() -> flask.Response:
    """GET /api/openapi.json: the API's description (OpenAPI 3.1)."""
    Query()
    return flask.Response(OPENAPI.read_bytes(), mimetype="application/json")
