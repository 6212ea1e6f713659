"""Every role, signed in by session and by bearer token, against every mutating route: an operator or admin gets
202 and the effect (a run queued in its name, rows selected); a viewer gets 403 JSON and nothing is queued."""

import pytest
import sqlalchemy as sa

import app
from potrack.pipeline.outcome import Rejection
from potrack.store.models import ROLES, FailedRow, RowRetryItem, Run
from potrack.store.runs import save_failed_rows
from tests.support.personas import ROLE_PERSONA, client_as, persona_tokens
from tests.support.web import add_run

ALLOWED = {"viewer": False, "operator": True, "admin": True}
ROUTES = {  # name: (URL, the trigger of the run it queues, how many failed rows that run takes)
    "run now": ("/api/runs", "manual", 0),
    "retry run": ("/api/runs/{run}/retry", "retry", 0),
    "retry one row": ("/api/failed-rows/{row}/retry", "row_retry", 1),
    "retry a run's rows": ("/api/runs/{run}/failed-rows/retry", "row_retry", 2),
}


@pytest.fixture
def partial(web):
    """A partial run with two rejected rows: (run id, first row id)."""
    run_id = add_run(web.engine, status="partial")
    with web.engine.begin() as conn:
        save_failed_rows(conn, run_id, "demo", [Rejection("validate", f"PO1/{n}", {"n": n}, "bad") for n in (1, 2)])
        row = conn.execute(sa.select(sa.func.min(FailedRow.id))).scalar_one()
    return run_id, row


def post(engine, role, how, url):
    """POST as a role's persona (session, JSON as a browser's script sends it) or its token (no body needed)."""
    body = {"source": "demo"} if url == "/api/runs" else None
    if how == "session":
        return client_as(ROLE_PERSONA[role]).post(url, json=body or {})
    token = persona_tokens(engine)[role]
    return app.server.test_client().post(url, headers={"Authorization": f"Bearer {token}"}, json=body)


def state(engine):
    with engine.connect() as conn:
        runs = conn.execute(sa.select(Run.id, Run.trigger, Run.requested_by).order_by(Run.id)).all()
        selected = conn.execute(sa.select(sa.func.count()).select_from(RowRetryItem)).scalar_one()
    return runs, selected


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("how", ["session", "token"])
@pytest.mark.parametrize("role", ROLES)
def test_role_against_mutating_route(web, partial, role, how, route):
    url, trigger, rows = ROUTES[route]
    run_id, row = partial
    runs_before, _ = state(web.engine)
    answer = post(web.engine, role, how, url.format(run=run_id, row=row))
    runs_after, selected = state(web.engine)
    if ALLOWED[role]:
        assert answer.status_code == 202, answer.get_json()
        [new] = runs_after[len(runs_before) :]
        actor = ROLE_PERSONA[role] if how == "session" else f"token:{role}-token"
        assert (new.trigger, new.requested_by) == (trigger, actor)
        assert selected == rows
    else:
        assert answer.status_code == 403
        body = answer.get_json()
        assert body["error"] == "forbidden" and "(viewer) may not" in body["message"]
        assert "needs the operator role" in body["message"]
        assert (runs_after, selected) == (runs_before, 0)
