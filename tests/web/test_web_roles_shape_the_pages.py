"""What the signed-in role changes on the pages: the navbar names the user and role with a Sign out button; the buttons
a role may not use (Run now, Retry run, the failed-row checkboxes and retry buttons) are not rendered for it."""

import flask
import pytest

from pages import _shell, failed_rows, overview
from pages.failed_rows import show_rows
from pages.runs import refresh_runs
from tests.support.callbacks import partial_run_with_rows
from tests.support.html_tables import grid_cells, grid_header, grid_rows
from tests.support.personas import PERSONAS, acting_as
from tests.support.web import add_run, find_all, find_by_id, of_type, text

OPERATORS = ["ada", "otto"]


def as_persona(web, name, build):
    with acting_as(web.engine, name):
        return build()


@pytest.mark.parametrize("name", list(PERSONAS))
def test_the_navbar_names_the_user_and_role_and_signs_out(web, name):
    shell, session_token = as_persona(web, name, lambda: (_shell.layout(), flask.session["csrf_token"]))
    assert find_by_id(shell, "nav-user").children == f"{name} · {PERSONAS[name]}"
    sign_out = find_by_id(shell, "nav-sign-out-form")
    assert (sign_out.action, sign_out.method) == ("/logout", "post")
    assert (
        find_by_id(shell, "nav-sign-out").children == "Sign out" and find_by_id(shell, "nav-sign-out").type == "submit"
    )
    token = find_by_id(shell, "nav-sign-out-token")
    assert (token.type, token.name, token.value) == ("hidden", "csrf_token", session_token)


def test_without_a_signed_in_user_the_navbar_names_nobody(web):
    assert find_all(_shell.layout(), lambda c: getattr(c, "id", None) in ("nav-user", "nav-sign-out")) == []


@pytest.mark.parametrize("name", list(PERSONAS))
def test_run_now_is_rendered_only_for_operators_and_admins(web, name):
    add_run(web.engine, status="failed")
    cards = as_persona(web, name, overview.layout)
    monitor = as_persona(web, name, lambda: refresh_runs("", [], None, None, []))
    run_now = monitor[6]
    expected = 1 if name in OPERATORS else 0
    assert len(of_type(cards, "run-now")) == expected and len(of_type(run_now, "run-now")) == expected
    assert ("Run demo now" in text(run_now)) is (name in OPERATORS)


@pytest.mark.parametrize("name", list(PERSONAS))
def test_failed_rows_are_selectable_and_retryable_only_by_operators_and_admins(web, name):
    run_id, ids = partial_run_with_rows(web.engine, 2)
    page = as_persona(web, name, lambda: failed_rows.layout(run=str(run_id)))
    listing = as_persona(web, name, lambda: show_rows(f"?run={run_id}"))[0]
    buttons = find_all(page, lambda c: getattr(c, "id", None) in ("failed-retry-selected", "failed-retry-run"))
    picks = of_type(listing, "failed-row-pick")
    assert "PO-0/1" in [grid_cells(row)["failed-key"] for row in grid_rows(listing)]
    if name in OPERATORS:
        assert [b.children for b in buttons] == ["Retry selected rows", f"Retry all unresolved rows of run #{run_id}"]
        assert [p.id["index"] for p in picks] == sorted(ids, reverse=True)
        assert grid_header(listing)[:2] == ["", "row key"]  # the checkboxes' column first
    else:
        assert buttons == [] and picks == []
        assert grid_header(listing)[0] == "row key"  # no checkbox column
