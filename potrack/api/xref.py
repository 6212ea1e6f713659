"""/api/xref: the unmapped item codes with their lifecycle (costliest first), and mapping a code to a part."""

from __future__ import annotations

from typing import Any

import flask

from potrack import actions, runtime
from potrack.api.contract import endpoint
from potrack.api.models import GapsQuery, MappingBody
from potrack.api.responses import GapPage, MappingCreated
from potrack.api.serialize import page_json, plain
from potrack.auth.roles import Action, Actor
from potrack.store.xref import Gap, GapFilter, list_gaps
from potrack.xref_wording import gap_resolution, mapping_verdict


def gap_json(gap: Gap) -> dict[str, Any]:
    """A gap as the API lists it, with where it stands in words and the mapping made in potrack, if any."""
    body: dict[str, Any] = plain(gap)
    body["state"] = "open" if gap.is_open else "resolved"
    body["resolution"] = gap_resolution(gap)
    body["mapping"] = None if gap.mapping is None else {**plain(gap.mapping), "verdict": mapping_verdict(gap.mapping)}
    return body


@endpoint(GapPage, query=GapsQuery, answers={200: "A page of gaps."})
def list_xref_gaps(query: GapsQuery) -> flask.Response:
    """List unmapped item codes (xref gaps).

    Every item code a completed run left unmapped, per source, with its lifecycle: first and last seen, nights
    open, lines and open value now, when it was resolved, and the mapping made in potrack if any. Costliest (open
    value) first."""
    found = runtime.read(list_gaps, GapFilter(query.source, query.state), query.page, query.per_page, tz=runtime.zone())
    body = page_json([], found.total, found.page, found.pages, found.per_page)
    return flask.jsonify({**body, "results": [gap_json(g) for g in found.gaps]})


@endpoint(MappingCreated, body=MappingBody, action=Action.MAP_ITEM_CODES, answers={201: "The mapping."})
def add_mapping(body: MappingBody, actor: Actor) -> flask.Response:
    """Map an item code to an internal part.

    Stores (or changes) the mapping of a source's item code; audited as xref.mapped. It applies from the source's
    next run and wins over the source's own xref."""
    mapping = actions.map_item_code(actor, body.source, body.item_code, body.internal_part_id).mapping
    response = flask.jsonify({"mapping": {**plain(mapping), "verdict": mapping_verdict(mapping)}})
    response.status_code = 201
    return response
