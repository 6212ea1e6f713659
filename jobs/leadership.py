"""Which app instance runs the scheduled jobs: the holder of the store's `scheduler` lease.

Every instance renews its own sign-of-life lease and tries for the scheduler lease every third of the
lease time; the cron jobs, the stale-run check and the alert evaluation run only in the holder. Queued
runs are executed by any live instance (the claim is a conditional UPDATE). A dead leader's lease
expires and the next instance to renew takes it over, within one lease time.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from potrack.clock import utcnow
from potrack.redact import safe_reason
from potrack.store import leases

log = logging.getLogger("potrack.jobs.leadership")


class Leadership:
    """One app instance's leases: its sign of life and, when it wins it, the scheduler's."""

    def __init__(self, engine: sa.Engine, ttl_s: float, instance_id: str | None = None) -> None:
        self.engine = engine
        self.ttl = dt.timedelta(seconds=ttl_s)
        self.instance_id = instance_id or leases.new_instance_id()
        self._lock = threading.Lock()
        self._alive_until: dt.datetime | None = None
        self._leading = False

    @property
    def renew_every_s(self) -> float:
        """How often the leases are renewed: three chances before they expire."""
        return self.ttl.total_seconds() / 3

    def renew(self) -> bool:
        """Renew this instance's lease and try for the scheduler's; returns whether this instance leads."""
        started = utcnow()
        try:
            leases.acquire(self.engine, leases.instance_lease(self.instance_id), self.instance_id, self.ttl)
            leading = leases.acquire(self.engine, leases.SCHEDULER, self.instance_id, self.ttl)
        except sa.exc.SQLAlchemyError as exc:  # the store is unreachable: try again at the next renewal
            log.error("instance %s could not renew its leases: %s", self.instance_id, safe_reason(exc))
            return False
        with self._lock:
            self._alive_until = started + self.ttl
            if leading != self._leading:  # taking the lead is how every start begins; losing it is not
                log.log(
                    logging.INFO if leading else logging.WARNING,
                    "instance %s %s the scheduler",
                    self.instance_id,
                    "now runs" if leading else "no longer runs",
                )
            self._leading = leading
        return leading

    def alive(self) -> bool:
        """Whether this instance's lease is surely still valid (a run it claims will not be taken for dead)."""
        with self._lock:
            return self._alive_until is not None and utcnow() < self._alive_until - self.ttl / 3

    def leads(self) -> bool:
        """Whether this instance holds the scheduler lease, read from the store now."""
        return leases.holds(self.engine, leases.SCHEDULER, self.instance_id)

    def leader_only(self, job: Callable[..., Any]) -> Callable[..., Any]:
        """A job that does its work only while this instance leads (else it returns None)."""

        @functools.wraps(job)
        def run_if_leading(*args: Any, **kwargs: Any) -> Any:
            return job(*args, **kwargs) if self.leads() else None

        return run_if_leading

    def release(self) -> None:
        """Give both leases up (a clean shutdown): another instance takes over at its next renewal."""
        for name in (leases.SCHEDULER, leases.instance_lease(self.instance_id)):
            leases.release(self.engine, name, self.instance_id)
        with self._lock:
            self._alive_until, self._leading = None, False
