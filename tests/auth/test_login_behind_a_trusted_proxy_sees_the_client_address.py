"""Behind POTRACK_PROXY_HOPS trusted reverse proxies the sign-in throttle and the audit log see each client's own
address (X-Forwarded-For), so one user's failures do not lock everyone out through the proxy; without it the
header is ignored, as a client could forge it; a bad value stops potrack naming the key."""

import dataclasses

import pytest

import app
from potrack.config import ConfigError, load_settings
from potrack.runtime import Runtime
from tests.support.personas import sign_in
from tests.support.store import store_rows


def behind_proxies(web, hops):
    app.install(Runtime(dataclasses.replace(web.settings, proxy_hops=hops), web.engine))


def proxied_client(client_address):
    c = app.server.test_client()
    c.environ_base.update(REMOTE_ADDR="10.0.0.254", HTTP_X_FORWARDED_FOR=client_address)
    return c


def test_a_trusted_proxy_passes_each_clients_address_to_the_throttle_and_audit(web):
    behind_proxies(web, 1)
    for _ in range(5):
        assert sign_in(proxied_client("203.0.113.7"), "otto", "wrong password").status_code == 401
    assert sign_in(proxied_client("203.0.113.7"), "otto").status_code == 429
    assert sign_in(proxied_client("198.51.100.2"), "otto").status_code == 302  # another client through the proxy
    assert {r["address"] for r in store_rows(web.engine, "SELECT address FROM login_failures")} == {"203.0.113.7"}
    messages = [
        r["message"]
        for r in store_rows(web.engine, "SELECT message FROM audit_events WHERE event_type = 'auth.login_failed'")
    ]
    assert messages and all(m.endswith("from 203.0.113.7") for m in messages)


def test_without_trusted_proxies_the_forwarded_header_is_ignored(web):
    behind_proxies(web, 0)
    assert sign_in(proxied_client("203.0.113.7"), "otto", "wrong password").status_code == 401
    assert [r["address"] for r in store_rows(web.engine, "SELECT address FROM login_failures")] == ["10.0.0.254"]


@pytest.mark.parametrize("value", ["-1", "6", "two"])
def test_a_bad_proxy_hop_count_names_the_key(workdir, monkeypatch, value):
    monkeypatch.setenv("POTRACK_PROXY_HOPS", value)
    with pytest.raises(ConfigError, match="POTRACK_PROXY_HOPS"):
        load_settings()
