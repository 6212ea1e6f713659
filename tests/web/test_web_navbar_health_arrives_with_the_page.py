"""The navbar's health verdict arrives with the page's layout (no callback round trip before it shows), and its
callback keeps it current only on each tick and page change afterwards."""

from pages import _shell
from tests.support.personas import client_as
from tests.support.web import add_run, find_by_id


def test_the_layout_brings_the_verdict_and_the_run_behind_it(web):
    failed = add_run(web.engine, status="failed")
    indicator = find_by_id(_shell.layout(), "health-indicator")
    assert indicator.children == "● Failing" and indicator.href == f"/runs/{failed}"
    assert "health-failing" in indicator.className.split()
    assert (indicator.children, indicator.href, indicator.title, indicator.className) == _shell.refresh_health(1, "/")


def test_the_callback_is_not_called_when_the_page_loads(web):
    dependencies = client_as("vera").get("/_dash-dependencies").get_json()
    [callback] = [d for d in dependencies if "health-indicator.children" in d["output"]]
    assert callback["prevent_initial_call"] is True
