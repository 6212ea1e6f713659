"""GET /api/alerts: alerts firing first, then newest first, filtered by state, source, rule and opening time, up to
`limit`, each with its notifications per channel (event, state, attempts, last error); any signed-in role may read
it, without a session it is 401, and a bad parameter is a 400 naming it."""

import datetime as dt

import pytest

import app
from potrack.clock import utcnow
from tests.support.alerts import HOUR, REFUSED, deliver, evaluate, fail_twice
from tests.support.personas import client_as, persona_tokens
from tests.support.web import add_run

FIELDS = {"id", "source", "rule", "state", "opened_at", "resolved_at", "message", "resolution", "run_id", "deliveries"}


@pytest.fixture
def history(alerts_web):
    """demo: a consecutive-failures alert that resolved, then a stale-data alert firing (evaluated 30 h ahead)."""
    fail_twice(alerts_web)
    evaluate(alerts_web)
    deliver(alerts_web)
    add_run(alerts_web.engine)
    evaluate(alerts_web)
    evaluate(alerts_web, utcnow() + 30 * HOUR)
    return alerts_web


def get(url, name="vera"):
    answer = client_as(name).get(url)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_alerts_are_listed_firing_first_with_every_field_and_their_deliveries(history):
    body = get("/api/alerts")
    assert body["count"] == 2 and [(a["rule"], a["state"]) for a in body["results"]] == [
        ("stale_data", "firing"),
        ("consecutive_failures", "resolved"),
    ]
    stale, streak = body["results"]
    assert set(stale) == FIELDS and stale["resolved_at"] is None and stale["message"].startswith("no completed run for")
    assert streak["resolution"].startswith("no failure streak of 2") and streak["run_id"] is not None
    assert dt.datetime.fromisoformat(streak["opened_at"]) < dt.datetime.fromisoformat(streak["resolved_at"])
    mail = streak["deliveries"][1]
    assert mail["last_error"].startswith("DeliveryError: e-mail to 127.0.0.1:") and mail["last_error"].endswith(REFUSED)
    assert streak["deliveries"] == [
        {"channel": "hook", "event": "opened", "state": "sent", "attempts": 1, "last_error": None},
        {"channel": "mail", "event": "opened", "state": "failed", "attempts": 3, "last_error": mail["last_error"]},
        {"channel": "hook", "event": "resolved", "state": "pending", "attempts": 0, "last_error": None},
        {"channel": "mail", "event": "resolved", "state": "pending", "attempts": 0, "last_error": None},
    ]


def test_filters_by_state_source_rule_time_and_limit(history):
    def rules(query):
        return [(a["rule"], a["state"]) for a in get(f"/api/alerts?{query}")["results"]]

    assert rules("state=firing") == [("stale_data", "firing")]
    assert rules("state=resolved") == [("consecutive_failures", "resolved")]
    assert rules("state=resolved&limit=1") == [("consecutive_failures", "resolved")]
    assert rules("rule=consecutive_failures&state=firing") == []
    assert rules("source=demo&rule=stale_data") == [("stale_data", "firing")]
    assert rules("source=night") == []
    assert rules("limit=1") == [("stale_data", "firing")]
    later = (utcnow() + 20 * HOUR).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert rules(f"since={later}") == [("stale_data", "firing")]
    assert rules(f"until={later}") == [("consecutive_failures", "resolved")]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("state=open", "state"),
        ("state=firing,resolved", "state"),
        ("rule=slow", "rule"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("since=yesterday", "since"),
        ("since=2026-11-02&until=2026-11-01", "until"),
        ("severity=error", "severity"),
        ("limit=1&limit=2", "limit"),
    ],
)
def test_a_bad_parameter_is_400_naming_it(alerts_web, query, parameter):
    answer = client_as("vera").get(f"/api/alerts?{query}")
    body = answer.get_json()
    assert answer.status_code == 400 and (body["error"], body["parameter"]) == ("bad_parameter", parameter), body
    assert body["message"].startswith(f"{parameter}: ")


def test_every_role_may_read_it_and_nobody_without_a_session_or_token(alerts_web):
    assert get("/api/alerts", "vera") == {"count": 0, "results": []}
    token = persona_tokens(alerts_web.engine)["viewer"]
    client = app.server.test_client()
    assert client.get("/api/alerts", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    answer = client.get("/api/alerts")
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
