"""The public health verdict, as the navbar shows it."""

from __future__ import annotations

import flask

from potrack import runtime
from potrack.api.contract import endpoint
from potrack.api.responses import Health
from potrack.api.serialize import health_json
from potrack.clock import utcnow
from potrack.health import check_sources, overall


@endpoint(Health, answers={200: "The verdict."})
def health() -> flask.Response:
    """Health verdict.

    The navbar's verdict: failing when a source's latest run failed or was abandoned, degraded when it was partial
    or its data is stale; each source's latest run and freshness. Public; holds no error text."""
    verdicts = runtime.read(check_sources, runtime.settings().sources, runtime.zone(), utcnow())
    response = flask.jsonify(health_json(overall([v.health for v in verdicts]).level, verdicts))
    response.headers["Cache-Control"] = "no-store"
    return response
