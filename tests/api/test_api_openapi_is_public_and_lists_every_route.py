"""GET /api/openapi.json is public and describes every route of the API's table with its methods, and every
query parameter a route takes."""

import re

import pytest

import app
from potrack.api.routes import ROUTES
from tests.support import ROOT
from tests.support.personas import client_as


@pytest.fixture
def spec(web):
    answer = app.server.test_client().get("/api/openapi.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    return answer.get_json()


def documented_routes():
    """(path, method) of every route in the table but the catch-all, in OpenAPI's {param} form."""
    return {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule), method.lower())
        for rule, endpoint, methods, _ in ROUTES
        if endpoint != "api_unknown"
        for method in methods
    }


def test_every_route_is_described_and_nothing_else(spec):
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    assert spec["openapi"].startswith("3.1") and described == documented_routes()


def test_every_described_parameter_is_accepted_and_every_other_refused(spec, web):
    client = client_as("vera")
    for path, item in spec["paths"].items():
        get = item.get("get")
        if get is None or "{" in path:
            continue
        names = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        for name in names:
            assert client.get(f"{path}?{name}=").status_code == 200, (path, name)
        assert client.get(f"{path}?undocumented=1").status_code == 400, path


def test_the_document_is_generated_with_each_columns_bounds(spec):
    """Path variables carry their store column's range (runs.id is a 32-bit INTEGER, failed_rows.id a BIGINT), text
    its column's length; no hand-written document is shipped beside the code."""

    def path_schema(path, method, name):
        return next(p["schema"] for p in spec["paths"][path][method]["parameters"] if p["name"] == name)

    assert path_schema("/api/runs/{run_id}", "get", "run_id")["maximum"] == 2_147_483_647
    assert path_schema("/api/failed-rows/{row_id}/retry", "post", "row_id")["maximum"] == 9_223_372_036_854_775_807
    assert path_schema("/api/lines/{source}/{po_number}/{line_number}", "get", "po_number")["maxLength"] == 64
    body = spec["components"]["schemas"]["MappingBody"]
    assert body["required"] == ["source", "item_code", "internal_part_id"] and body["additionalProperties"] is False
    assert not (ROOT / "potrack" / "api" / "openapi.json").exists()


def test_the_upload_takes_a_multipart_form_with_its_file(spec):
    body = spec["paths"]["/api/uploads"]["post"]["requestBody"]
    form = body["content"]["multipart/form-data"]["schema"]
    assert body["required"] and form["required"] == ["file"]
    assert form["properties"]["file"] == {
        "type": "string",
        "format": "binary",
        "description": "The snapshot, a CSV file.",
    }
    assert set(spec["paths"]["/api/uploads"]["post"]["responses"]) >= {"202", "400", "403", "409", "413"}
