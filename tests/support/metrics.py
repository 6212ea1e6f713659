"""Reading GET /metrics as Prometheus does (prometheus_client's parser), and the values the store implies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

import app
from potrack.store.run_history import DURATION_BUCKETS

Labels = frozenset[tuple[str, str]]


def labels(**pairs: str) -> Labels:
    """A sample's label set."""
    return frozenset(pairs.items())


def scrape(client: Any = None, headers: dict[str, str] | None = None) -> dict[str, dict[Labels, float]]:
    """GET /metrics, which must answer 200 in the text format: sample name → {labels: value}."""
    answer = (client or app.server.test_client()).get("/metrics", headers=headers or {})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.mimetype == "text/plain" and answer.headers["Cache-Control"] == "no-store"
    samples: dict[str, dict[Labels, float]] = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            samples.setdefault(sample.name, {})[labels(**sample.labels)] = sample.value
    return samples


def unix(stored: str | dt.datetime) -> float:
    """A time as the store's column holds it, naive UTC (SQLite hands it back as text), in Unix seconds."""
    at = stored if isinstance(stored, dt.datetime) else dt.datetime.fromisoformat(stored)
    assert at.tzinfo is None
    return at.replace(tzinfo=dt.UTC).timestamp()


def buckets(source: str, durations: list[float]) -> dict[Labels, float]:
    """The duration histogram's bucket samples for runs of these durations: how many took at most each bound."""
    found = {labels(source=source, le=str(bound)): sum(d <= bound for d in durations) for bound in DURATION_BUCKETS}
    return {**found, labels(source=source, le="+Inf"): len(durations)}
