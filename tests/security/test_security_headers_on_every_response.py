"""Every response of the server — pages, redirects, callbacks, API answers, assets, Dash's scripts, the sign-in and
sign-out forms, 4xx and 5xx errors — forbids framing by any site (X-Frame-Options DENY and CSP frame-ancestors
'none'), content sniffing (nosniff) and sending the full URL to other sites (Referrer-Policy same-origin)."""

import re

import pytest

import app
from potrack.runtime import Runtime
from potrack.store.engine import make_engine
from tests.support.personas import client_as
from tests.support.services import free_port

EXPECTED = {
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def assert_secured(answer, what):
    got = {name: answer.headers.get(name) for name in EXPECTED}
    assert got == EXPECTED, f"{what} ({answer.status_code}): {got}"


def component_script(client):
    """The path of one of Dash's component scripts, as the page links it."""
    page = client.get("/").get_data(as_text=True)
    return re.search(r'src="(/_dash-component-suites/[^"]+)"', page).group(1)


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/", 302),
        ("GET", "/runs", 302),
        ("GET", "/login", 200),
        ("POST", "/login", 400),
        ("GET", "/logout", 302),
        ("GET", "/api/health", 200),
        ("GET", "/api/openapi.json", 200),
        ("GET", "/api/runs", 401),
        ("GET", "/_dash-layout", 401),
        ("GET", "/assets/bootstrap.min.css", 200),
        ("GET", "/assets/no-such-file.css", 404),
        ("DELETE", "/api/health", 405),
    ],
)
def test_unsigned_answers_carry_the_headers(web, method, path, status):
    answer = app.server.test_client().open(path, method=method)
    assert answer.status_code == status
    assert_secured(answer, f"{method} {path}")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/runs", 200),
        ("/trends", 200),
        ("/logout", 200),
        ("/_dash-layout", 200),
        ("/_dash-dependencies", 200),
        ("/api/runs", 200),
        ("/api/runs/999999", 404),
        ("/no/such/page", 200),
    ],
)
def test_signed_in_answers_carry_the_headers(web, path, status):
    answer = client_as("otto").get(path)
    assert answer.status_code == status
    assert_secured(answer, path)


def test_dash_component_scripts_carry_the_headers(web):
    client = client_as("otto")
    answer = client.get(component_script(client))
    assert answer.status_code == 200
    assert_secured(answer, "a component script")


def test_a_server_error_carries_the_headers(web):
    client = client_as("otto")
    # The store goes away (nothing listens on that port): loading the signed-in user fails.
    app.install(Runtime(web.settings, make_engine(f"postgresql+psycopg://potrack@127.0.0.1:{free_port()}/gone")))
    try:
        answer = client.get("/runs")
    finally:
        app.install(web)
    assert answer.status_code >= 500
    assert_secured(answer, "a server error")
