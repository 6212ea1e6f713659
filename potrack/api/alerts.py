"""/api/alerts: alerts firing and resolved, filtered by state, source, rule and opening time, each with its
notifications per channel."""

from __future__ import annotations

import datetime as dt

import flask
import sqlalchemy as sa

from potrack.api.params import Query
from potrack.api.serialize import alert_json
from potrack.store import alerts as store
from potrack.store.alerts import AlertRow
from potrack.store.models import ALERT_RULES, ALERT_STATES
from potrack.web import context

MAX_LIMIT = 500


def select_alerts(conn: sa.Connection, state: str | None, source: str | None, rule: str | None,
                  since: dt.datetime | None, until: dt.datetime | None, limit: int) -> list[AlertRow]:
    """The newest `limit` alerts in a state (or any), firing first. The store lists firing alerts first and few
    fire at once (one per source and rule), so asking for that many more and keeping one state gives them all."""
    extra = len(store.firing(conn, source)) if state else 0
    found = store.list_alerts(conn, source, rule, since, until, limit + extra)
    return [a for a in found if state is None or a.state == state][:limit]


def list_alerts() -> flask.Response:
    """GET /api/alerts: alerts matching the filters, firing first, then newest first, with their deliveries."""
    query = Query(("state", "source", "rule", "since", "until", "limit"))
    since, until = query.span()
    state = query.choice("state", ALERT_STATES, "") or None
    rule = query.choice("rule", ALERT_RULES, "") or None
    limit = query.integer("limit", 100, 1, MAX_LIMIT)
    with context.engine().connect() as conn:
        found = select_alerts(conn, state, query.text("source"), rule, since, until, limit)
        notes = store.deliveries(conn, [a.id for a in found]) if found else {}
    return flask.jsonify({"count": len(found), "results": [alert_json(a, notes.get(a.id, [])) for a in found]})
