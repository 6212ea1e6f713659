"""Every page and callback needs a signed-in user: unsigned pages redirect to the sign-in form, callbacks and the
API answer 401 as JSON; the form needs its CSRF token, goes back only to a path on this site, sets an HttpOnly
SameSite=Lax cookie; a disabled user's session ends; sign-out ends the session."""

import pytest

import app
from potrack.auth.users import disable_user
from tests.support.personas import PASSWORD, client_as, csrf_token, sign_in


@pytest.mark.parametrize("path", ["/", "/runs", "/trends", "/runs/1"])
def test_an_unsigned_page_request_goes_to_the_sign_in_form(web, path):
    answer = app.server.test_client().get(path)
    assert answer.status_code == 302 and answer.headers["Location"].startswith(f"/login?next={path}")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies", "/api/runs"])
def test_unsigned_callbacks_and_api_get_401_json(web, path):
    answer = app.server.test_client().get(path)
    assert answer.status_code == 401 and answer.get_json()["error"] == "unauthorized"


def test_the_health_check_and_the_sign_in_page_need_no_login(web):
    c = app.server.test_client()
    assert c.get("/login").status_code == 200
    assert c.get("/assets/bootstrap.min.css").status_code == 200


def test_a_post_without_the_csrf_token_is_refused(web):
    c = app.server.test_client()
    csrf_token(c)
    answer = c.post("/login", data={"csrf_token": "forged", "username": "otto", "password": PASSWORD})
    assert answer.status_code == 400 and c.get("/runs").status_code == 302


def test_sign_in_goes_to_the_page_asked_for_but_never_off_site(web):
    assert sign_in(app.server.test_client(), "otto", next_path="/trends").headers["Location"] == "/trends"
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        assert sign_in(app.server.test_client(), "otto", next_path=evil).headers["Location"] == "/"


def test_the_session_cookie_is_httponly_and_samesite_lax(web):
    answer = sign_in(app.server.test_client(), "otto")
    cookie = next(c for c in answer.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_wrong_password_is_refused_with_a_message(web):
    answer = sign_in(app.server.test_client(), "otto", "not it")
    assert answer.status_code == 401 and "Wrong user name or password" in answer.get_data(as_text=True)


def test_a_disabled_user_is_signed_out_at_the_next_request(web):
    c = client_as("otto")
    assert c.get("/_dash-layout").status_code == 200
    disable_user(web.engine, "otto")
    assert c.get("/_dash-layout").status_code == 401
    assert sign_in(app.server.test_client(), "otto").status_code == 401


def test_sign_out_ends_the_session(web):
    c = client_as("vera")
    assert c.post("/logout", data={"csrf_token": csrf_token(c, "/logout")}).status_code == 302
    assert c.get("/_dash-layout").status_code == 401
