"""The API's OpenAPI 3.1 document, generated from the route table and each route's contract (its pydantic models'
JSON schemas: what it takes and what it answers), so it describes exactly what the API validates and sends."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

import flask
from pydantic import BaseModel

from potrack.api.contract import Contract, NoBody, contract_of, endpoint
from potrack.api.models import Input
from potrack.api.responses import Error, OpenApiDocument, Output
from potrack.auth.session import PUBLIC_PATHS
from potrack.bounds import DAY_RANGE

Route = tuple[str, str, list[str], Callable[..., Any]]
REF = "#/components/schemas/{model}"
DESCRIPTION = (
    "PO-ingestion runs, rejected rows, changes, the audit log, alerts and xref gaps as JSON. Authenticate with a "
    "session cookie (sign in at /login) or `Authorization: Bearer <token>` (`python -m potrack tokens create`). "
    "Unknown or repeated query parameters are refused (400); an empty one counts as absent. Times are ISO 8601 in "
    f"UTC, and a moment given must lie {DAY_RANGE} once converted to UTC. Ids are bounded by their store column "
    "(a run id is at most 2,147,483,647), text by its column's length and never holds a NUL character; a body is "
    "at most 1 MiB. Times answered are ISO 8601 in UTC with a Z. Every error under /api (and /metrics' 401) is the "
    '`Error` object, `{"error", "message"}`, with `parameter` naming the query parameter, path variable or body '
    "field at fault; a method a path does not take is a 405 in that shape."
)
REFUSALS = {
    400: "A query parameter or body field is unknown or has a bad value (`parameter` names it).",
    401: "No session and no valid bearer token (unknown or revoked).",
    403: "The role may not do this.",
    404: "A path variable names nothing that can exist (`parameter` names it).",
    413: "The body is larger than 1 MiB.",
    415: "Signed in by session cookie, but not sent as application/json.",
}


def template(rule: str) -> str:
    """A Flask rule in OpenAPI's form: /api/runs/<run_id> → /api/runs/{run_id}."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _schemas(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema, its nested definitions moved to the document's components."""
    schema = model.model_json_schema(ref_template=REF)
    for name, definition in schema.pop("$defs", {}).items():
        _component(name, definition, components)
    return schema


def _component(name: str, schema: dict[str, Any], components: dict[str, Any]) -> None:
    """Add a schema to the components; two different models of one name would describe each other's fields."""
    if components.setdefault(name, schema) != schema:
        raise ValueError(f"two different models are named {name} in the API's document")


def _ref(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    """A reference to a model's schema, added to the components."""
    _component(model.__name__, _schemas(model, components), components)
    return {"$ref": REF.format(model=model.__name__)}


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A parameter's schema: an absent parameter is how it is left out, so an optional's null branch goes."""
    options = [s for s in schema.get("anyOf", ()) if s != {"type": "null"}]
    kept = {k: v for k, v in schema.items() if k not in ("anyOf", "title") and not (k == "default" and v is None)}
    if len(options) == 1:
        inner = {k: v for k, v in options[0].items() if k != "title"}
        return {**inner, **kept}
    return kept


def _parameters(model: type[Input] | None, where: str, components: dict[str, Any]) -> list[dict[str, Any]]:
    """The path variables or query parameters a model declares."""
    if model is None:
        return []
    schema = _schemas(model, components)
    required = set(schema.get("required", ()))
    found = []
    for name, prop in schema.get("properties", {}).items():
        prop = _without_null(prop)
        description = prop.pop("description", None)
        param: dict[str, Any] = {
            "name": name,
            "in": where,
            "required": where == "path" or name in required,
            "schema": prop,
        }
        if description:
            param["description"] = description
        if prop.get("type") == "array":
            param.update(style="form", explode=False)  # a comma-separated list
        found.append(param)
    return found


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF.format(model=Error.__name__)}}},
    }


def _success(description: str, contract: Contract, components: dict[str, Any]) -> dict[str, Any]:
    """A success answer: its model's JSON, or the files it sends by media type."""
    if isinstance(contract.returns, type) and issubclass(contract.returns, Output):
        content = {"application/json": {"schema": _ref(contract.returns, components)}}
    else:
        content = {media: {"schema": dict(schema)} for media, schema in contract.returns.items()}
    return {"description": description, "content": content}


def _responses(contract: Contract, public: bool, components: dict[str, Any]) -> dict[str, Any]:
    """What the route answers: its own statuses, then the refusals its contract implies."""
    answers: dict[str, Any] = {}
    for status, description in contract.answers.items():
        answers[str(status)] = _success(description, contract, components) if status < 400 else _error(description)
    implied = [400, *([] if public else [401])]
    if contract.action is not None:
        implied += [403, 415]
    if contract.path is not None:
        implied.append(404)
    if contract.body is not None:
        implied.append(413)
    for status in implied:
        answers.setdefault(str(status), _error(REFUSALS[status]))
    return dict(sorted(answers.items()))


def operation(
    endpoint_name: str, rule: str, contract: Contract, summary: str, description: str, components: dict[str, Any]
) -> dict[str, Any]:
    """One method of one path."""
    public = rule in PUBLIC_PATHS
    op: dict[str, Any] = {"operationId": endpoint_name, "summary": summary}
    if description:
        op["description"] = description
    op["parameters"] = _parameters(contract.path, "path", components) + _parameters(contract.query, "query", components)
    if contract.body is not None and contract.body is not NoBody:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(contract.body, components)}},
        }
    if contract.form is not None:
        op["requestBody"] = {
            "required": True,
            "content": {media: {"schema": dict(schema)} for media, schema in contract.form.items()},
        }
    if public:
        op["security"] = []
    if contract.action is not None:
        op["x-potrack-action"] = contract.action.value
    op["responses"] = _responses(contract, public, components)
    return op


def document(routes: Iterable[Route]) -> dict[str, Any]:
    """The OpenAPI 3.1 document of every route in the table that declares a contract."""
    components: dict[str, Any] = {}
    _ref(Error, components)
    paths: dict[str, dict[str, Any]] = {}
    for rule, endpoint_name, methods, view in routes:
        contract = contract_of(view)
        if contract is None:
            continue
        summary, _, rest = (view.__doc__ or endpoint_name).strip().partition("\n")
        description = " ".join(rest.split())
        for method in methods:
            paths.setdefault(template(rule), {})[method.lower()] = operation(
                endpoint_name, rule, contract, summary.strip().rstrip("."), description, components
            )
    return {
        "openapi": "3.1.0",
        "info": {"title": "potrack API", "version": "1", "description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerToken": []}, {"sessionCookie": []}],
        "components": {
            "securitySchemes": {
                "bearerToken": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "An API token; its role decides what it may do.",
                },
                "sessionCookie": {
                    "type": "apiKey",
                    "in": "cookie",
                    "name": "session",
                    "description": "The dashboard's sign-in session.",
                },
            },
            "schemas": dict(sorted(components.items())),
        },
        "paths": paths,
    }


@endpoint(OpenApiDocument, answers={200: "This OpenAPI 3.1 document."})
def openapi() -> flask.Response:
    """This description (OpenAPI 3.1), generated from the routes' declarations."""
    return flask.jsonify(flask.current_app.extensions["potrack.openapi"])
