"""A month of believable history for a fresh demo install, made by the real pipeline over simulated nights.

Only for the built-in configuration (no potrack.toml) and an empty store. Nights 0..29 of the demo ERP
run as scheduled runs dated at the schedule's last 30 fire times; the ERP is unreachable on two nights in
a row, flaky on one (retries, then success), and some nights carry bad rows (partial runs).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.config import RetryPolicy, Settings, SourceConfig, default_sources, time_zone
from potrack.pipeline.runner import Pipeline, RunReport
from potrack.schedule import fires_between
from potrack.sources.demo import HISTORY_NIGHTS, DemoSource
from potrack.store import leases
from potrack.store.models import ReceiptBatch, RetryAttempt, Run

log = logging.getLogger("potrack.demo_history")
RUN_LOG = logging.getLogger("potrack.pipeline")
EVENT_LOG = logging.getLogger("potrack.events")  # each run's "Event published" lines
UNREACHABLE_NIGHTS = (17, 18)
FLAKY_NIGHTS = (8,)
OUTAGE_RETRY = RetryPolicy(attempts=3, backoff_initial_s=0.05, backoff_max_s=0.1)  # seconds, not minutes
REQUESTED_BY = "demo-history"
LEASE = "demo-history"
LEASE_TIME = dt.timedelta(hours=1)


def wanted(settings: Settings, engine: sa.Engine) -> bool:
    """Whether to build the history: the built-in demo configuration and a store without runs."""
    if settings.config_path is not None or settings.sources != default_sources():
        return False
    with engine.connect() as conn:
        return conn.execute(sa.select(Run.id).limit(1)).first() is None


def build_once(settings: Settings, engine: sa.Engine, holder: str) -> list[RunReport]:
    """Build the history when wanted, in one app instance only: the one that takes the store's lease for it."""
    if not wanted(settings, engine) or not leases.acquire(engine, LEASE, holder, LEASE_TIME):
        return []
    try:
        return build(settings, engine) if wanted(settings, engine) else []
    finally:
        leases.release(engine, LEASE, holder)


def _night_config(cfg: SourceConfig, night: int) -> SourceConfig:
    """The source as it behaves on a night: unreachable, flaky, or as configured."""
    fail = "unreachable" if night in UNREACHABLE_NIGHTS else "flaky" if night in FLAKY_NIGHTS else cfg.demo.fail
    if fail == cfg.demo.fail:
        return cfg
    return dataclasses.replace(cfg, demo=dataclasses.replace(cfg.demo, fail=fail), retry=OUTAGE_RETRY)


def _night_source(instance_dir: Path, night: int, start: dt.date) -> Callable[[SourceConfig], DemoSource]:
    """A source factory giving the demo ERP as it was on one night."""
    return lambda cfg: DemoSource(cfg, instance_dir, night=night, start=start)


def build(
    settings: Settings, engine: sa.Engine, nights: int = HISTORY_NIGHTS, now: dt.datetime | None = None
) -> list[RunReport]:
    """Run every demo source over its last `nights` scheduled nights; returns the reports, oldest first."""
    now = now or utcnow()
    tz = time_zone(settings.timezone)
    reports = []
    for cfg in (s for s in settings.sources if s.kind == "demo"):
        fires = fires_between(cfg.schedule, tz, now - dt.timedelta(days=nights + 1), now)[-nights:]
        start = fires[0].astimezone(dt.UTC).date()
        log.info("building the demo history of %s: %s nights from %s", cfg.name, len(fires), start)
        began = time.monotonic()
        with _runs_unlogged():
            for night, fire in enumerate(fires):
                pipeline = Pipeline(
                    dataclasses.replace(settings, sources=(_night_config(cfg, night),)),
                    engine,
                    source_factory=_night_source(settings.instance_dir, night, start),
                )
                report = pipeline.run(cfg.name, trigger="schedule", requested_by=REQUESTED_BY)
                move_run_in_time(engine, report.run_id, fire)
                reports.append(report)
        outcomes = Counter(r.status for r in reports[-len(fires) :])
        log.info(
            "built the demo history of %s in %.1f s: %s (its outages and bad rows are simulated; see /runs)",
            cfg.name,
            time.monotonic() - began,
            ", ".join(f"{count} {status}" for status, count in sorted(outcomes.items())),
        )
    return reports


@contextmanager
def _runs_unlogged() -> Iterator[None]:
    """Leave the simulated nights' run and event lines out of the log while this thread builds them: a new user's
    console would open on 70 lines of deliberate outages (WARNING, ERROR) and published events before the start
    banner. Other threads' runs still log; every simulated run is in the store, on /runs."""
    builder = threading.get_ident()

    def other_threads(record: logging.LogRecord) -> bool:
        return record.thread != builder

    for logger in (RUN_LOG, EVENT_LOG):
        logger.addFilter(other_threads)
    try:
        yield
    finally:
        for logger in (RUN_LOG, EVENT_LOG):
            logger.removeFilter(other_threads)


def move_run_in_time(engine: sa.Engine, run_id: int, queued_at: dt.datetime) -> None:
    """Re-date a simulated run (the demo history) to a queue time; its spans keep their lengths."""
    with engine.begin() as conn:
        times = (
            conn.execute(
                sa.select(Run.queued_at, Run.started_at, Run.finished_at, Run.heartbeat_at).where(Run.id == run_id)
            )
            .one()
            ._asdict()
        )
        shift = queued_at - times["queued_at"]
        conn.execute(
            sa.update(Run).where(Run.id == run_id).values({k: v + shift for k, v in times.items() if v is not None})
        )
        for model, column in ((RetryAttempt, RetryAttempt.at), (ReceiptBatch, ReceiptBatch.received_at)):
            rows = conn.execute(sa.select(model.id, column).where(model.run_id == run_id)).all()
            if rows:
                conn.execute(
                    sa.update(model).where(model.id == sa.bindparam("b_id")).values({column.key: sa.bindparam("b_at")}),
                    [{"b_id": i, "b_at": at + shift} for i, at in rows],
                )
