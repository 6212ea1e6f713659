"""Signing out takes a POST carrying the session's CSRF token: a GET of /logout (a link or image on any other site)
only shows a confirm button and leaves the user signed in; a POST without the token, with a wrong one or with
another session's is refused (400) and leaves the user signed in; the navbar's Sign out form signs out in one
click."""

import json
import re

import pytest

import app
from tests.support.personas import client_as, csrf_token


def signed_in(client):
    return client.get("/_dash-layout").status_code == 200


def test_a_get_shows_a_confirm_button_posting_the_token_and_signs_nobody_out(web):
    client = client_as("vera")
    page = client.get("/logout", headers={"Referer": "https://evil.example/"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and signed_in(client)
    form = re.search(r'<form method="post" action="/logout"[^>]*>(.*?)</form>', html, re.S).group(1)
    assert re.search(r'<input type="hidden" name="csrf_token" value="[^"]+">', form)
    assert re.search(r'<button[^>]*type="submit"[^>]*>Sign out</button>', form)


@pytest.mark.parametrize("data", [{}, {"csrf_token": ""}, {"csrf_token": "forged"}], ids=["none", "empty", "forged"])
def test_a_post_without_the_right_token_is_400_and_signs_nobody_out(web, data):
    client = client_as("vera")
    answer = client.post("/logout", data=data)
    assert answer.status_code == 400 and signed_in(client)
    assert "you are still signed in" in answer.get_data(as_text=True)


def test_another_sessions_token_does_not_sign_this_one_out(web):
    victim, attacker = client_as("vera"), client_as("otto")
    assert victim.post("/logout", data={"csrf_token": csrf_token(attacker, "/logout")}).status_code == 400
    assert signed_in(victim) and signed_in(attacker)


def test_a_post_with_the_sessions_token_signs_out(web):
    client = client_as("vera")
    answer = client.post("/logout", data={"csrf_token": csrf_token(client, "/logout")})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert not signed_in(client) and client.get("/runs").status_code == 302


def test_the_navbar_form_signs_out_in_one_click(web):
    client = client_as("otto")
    layout = json.loads(client.get("/_dash-layout").get_data(as_text=True))
    form = find(layout, "nav-sign-out-form")
    assert (form["props"]["action"], form["props"]["method"]) == ("/logout", "post")
    token = find(form, "nav-sign-out-token")["props"]
    assert client.post("/logout", data={token["name"]: token["value"]}).status_code == 302
    assert not signed_in(client)


def test_without_a_session_logout_goes_to_the_sign_in_form(web):
    client = app.server.test_client()
    for answer in (client.get("/logout"), client.post("/logout")):
        assert answer.status_code == 302 and answer.headers["Location"] == "/login"


def find(node, component_id):
    """The component with this id in a Dash layout as JSON."""
    if isinstance(node, dict):
        if node.get("props", {}).get("id") == component_id:
            return node
        node = list(node.get("props", {}).values()) if "props" in node else list(node.values())
    if isinstance(node, list):
        for child in node:
            found = find(child, component_id)
            if found is not None:
                return found
    return None
