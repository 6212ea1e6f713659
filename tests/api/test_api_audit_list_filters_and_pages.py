"""GET /api/audit: audit events newest first, filtered by event types and severities (comma-separated lists),
source and time [since, until), a page at a time."""

import datetime as dt

import pytest
import sqlalchemy as sa

from potrack.store import audit
from potrack.store.models import AuditEvent
from tests.support.personas import client_as
from tests.support.web import UTC

T0 = dt.datetime(2001, 11, 1, 0, 0, tzinfo=UTC)  # long before the sign-ins the tests make
BEFORE_NOW = "until=2001-11-04"
EVENTS = [  # (hours after T0, type, severity, source)
    (0, "ingestion.completed", "info", "demo"),
    (1, "ingestion.failed", "error", "demo"),
    (2, "ingestion.completed", "warning", "other"),
    (25, "ingestion.retry", "info", "demo"),
    (26, "token.created", "info", None),
    (49, "ingestion.abandoned", "error", "other"),
]


@pytest.fixture
def events(web, monkeypatch):
    """The events above, recorded at their times; returns the ids, oldest first."""
    for hours, kind, severity, source in EVENTS:
        monkeypatch.setattr(audit, "utcnow", lambda h=hours: T0 + dt.timedelta(hours=h))
        with web.engine.begin() as conn:
            audit.record(conn, kind, f"{kind} at +{hours} h", severity=severity, source=source, actor="test")
    monkeypatch.undo()
    with web.engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(AuditEvent.id).where(AuditEvent.at < T0 + dt.timedelta(days=3)).order_by(AuditEvent.at)
            ).scalars()
        )


def ids(query):
    """The ids of the events a query lists (only the recorded ones: before now, unless it says until)."""
    url = f"/api/audit?{query}" if "until=" in query else f"/api/audit?{query}&{BEFORE_NOW}"
    body = client_as("vera").get(url).get_json()
    assert body["count"] == len(body["results"]), body
    return [e["id"] for e in body["results"]]


def test_events_come_newest_first_with_their_fields(events):
    body = client_as("vera").get(f"/api/audit?{BEFORE_NOW}").get_json()
    assert [e["id"] for e in body["results"]] == events[::-1]
    newest = body["results"][0]
    assert {k: newest[k] for k in ("event_type", "severity", "source", "actor", "message", "run_id")} == {
        "event_type": "ingestion.abandoned",
        "severity": "error",
        "source": "other",
        "actor": "test",
        "message": "ingestion.abandoned at +49 h",
        "run_id": None,
    }
    assert newest["at"] == "2001-11-03T01:00:00Z"


def test_one_event_type_or_a_list(events):
    assert ids("event_type=ingestion.completed") == [events[2], events[0]]
    assert ids("event_type=ingestion.retry,token.created") == [events[4], events[3]]


def test_one_severity_or_a_list(events):
    assert ids("severity=error") == [events[5], events[1]]
    assert ids("severity=warning,error") == [events[5], events[2], events[1]]


def test_source_and_time(events):
    assert ids("source=other") == [events[5], events[2]]
    assert ids("since=2001-11-02&until=2001-11-03") == [events[4], events[3]]
    assert ids("since=2001-11-01T01:00:00Z&severity=info&source=demo") == [events[3]]


def test_pages(events):
    client = client_as("vera")
    pages = [client.get(f"/api/audit?{BEFORE_NOW}&per_page=4&page={n}").get_json() for n in (1, 2)]
    assert [e["id"] for p in pages for e in p["results"]] == events[::-1]
    assert [(p["count"], p["page"], p["pages"]) for p in pages] == [(6, 1, 2), (6, 2, 2)]
