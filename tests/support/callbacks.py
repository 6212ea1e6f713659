"""Dash callbacks from tests: POSTed to /_dash-update-component as the renderer sends them, or called as plain
functions with the callback context (which input fired) set; and failed rows written straight into a store."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from dash._callback_context import context_value
from dash._utils import AttributeDict

from potrack.pipeline.outcome import Rejection
from potrack.store import runs
from potrack.store.models import FailedRow, Run
from tests.support.web import add_run

NOT_SENT = object()
UPDATE = "/_dash-update-component"


def id_text(component_id: Any) -> str:
    """A component id as the renderer writes it in prop ids: dict ids as JSON with sorted keys, no spaces."""
    if isinstance(component_id, dict):
        return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
    return str(component_id)


def prop(component_id: Any, name: str, value: Any = NOT_SENT) -> dict[str, Any]:
    """One output, input or state entry of a callback request (outputs carry no value)."""
    entry = {"id": component_id, "property": name}
    return entry if value is NOT_SENT else {**entry, "value": value}


def dependency(client: Any, input_id: Any) -> dict[str, Any]:
    """The callback with this input (its id as declared, wildcards included), read from /_dash-dependencies as the
    renderer reads it."""
    wanted = id_text(input_id)
    found = [d for d in client.get("/_dash-dependencies").get_json() if any(i["id"] == wanted for i in d["inputs"])]
    assert len(found) == 1, f"{len(found)} callbacks take {wanted}"
    return found[0]


def callback_body(
    client: Any,
    declared_input: Any,
    outputs: list[Any],
    inputs: list[Any],
    state: list[Any],
    changed: list[tuple[Any, str]],
) -> dict[str, Any]:
    """One callback call as Dash's renderer POSTs it to UPDATE: the callback's output key from its dependencies
    (read with a signed-in client), the concrete outputs, inputs and state, and which props changed."""
    return {
        "output": dependency(client, declared_input)["output"],
        "outputs": outputs,
        "inputs": inputs,
        "state": state,
        "changedPropIds": [f"{id_text(i)}.{name}" for i, name in changed],
    }


def response_props(answer: Any, component_id: Any) -> dict[str, Any]:
    """The props a callback response sets on one component."""
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return answer.get_json()["response"][id_text(component_id)]


@contextlib.contextmanager
def triggered_by(component_id: Any, name: str, value: Any) -> Iterator[None]:
    """Call a callback as a function as if `component_id.name` had just changed to `value` (sets dash.ctx)."""
    token = context_value.set(
        AttributeDict(triggered_inputs=[{"prop_id": f"{id_text(component_id)}.{name}", "value": value}])
    )
    try:
        yield
    finally:
        context_value.reset(token)


def partial_run_with_rows(engine: sa.Engine, count: int, source: str = "demo", **values: Any) -> tuple[int, list[int]]:
    """A partial run with `count` rejected rows (keys PO-<n>/1); returns the run id and the failed row ids."""
    run_id = add_run(engine, source=source, status="partial", errors=count, **values)
    rejections = [
        Rejection(
            "validate",
            f"PO-{n}/1",
            {"po_number": f"PO-{n}", "line_number": 1, "quantity_ordered": "n/a"},
            "quantity_ordered: not a number: 'n/a'",
        )
        for n in range(count)
    ]
    with engine.begin() as conn:
        runs.save_failed_rows(conn, run_id, source, rejections)
        ids = conn.execute(sa.select(FailedRow.id).where(FailedRow.run_id == run_id).order_by(FailedRow.id)).scalars()
        return run_id, list(ids)


def run_rows(engine: sa.Engine) -> list[sa.Row[Any]]:
    """Every run's id, trigger, status, retry_of and requested_by, oldest first."""
    with engine.connect() as conn:
        return conn.execute(
            sa.select(Run.id, Run.trigger, Run.status, Run.retry_of, Run.requested_by).order_by(Run.id)
        ).all()
