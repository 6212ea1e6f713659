"""/api/audit: the audit log, newest first, filtered by type, severity, source and time, a page at a time."""

from __future__ import annotations

import flask

from potrack import runtime
from potrack.api.contract import endpoint
from potrack.api.models import AuditQuery
from potrack.api.responses import AuditPage
from potrack.api.serialize import page_json
from potrack.store.audit import AuditFilter, list_events


@endpoint(AuditPage, query=AuditQuery, answers={200: "A page of events."})
def list_audit(query: AuditQuery) -> flask.Response:
    """List audit events, newest first."""
    flt = AuditFilter(query.event_type, query.severity, query.source, query.since, query.until)
    found = runtime.read(list_events, flt, query.page, query.per_page)
    return flask.jsonify(page_json(found.events, found.total, found.page, found.pages, found.per_page))
