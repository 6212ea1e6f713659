"""/api/xref: the unmapped item codes with their lifecycle (costliest first), and mapping a code to a part."""

from __future__ import annotations

from typing import Any

import flask

from potrack.api.errors import BadParameter
from potrack.api.params import Query, configured_source, json_body, mutating
from potrack.api.serialize import page_json, plain
from potrack.auth.roles import Action
from potrack.store.xref import GAP_STATES, Gap, GapFilter, MappingRefused, list_gaps, map_item_code
from potrack.web import context

MAX_PER_PAGE = 500


def gap_json(gap: Gap) -> dict[str, Any]:
    """A gap as the API lists it, with where it stands in words and the mapping made in potrack, if any."""
    body = plain(gap)
    body["state"] = "open" if gap.is_open else "resolved"
    body["resolution"] = gap.resolution
    body["mapping"] = None if gap.mapping is None else {**plain(gap.mapping), "verdict": gap.mapping.verdict}
    return body


def list_xref_gaps() -> flask.Response:
    """GET /api/xref/gaps: unmapped item codes of a source (or all), open, resolved or all, by open value."""
    query = Query(("source", "state", "page", "per_page"))
    flt = GapFilter(query.text("source"), query.choice("state", GAP_STATES, "open"))
    page, per_page = query.page(50, MAX_PER_PAGE)
    found = context.read(list_gaps, flt, page, per_page)
    body = page_json([], found.total, found.page, found.pages, found.per_page)
    return flask.jsonify({**body, "results": [gap_json(g) for g in found.gaps]})


def add_mapping() -> flask.Response:
    """POST /api/xref/mappings {"source", "item_code", "internal_part_id"}: map a code (operator); it applies from
    the source's next run and wins over the source's own xref. 201 with the mapping."""
    Query()
    actor = mutating(Action.MAP_ITEM_CODES)
    body = json_body(("source", "item_code", "internal_part_id"))
    source = configured_source(body)
    try:
        mapping = map_item_code(context.engine(), source, body.get("item_code"), body.get("internal_part_id"),
                                actor.label).mapping
    except MappingRefused as exc:
        raise BadParameter(exc.field, str(exc).removeprefix(f"{exc.field}: ")) from None
    response = flask.jsonify({"mapping": {**plain(mapping), "verdict": mapping.verdict}})
    response.status_code = 201
    return response
