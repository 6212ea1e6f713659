"""The CSRF token an upload area carries is the one its session's uploads need: the page's layout, fetched over HTTP
as the browser fetches it, gives the operator's area a token with which POST /api/uploads takes the file (202); the
same request without it is refused (403) and nothing is queued."""

import json

from tests.support.callbacks import run_rows
from tests.support.personas import client_as
from tests.support.uploads import SOURCE, upload_file
from tests.support.web import routed_page


def page_layout(client, path):
    """A page's layout as the app sends it when the browser opens `path` (Dash pages' routing callback), as JSON."""
    answer = routed_page(client, path)
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"]["_pages_content"]["children"]


def area_props(node):
    """The props of every upload area in a layout sent as JSON."""
    found = []
    if isinstance(node, dict):
        props = node.get("props")
        if isinstance(props, dict) and "upload-area" in str(props.get("className", "")).split():
            found.append(props)
        for value in node.values():
            found += area_props(value)
    elif isinstance(node, list):
        for value in node:
            found += area_props(value)
    return found


def test_the_area_s_token_lets_its_session_upload(upload_web):
    otto = client_as("otto")
    [area] = area_props(page_layout(otto, "/runs"))
    assert area["data-source"] == SOURCE
    refused = upload_file(otto, headers={})
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.get_json()["message"]
    assert run_rows(upload_web.engine) == []
    taken = upload_file(otto, headers={"X-CSRF-Token": area["data-csrf"]})
    assert taken.status_code == 202, json.dumps(taken.get_json())
    assert [(r.id, r.trigger, r.status, r.requested_by) for r in run_rows(upload_web.engine)] == [
        (taken.get_json()["run_id"], "upload", "queued", "otto")
    ]


def test_the_overview_s_area_carries_the_same_token(upload_web):
    otto = client_as("otto")
    [on_runs] = area_props(page_layout(otto, "/runs"))
    [on_overview] = area_props(page_layout(otto, "/"))
    assert on_overview["data-source"] == SOURCE and on_overview["data-csrf"] == on_runs["data-csrf"]
