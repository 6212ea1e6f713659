"""Every JSON answer of the API fits the model its route declares, strictly (no field the model lacks, none it
declares missing, each of its JSON type), and the generated OpenAPI document: on a store with real data (runs with
changes, failed and retried runs, rejected rows, receipts, alerts with notifications, audit events, open and
resolved xref gaps, queued and running runs) and on an empty one. Errors fit the shared Error schema; the document
gives every route a 2xx response with a schema, the export's and /metrics' media types are what they send."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest
import sqlalchemy as sa
from pydantic import BaseModel
from werkzeug.http import parse_options_header

import app
from potrack.api.contract import contract_of
from potrack.api.responses import Attempt, Error, Output, Queued
from potrack.api.routes import ROUTES
from potrack.clock import utcnow
from potrack.runtime import Runtime, start
from potrack.store.failed_rows import resolve
from potrack.store.models import FailedRow, ReceiptBatch
from tests.support.alerts import HOUR, deliver, evaluate, fail_twice
from tests.support.personas import add_personas, client_as
from tests.support.receivers import channels_toml, closed_port
from tests.support.uploads import SAMPLE_WITH_ERRORS, csrf_header, multipart
from tests.support.web import START, add_run, demo_run
from tests.support.workdir import write_config

CONFIG = """
[[sources]]
name = "demo"
kind = "demo"
custom_columns = { udf_project = "text", udf_weight_kg = "number" }

[[sources]]
name = "night"
kind = "demo"

[[sources]]
name = "files"
kind = "csv"
upload = true
custom_columns = { udf_project = "text", udf_weight_kg = "number" }
"""
PER_PAGE = 500


def declared(method: str, url: str) -> tuple[str, Any]:
    """The endpoint answering this request and what its route declares it returns (a model, or files by media
    type)."""
    endpoint, _ = app.server.url_map.bind("localhost").match(url.partition("?")[0], method)
    contract = contract_of(app.server.view_functions[endpoint])
    assert contract is not None, f"{method} {url} is answered by {endpoint}, which declares no contract"
    return endpoint, contract.returns


def resolve_ref(schema: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].removeprefix("#/components/schemas/")]
    return schema


JSON_TYPES = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


def fits(value: Any, schema: dict[str, Any], spec: dict[str, Any], where: str = "$") -> None:
    """The value fits the document's schema (the subset of JSON Schema the generated document uses)."""
    schema = resolve_ref(schema, spec)
    if "anyOf" in schema:
        failures = []
        for option in schema["anyOf"]:
            try:
                fits(value, option, spec, where)
                return
            except AssertionError as exc:
                failures.append(str(exc))
        raise AssertionError(f"{where}: {value!r} fits no option: {failures}")
    kind = schema.get("type")
    if kind is not None:
        ok = isinstance(value, JSON_TYPES[kind]) and not (kind in ("integer", "number") and isinstance(value, bool))
        assert ok, f"{where}: {value!r} is not of type {kind}"
    if "const" in schema:
        assert value == schema["const"], f"{where}: {value!r} is not {schema['const']!r}"
    if "enum" in schema:
        assert value in schema["enum"], f"{where}: {value!r} is not one of {schema['enum']}"
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{where}: {value!r} does not match {schema['pattern']}"
    if isinstance(value, dict) and "properties" in schema:
        missing = set(schema.get("required", ())) - set(value)
        assert not missing, f"{where}: required {sorted(missing)} missing"
        if schema.get("additionalProperties") is False:
            extra = set(value) - set(schema["properties"])
            assert not extra, f"{where}: {sorted(extra)} not in the document"
        for name, item in value.items():
            if name in schema["properties"]:
                fits(item, schema["properties"][name], spec, f"{where}.{name}")
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        for name, item in value.items():
            fits(item, schema["additionalProperties"], spec, f"{where}.{name}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            fits(item, schema["items"], spec, f"{where}[{index}]")


class Api:
    """Requests as a persona; each JSON answer is checked against its route's model and the document."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.clients = {name: client_as(name) for name in ("vera", "otto")}
        self.seen: set[str] = set()  # endpoints whose answer was checked

    def call(
        self,
        method: str,
        url: str,
        status: int = 200,
        json: Any = None,
        name: str = "vera",
        form: tuple[bytes, str] | None = None,
    ) -> Any:
        """The answer's JSON, checked against the route's model (strict) and the document's schema; `form` is a
        multipart body and its content type."""
        client = self.clients[name]
        if method == "GET":
            answer = client.get(url)
        elif form is not None:
            answer = client.post(url, data=form[0], content_type=form[1], headers=csrf_header(client))
        else:
            answer = client.post(url, json=json if json is not None else {})
        assert answer.status_code == status, (url, answer.status_code, answer.get_data(as_text=True)[:500])
        assert answer.mimetype == "application/json", (url, answer.mimetype)
        body = answer.get_json()
        endpoint, model = declared(method, url)
        assert isinstance(model, type) and issubclass(model, Output), (url, model)
        model.model_validate(body, strict=True)
        self.seen.add(endpoint)
        _, operation = operation_of(self.spec, method, url)
        documented = operation["responses"][str(status)]["content"]["application/json"]["schema"]
        fits(body, documented, self.spec)
        return body

    def get(self, url: str) -> Any:
        return self.call("GET", url)

    def pages(self, url: str) -> list[Any]:
        """Every page of a numbered list, each checked; their results together."""
        first = self.get(f"{url}{'&' if '?' in url else '?'}per_page={PER_PAGE}")
        found = list(first["results"])
        for page in range(2, first["pages"] + 1):
            found += self.get(f"{url}{'&' if '?' in url else '?'}per_page={PER_PAGE}&page={page}")["results"]
        assert len(found) == first["count"]
        return found


def operation_of(spec: dict[str, Any], method: str, url: str) -> tuple[str, dict[str, Any]]:
    """The document's path template and operation that describe a request."""
    path = url.partition("?")[0]
    for template, item in spec["paths"].items():
        pattern = (
            "^"
            + re.sub(r"\\{(\w+)\\}", lambda m: "(.+)" if m.group(1) == "po_number" else "([^/]+)", re.escape(template))
            + "$"
        )
        if re.match(pattern, path) and method.lower() in item:
            return template, item[method.lower()]
    raise AssertionError(f"the document describes no {method} {path}")


@pytest.fixture
def spec() -> dict[str, Any]:
    return app.server.test_client().get("/api/openapi.json").get_json()


def small(runtime: Runtime) -> Runtime:
    """The runtime with its demo sources at 300 lines (a run takes a fraction of a second)."""
    sources = tuple(
        dataclasses.replace(s, demo=dataclasses.replace(s.demo, lines=300)) for s in runtime.settings.sources
    )
    return dataclasses.replace(runtime, settings=dataclasses.replace(runtime.settings, sources=sources))


def execute(runtime: Runtime, run_id: int, night: int) -> None:
    """Execute a queued run as the dispatcher would, reading one night of the demo ERP."""
    from potrack.pipeline.runner import Pipeline
    from potrack.sources.demo import DemoSource

    settings = small(runtime).settings
    pipeline = Pipeline(
        settings,
        runtime.engine,
        source_factory=lambda c: DemoSource(c, settings.instance_dir, night=night, start=START),
    )
    assert pipeline.execute(run_id) is not None


@pytest.fixture
def full(workdir, receiver) -> Runtime:
    """Two demo sources: demo with failures then five nights (a mapping made in between, night 4 rejecting rows),
    a run carrying check problems and notes, alerts fired, resolved and notified; night with failures."""
    write_config(workdir, CONFIG + channels_toml(receiver.url, closed_port()))
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    fail_twice(runtime)
    evaluate(runtime)
    deliver(runtime)
    fail_twice(runtime, "night")
    demo_run(runtime, 0, fail="unreachable")
    add_run(
        runtime.engine,
        status="partial",
        check_problems="3 lines missing\nsource said PWD=hunter2",
        notes="column udf_9 ignored\nthe source has no need_by_date",
        error="1 row: PWD=hunter2",
    )
    demo_run(runtime, 0)
    demo_run(runtime, 1)
    return runtime


@pytest.mark.backends  # the store on SQLite and on PostgreSQL
def test_every_json_answer_on_a_store_with_data_fits_its_model_and_the_document(full, spec):
    api = Api(spec)
    engine = full.engine

    # The mapping of the costliest open gap, then nights that apply it and reject rows.
    top = api.get("/api/xref/gaps?per_page=1")["results"][0]
    created = api.call(
        "POST",
        "/api/xref/mappings",
        201,
        name="otto",
        json={"source": "demo", "item_code": top["item_code"], "internal_part_id": "PART-TOP"},
    )
    assert created["mapping"]["item_code"] == top["item_code"]
    demo_run(full, 2)
    partial = demo_run(full, 4).run_id
    evaluate(full)
    deliver(full)
    evaluate(full, utcnow() + 30 * HOUR)

    # Retries through the API, each executed before the next (a source takes one run at a time).
    with engine.connect() as conn:
        rows = list(
            conn.execute(sa.select(FailedRow.id).where(FailedRow.run_id == partial).order_by(FailedRow.id)).scalars()
        )
    one = api.call("POST", f"/api/failed-rows/{rows[0]}/retry", 202, name="otto")
    execute(full, one["runs"][0]["run_id"], 5)
    fixer = add_run(engine, trigger="row_retry")
    with engine.begin() as conn:
        resolve(conn, rows[1:2], fixer, "fixed by hand")
    rest = api.call("POST", f"/api/runs/{partial}/failed-rows/retry", 202, name="otto")
    execute(full, rest["runs"][0]["run_id"], 5)
    failed = api.get("/api/runs?status=failed&source=night")["results"][0]["run_id"]
    retry = api.call("POST", f"/api/runs/{failed}/retry", 202, name="otto")
    assert retry["retry_of"] == failed
    execute(full, retry["run_id"], 0)
    # An upload with rows rejected, then the same file again (409, naming the first).
    sample = multipart("errors.csv", SAMPLE_WITH_ERRORS.read_bytes())
    uploaded = api.call("POST", "/api/uploads?source=files", 202, name="otto", form=sample)
    execute(full, uploaded["run_id"], 0)
    otto = api.clients["otto"]
    again = otto.post("/api/uploads?source=files", data=sample[0], content_type=sample[1], headers=csrf_header(otto))
    assert again.status_code == 409
    assert Error.model_validate(again.get_json(), strict=True).upload_id == uploaded["upload_id"]
    queued = api.call("POST", "/api/runs", 202, name="otto", json={"source": "demo"})
    add_run(engine, source="night", status="running", stage="diff", rows_done=40, rows_total=160)

    # Runs: keyset pages (next set, then null), every run's detail and change pages.
    runs = api.get("/api/runs?limit=500")["results"]
    assert api.get("/api/runs?limit=2")["next"] and api.get("/api/runs?limit=500")["next"] is None
    progress = [r["progress"] for r in runs if "progress" in r]
    assert {r["run_id"] for r in runs if "progress" in r} >= {queued["run_id"]}
    assert any(p["percent"] is not None and p["stage"] for p in progress)
    assert any(p["percent"] is None and p["stage"] is None for p in progress)
    details = [api.get(f"/api/runs/{r['run_id']}") for r in runs]
    for key in ("attempts", "rejected", "changes", "unmapped", "check_problems", "notes", "retried_by"):
        assert any(d[key] for d in details), f"no run has {key}: the data does not exercise them"
    assert any(d["retry_of"] for d in details) and any(d["error"] for d in details)
    for d in details:
        api.get(f"/api/runs/{d['run_id']}/changes?per_page=1000")

    # Lists.
    failed_rows = api.pages("/api/failed-rows")
    assert any(r["resolved_at"] for r in failed_rows) and any(r["resolved_at"] is None for r in failed_rows)
    assert any(r["location"] is None for r in failed_rows)
    assert any((r["location"] or "").startswith("errors.csv:") for r in failed_rows)
    assert api.get("/api/uploads")["recent_uploads"][0]["status"] == "partial"
    assert api.get("/api/uploads?limit=1")["next"] is None
    events = api.pages("/api/audit")
    assert any(e["details"] for e in events) and any(e["run_id"] is None for e in events)
    alerts = api.get("/api/alerts")["results"]
    assert {a["state"] for a in alerts} == {"firing", "resolved"} and any(a["deliveries"] for a in alerts)
    assert any(d["last_error"] for a in alerts for d in a["deliveries"])
    changes = api.pages("/api/changes")
    for key in ("days", "delta", "percent", "value_impact", "field", "internal_part_id"):
        assert any(c[key] is not None for c in changes), f"no change has {key}"
    gaps = api.pages("/api/xref/gaps?state=all")
    assert {g["state"] for g in gaps} == {"open", "resolved"}
    assert any(g["mapping"] for g in gaps) and any(g["mapped_to"] for g in gaps)
    assert api.get("/api/health")["sources"][0]["last_run"] is not None
    api.get("/api/openapi.json")

    # Line histories: lines with changes, receipts and rejected rows.
    with engine.connect() as conn:
        received = conn.execute(
            sa.select(ReceiptBatch.source, ReceiptBatch.po_number, ReceiptBatch.line_number).limit(3)
        ).all()
    urls = {c["line_url"] for c in changes[:20]} | {f"/lines/{s}/{po}/{n}" for s, po, n in received}
    urls |= {f"/lines/demo/{r['row_key']}" for r in failed_rows if r["row_key"]}
    histories = []
    for url in sorted(urls):
        answer = api.clients["vera"].get("/api" + url)
        if answer.status_code == 404:  # a rejected row of a line the store never took
            continue
        histories.append(api.get("/api" + url))
    for key in ("nights", "receipts", "runs", "rejected", "custom"):
        assert any(h[key] for h in histories), f"no line has {key}"

    json_routes = {
        endpoint
        for rule, endpoint, methods, view in ROUTES
        if endpoint != "api_unknown" and isinstance(contract_of(view).returns, type)
    }
    assert api.seen == json_routes


@pytest.mark.backends
def test_every_list_answer_of_an_empty_store_fits_its_model(web, spec):
    api = Api(spec)
    for url in (
        "/api/runs",
        "/api/failed-rows",
        "/api/audit?event_type=no.such.event",
        "/api/alerts",
        "/api/changes",
        "/api/xref/gaps?state=all",
    ):
        body = api.get(url)
        assert body["count"] == 0 and body["results"] == [], url
    assert api.get("/api/runs")["next"] is None
    assert api.get("/api/uploads") == {"active_uploads": 0, "recent_uploads": [], "next": None}
    health = api.get("/api/health")
    assert [s["last_run"] for s in health["sources"]] == [None] and health["sources"][0]["last_success_at"] is None
    run_id = add_run(web.engine, status="failed", error="ERP down")
    detail = api.get(f"/api/runs/{run_id}")
    assert (detail["attempts"], detail["rejected"], detail["changes"], detail["notes"]) == ([], [], [], [])
    assert api.get(f"/api/runs/{run_id}/changes")["results"] == []


def test_every_error_fits_the_shared_error_schema_and_is_documented(web, spec):
    vera, otto, nobody = client_as("vera"), client_as("otto"), app.server.test_client()
    queued = otto.post("/api/runs", json={"source": "demo"})
    assert queued.status_code == 202
    cases = [  # status, method, URL, client, body, the parameter named
        (400, "GET", "/api/runs?limit=0", vera, None, "limit"),
        (400, "POST", "/api/xref/mappings", otto, {"source": "demo"}, "item_code"),
        (401, "GET", "/api/runs", nobody, None, None),
        (403, "POST", "/api/runs", vera, {"source": "demo"}, None),
        (404, "GET", "/api/runs/999999", vera, None, None),
        (404, "GET", "/api/runs/abc", vera, None, "run_id"),
        (404, "GET", "/api/lines/demo/PO-1/1", vera, None, None),
        (405, "POST", "/api/health", vera, {}, None),
        (409, "POST", "/api/runs", otto, {"source": "demo"}, None),
        (413, "POST", "/api/xref/mappings", otto, {"source": "x" * (1024 * 1024)}, None),
    ]
    for status, method, url, client, body, parameter in cases:
        answer = client.get(url) if method == "GET" else client.post(url, json=body)
        assert answer.status_code == status and answer.mimetype == "application/json", (url, answer.status_code)
        Error.model_validate(answer.get_json(), strict=True)
        fits(answer.get_json(), {"$ref": "#/components/schemas/Error"}, spec)
        assert answer.get_json().get("parameter") == parameter, (url, answer.get_json())
        if status == 409:
            assert answer.get_json()["run_id"] == queued.get_json()["run_id"]
        if status == 405:  # a method the path does not take: the document's description says so
            assert "post" not in spec["paths"]["/api/health"] and "405" in spec["info"]["description"]
            continue
        _, operation = operation_of(spec, method, url)
        assert operation["responses"][str(status)]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }, (url, status)
    form = otto.post("/api/runs", data={"source": "demo"})
    assert form.status_code == 415
    Error.model_validate(form.get_json(), strict=True)
    metrics_refused = app.server.test_client().get("/metrics?x=1")
    assert metrics_refused.status_code == 400
    Error.model_validate(metrics_refused.get_json(), strict=True)


def test_every_route_documents_a_2xx_answer_with_a_schema_from_its_declaration(web, spec):
    for rule, endpoint, methods, view in ROUTES:
        if endpoint == "api_unknown":
            continue
        returns = contract_of(view).returns
        template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)
        for method in methods:
            responses = spec["paths"][template][method.lower()]["responses"]
            success = [status for status in responses if status.startswith("2")]
            assert len(success) == 1, (template, method, success)
            content = responses[success[0]]["content"]
            if isinstance(returns, type):
                assert issubclass(returns, BaseModel) and list(content) == ["application/json"]
                ref = content["application/json"]["schema"]["$ref"]
                name = ref.removeprefix("#/components/schemas/")
                # The component is the model's own schema (the document is generated from it).
                generated = returns.model_json_schema(ref_template="#/components/schemas/{model}")
                generated.pop("$defs", None)
                assert spec["components"]["schemas"][name] == generated, name
            else:
                assert content and all(c["schema"].get("type") == "string" for c in content.values()), template
    for name, schema in spec["components"]["schemas"].items():
        if schema.get("type") == "object" and "properties" in schema:
            assert schema.get("additionalProperties") is False, name


def media_type(header: str) -> tuple[str, dict[str, str]]:
    """A Content-Type as its type and parameters."""
    kind, params = parse_options_header(header)
    return kind, params


def test_files_are_sent_with_a_documented_media_type(web, spec):
    demo_run(web, 0)
    demo_run(web, 1)
    vera = client_as("vera")
    exports = spec["paths"]["/api/changes/export"]["get"]["responses"]["200"]["content"]
    sent = []
    for fmt in ("csv", "xlsx"):
        answer = vera.get(f"/api/changes/export?format={fmt}")
        assert answer.status_code == 200 and len(answer.get_data()) > 100
        sent.append(media_type(answer.headers["Content-Type"]))
    assert sorted(sent) == sorted(media_type(m) for m in exports)
    metrics = app.server.test_client().get("/metrics")
    documented = spec["paths"]["/metrics"]["get"]["responses"]["200"]["content"]
    assert metrics.status_code == 200 and list(documented) == [metrics.headers["Content-Type"]]
    assert metrics.mimetype == "text/plain" and "potrack_runs_total" in metrics.get_data(as_text=True)


def test_a_field_the_view_adds_without_its_model_is_refused():
    """The strictness the tests above rely on: an extra field, a missing one or a wrong JSON type does not fit."""
    Queued.model_validate({"run_id": 1, "status": "queued"}, strict=True)
    for body in (
        {"run_id": 1, "status": "queued", "extra": 1},
        {"run_id": "1", "status": "queued"},
        {"run_id": True, "status": "queued"},
        {"run_id": 1},
        {"run_id": 1, "status": "done"},
    ):
        with pytest.raises(ValueError):
            Queued.model_validate(body, strict=True)
    now = utcnow().isoformat()  # +00:00, not the Z the API writes
    with pytest.raises(ValueError):
        Attempt.model_validate({"attempt": 1, "error": "x", "transient": True, "wait_s": None, "at": now})
    Attempt.model_validate(
        {
            "attempt": 1,
            "error": "x",
            "transient": True,
            "wait_s": 1,
            "at": dt.datetime(2026, 1, 2, 3, 4, 5).isoformat() + "Z",
        }
    )
