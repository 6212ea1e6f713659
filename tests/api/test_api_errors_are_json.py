"""Under /api every error is JSON {"error", "message"}: an unknown URL 404, a wrong method 405, an unexpected
failure 500 with a scrubbed one-line reason; outside /api the pages keep their own error answers."""

import pytest

from potrack.api import runs
from tests.support.personas import client_as


def test_an_unknown_api_url_is_404_json(web):
    answer = client_as("vera").get("/api/nothing/here")
    assert answer.status_code == 404
    assert answer.get_json() == {"error": "not_found", "message": "there is no API endpoint /api/nothing/here"}


@pytest.mark.parametrize(
    ("method", "url"),
    [("delete", "/api/runs/1"), ("put", "/api/runs"), ("get", "/api/runs/1/retry"), ("delete", "/api/anything")],
)
def test_a_wrong_method_is_405_json(web, method, url):
    answer = getattr(client_as("ada"), method)(url)
    assert answer.status_code == 405 and answer.get_json()["error"] == "method_not_allowed"


def test_an_unexpected_failure_is_500_json_and_logged_with_the_secrets_masked(web, monkeypatch, capfd):
    def broken(*args, **kwargs):
        raise RuntimeError("store unreachable: postgresql://potrack:hunter2@db/potrack\n[SQL: SELECT secret]")

    monkeypatch.setattr(runs, "runs_after", broken)
    answer = client_as("vera").get("/api/runs")
    assert answer.status_code == 500
    assert answer.get_json() == {
        "error": "internal_error",
        "message": "RuntimeError: store unreachable: postgresql://potrack:***@db/potrack",
    }
    logged = capfd.readouterr().err + (web.settings.instance_dir / "logs" / "potrack.log").read_text(encoding="utf-8")
    assert "GET /api/runs failed" in logged and "Traceback" in logged and "hunter2" not in logged


def test_errors_outside_the_api_are_not_turned_into_json(web):
    answer = client_as("vera").delete("/login")
    assert answer.status_code == 405 and not answer.is_json
