"""A bad query parameter is a 400 {"error": "bad_parameter", "parameter": name, "message"} naming it: a bad value,
an unknown or repeated parameter, an out-of-range number, a cursor the API did not give out."""

import pytest

from tests.support.personas import client_as
from tests.support.web import add_run

BAD = [
    ("/api/runs?status=bogus", "status"),
    ("/api/runs?status=failed,bogus", "status"),
    ("/api/runs?since=yesterday", "since"),
    ("/api/runs?until=2026-13-01", "until"),
    ("/api/runs?since=0001-01-01T00:00:00%2B05:00", "since"),
    ("/api/runs?since=2026-11-02&until=2026-11-01", "until"),
    ("/api/runs?limit=0", "limit"),
    ("/api/runs?limit=501", "limit"),
    ("/api/runs?limit=ten", "limit"),
    ("/api/runs?cursor=not-a-cursor", "cursor"),
    ("/api/runs?cursor=MjAyNi0xMS0wMQ", "cursor"),
    ("/api/runs?page=2", "page"),
    ("/api/runs?limit=5&limit=6", "limit"),
    ("/api/runs/{run}?verbose=1", "verbose"),
    ("/api/runs/{run}/changes?per_page=1001", "per_page"),
    ("/api/runs/{run}/changes?page=0", "page"),
    ("/api/failed-rows?resolved=maybe", "resolved"),
    ("/api/failed-rows?order=up", "order"),
    ("/api/failed-rows?run_id=first", "run_id"),
    ("/api/failed-rows?run_id=99999999999999999999", "run_id"),
    ("/api/failed-rows?per_page=501", "per_page"),
    ("/api/audit?severity=fatal", "severity"),
    ("/api/audit?severity=info,fatal", "severity"),
    ("/api/audit?actor=ada", "actor"),
]


@pytest.mark.parametrize(("url", "parameter"), BAD)
def test_a_bad_parameter_is_400_naming_it(web, url, parameter):
    run = add_run(web.engine)
    answer = client_as("vera").get(url.format(run=run))
    body = answer.get_json()
    assert answer.status_code == 400, body
    assert (body["error"], body["parameter"]) == ("bad_parameter", parameter)
    assert body["message"].startswith(f"{parameter}: ")


def test_the_message_of_an_unknown_parameter_lists_the_known_ones(web):
    body = client_as("vera").get("/api/runs?statuses=failed").get_json()
    assert "unknown parameter" in body["message"] and "status, source, since, until, limit, cursor" in body["message"]


def test_an_empty_parameter_counts_as_absent(web):
    add_run(web.engine)
    answer = client_as("vera").get("/api/runs?status=&source=&limit=")
    assert answer.status_code == 200 and answer.get_json()["count"] == 1
