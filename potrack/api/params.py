"""Reading a request's input: query parameters, the keyset cursor and JSON bodies; bad input is a 400 naming it."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

import flask

from potrack.api.errors import ApiError, BadParameter
from potrack.auth.roles import Action, Actor
from potrack.auth.session import acting
from potrack.config import ConfigError
from potrack.web import context

UTC = dt.timezone.utc
MAX_ID = 2**63 - 1  # the largest id a store column holds


def moment(value: str) -> dt.datetime:
    """An ISO 8601 date or datetime as an aware UTC datetime (naive means UTC; a date means its start)."""
    parsed = dt.datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


class Query:
    """The request's query string, read parameter by parameter; unknown or repeated parameters are refused."""

    def __init__(self, allowed: Iterable[str] = ()) -> None:
        self.args = flask.request.args
        known = tuple(allowed)
        for name in self.args:
            if name not in known:
                hint = f"known: {', '.join(known)}" if known else "this URL takes none"
                raise BadParameter(name, f"unknown parameter ({hint})")
            if len(self.args.getlist(name)) > 1:
                raise BadParameter(name, "given more than once")

    def text(self, name: str) -> str | None:
        """The parameter as given, or None when absent or empty."""
        value = self.args.get(name, "").strip()
        return value or None

    def optional_integer(self, name: str, low: int = 1, high: int = MAX_ID) -> int | None:
        """A whole number in [low, high], or None when absent."""
        value = self.text(name)
        if value is None:
            return None
        if not re.fullmatch(r"[+-]?[0-9]+", value):
            raise BadParameter(name, f"must be a whole number, got {value!r}")
        number = int(value)
        if not low <= number <= high:
            bounds = f"from {low} to {high}" if high < MAX_ID else f"at least {low}"
            raise BadParameter(name, f"must be {bounds}, got {number}")
        return number

    def integer(self, name: str, default: int, low: int = 1, high: int = MAX_ID) -> int:
        """A whole number in [low, high], or the default when absent."""
        number = self.optional_integer(name, low, high)
        return default if number is None else number

    def page(self, default_per_page: int, max_per_page: int) -> tuple[int, int]:
        """The page (from 1) and the number of items per page."""
        return self.integer("page", 1), self.integer("per_page", default_per_page, 1, max_per_page)

    def choices(self, name: str, allowed: Iterable[str] | None = None) -> tuple[str, ...]:
        """A comma-separated list, each value one of `allowed` when given; () when absent."""
        values = tuple(v.strip() for v in (self.text(name) or "").split(",") if v.strip())
        if allowed is not None:
            known = tuple(allowed)
            bad = [v for v in values if v not in known]
            if bad:
                raise BadParameter(name, f"{bad[0]!r} is not one of {', '.join(known)}")
        return values

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        """One of the allowed values, or the default when absent."""
        values = self.choices(name, allowed)
        if len(values) > 1:
            raise BadParameter(name, "takes one value")
        return values[0] if values else default

    def boolean(self, name: str) -> bool | None:
        """true or false, or None when absent."""
        value = self.text(name)
        if value is None:
            return None
        if value.lower() not in ("true", "false"):
            raise BadParameter(name, f"must be true or false, got {value!r}")
        return value.lower() == "true"

    def moment(self, name: str) -> dt.datetime | None:
        """An ISO 8601 date or datetime (naive = UTC, a date = its start), or None when absent."""
        value = self.text(name)
        if value is None:
            return None
        try:
            return moment(value)
        except (ValueError, OverflowError):
            raise BadParameter(name, f"must be an ISO 8601 date or datetime (e.g. 2026-11-01 or "
                                     f"2026-11-01T02:00:00Z; write '+' as %2B), got {value!r}") from None

    def span(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        """since and until: [since, until), until after since when both are given."""
        since, until = self.moment("since"), self.moment("until")
        if since is not None and until is not None and until <= since:
            raise BadParameter("until", "must be later than since")
        return since, until


def encode_cursor(queued_at: dt.datetime, run_id: int) -> str:
    """The opaque cursor after a run: its queue time and id."""
    raw = f"{queued_at.astimezone(UTC).isoformat()}|{run_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(value: str | None) -> tuple[dt.datetime, int] | None:
    """The (queue time, id) of an opaque cursor, or None when absent; 400 naming `cursor` when it is not one."""
    if value is None:
        return None
    try:
        text = base64.urlsafe_b64decode((value + "=" * (-len(value) % 4)).encode("ascii")).decode()
        at, run_id = text.split("|")
        queued_at = dt.datetime.fromisoformat(at)
        if queued_at.tzinfo is None or not run_id.isascii() or not run_id.isdigit() or int(run_id) > MAX_ID:
            raise ValueError(text)
        return queued_at, int(run_id)
    except (ValueError, UnicodeError, binascii.Error):
        raise BadParameter("cursor", "is not a cursor this API gave out (use the `next` URL as it is)") from None


def json_body(allowed: Iterable[str]) -> dict[str, Any]:
    """The request's JSON object body (empty when there is none); 400 when it is not one or has unknown fields."""
    if not flask.request.get_data():
        return {}
    body = flask.request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "the body must be a JSON object", "bad_body")
    known = tuple(allowed)
    for name in body:
        if name not in known:
            raise BadParameter(name, f"unknown field (known: {', '.join(known)})")
    return body


def configured_source(body: dict[str, Any]) -> str:
    """The body's `source`: the name of a configured source, else a 400 naming the field and the known ones."""
    source = body.get("source")
    if not isinstance(source, str) or not source:
        raise BadParameter("source", "the name of a configured source is required")
    try:
        context.settings().source(source)
    except ConfigError:
        known = ", ".join(context.source_names())
        raise BadParameter("source", f"there is no source named {source!r} (configured: {known})") from None
    return source


def mutating(action: Action) -> Actor:
    """The actor allowed to take the action; a signed-in browser must send JSON (a cross-site form cannot)."""
    actor = acting(action)
    if actor.kind == "user" and not flask.request.is_json:
        raise ApiError(415, "a request signed in by session cookie must be sent as application/json "
                            "(or authenticate with an API token)")
    return actor
