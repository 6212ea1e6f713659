"""Alerting in the app: rules evaluated after every run and every minute, notifications sent by a background
thread (never on the run's thread); the subscribers' events are delivered alongside (jobs/subscribers.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from jobs.subscribers import SubscriberDelivery, start_event_delivery
from potrack import events
from potrack.alerts.delivery import deliverer
from potrack.alerts.evaluate import Evaluator
from potrack.delivery import Deliverer
from potrack.redact import safe_reason
from potrack.runtime import Runtime

log = logging.getLogger("potrack.jobs.alerting")
EVALUATE_EVERY_S = 60.0


@dataclass
class Alerting:
    """The evaluator and the deliverer of one app process, wired to the run.finished event, and the subscribers'
    event delivery."""

    evaluator: Evaluator
    deliverer: Deliverer
    event_delivery: SubscriberDelivery

    def after_run(self, _topic: str, report: dict[str, Any]) -> None:
        """A run finished: evaluate its source at once, and send what that queued."""
        self.evaluate(report["source"])

    def evaluate(self, source: str | None = None) -> None:
        """Evaluate one source or all (the minute job); an error is logged, never raised into a run."""
        try:
            changes = self.evaluator.evaluate(source) if source else self.evaluator.evaluate_all()
        except Exception as exc:
            log.error("evaluating alert rules failed: %s", safe_reason(exc))
            return
        if changes:
            self.deliverer.kick()

    def stop(self) -> None:
        """Stop listening for runs and stop the deliverers."""
        events.unsubscribe(events.RUN_FINISHED, self.after_run)
        self.deliverer.stop()
        self.event_delivery.stop()


def start_alerting(runtime: Runtime) -> Alerting:
    """Subscribe to finished runs and start the delivery threads of notifications and of the subscribers' events
    (they also send what an earlier process left)."""
    alerting = Alerting(
        Evaluator(runtime.settings, runtime.engine),
        deliverer(runtime.engine, runtime.settings.alerts).start(),
        start_event_delivery(runtime),
    )
    events.subscribe(events.RUN_FINISHED, alerting.after_run)
    alerting.deliverer.kick()
    return alerting
