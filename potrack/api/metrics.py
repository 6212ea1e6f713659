"""GET /metrics: the store's runs and alerts in Prometheus's text format.

A custom collector reads the store on every scrape (no counters in this process), so every app instance reports
the same numbers. The series cover the configured sources, as /api/health does. With POTRACK_METRICS_TOKEN set, a
scrape needs `Authorization: Bearer <token>`; without it /metrics is public.
"""

from __future__ import annotations

import hmac
import logging
from collections import Counter
from collections.abc import Iterator, Sequence

import flask
import sqlalchemy as sa
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.utils import floatToGoString

from potrack import runtime
from potrack.api.contract import endpoint
from potrack.api.errors import error_response
from potrack.store.models import ALERT_RULES
from potrack.store.run_history import DURATION_BUCKETS, StoreMetrics, read_metrics

log = logging.getLogger("potrack.api")
TEXT = {CONTENT_TYPE_PLAIN_0_0_4: {"type": "string", "description": "Prometheus's text format 0.0.4."}}
SNAPSHOTS = "row_retry runs (a few failed rows re-read, not a snapshot) are left out, as on the dashboard"


class StoreCollector:
    """A prometheus_client collector: every potrack_* family from one read of the store."""

    def __init__(self, engine: sa.Engine, sources: Sequence[str]) -> None:
        self.engine = engine
        self.sources = list(sources)

    def collect(self) -> Iterator[Metric]:
        """Read the store, then yield the families."""
        with self.engine.connect() as conn:
            found = read_metrics(conn, self.sources)
        yield from _run_families(found)
        yield _durations(found)
        yield from _latest_run_families(found)
        yield _alerts(found, self.sources)


def _run_families(found: StoreMetrics) -> Iterator[Metric]:
    """potrack_runs_total and potrack_last_run_timestamp_seconds, per source and final status."""
    runs = CounterMetricFamily(
        "potrack_runs_total",
        "Finished runs per source and final status (success, partial, failed, abandoned; "
        f"0 until one ends so); queued and running runs are not counted, and {SNAPSHOTS}.",
        labels=("source", "status"),
    )
    last = GaugeMetricFamily(
        "potrack_last_run_timestamp_seconds",
        "Unix time the latest finished run of the source with this status "
        f"finished; absent until there is one; {SNAPSHOTS}.",
        labels=("source", "status"),
    )
    for count in found.counts:
        runs.add_metric((count.source, count.status), count.runs)
        if count.last_finished_at is not None:
            # Aware UTC: the store's UTCDateTime type returns its naive UTC values so, never as local time.
            last.add_metric((count.source, count.status), count.last_finished_at.timestamp())
    yield runs
    yield last


def _durations(found: StoreMetrics) -> HistogramMetricFamily:
    """potrack_run_duration_seconds per source, as counted in SQL."""
    family = HistogramMetricFamily(
        "potrack_run_duration_seconds",
        f"How long finished runs took, per source; abandoned runs have no duration; {SNAPSHOTS}.",
        labels=("source",),
    )
    for hist in found.durations:
        buckets = [(floatToGoString(bound), n) for bound, n in zip(DURATION_BUCKETS, hist.at_most, strict=True)]
        family.add_metric((hist.source,), [*buckets, ("+Inf", hist.count)], hist.sum_s)
    return family


def _latest_run_families(found: StoreMetrics) -> Iterator[Metric]:
    """Gauges of each source's latest completed run and latest finished run."""
    success = GaugeMetricFamily(
        "potrack_last_success_timestamp_seconds",
        "Unix time the source's latest completed run (success or partial: "
        f"its data was committed, as the stale-data rule reads it) finished; 0 when there is none; {SNAPSHOTS}.",
        labels=("source",),
    )
    lines = GaugeMetricFamily(
        "potrack_lines_processed",
        "Lines the source's latest finished run read from the source (0 when it failed "
        f"before reading any); absent until a run finished; {SNAPSHOTS}.",
        labels=("source",),
    )
    gaps = GaugeMetricFamily(
        "potrack_xref_gaps",
        "Distinct item codes without an xref mapping in the source's latest finished run (its "
        f"xref gaps, as the run card shows them); absent until a run finished; {SNAPSHOTS}.",
        labels=("source",),
    )
    for status in found.latest:
        ok, last = status.last_ok, status.last
        success.add_metric((status.source,), 0 if ok is None else (ok.finished_at or ok.queued_at).timestamp())
        if last is not None:
            lines.add_metric((status.source,), last.lines_processed)
            gaps.add_metric((status.source,), last.xref_gaps)
    yield from (success, lines, gaps)


def _alerts(found: StoreMetrics, sources: Sequence[str]) -> GaugeMetricFamily:
    """potrack_alerts_firing for every source and rule, 0 when not firing."""
    family = GaugeMetricFamily(
        "potrack_alerts_firing",
        "1 while the alert of this rule fires for the source, else 0 (at most one alert fires per source and rule).",
        labels=("source", "rule"),
    )
    firing = Counter((alert.source, alert.rule) for alert in found.firing)
    for source in sources:
        for rule in ALERT_RULES:
            family.add_metric((source, rule), firing[(source, rule)])
    return family


def _refusal(token: str | None) -> flask.Response | None:
    """401 when a metrics token is configured and the request does not carry it as its bearer token."""
    if token is None:
        return None
    scheme, _, sent = flask.request.headers.get("Authorization", "").partition(" ")
    # Bytes: compare_digest refuses str with non-ASCII characters; constant time either way.
    if scheme.lower() == "bearer" and hmac.compare_digest(sent.strip().encode(), token.encode()):
        return None
    log.warning("GET /metrics from %s refused: no or a wrong metrics token", flask.request.remote_addr or "unknown")
    response = error_response(
        401,
        "unauthorized",
        "the metrics token is required: send "
        "'Authorization: Bearer <token>' with the token POTRACK_METRICS_TOKEN holds",
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="potrack metrics"'
    return response


@endpoint(TEXT, answers={200: "The metrics.", 401: "POTRACK_METRICS_TOKEN is set and the request did not send it."})
def metrics() -> flask.Response:
    """Prometheus metrics.

    Runs, durations, latest runs and firing alerts of the configured sources in Prometheus's text format (0.0.4),
    read from the store on every scrape. Public unless POTRACK_METRICS_TOKEN is set; then `Authorization: Bearer
    <token>` is required. Takes no query parameters."""
    refused = _refusal(runtime.settings().metrics_token)
    if refused is not None:
        return refused
    body = generate_latest(StoreCollector(runtime.engine(), runtime.source_names()))
    response = flask.Response(body, content_type=CONTENT_TYPE_PLAIN_0_0_4)
    response.headers["Cache-Control"] = "no-store"
    return response
