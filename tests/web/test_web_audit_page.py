"""/audit: the audit events newest first, filtered by event types, severities, source and dates through the URL,
50 a page; the page is read-only (its callbacks only read, and showing it changes nothing)."""

import datetime as dt

import sqlalchemy as sa
from dash import _callback

import app
from pages.audit import filters_to_url, layout, show_events
from potrack.store import audit
from potrack.store.models import AuditEvent
from potrack.web.filters import AuditView
from tests.support.personas import acting_as
from tests.support.web import body_rows, find_by_id, text


def record(engine, event_type, severity="info", source=None, message=None):
    with engine.begin() as conn:
        audit.record(
            conn, event_type, message or f"{event_type} happened", severity=severity, source=source, details={"n": 1}
        )


def events(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()


def test_the_view_round_trips_through_the_query_string():
    view = AuditView(
        ("auth.login", "ingestion.retry"), ("warning", "error"), "demo", dt.date(2026, 11, 1), dt.date(2026, 11, 2), 3
    )
    assert view.search() == (
        "?type=auth.login,ingestion.retry&severity=warning,error&source=demo&start=2026-11-01&end=2026-11-02&page=3"
    )
    assert AuditView.from_search(view.search()) == view
    assert AuditView.from_search("?severity=loud,error&page=0") == AuditView(severities=("error",))


def test_a_changed_filter_goes_back_to_page_1():
    assert filters_to_url(["auth.login"], None, None, None, None, 4, "?page=4") == ("?type=auth.login", 1)
    assert filters_to_url(None, ["error"], None, None, None, 2, "?severity=error") == ("?severity=error&page=2", 2)


def test_events_are_listed_newest_first_with_every_field(web):
    record(web.engine, "ingestion.failed", "error", "demo", message="run failed: boom")
    table, pages, count = show_events("")
    first = text(body_rows(table)[0])
    assert "ingestion.failed" in first and "error" in first and "demo" in first and "run failed: boom" in first
    assert '{"n": 1}' in first and "system" in first
    users_added = [t for t in text(table).split() if t == "user.added"]
    assert len(users_added) == 3 and count == f"{events(web.engine)} events · newest first · page 1 of 1"


def test_filters_narrow_the_list(web):
    record(web.engine, "ingestion.failed", "error", "demo")
    record(web.engine, "auth.login_failed", "warning")
    record(web.engine, "ingestion.completed", "info", "other")
    assert show_events("?type=user.added")[2].startswith("3 events")
    assert show_events("?severity=warning,error")[2].startswith("2 events")
    assert show_events("?type=ingestion.failed,ingestion.completed&source=other")[2].startswith("1 event ·")
    today = dt.datetime.now(dt.UTC).date()
    assert show_events(f"?start={today}&end={today}")[2].startswith(f"{events(web.engine)} events")
    yesterday = today - dt.timedelta(days=1)
    assert text(show_events(f"?end={yesterday}")[0]) == "No audit events match these filters."


def test_fifty_events_a_page(web):
    for n in range(60):
        record(web.engine, "test.event", message=f"event {n}")
    total = events(web.engine)
    first, pages, _ = show_events("?type=test.event")
    assert pages == 2 and len(body_rows(first)) == 50 and "event 59" in text(body_rows(first)[0])
    last, _, count = show_events("?type=test.event&page=2")
    assert len(body_rows(last)) == 10 and count == "60 events · newest first · page 2 of 2"
    assert events(web.engine) == total


def test_a_shared_url_opens_with_its_filters_set(web):
    with acting_as(web.engine, "vera"):
        page = layout(type="user.added", severity="info", source="demo", start="2026-11-01", page="2")
    assert (
        find_by_id(page, "audit-filter-type").value == ["user.added"]
        and "user.added" in find_by_id(page, "audit-filter-type").options
    )
    assert (
        find_by_id(page, "audit-filter-severity").value == ["info"]
        and find_by_id(page, "audit-filter-source").value == "demo"
    )
    assert find_by_id(page, "audit-pager").active_page == 2


def test_the_page_is_read_only(web):
    before = events(web.engine)
    with acting_as(web.engine, "ada"):
        layout()
        show_events("")
    assert events(web.engine) == before
    callbacks = {**_callback.GLOBAL_CALLBACK_MAP, **app.app.callback_map}  # (moved to the app at its first request)
    outputs = {key for key in callbacks if "audit-" in key}
    assert outputs == {
        "..audit-url.search...audit-pager.active_page..",
        "..audit-list.children...audit-pager.max_value...audit-count.children..",
    }
