"""Without plotly.js's basic bundle of plotly's plotly.js version, the URL Dash's graphs load plotly.js from answers
with plotly's own full bundle, as Dash serves it, and the app logs one line saying so and how to install it."""

import http.cookiejar
import re
import urllib.parse
import urllib.request
from pathlib import Path

import plotly

from potrack.auth.users import add_user
from potrack.web.plotly_bundle import BUNDLE_NAME, find_basic_bundle
from tests.support.workdir import open_store, write_config

PLOTLY_JS_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"
FULL_BUNDLE = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 50 }\n'
PASSWORD = "correct horse battery"
FULL_BUNDLE_NOTE = "graphs load plotly's full plotly.js: no basic bundle at"


def signed_in_get(url: str, path: str, name: str) -> bytes:
    """GET `path` from the app at `url` after signing in through its /login form, as a browser does."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(url + "/login", timeout=30) as page:
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.read().decode())[1]
    form = urllib.parse.urlencode({"csrf_token": token, "username": name, "password": PASSWORD}).encode()
    opener.open(url + "/login", data=form, timeout=30).close()
    with opener.open(url + path, timeout=30) as answer:
        return answer.read()


def test_with_no_basic_bundle_graphs_load_plotlys_full_bundle(app_processes, workdir):
    write_config(workdir, SMALL_DEMO)
    add_user(open_store().engine, "vera", "viewer", PASSWORD, actor="test")
    nothing_installed = workdir / "no-bundle"
    nothing_installed.mkdir()
    web = app_processes.app(
        "app",
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_SCHEDULER="off",
        POTRACK_PLOTLY_BUNDLE_DIR=str(nothing_installed),
    )
    web.wait_ready()

    assert signed_in_get(web.url, PLOTLY_JS_URL, "vera") == FULL_BUNDLE.read_bytes()
    assert web.output().count(FULL_BUNDLE_NOTE) == 1, web.output()
    assert "scripts/fetch_plotly_basic.py" in web.output()


def test_a_basic_bundle_of_another_plotly_js_version_is_not_served(tmp_path):
    (tmp_path / BUNDLE_NAME).write_text("/**\n* plotly.js (basic - minified) v3.0.0\n*/\n", encoding="utf-8")
    found = find_basic_bundle(tmp_path)
    assert found.basic is None and "is plotly.js 3.0.0, plotly has" in found.note
