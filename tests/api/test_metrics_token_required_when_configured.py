"""With POTRACK_METRICS_TOKEN set, GET /metrics needs `Authorization: Bearer <that token>`: without it, with another
token, a dashboard session or an API token the answer is 401 naming the metrics token; the token shows in no answer
and no log line. Unset, /metrics is public. A token shorter than 16 characters is a configuration error."""

import pytest

import app
from potrack.runtime import start
from tests.support.cli import run_cli_process
from tests.support.metrics import scrape
from tests.support.personas import add_personas, client_as, persona_tokens

TOKEN = "metr1cs-5ecret-t0ken-for-prometheus"


@pytest.fixture
def guarded(workdir, monkeypatch):
    """The app with POTRACK_METRICS_TOKEN set, the three personas in its store."""
    monkeypatch.setenv("POTRACK_METRICS_TOKEN", TOKEN)
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    return runtime


def refused(answer):
    body = answer.get_data(as_text=True)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized", body
    assert "metrics token is required" in answer.get_json()["message"] and TOKEN not in body
    return True


@pytest.mark.parametrize(
    "header",
    [None, "Bearer wrong-token-of-the-same-size-x", f"Bearer {TOKEN}x", TOKEN, f"Basic {TOKEN}", "Bearer ", "Bearer"],
)
def test_without_the_token_the_answer_is_401(guarded, header):
    headers = {} if header is None else {"Authorization": header}
    assert refused(app.server.test_client().get("/metrics", headers=headers))


def test_a_session_or_an_api_token_is_not_the_metrics_token(guarded):
    api_token = persona_tokens(guarded.engine)["admin"]
    assert refused(client_as("ada").get("/metrics"))
    assert refused(app.server.test_client().get("/metrics", headers={"Authorization": f"Bearer {api_token}"}))


def test_with_the_token_the_metrics_are_served(guarded):
    for scheme in ("Bearer", "bearer"):
        assert "potrack_runs_total" in scrape(headers={"Authorization": f"{scheme} {TOKEN}"})


def test_the_token_is_in_no_answer_and_no_log_line(guarded, caplog):
    client = app.server.test_client()
    answers = [
        client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}),
        client.get("/metrics", headers={"Authorization": "Bearer not-it"}),
        client.get("/api/health"),
    ]
    logged = (guarded.settings.instance_dir / "logs" / "potrack.log").read_text(encoding="utf-8")
    assert "GET /metrics from 127.0.0.1 refused: no or a wrong metrics token" in logged
    for text in (*[a.get_data(as_text=True) for a in answers], logged, caplog.text):
        assert TOKEN not in text and "not-it" not in text


def test_unset_metrics_are_public(web):
    assert "potrack_runs_total" in scrape()


def test_a_token_shorter_than_16_characters_is_a_configuration_error(workdir):
    proc = run_cli_process(workdir, "run", env={"POTRACK_METRICS_TOKEN": "short-token"})
    assert proc.returncode == 2 and "POTRACK_METRICS_TOKEN: expected at least 16 characters" in proc.stderr
    assert "short-token" not in proc.stderr + proc.stdout
