"""Every role against every mutating Dash callback, POSTed straight to /_dash-update-component as the renderer
sends it (a hidden button is no protection: anyone can POST): operators and admins get the run queued or the rows
selected; a viewer gets a refusal and nothing is queued; without a session the answer is 401."""

import pytest
import sqlalchemy as sa

import app
from potrack.store.models import RowRetryItem, Run
from tests.support.callbacks import UPDATE, callback_body, partial_run_with_rows, prop, response_props, run_rows
from tests.support.personas import client_as
from tests.support.web import add_run

RUN_NOW = {"type": "run-now", "source": "demo"}
RUN_NOW_ACCEPT = {"type": "run-now-accept", "source": "demo"}
RUN_NOW_TOAST = {"type": "run-now-toast", "source": "demo"}
TOAST_PROPS = ("is_open", "children", "icon")


def run_now(client, _web, accept_removals=False):
    """Run demo now, clicked (with the admins' box "accept removals" ticked or not)."""
    outputs = [prop(RUN_NOW_TOAST, p) for p in TOAST_PROPS] + [prop(RUN_NOW, "disabled")]
    return callback_body(
        client,
        {"type": "run-now", "source": ["MATCH"]},
        outputs,
        [prop(RUN_NOW, "n_clicks", 1)],
        [prop(RUN_NOW, "id", RUN_NOW), prop(RUN_NOW_ACCEPT, "value", accept_removals)],
        [(RUN_NOW, "n_clicks")],
    ), RUN_NOW_TOAST


def retry_run(client, web):
    """Retry run, clicked on a failed run's details."""
    button = {"type": "retry-run", "index": add_run(web.engine, status="failed", error="extract: boom")}
    return callback_body(
        client,
        {"type": "retry-run", "index": ["ALL"]},
        [prop("retry-toast", p) for p in TOAST_PROPS],
        [[prop(button, "n_clicks", 1)]],
        [],
        [(button, "n_clicks")],
    ), "retry-toast"


def _retry_rows(client, web, trigger, search):
    """The failed-rows page (its URL as given) with two of a run's three rows checked, one of its buttons clicked."""
    run_id, ids = partial_run_with_rows(web.engine, 3)
    picks = [{"type": "failed-row-pick", "index": i} for i in ids]
    outputs = [prop("failed-toast", p) for p in TOAST_PROPS] + [
        [prop(p, "value") for p in picks],
        prop("failed-watch", "data"),
        prop("failed-watch-tick", "disabled"),
    ]
    inputs = [
        prop(button, "n_clicks", 1 if button == trigger else None)
        for button in ("failed-retry-selected", "failed-retry-run")
    ]
    state = [
        [prop(p, "value", on) for p, on in zip(picks, (True, False, True), strict=True)],
        [prop(p, "id", p) for p in picks],
        prop("failed-url", "search", search.format(run=run_id)),
        prop("failed-watch", "data", []),
    ]
    return callback_body(client, trigger, outputs, inputs, state, [(trigger, "n_clicks")]), "failed-toast"


def retry_selected_rows(client, web):
    """Retry selected rows, clicked with two rows checked."""
    return _retry_rows(client, web, "failed-retry-selected", "")


def retry_rows_of_run(client, web):
    """Retry all unresolved rows of run #N, clicked while the list is filtered on the run."""
    return _retry_rows(client, web, "failed-retry-run", "?run={run}")


# name: (call, trigger of the run it queues, failed rows that run takes)
ACTIONS = {
    "run now": (run_now, "manual", 0),
    "retry run": (retry_run, "retry", 0),
    "retry selected rows": (retry_selected_rows, "row_retry", 2),
    "retry all rows of a run": (retry_rows_of_run, "row_retry", 3),
}


def rows_selected(engine, run_id=None):
    """How many failed rows a run (or every run) was queued to retry."""
    query = sa.select(sa.func.count()).select_from(RowRetryItem)
    with engine.connect() as conn:
        return conn.execute(query if run_id is None else query.where(RowRetryItem.run_id == run_id)).scalar_one()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("name", ["ada", "otto"])
def test_operators_and_admins_get_it_done(web, name, action):
    call, trigger, rows = ACTIONS[action]
    client = client_as(name)
    body, toast = call(client, web)
    before = {r.id for r in run_rows(web.engine)}
    shown = response_props(client.post(UPDATE, json=body), toast)
    (new,) = [r for r in run_rows(web.engine) if r.id not in before]
    assert (new.trigger, new.status, new.requested_by) == (trigger, "queued", name)
    assert shown["is_open"] is True and shown["icon"] == "success", shown
    assert f"Run #{new.id}" in str(shown["children"])
    assert rows_selected(web.engine, new.id) == rows


@pytest.mark.parametrize("action", ACTIONS)
def test_a_viewer_is_refused_and_nothing_is_queued(web, action):
    call, _, _ = ACTIONS[action]
    client = client_as("vera")
    body, toast = call(client, web)
    before = run_rows(web.engine)
    shown = response_props(client.post(UPDATE, json=body), toast)
    assert shown["icon"] == "danger", shown
    refusal = shown["children"]
    assert refusal.startswith("Refused: vera (viewer) may not ") and refusal.endswith("Nothing was queued.")
    assert run_rows(web.engine) == before and rows_selected(web.engine) == 0


@pytest.mark.parametrize("action", ACTIONS)
def test_without_a_session_the_answer_is_401(web, action):
    call, _, _ = ACTIONS[action]
    body, _ = call(client_as("otto"), web)  # (a session only to read the callbacks' dependencies)
    before = run_rows(web.engine)
    answer = app.server.test_client().post(UPDATE, json=body)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"
    assert run_rows(web.engine) == before and rows_selected(web.engine) == 0


def test_only_an_admin_may_run_now_accepting_removals(web):
    before = run_rows(web.engine)
    for name in ("otto", "vera"):  # the box is hidden from them; a crafted request is refused all the same
        client = client_as(name)
        body, toast = run_now(client, web, accept_removals=True)
        shown = response_props(client.post(UPDATE, json=body), toast)
        assert shown["icon"] == "danger" and "may not accept removals beyond a source's limit" in shown["children"]
    assert run_rows(web.engine) == before

    client = client_as("ada")
    body, toast = run_now(client, web, accept_removals=True)
    shown = response_props(client.post(UPDATE, json=body), toast)
    (new,) = [r for r in run_rows(web.engine) if r not in before]
    assert shown["icon"] == "success" and "accepting removals beyond its limit" in shown["children"]
    with web.engine.connect() as conn:
        assert conn.execute(sa.select(Run.accept_removals).where(Run.id == new.id)).scalar_one() is True
