"""/api/audit: the audit log, newest first, filtered by type, severity, source and time, a page at a time."""

from __future__ import annotations

import flask

from potrack.api.params import Query
from potrack.api.serialize import page_json
from potrack.store.audit import SEVERITIES, AuditFilter, list_events
from potrack.web import context

MAX_PER_PAGE = 500


def list_audit() -> flask.Response:
    """GET /api/audit: audit events matching the filters, newest first."""
    query = Query(("event_type", "severity", "source", "since", "until", "page", "per_page"))
    since, until = query.span()
    flt = AuditFilter(query.choices("event_type"), query.choices("severity", SEVERITIES), query.text("source"),
                      since, until)
    page, per_page = query.page(50, MAX_PER_PAGE)
    found = context.read(list_events, flt, page, per_page)
    return flask.jsonify(page_json(found.events, found.total, found.page, found.pages, found.per_page))
