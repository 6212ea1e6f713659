"""Five failed sign-ins of one user name from one address within a minute refuse the next attempts (even with the
right password) for a minute; another address or user is not affected; a success forgets the failures."""

import datetime as dt

import app
from potrack.auth import throttle
from tests.support.personas import PASSWORD, sign_in
from tests.support.store import store_rows


def client(address="10.0.0.1"):
    c = app.server.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def fail(c, name="otto", times=5):
    for _ in range(times):
        assert sign_in(c, name, "wrong password").status_code == 401


def test_the_sixth_attempt_within_a_minute_is_refused_even_with_the_right_password(web):
    c = client()
    fail(c)
    refused = sign_in(c, "otto")
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.get_data(as_text=True)
    assert c.get("/runs").status_code == 302  # still not signed in


def test_other_addresses_and_users_are_not_locked(web):
    fail(client())
    assert sign_in(client("10.0.0.2"), "otto").status_code == 302
    assert sign_in(client(), "vera").status_code == 302


def test_the_lock_ends_a_minute_after_the_failures(web, monkeypatch):
    c = client()
    fail(c)
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=61)
    monkeypatch.setattr(throttle, "utcnow", lambda: later)
    assert sign_in(c, "otto").status_code == 302


def test_four_failures_then_a_success_start_the_count_again(web):
    c = client()
    fail(c, times=4)
    assert sign_in(c, "otto").status_code == 302
    c2 = client()
    fail(c2, times=4)
    assert sign_in(c2, "otto", PASSWORD).status_code == 302


def test_failed_sign_ins_are_audited_without_the_password(web):
    fail(client(), times=1)
    [event] = store_rows(
        web.engine, "SELECT severity, actor, message FROM audit_events WHERE event_type = 'auth.login_failed'"
    )
    assert event["severity"] == "warning" and event["actor"] == "otto" and "wrong password" not in event["message"]
