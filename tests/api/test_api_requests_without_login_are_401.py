"""Without a session or a bearer token every /api URL but /api/health and /api/openapi.json answers 401 JSON,
and a POST queues nothing."""

import pytest
import sqlalchemy as sa

import app
from potrack.store.models import Run
from tests.support.personas import client_as, csrf_token
from tests.support.web import add_run

GETS = ["/api/runs", "/api/runs/{run}", "/api/runs/{run}/changes", "/api/failed-rows", "/api/audit", "/api/nowhere"]
POSTS = ["/api/runs", "/api/runs/{run}/retry", "/api/runs/{run}/failed-rows/retry", "/api/failed-rows/1/retry"]


def run_count(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(Run)).scalar_one()


@pytest.mark.parametrize("url", GETS)
def test_a_read_without_login_is_401(web, url):
    answer = app.server.test_client().get(url.format(run=add_run(web.engine)))
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"


@pytest.mark.parametrize("url", POSTS)
def test_a_post_without_login_is_401_and_queues_nothing(web, url):
    run = add_run(web.engine, status="failed")
    answer = app.server.test_client().post(url.format(run=run), json={"source": "demo"})
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
    assert run_count(web.engine) == 1


def test_a_signed_out_session_is_401(web):
    client = client_as("ada")
    assert client.get("/api/runs").status_code == 200
    assert client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")}).status_code == 302
    assert client.get("/api/runs").status_code == 401


@pytest.mark.parametrize("url", ["/api/health", "/api/openapi.json"])
def test_health_and_the_description_are_public(web, url):
    assert app.server.test_client().get(url).status_code == 200
