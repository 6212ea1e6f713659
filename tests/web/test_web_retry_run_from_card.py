"""Retry run: the expanded details of a failed, partial or abandoned run offer it to operators and admins (not to
viewers, and not for other runs); a click queues a retry in the user's name and the toast names the new run, or
says why not; the chain shows both ways: 'retry of #M' on the retry's card and page, 'retried by #N' on the
original's details."""

import pytest
from dash.exceptions import PreventUpdate

from pages import run_detail
from pages._components import run_summary
from pages._run_actions import queue_retry_of, retry_run
from pages.runs import refresh_runs, toggle_card
from potrack import runtime
from potrack.clock import utcnow
from potrack.store.run_history import get_run
from tests.support.callbacks import run_rows, triggered_by
from tests.support.personas import acting_as
from tests.support.web import add_run, links, of_type, text


def details(run_id, name, web):
    """A run card's details as a persona sees them when expanding it."""
    with acting_as(web.engine, name):
        return toggle_card(1, False, {"type": "run-summary", "index": run_id})[1]


@pytest.mark.parametrize("status", ["failed", "partial", "abandoned"])
@pytest.mark.parametrize("name", ["ada", "otto"])
def test_operators_and_admins_get_a_retry_button_on_a_failed_run(web, name, status):
    run_id = add_run(web.engine, status=status)
    (button,) = of_type(details(run_id, name, web), "retry-run")
    assert button.id == {"type": "retry-run", "index": run_id} and button.children == "Retry run"


def test_viewers_and_successful_runs_get_none(web):
    assert of_type(details(add_run(web.engine, status="failed"), "vera", web), "retry-run") == []
    for status in ("success", "queued", "running"):
        assert of_type(details(add_run(web.engine, status=status), "otto", web), "retry-run") == []


def test_a_click_queues_a_retry_in_the_users_name(web):
    failed = add_run(web.engine, status="failed", error="extract: boom")
    with acting_as(web.engine, "otto"):
        is_open, message, icon = queue_retry_of(failed)
    new = run_rows(web.engine)[-1]
    assert (new.trigger, new.status, new.retry_of, new.requested_by) == ("retry", "queued", failed, "otto")
    assert (is_open, icon) == (True, "success")
    assert text(message) == f"Run #{new.id} queued as a retry of #{failed}. Open run #{new.id}"
    assert links(message) == [(f"Open run #{new.id}", f"/runs/{new.id}")]


def test_a_second_click_and_a_successful_run_are_refused_with_the_reason(web):
    failed = add_run(web.engine, status="failed")
    with acting_as(web.engine, "otto"):
        queue_retry_of(failed)
        _, again, icon = queue_retry_of(failed)
        _, done, _ = queue_retry_of(add_run(web.engine, status="success"))
        _, missing, _ = queue_retry_of(9999)
    assert icon == "warning" and again.startswith(f"Not queued: run #{failed} already has retry #")
    assert "only a failed, partial or abandoned run can be retried" in done
    assert missing == "Not queued: there is no run #9999."
    assert sum(r.trigger == "retry" for r in run_rows(web.engine)) == 1


def test_a_viewer_is_refused_and_nothing_is_queued(web):
    failed = add_run(web.engine, status="failed")
    with acting_as(web.engine, "vera"):
        is_open, message, icon = queue_retry_of(failed)
    assert (is_open, icon) == (True, "danger") and message.startswith("Refused: vera (viewer) may not ")
    assert [r.id for r in run_rows(web.engine)] == [failed]


def test_the_callback_retries_the_button_that_was_clicked_not_one_that_appeared(web):
    add_run(web.engine, status="failed")
    second = add_run(web.engine, status="failed")
    with acting_as(web.engine, "otto"):
        with triggered_by({"type": "retry-run", "index": second}, "n_clicks", None), pytest.raises(PreventUpdate):
            retry_run([None, None])
        with triggered_by({"type": "retry-run", "index": second}, "n_clicks", 1):
            retry_run([None, 1])
    assert [(r.retry_of, r.trigger) for r in run_rows(web.engine)][2:] == [(second, "retry")]


def test_the_chain_shows_both_ways(web):
    failed = add_run(web.engine, status="failed")
    with acting_as(web.engine, "otto"):
        queue_retry_of(failed)
    retry = run_rows(web.engine)[-1].id
    summary = run_summary(runtime.read(get_run, retry), utcnow())
    assert (f"retry of #{failed}", f"/runs/{failed}") in links(summary) and "retry" in text(summary)
    assert ("#" + str(retry), f"/runs/{retry}") in links(details(failed, "vera", web))
    assert f"retried by #{retry}" in text(details(failed, "vera", web))
    with acting_as(web.engine, "vera"):
        page = run_detail.layout(run_id=str(retry))
    assert f"retry of #{failed}" in text(page) and ("#" + str(failed), f"/runs/{failed}") in links(page)


def test_a_run_whose_retry_succeeded_is_not_offered_again_and_says_which_did(web):
    failed = add_run(web.engine, status="failed")
    retry = add_run(web.engine, status="success", trigger="retry", retry_of=failed)
    shown = details(failed, "otto", web)
    assert of_type(shown, "retry-run") == [] and f"Retry #{retry} succeeded." in text(shown)
    with acting_as(web.engine, "otto"):
        cards = refresh_runs("", [], None, None, [])[0]
    [card] = [c for c in cards if c.id == {"type": "run-card", "index": failed}]
    assert f"retry #{retry} succeeded" in text(card)
    with acting_as(web.engine, "otto"):  # the server refuses it too
        assert queue_retry_of(failed)[1:] == (
            f"Not queued: run #{failed} was already retried successfully by run #{retry}.",
            "warning",
        )
    assert [r.id for r in run_rows(web.engine)] == [failed, retry]


def test_a_run_whose_retry_failed_is_still_offered(web):
    failed = add_run(web.engine, status="failed")
    add_run(web.engine, status="failed", trigger="retry", retry_of=failed)
    assert len(of_type(details(failed, "otto", web), "retry-run")) == 1
