"""A partial run's opened card offers "Retry these rows" to operators and admins while it has unresolved rejected
rows (not to viewers, whom the server refuses as well): a click queues one row retry of exactly those rows in the
user's name, the same action as the API's and /failed-rows'; the toast names the new run."""

import pytest
from dash.exceptions import PreventUpdate

from pages._run_actions import queue_rows_of, retry_rows
from pages.runs import toggle_card
from tests.support.callbacks import partial_run_with_rows, run_rows, triggered_by
from tests.support.personas import acting_as
from tests.support.store import store_rows
from tests.support.web import add_run, of_type, text


def details(run_id, name, web):
    with acting_as(web.engine, name):
        return toggle_card(1, False, {"type": "run-summary", "index": run_id})[1]


@pytest.mark.parametrize("name", ["ada", "otto"])
def test_operators_and_admins_are_offered_the_runs_unresolved_rows(web, name):
    run_id, _ = partial_run_with_rows(web.engine, 3)
    (button,) = of_type(details(run_id, name, web), "retry-rows")
    assert button.id == {"type": "retry-rows", "index": run_id} and button.children == "Retry these rows (3 rows)"


def test_viewers_and_runs_without_unresolved_rows_are_not(web):
    run_id, _ = partial_run_with_rows(web.engine, 2)
    assert of_type(details(run_id, "vera", web), "retry-rows") == []
    assert of_type(details(add_run(web.engine, status="success"), "otto", web), "retry-rows") == []


def test_a_click_queues_a_row_retry_of_exactly_those_rows_in_the_users_name(web):
    run_id, ids = partial_run_with_rows(web.engine, 3)
    with acting_as(web.engine, "otto"), triggered_by({"type": "retry-rows", "index": run_id}, "n_clicks", 1):
        is_open, message, icon = retry_rows([1])
    new = run_rows(web.engine)[-1]
    assert (new.trigger, new.status, new.requested_by) == ("row_retry", "queued", "otto")
    assert (is_open, icon) == (True, "success")
    assert text(message) == f"Run #{new.id} queued to retry 3 rejected rows of #{run_id}. Open run #{new.id}"
    taken = store_rows(web.engine, "SELECT failed_row_id FROM row_retry_items WHERE run_id = :r", r=new.id)
    assert sorted(r["failed_row_id"] for r in taken) == ids
    assert of_type(details(new.id, "otto", web), "retry-rows") == []  # a queued row retry has rejected nothing


def test_the_server_refuses_a_viewer_and_a_button_that_merely_appeared(web):
    run_id, _ = partial_run_with_rows(web.engine, 2)
    with acting_as(web.engine, "vera"):
        is_open, message, icon = queue_rows_of(run_id)
    assert icon == "danger" and message.startswith("Refused: vera (viewer) may not ")
    with acting_as(web.engine, "otto"), triggered_by({"type": "retry-rows", "index": run_id}, "n_clicks", None):
        with pytest.raises(PreventUpdate):
            retry_rows([None])
    assert [r.trigger for r in run_rows(web.engine)] == ["schedule"]
