"""What every request must fit before any view or Dash callback reads it: a body of at most 1 MiB (413), a JSON body
for Dash's callbacks that parses within a bounded depth (400, never a RecursionError), and Dash's component-suite
URLs, where a file Dash does not serve is a 404, not an exception."""

from __future__ import annotations

import flask
import pydantic_core
from dash.exceptions import DependencyException
from werkzeug.exceptions import BadRequest, NotFound, RequestEntityTooLarge

MAX_BODY = 1024 * 1024
DASH_PREFIX = "/_dash-"
# Bodies streamed to disk by their view, which bounds them itself (an upload: its source's upload_max_mb).
STREAMED = frozenset({"/api/uploads"})


def _fits() -> None:
    """Refuse a body over the limit before anything reads it, and a Dash callback body that is not bounded JSON."""
    request = flask.request
    if request.method == "POST" and request.path in STREAMED:
        return
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise RequestEntityTooLarge(f"the body has {request.content_length:,} bytes; at most {MAX_BODY:,} are taken")
    if request.method == "POST" and request.path.startswith(DASH_PREFIX):
        raw = request.get_data(cache=True)  # a chunked body over the limit is a 413 here (MAX_CONTENT_LENGTH)
        try:
            # pydantic's parser stops at a fixed depth; Dash then parses the cached body with json, safely.
            pydantic_core.from_json(raw or b"null")
        except ValueError as exc:
            raise BadRequest(f"the callback body is not JSON potrack accepts: {exc}") from None


def _not_served(exc: DependencyException) -> NotFound:
    """A component-suite URL naming a package or file Dash does not serve."""
    return NotFound("no such file")


def register_boundary(server: flask.Flask) -> None:
    """Bound every request's body and answer Dash's unknown component files with 404."""
    server.config["MAX_CONTENT_LENGTH"] = MAX_BODY
    server.before_request(_fits)
    server.register_error_handler(DependencyException, _not_served)
