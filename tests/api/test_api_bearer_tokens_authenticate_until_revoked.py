"""`Authorization: Bearer <token>` authenticates /api as the token (its role decides); an unknown, malformed or
revoked token is 401, and what a token queues is requested by `token:<name>`."""

import sqlalchemy as sa

import app
from potrack.auth.tokens import revoke_token
from potrack.store.models import Run
from tests.support.personas import persona_tokens


def get(url, header):
    return app.server.test_client().get(url, headers={"Authorization": header})


def test_a_valid_token_reads_the_api(web):
    tokens = persona_tokens(web.engine)
    for token in tokens.values():
        answer = get("/api/runs", f"Bearer {token}")
        assert answer.status_code == 200 and answer.get_json()["count"] == 0


def test_an_unknown_token_is_401(web):
    answer = get("/api/runs", "Bearer pot_not-a-token")
    assert answer.status_code == 401 and "unknown or revoked" in answer.get_json()["message"]


def test_a_header_that_is_not_bearer_is_401(web):
    tokens = persona_tokens(web.engine)
    for header in (f"Basic {tokens['admin']}", "Bearer ", tokens["admin"]):
        answer = get("/api/runs", header)
        assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"


def test_a_revoked_token_is_401_from_then_on(web):
    token = persona_tokens(web.engine)["operator"]
    assert get("/api/audit", f"Bearer {token}").status_code == 200
    revoke_token(web.engine, "operator-token", actor="test")
    answer = get("/api/audit", f"Bearer {token}")
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"


def test_a_run_queued_by_token_is_requested_by_the_token_and_needs_no_json_content_type(web):
    token = persona_tokens(web.engine)["operator"]
    answer = app.server.test_client().post(
        "/api/runs", data='{"source": "demo"}', headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 202, answer.get_json()
    with web.engine.connect() as conn:
        assert conn.execute(sa.select(Run.requested_by)).scalar_one() == "token:operator-token"
