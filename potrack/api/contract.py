"""A route's contract: the models its path, query string and body must fit, the action it takes and what it
answers (its success body's model, or the files it sends by media type). @endpoint declares it on a view and
validates every request against it before the view runs, answering what does not fit in the API's error shape: 404
for a path variable, 400 naming a query parameter or body field."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import flask
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from potrack.api.errors import ApiError, BadParameter
from potrack.api.models import Input, NoQuery
from potrack.api.responses import Output
from potrack.auth.roles import Action, Actor
from potrack.auth.session import acting


class NoBody(Input):
    """A POST that takes no field: an empty body, or an empty JSON object."""


# Not JSON: each media type a route may send, with its body's JSON schema (e.g. {"type": "string"}).
Files = Mapping[str, Mapping[str, Any]]


@dataclass(frozen=True)
class Contract:
    """What a route takes and answers (for the document: its success status and body, and route-specific
    refusals)."""

    returns: type[Output] | Files
    path: type[Input] | None = None
    query: type[Input] = NoQuery
    body: type[Input] | None = None
    action: Action | None = None
    answers: Mapping[int, str] = field(default_factory=lambda: {200: "OK."})
    form: Files | None = None  # a multipart body the view streams itself: its media type and schema


def endpoint(
    returns: type[Output] | Files,
    path: type[Input] | None = None,
    query: type[Input] = NoQuery,
    body: type[Input] | None = None,
    action: Action | None = None,
    answers: Mapping[int, str] | None = None,
    form: Files | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a view's contract; the view gets the validated `path`, `query`, `body` and `actor` it names. A
    `form` is documented only: the view reads it as it arrives (and checks the actor itself)."""
    if action is not None and body is None:
        body = NoBody
    contract = Contract(returns, path, query, body, action, dict(answers or {200: "OK."}), form)

    def declare(view: Callable[..., Any]) -> Callable[..., Any]:
        wanted = set(inspect.signature(view).parameters)

        @functools.wraps(view)
        def serve(**path_args: str) -> Any:
            given: dict[str, Any] = {"path": read_path(contract.path, path_args), "query": read_query(contract.query)}
            if contract.action is not None:
                given["actor"] = mutating(contract.action)
            if contract.body is not None:
                given["body"] = read_body(contract.body)
            return view(**{name: value for name, value in given.items() if name in wanted})

        serve.contract = contract  # type: ignore[attr-defined]  # (the route table and OpenAPI read it off the view)
        return serve

    return declare


def contract_of(view: Callable[..., Any]) -> Contract | None:
    """The contract a view was declared with (None for the catch-all)."""
    return getattr(view, "contract", None)


def mutating(action: Action) -> Actor:
    """The actor allowed to take the action; a signed-in browser must send JSON (a cross-site form cannot)."""
    actor = acting(action)
    if actor.kind == "user" and not flask.request.is_json:
        raise ApiError(
            415,
            "a request signed in by session cookie must be sent as application/json "
            "(or authenticate with an API token)",
        )
    return actor


def names(model: type[Input]) -> tuple[str, ...]:
    """The parameter or field names a model takes, in its order."""
    return tuple(model.model_fields)


def read_path(model: type[Input] | None, values: Mapping[str, str]) -> Input | None:
    """The path variables as the model reads them; one that does not fit names a resource that is not there: 404."""
    if model is None:
        return None
    try:
        return model.model_validate(dict(values))
    except ValidationError as exc:
        detail = exc.errors(include_url=False)[0]
        name = str(detail["loc"][0])
        raise ApiError(404, f"{name}: {reason(detail, model)}", "not_found", parameter=name) from None


def read_query(model: type[Input]) -> Input:
    """The query string as the model reads it: unknown or repeated parameters are refused, empty ones are absent."""
    args = flask.request.args
    known = names(model)
    for name in args:
        if name not in known:
            hint = f"known: {', '.join(known)}" if known else "this URL takes none"
            raise BadParameter(name, f"unknown parameter ({hint})")
        if len(args.getlist(name)) > 1:
            raise BadParameter(name, "given more than once")
    values = {name: value.strip() for name, value in args.items() if value.strip()}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise refusal(exc, model) from None


def read_body(model: type[Input]) -> Input:
    """The JSON object body as the model reads it (no body reads as {}); pydantic's parser bounds the nesting depth,
    so a 100,000-deep body is a 400, not a RecursionError."""
    raw = flask.request.get_data(cache=True)
    try:
        return model.model_validate_json(raw if raw.strip() else b"{}")
    except ValidationError as exc:
        raise refusal(exc, model) from None


def refusal(exc: ValidationError, model: type[Input]) -> ApiError:
    """The first thing that does not fit, as a 400 naming its parameter or field (bad_body for the body as a
    whole)."""
    detail = exc.errors(include_url=False)[0]
    if not detail["loc"]:
        if detail["type"] == "json_invalid":
            return ApiError(400, f"the body is not JSON: {detail['msg'].removeprefix('Invalid JSON: ')}", "bad_body")
        return ApiError(400, "the body must be a JSON object", "bad_body")
    return BadParameter(str(detail["loc"][0]), reason(detail, model))


def reason(detail: ErrorDetails, model: type[Input]) -> str:
    """Why a value does not fit, in words (the parameter's name goes before it)."""
    kind, ctx, given = detail["type"], detail.get("ctx") or {}, detail.get("input")
    words = {
        "extra_forbidden": f"unknown field (known: {', '.join(names(model))})",
        "missing": "is required",
        "greater_than_equal": f"must be at least {ctx.get('ge')}, got {given!r}",
        "less_than_equal": f"must be at most {ctx.get('le')}, got {given!r}",
        "string_too_long": f"has {len(given) if isinstance(given, str) else '?'} characters, "
        f"at most {ctx.get('max_length')} fit",
        "string_type": "must be text",
        "bool_type": "must be true or false",
        "bool_parsing": "must be true or false",
    }
    return words.get(kind, detail["msg"])
