"""No request gets a 500, whatever it carries: a table of hostile values (dates at the calendar's edges and ones that
overflow once converted to UTC, non-ASCII digits, integers beyond 32 and 64 bits, a 30-digit number, NUL, very long
text) in every path variable, query parameter and body field of every API route, in the URL of every registered
page (through Dash's router and the callbacks that read the URL), in /find, plus 100,000-deep and oversize bodies;
signed in as an admin, on a SQLite store and on PostgreSQL. The API's 4xx names the parameter at fault."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import dash
import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from potrack.api.routes import ROUTES
from potrack.pipeline.outcome import Rejection
from potrack.store.models import FailedRow, XrefMapping
from potrack.store.runs import save_failed_rows
from tests.support.callbacks import callback_body, prop, response_props
from tests.support.personas import client_as
from tests.support.web import add_run

pytestmark = pytest.mark.backends

HOSTILE = {
    "first day": "0001-01-01",
    "last day": "9999-12-31",
    "overflows after +14:00": "9999-12-31T23:59:59+14:00",
    "overflows after -14:00": "0001-01-01T00:00:00-14:00",
    "superscript two": "\u00b2",
    "arabic-indic digits": "\u0661\u0662",
    "beyond 32 bits": "3000000000",
    "beyond 64 bits": "9223372036854775808",
    "30 digits": "1" * 30,
    "negative": "-1",
    "NUL": "PO\x001",
    "10,000 characters": "x" * 10_000,
}
# No parameter of any kind takes these (every text is bounded by its column and refuses NUL): always a 4xx.
REFUSED_BY_ALL = ("NUL", "10,000 characters")
DEEP = b"[" * 100_000 + b"]" * 100_000
OVERSIZE = json.dumps({"source": "x" * (2 * 1024 * 1024)}).encode()
# Every query parameter any page reads from its URL (the pages ignore the ones they do not take).
PAGE_PARAMS = (
    "start",
    "end",
    "status",
    "source",
    "page",
    "run",
    "state",
    "sort",
    "type",
    "severity",
    "rule",
    "supplier",
    "buyer",
    "plant",
    "field",
    "kind",
    "slip",
    "q",
)
FILTER_PROPS = {"search", "start_date", "end_date", "value", "active_page"}
FILTERED_PAGES = ("/runs", "/trends", "/changes", "/xref", "/failed-rows", "/audit", "/alerts")
UPDATE = "/_dash-update-component"
BAD_NAME = "bad\x00name"


@pytest.fixture
def admin(web):
    """A signed-in admin and the ids the path variables are filled with: a partial run and one of its rows."""
    run_id = add_run(web.engine, status="partial")
    with web.engine.begin() as conn:
        save_failed_rows(conn, run_id, "demo", [Rejection("validate", "PO1/1", {"n": 1}, "bad")])
        row_id = conn.execute(sa.select(sa.func.min(FailedRow.id))).scalar_one()
    return client_as("ada"), {
        "run_id": str(run_id),
        "row_id": str(row_id),
        "source": "demo",
        "po_number": "PO1",
        "line_number": "1",
    }


def api_routes():
    """(rule, endpoint, method, view) of every API route but the catch-all."""
    return [
        (rule, name, method, view)
        for rule, name, methods, view in ROUTES
        if name != "api_unknown"
        for method in methods
    ]


def path_names(rule):
    return re.findall(r"<(?:\w+:)?(\w+)>", rule)


def fill(rule, values):
    """A rule's URL with each variable quoted (a NUL or '²' travels as the browser would send it)."""
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(values[m.group(1)], safe=""), rule)


def send(client, method, url, body=None, raw=None):
    if method == "GET":
        return client.get(url)
    if raw is not None:
        return client.post(url, data=raw, content_type="application/json")
    return client.post(url, json=body if body is not None else {})


def check_api(answer, parameter, label, where):
    """Never a 5xx; a 400 (or a path variable's 404) names the parameter; values nothing takes are refused."""
    body = answer.get_json(silent=True) or {}
    assert answer.status_code < 500, (where, label, answer.status_code, body)
    if answer.status_code == 400:
        assert body.get("parameter") == parameter, (where, label, body)
        assert body["message"].startswith(f"{parameter}: "), (where, label, body)
    if label in REFUSED_BY_ALL:
        assert 400 <= answer.status_code < 500 and body.get("parameter") == parameter, (where, label, body)


def valid_body(name):
    return {
        "api_run_now": {"source": "demo"},
        "api_xref_mappings": {"source": "demo", "item_code": "ITEM-1", "internal_part_id": "PART-1"},
    }.get(name, {})


def valid_query(name):
    """The required query parameters of a route, valid (the upload's source; demo takes no uploads, so the route
    refuses it after the query fits)."""
    return {"api_upload": {"source": "demo"}}.get(name, {})


def fits(view, query):
    """Whether the query fits the route's model (a value it takes: what refuses the request comes later)."""
    try:
        view.contract.query.model_validate({k: v.strip() for k, v in query.items() if v.strip()})
    except ValidationError:
        return False
    return True


def test_api_path_variables_and_query_parameters(admin):
    client, ids = admin
    for rule, name, method, view in api_routes():
        for variable in path_names(rule):
            for label, value in HOSTILE.items():
                url = fill(rule, {**ids, variable: value})
                answer = send(client, method, url, valid_body(name))
                check_api(answer, variable, label, url)
                if answer.status_code == 404:
                    body = answer.get_json()
                    assert body.get("parameter") == variable or body["message"].startswith("there is no"), body
        base = fill(rule, ids)
        parameters = list(view.contract.query.model_fields) or ["anything"]
        for parameter in parameters:
            for label, value in HOSTILE.items():
                query = {**valid_query(name), parameter: value}
                url = f"{base}?{urlencode(query)}"
                with send(client, method, url, valid_body(name)) as answer:  # closed: a streamed export ends here
                    if answer.status_code == 400 and fits(view, query):
                        assert answer.get_json()["parameter"] != parameter, (url, label)  # refused for something else
                        continue
                    check_api(answer, parameter, label, url)
        unnamed = f"{base}?{quote(BAD_NAME)}=1"
        check_api(send(client, method, unnamed, valid_body(name)), BAD_NAME, "NUL", unnamed)


def test_api_body_fields_and_whole_bodies(admin):
    client, ids = admin
    for rule, name, method, view in api_routes():
        if method != "POST" or view.contract.form is not None:  # a streamed form: test_hostile_uploads_*
            continue
        url = fill(rule, ids)
        fields = list(view.contract.body.model_fields) or ["anything"]
        for field in fields:
            for label, value in [
                *HOSTILE.items(),
                ("a number of 30 digits", int("9" * 30)),
                ("an object", {"a": [1, {"b": None}]}),
            ]:
                check_api(send(client, method, url, {**valid_body(name), field: value}), field, label, (url, field))
        deep = send(client, method, url, raw=DEEP)
        assert deep.status_code == 400 and deep.get_json()["error"] == "bad_body", deep.get_json()
        big = send(client, method, url, raw=OVERSIZE)
        assert big.status_code == 413 and big.get_json()["error"] == "payload_too_large", big.get_json()


def test_the_reported_cases_name_their_parameter(admin):
    client, _ = admin
    cases = [
        ("/api/runs/3000000000", 404, "run_id"),
        ("/api/lines/demo/PO/%C2%B2", 404, "line_number"),
        ("/api/lines/demo/PO/" + "1" * 30, 404, "line_number"),
        ("/api/runs?since=0001-01-01&until=9999-12-31", 400, "since"),
        ("/api/changes?until=9999-12-31T23:59:59%2B14:00", 400, "until"),
        ("/api/audit?since=0001-01-01T00:00:00-14:00", 400, "since"),
        ("/api/failed-rows?run_id=3000000000", 400, "run_id"),
        ("/api/alerts?source=a%00b", 400, "source"),
    ]
    for url, status, parameter in cases:
        answer = client.get(url)
        assert (answer.status_code, answer.get_json().get("parameter")) == (status, parameter), answer.get_json()
    mapping = client.post("/api/xref/mappings", json={"source": "demo", "item_code": "A\x00", "internal_part_id": "P"})
    assert (mapping.status_code, mapping.get_json()["parameter"]) == (400, "item_code")


def outputs_of(dependency):
    """The concrete outputs of a callback as the renderer sends them ([] for a wildcard output)."""
    found = []
    for part in dependency["output"].strip(".").split("..."):
        component, _, prop = part.rpartition(".")
        found.append([] if "ALL" in component or "MATCH" in component else {"id": component, "property": prop})
    return found if dependency["output"].startswith("..") else found[0]


def entries(items, value_for):
    """Inputs or state of a callback: a value for each concrete one, [] for wildcards."""
    return [
        [] if "ALL" in item["id"] else {"id": item["id"], "property": item["property"], "value": value_for(item)}
        for item in items
    ]


def url_callbacks(client):
    """The callbacks a page's URL or filter inputs drive (none with MATCH ids, which need a rendered card)."""
    found = []
    for dependency in client.get("/_dash-dependencies").get_json():
        ids = [i["id"] for i in dependency["inputs"] + dependency["state"]]
        if any("MATCH" in i for i in ids) or dependency["output"].startswith(".._pages_content"):
            continue
        if any(i["property"] in FILTER_PROPS for i in dependency["inputs"]):
            found.append(dependency)
    return found


def call(client, dependency, search, value):
    """POST one callback with the URL's search and the hostile value in every filter input."""

    def value_for(item):
        if item["property"] == "search":
            return search
        return value if item["property"] in FILTER_PROPS else None

    body = {
        "output": dependency["output"],
        "outputs": outputs_of(dependency),
        "inputs": entries(dependency["inputs"], value_for),
        "state": entries(dependency["state"], value_for),
        "changedPropIds": [f"{i['id']}.{i['property']}" for i in dependency["inputs"][:1]],
    }
    return client.post(UPDATE, json=body)


def render(client, pathname, search):
    """The pages router's callback: the layout a URL shows."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "state": [],
        "changedPropIds": ["_pages_location.pathname"],
    }
    return client.post(UPDATE, json=body)


def test_every_page_url_and_the_callbacks_that_read_it(admin):
    client, ids = admin
    callbacks = url_callbacks(client)
    assert len(callbacks) >= 10  # every list page's URL-to-filters and filters-to-list callbacks, and trends
    pages = list(dash.page_registry.values())
    assert {p["path"] for p in pages} >= {*FILTERED_PAGES, "/lines"}
    for label, value in HOSTILE.items():
        search = "?" + urlencode({name: value for name in PAGE_PARAMS})
        for page in pages:
            template = page.get("path_template")
            if template:
                continue
            answer = render(client, page["path"], search)
            assert answer.status_code < 500, (page["path"], label, answer.get_data(as_text=True)[-400:])
            if label in REFUSED_BY_ALL and page["path"] in FILTERED_PAGES:
                assert "Bad filter in the URL, ignored" in answer.get_data(as_text=True), (page["path"], label)
            if label in REFUSED_BY_ALL and page["path"] == "/lines":
                assert "cannot search for that text" in answer.get_data(as_text=True), label
        for dependency in callbacks:
            answer = call(client, dependency, search, value)
            assert answer.status_code < 500, (dependency["output"], label, answer.get_data(as_text=True)[-400:])


def test_every_page_path_variable_shows_the_pages_own_not_found(admin):
    client, ids = admin
    values = {"run_id": ids["run_id"], "source": "demo", "po": "PO1", "line": "1"}
    templates = [p["path_template"] for p in dash.page_registry.values() if p.get("path_template")]
    assert sorted(templates) == ["/lines/<source>/<po>/<line>", "/runs/<run_id>"]
    for template in templates:
        for variable in path_names(template):
            for label, value in HOSTILE.items():
                pathname = fill(template, {**values, variable: value})
                answer = render(client, pathname, "")
                assert answer.status_code == 200, (pathname, label, answer.get_data(as_text=True)[-400:])
                assert "not found" in answer.get_data(as_text=True), (pathname, label)


def test_find_and_the_lines_list(admin):
    client, _ = admin
    for label, value in HOSTILE.items():
        answer = client.get("/find?" + urlencode({"q": value}))
        assert answer.status_code in (200, 302), (label, answer.status_code)
        shown = render(client, "/lines", "?" + urlencode({"q": value}))
        assert shown.status_code == 200, (label, shown.get_data(as_text=True)[-400:])


@pytest.mark.parametrize(
    "path",
    [
        "/_dash-component-suites/dash/../../etc/passwd",
        "/_dash-component-suites/nope/x.js",
        "/_dash-component-suites/dash/x",
        "/_dash-component-suites/%ff/%ff",
        "/_dash-component-suites/dash/%00.js",
        "/_dash-component-suites/dash/deps/react@18.v9_9_9m1.min.js",
        "/_dash-component-suites/" + "a/" * 500 + "b.js",
    ],
)
def test_dash_component_suites_with_odd_paths(admin, path):
    client, _ = admin
    assert client.get(path).status_code < 500


def test_dash_callback_bodies_deep_or_oversize(admin):
    client, _ = admin
    deep = client.post(UPDATE, data=DEEP, content_type="application/json")
    assert deep.status_code == 400
    big = client.post(UPDATE, data=OVERSIZE, content_type="application/json")
    assert big.status_code == 413


def test_the_xref_workbench_refuses_a_nul_in_a_mapping(admin, web):
    client, _ = admin
    button = {"type": "xref-map", "source": "demo", "code": "ITM-00025"}
    box = {"type": "xref-part", "source": "demo", "code": "ITM-00025"}
    outputs = [prop("xref-toast", p) for p in ("is_open", "children", "icon")] + [prop("xref-mapped", "data")]
    body = callback_body(
        client,
        {"type": "xref-map", "source": ["ALL"], "code": ["ALL"]},
        outputs,
        [[prop(button, "n_clicks", 1)]],
        [[prop(box, "value", "PART\x0025")], [prop(box, "id", box)], prop("xref-mapped", "data", 0)],
        [(button, "n_clicks")],
    )
    shown = response_props(client.post(UPDATE, json=body), "xref-toast")
    assert shown["icon"] == "warning" and "the internal part id must not contain a NUL character" in shown["children"]
    with web.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(XrefMapping)).scalar_one() == 0
