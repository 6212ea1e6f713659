"""/api/alerts: alerts firing and resolved, filtered by state, source, rule and opening time, each with its
notifications per channel."""

from __future__ import annotations

import datetime as dt

import flask
import sqlalchemy as sa

from potrack import runtime
from potrack.api.contract import endpoint
from potrack.api.models import AlertsQuery
from potrack.api.responses import AlertList
from potrack.api.serialize import alert_json
from potrack.store import alerts as store
from potrack.store.alerts import AlertRow


def select_alerts(
    conn: sa.Connection,
    state: str | None,
    source: str | None,
    rule: str | None,
    since: dt.datetime | None,
    until: dt.datetime | None,
    limit: int,
) -> list[AlertRow]:
    """The newest `limit` alerts in a state (or any), firing first. The store lists firing alerts first and few
    fire at once (one per source and rule), so asking for that many more and keeping one state gives them all."""
    extra = len(store.firing(conn, source)) if state else 0
    found = store.list_alerts(conn, source, rule, since, until, limit + extra)
    return [a for a in found if state is None or a.state == state][:limit]


@endpoint(AlertList, query=AlertsQuery, answers={200: "The alerts."})
def list_alerts(query: AlertsQuery) -> flask.Response:
    """List alerts, firing first, then newest first, with their notifications.

    Any signed-in role. The alerts page (/alerts) shows the same, with every delivery attempt."""
    with runtime.engine().connect() as conn:
        found = select_alerts(conn, query.state, query.source, query.rule, query.since, query.until, query.limit)
        notes = store.deliveries(conn, [a.id for a in found]) if found else {}
    return flask.jsonify({"count": len(found), "results": [alert_json(a, notes.get(a.id, [])) for a in found]})
