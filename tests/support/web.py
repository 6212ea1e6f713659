"""Helpers for the dashboard tests: runs written straight into a real store, and the text of Dash components."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from dash import dcc, html
from dash.development.base_component import Component

import app
from potrack.clock import utcnow
from potrack.runtime import Runtime, start
from potrack.store import liveness, runs
from potrack.store.models import Run
from tests.support.fragments import markup, read
from tests.support.personas import add_personas

UTC = dt.UTC
# The liveness locks of "running" runs added by a test, held as their process would hold them, until the test ends.
live_runs = contextlib.ExitStack()


def add_run(
    engine: sa.Engine,
    source: str = "demo",
    status: str = "success",
    queued_at: dt.datetime | None = None,
    duration_s: float | None = 1.0,
    alive: bool = True,
    **values: Any,
) -> int:
    """Insert a run as the pipeline would have left it; started/finished follow queued_at unless given.

    A running run's liveness lock is held until the test ends, as a live process executing it would hold it;
    `alive=False` leaves it free, as after that process died.
    """
    queued = queued_at or utcnow()
    finished = status not in ("queued", "running")
    row = {
        "source": source,
        "trigger": "schedule",
        "status": status,
        "baseline": False,
        "queued_at": queued,
        "started_at": None if status == "queued" else queued,
        "finished_at": queued + dt.timedelta(seconds=duration_s or 0) if finished else None,
        "duration_s": duration_s if finished else None,
        "heartbeat_at": queued,
        **values,
    }
    with engine.begin() as conn:
        run_id = int(conn.execute(sa.insert(Run).values(**row).returning(Run.id)).scalar_one())
    if status == "running" and alive:
        assert live_runs.enter_context(liveness.held(engine, run_id)), f"run #{run_id}'s liveness lock is taken"
    return run_id


def claim_alive(engine: sa.Engine, run_id: int, claimed_by: str | None = None) -> bool:
    """Claim a queued run as a live process would: holding its liveness lock until the test ends."""
    assert live_runs.enter_context(liveness.held(engine, run_id)), f"run #{run_id}'s liveness lock is taken"
    return runs.claim_run(engine, run_id, claimed_by)


def texts(node: Any) -> list[str]:
    """Every string and number in a component tree, depth first; a pre-rendered fragment's (pages/_components
    .fragment) text as the browser shows it."""
    if isinstance(node, Component) and markup(node) is not None:
        return read(node).words
    if isinstance(node, Component):
        return texts(getattr(node, "children", None))
    if isinstance(node, (list, tuple)):
        return [t for child in node for t in texts(child)]
    if isinstance(node, (str, int, float)) and not isinstance(node, bool):
        return [str(node)]
    return []


def text(node: Any) -> str:
    """The visible text of a component tree, joined by single spaces."""
    return " ".join(" ".join(texts(node)).split())


def find_all(node: Any, predicate: Any) -> list[Component]:
    """Every component in a tree for which predicate(component) holds."""
    found = []
    if isinstance(node, Component):
        if predicate(node):
            found.append(node)
        node = getattr(node, "children", None)
    if isinstance(node, (list, tuple)):
        for child in node:
            found.extend(find_all(child, predicate))
    elif isinstance(node, Component):
        found.extend(find_all(node, predicate))
    return found


def links(node: Any) -> list[tuple[str, str]]:
    """Every link of a component tree as (text, address): dcc.Link components and the links of pre-rendered
    fragments, in the order they appear."""
    found = find_all(node, lambda c: isinstance(c, dcc.Link) or markup(c) is not None)
    return [pair for c in found for pair in (read(c).links if markup(c) is not None else [(text(c), c.href)])]


def find_by_id(node: Any, component_id: Any) -> Component:
    """The one component with this id anywhere in a tree (rather than a walk such as .children.children[1])."""
    matches = find_all(node, lambda c: getattr(c, "id", None) == component_id)
    assert len(matches) == 1, f"{len(matches)} components with id {component_id!r}"
    return matches[0]


def body_rows(node: Any) -> list[Component]:
    """The rows (html.Tr) of the one outermost table body (html.Tbody) in a tree: a table's lines without its header
    (a table nested in a cell is part of its row)."""
    bodies = _outermost(node, lambda c: isinstance(c, html.Tbody))
    if not bodies:  # a table drawn as one pre-rendered fragment: its rows, each cell as its text
        tables = _outermost(node, lambda c: "<tbody>" in (markup(c) or ""))
        assert len(tables) == 1, f"{len(tables)} table fragments"
        return [html.Tr([html.Td(cell) for cell in row]) for row in read(tables[0]).rows[1:]]
    assert len(bodies) == 1, f"{len(bodies)} table bodies"
    rows = bodies[0].children
    return list(rows) if isinstance(rows, (list, tuple)) else [rows]


def _outermost(node: Any, predicate: Any) -> list[Component]:
    """The components for which predicate holds that are not inside another one."""
    if isinstance(node, Component):
        if predicate(node):
            return [node]
        node = getattr(node, "children", None)
    if isinstance(node, (list, tuple)):
        return [found for child in node for found in _outermost(child, predicate)]
    if isinstance(node, Component):
        return _outermost(node, predicate)
    return []


START = dt.date(2026, 10, 1)


def demo_run(runtime: Any, night: int, fail: str = "none", lines: int = 300) -> Any:
    """Run the real pipeline over one night of a small demo ERP (night 4 carries bad rows); returns the report."""
    import dataclasses

    from potrack.config import RetryPolicy
    from potrack.pipeline.runner import Pipeline
    from potrack.sources.demo import DemoSource

    cfg = runtime.settings.source("demo")
    cfg = dataclasses.replace(
        cfg,
        demo=dataclasses.replace(cfg.demo, lines=lines, fail=fail),
        retry=RetryPolicy(attempts=3, backoff_initial_s=0.01, backoff_max_s=0.02),
    )
    settings = dataclasses.replace(runtime.settings, sources=(cfg,))
    pipeline = Pipeline(
        settings,
        runtime.engine,
        source_factory=lambda c: DemoSource(c, settings.instance_dir, night=night, start=START),
    )
    return pipeline.run("demo", trigger="schedule")


def of_type(node: Any, kind: str) -> list[Component]:
    """Every component with a pattern-matching id of this type ({"type": kind, ...})."""
    return find_all(node, lambda c: isinstance(getattr(c, "id", None), dict) and c.id.get("type") == kind)


@pytest.fixture
def web(workdir: Path) -> Runtime:
    """The pages' runtime: a fresh store of the built-in demo configuration with the three personas
    (tests/support/personas.py), installed as the app's."""
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    return runtime


def routed_page(client: Any, path: str) -> Any:
    """POST Dash pages' routing callback as a browser opening `path` does; the response (its JSON holds the page's
    layout under response._pages_content.children)."""
    body = {
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": path},
            {"id": "_pages_location", "property": "search", "value": ""},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }
    return client.post("/_dash-update-component", json=body)
