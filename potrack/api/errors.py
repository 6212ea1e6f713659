"""JSON error answers for /api: {"error": code, "message": text}, for refusals, bad input and failures alike."""

from __future__ import annotations

import logging
from typing import Any

import flask
from werkzeug.exceptions import HTTPException

from potrack.actions import Refused
from potrack.auth.roles import Forbidden, Unauthenticated
from potrack.redact import safe_reason, scrub

log = logging.getLogger("potrack.api")
API_PREFIX = "/api/"
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    500: "internal_error",
}
REFUSAL_STATUS = {
    "unauthenticated": 401,
    "forbidden": 403,
    "invalid": 400,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
}


class ApiError(Exception):
    """An answer other than success: HTTP status, error code, message and any extra fields."""

    def __init__(self, status: int, message: str, error: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.error = error or CODES.get(status, "error")
        self.message = message
        self.extra = extra


class BadParameter(ApiError):
    """A query parameter or body field that is unknown or has a bad value (400, naming it)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(400, f"{parameter}: {message}", "bad_parameter", parameter=parameter)


def error_response(status: int, error: str, message: str, **extra: Any) -> flask.Response:
    """A JSON error answer, its message scrubbed of secrets."""
    response = flask.jsonify({"error": error, "message": scrub(message), **extra})
    response.status_code = status
    return response


def _api_error(exc: ApiError) -> flask.Response:
    return error_response(exc.status, exc.error, exc.message, **exc.extra)


def _refused(exc: Refused) -> flask.Response:
    """An action's refusal under /api: a status per kind, with its facts (such as the `run_id` in the way); an
    invalid input names its field (400 bad_parameter). Elsewhere the page that called the action words it."""
    if not flask.request.path.startswith(API_PREFIX):
        raise exc
    if exc.kind == "invalid" and exc.field:
        return _api_error(BadParameter(exc.field, exc.reason))
    return _api_error(ApiError(REFUSAL_STATUS[exc.kind], exc.reason, **exc.facts))


def _plain(status: int) -> Any:
    """A handler answering an exception under /api with this status and its text (elsewhere: not handled here)."""

    def handle(exc: Exception) -> flask.Response:
        if not flask.request.path.startswith(API_PREFIX):
            raise exc
        return error_response(status, CODES[status], str(exc))

    return handle


def _http(exc: HTTPException) -> Any:
    """Werkzeug's errors (404, 405, 500 ...): JSON under /api, unchanged elsewhere (the Dash pages)."""
    if not flask.request.path.startswith(API_PREFIX):
        return exc
    status = exc.code or 500
    original = getattr(exc, "original_exception", None)
    message = safe_reason(original) if original is not None else (exc.description or exc.name)
    return error_response(status, CODES.get(status, exc.name.lower().replace(" ", "_")), message)


def _unexpected(exc: Exception) -> flask.Response:
    """An exception no other handler took: under /api logged (scrubbed) and answered 500 with a one-line reason."""
    if not flask.request.path.startswith(API_PREFIX):
        raise exc
    log.error("%s %s failed", flask.request.method, flask.request.path, exc_info=exc)
    return error_response(500, CODES[500], safe_reason(exc))


def register_errors(server: flask.Flask) -> None:
    """Answer the API's exceptions as JSON errors."""
    server.register_error_handler(ApiError, _api_error)
    server.register_error_handler(Unauthenticated, _plain(401))
    server.register_error_handler(Forbidden, _plain(403))
    server.register_error_handler(Refused, _refused)
    server.register_error_handler(HTTPException, _http)
    server.register_error_handler(Exception, _unexpected)
