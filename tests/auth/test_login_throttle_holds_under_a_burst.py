"""60 wrong passwords for one user posted at the same moment to a real app (threads of `python app.py`, or two
gunicorn worker processes) get exactly 5 checked, on a SQLite and a PostgreSQL store: 5 answers 401 and 5 failed
sign-ins audited, the other 55 answers 429 without a check; the right password is then refused too."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

import pytest

from potrack.auth.users import add_user
from potrack.store.engine import ensure_schema, make_engine
from tests.support.store import store_rows
from tests.support.timing import all_at_once

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

BURST = 60
LIMIT = 5  # the documented rule (docs/operations.md): 5 attempts of one user name from one address a minute
PASSWORD = "correct horse battery"
CONFIG = '[[sources]]\nname = "plant"\nkind = "demo"\ndemo = { lines = 50 }\n'


class Browser:
    """One client with its own cookie session, holding the sign-in form's CSRF token."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
        )
        with self.opener.open(url + "/login", timeout=30) as page:
            self.token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode()).group(1)

    def sign_in(self, name: str, password: str) -> int:
        """POST the sign-in form; the answer's status."""
        body = urllib.parse.urlencode({"csrf_token": self.token, "username": name, "password": password}).encode()
        try:
            with self.opener.open(self.url + "/login", data=body, timeout=60) as answer:
                return answer.status
        except urllib.error.HTTPError as err:
            return err.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep a 302 as the answer (a successful sign-in) instead of following it."""

    def redirect_request(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN201 - urllib's signature
        return None


def start_app(app_processes, workdir, store_url, server):
    engine = make_engine(store_url)
    ensure_schema(engine)
    add_user(engine, "otto", "operator", PASSWORD, actor="test")
    (workdir / "potrack.toml").write_text(CONFIG, encoding="utf-8")
    env = {"POTRACK_DATABASE_URL": store_url, "POTRACK_INSTANCE": str(workdir / "instance"), "POTRACK_SCHEDULER": "off"}
    web = app_processes.app("web", **env) if server == "app.py" else app_processes.gunicorn("web", "-w", "2", **env)
    web.wait_ready()
    return engine, web


@pytest.mark.parametrize("server", ["app.py", "gunicorn -w 2"])
def test_a_burst_of_wrong_passwords_gets_five_checked(app_processes, workdir, store_url, server):
    engine, web = start_app(app_processes, workdir, store_url, server)
    browsers = [Browser(web.url) for _ in range(BURST)]

    answers = all_at_once(*[lambda b=b: b.sign_in("otto", "wrong password") for b in browsers], timeout=120)

    assert Counter(answers) == {401: LIMIT, 429: BURST - LIMIT}
    failed = store_rows(engine, "SELECT actor FROM audit_events WHERE event_type = 'auth.login_failed'")
    assert [row["actor"] for row in failed] == ["otto"] * LIMIT
    assert Browser(web.url).sign_in("otto", PASSWORD) == 429
    assert store_rows(engine, "SELECT count(*) AS n FROM audit_events WHERE event_type = 'auth.login'")[0]["n"] == 0
