"""The app shell: built without a scheduler, navbar from the page registry and the runbook with the health indicator
on every page, Bootstrap served from assets/ (no CDN), every page routed, an unknown path to potrack's own 404."""

import json
import threading

import dash
import dash_bootstrap_components as dbc

from pages import _shell, not_found_404
from tests.support import ROOT
from tests.support.personas import client_as
from tests.support.web import add_run, find_all, find_by_id, routed_page


def test_building_the_app_starts_no_scheduler():
    assert not any("APScheduler" in t.name or t.name.startswith("run-") for t in threading.enumerate())


def test_navbar_lists_the_pages_and_the_health_indicator(web):
    shell = _shell.layout()
    links = find_all(find_by_id(shell, "navbar"), lambda c: isinstance(c, dbc.NavLink))
    assert [link.children for link in links] == [
        "Overview",
        "Ingestion Monitor",
        "Trends",
        "Changes",
        "Xref gaps",
        "Failed rows",
        "Audit log",
        "Alerts",
        "Runbook",
    ]
    assert find_by_id(shell, "nav-runbook").href == "/runbook"
    assert find_by_id(shell, "health-indicator").href == "/runs"
    assert {p["path"] for p in dash.page_registry.values()} >= {
        "/",
        "/runs",
        "/trends",
        "/changes",
        "/xref",
        "/failed-rows",
        "/audit",
        "/lines",
    }
    search = find_by_id(shell, "nav-search")
    assert search.name == "q" and search.placeholder == "PO or PO/line"  # a GET form to /find


def test_pages_render_offline_with_bootstrap_from_assets(web):
    assert (ROOT / "assets" / "bootstrap.min.css").stat().st_size > 200_000
    html = client_as("vera").get("/runs").get_data(as_text=True)
    assert "/assets/bootstrap.min.css" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert not any("https://" in p.read_text() for p in (ROOT / "pages").glob("*.py"))


def test_every_page_is_routed_by_the_server(web):
    run_id = add_run(web.engine, status="failed", error="extract: boom")
    client = client_as("vera")
    for path, expect in (
        ("/no/such/page", "Page not found"),
        ("/", "Overview"),
        ("/runs", "Ingestion Monitor"),
        ("/trends", "Trends"),
        ("/failed-rows", "Failed rows"),
        ("/audit", "Audit log"),
        (f"/runs/{run_id}", f"Run #{run_id}"),
    ):
        response = routed_page(client, path)
        assert response.status_code == 200 and expect in json.dumps(response.get_json()), path


def test_an_unknown_path_names_itself_and_links_back():
    assert not_found_404.show_path("/no/such/page") == "/no/such/page"
    links = find_all(not_found_404.layout(), lambda c: hasattr(c, "href"))
    assert [link.href for link in links] == ["/", "/runs", "/runbook"]
    assert not dash.page_registry["pages.not_found_404"]["nav"]
