"""The in-process APScheduler of one app instance: cron jobs that queue runs, the dispatcher, the stale-run check,
alert evaluation, and the leases that decide which instance runs the cron jobs (jobs/leadership.py)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from jobs.alerting import EVALUATE_EVERY_S, Alerting, start_alerting
from jobs.dispatcher import Dispatcher
from jobs.leadership import Leadership
from potrack.clock import utcnow
from potrack.pipeline.runner import Pipeline
from potrack.runtime import Runtime
from potrack.store import leases, runs

log = logging.getLogger("potrack.jobs")
MISFIRE_GRACE_S = 3600
DISPATCH_EVERY_S = 3.0
FORGET_INSTANCES_AFTER = dt.timedelta(days=7)
JOB_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_S}


def queue_scheduled_run(engine: sa.Engine, source: str) -> int | None:
    """A source's cron job: queue a run (trigger schedule) unless one is queued or running; returns its id."""
    run_id, queued = runs.queue_run_unless_active(engine, source, "schedule")
    if not queued:
        log.warning("%s: scheduled run skipped, run #%s is still queued or running", source, run_id)
        return None
    log.info("%s: scheduled run #%s queued", source, run_id)
    return run_id


def abandon_stale(engine: sa.Engine) -> list[int]:
    """The leader's check at every lease renewal: mark running runs whose heartbeat stopped, or whose instance is
    gone, as abandoned (each logged with its reason); forget instances dead for a week."""
    abandoned = runs.abandon_stale_runs(engine)
    leases.forget_dead_instances(engine, FORGET_INSTANCES_AFTER)
    return abandoned


def build_scheduler(
    runtime: Runtime, dispatch_every_s: float = DISPATCH_EVERY_S, leadership: Leadership | None = None
) -> BackgroundScheduler:
    """A scheduler with every job added, not yet started; cron expressions are read in POTRACK_TIMEZONE, each
    source's trigger the one built and checked when the settings were loaded.

    The cron jobs and the stale check run only while this instance holds the scheduler lease; every live
    instance executes queued runs. The stale check runs as often as the leases are renewed, so the runs of a
    dead instance are abandoned soon after its lease expires.
    """
    settings = runtime.settings
    lead = leadership or Leadership(runtime.engine, settings.lease_ttl_s)
    scheduler = BackgroundScheduler(timezone=settings.zone)
    for src in settings.sources:
        if src.upload_only:  # its schedule says when a file is expected (health), not when to read one
            continue
        scheduler.add_job(
            lead.leader_only(queue_scheduled_run),
            settings.trigger(src),
            args=(runtime.engine, src.name),
            id=f"schedule:{src.name}",
            name=f"queue a scheduled run of {src.name} ({src.schedule})",
            **JOB_OPTIONS,
        )
    dispatcher = Dispatcher(Pipeline(runtime.settings, runtime.engine, instance_id=lead.instance_id), lead.alive)
    now = utcnow()
    scheduler.add_job(
        lead.renew,
        "interval",
        seconds=lead.renew_every_s,
        id="leases",
        name="renew this instance's leases",
        next_run_time=now,
        **JOB_OPTIONS,
    )
    scheduler.add_job(
        dispatcher.dispatch,
        "interval",
        seconds=dispatch_every_s,
        id="dispatch",
        name="execute queued runs",
        next_run_time=now,
        **JOB_OPTIONS,
    )
    scheduler.add_job(
        lead.leader_only(abandon_stale),
        "interval",
        seconds=lead.renew_every_s,
        args=(runtime.engine,),
        id="abandon-stale",
        name="abandon runs whose heartbeat stopped",
        next_run_time=now,
        **JOB_OPTIONS,
    )
    return scheduler


@dataclass
class RunningScheduler:
    """One app instance's started scheduler with its leases and alerting."""

    scheduler: BackgroundScheduler
    leadership: Leadership
    alerting: Alerting

    def stop(self) -> None:
        """Stop the jobs and alerting, then give the leases up so another instance takes over at once."""
        self.scheduler.shutdown(wait=False)
        self.alerting.stop()
        self.leadership.release()
        log.info("scheduler of instance %s stopped", self.leadership.instance_id)


def start_scheduler(runtime: Runtime) -> RunningScheduler:
    """Build and start the scheduler with alerting (the app does this when it serves, never on import)."""
    leadership = Leadership(runtime.engine, runtime.settings.lease_ttl_s)
    leadership.renew()  # this instance's lease exists before it claims a run
    scheduler = build_scheduler(runtime, leadership=leadership)
    alerting = start_alerting(runtime)
    scheduler.add_job(
        leadership.leader_only(alerting.evaluate),
        "interval",
        seconds=EVALUATE_EVERY_S,
        id="alerts",
        name="evaluate the alert rules of every source",
        next_run_time=utcnow(),
        **JOB_OPTIONS,
    )
    scheduler.start()
    log.info(
        "scheduler started in instance %s: %s",
        leadership.instance_id,
        ", ".join(job.name for job in scheduler.get_jobs()),
    )
    return RunningScheduler(scheduler, leadership, alerting)
