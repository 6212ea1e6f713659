"""Events for subscribers in the app: a background thread delivers what runs queued, kicked when a run finishes
and every 30 s for what is left (never on the run's thread)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from potrack import events
from potrack.delivery import Deliverer
from potrack.runtime import Runtime
from potrack.subscribers import deliverer


@dataclass
class SubscriberDelivery:
    """The event deliverer of one app process, wired to the run.finished event."""

    deliverer: Deliverer

    def after_run(self, _topic: str, _report: dict[str, Any]) -> None:
        """A run finished (its events are committed with it): deliver them now."""
        self.deliverer.kick()

    def stop(self) -> None:
        """Stop listening for runs and stop the deliverer."""
        events.unsubscribe(events.RUN_FINISHED, self.after_run)
        self.deliverer.stop()


def start_event_delivery(runtime: Runtime) -> SubscriberDelivery:
    """Subscribe to finished runs and start the delivery thread (it also sends what an earlier process left)."""
    delivery = SubscriberDelivery(deliverer(runtime.engine, runtime.settings.subscribers).start())
    events.subscribe(events.RUN_FINISHED, delivery.after_run)
    delivery.deliverer.kick()
    return delivery
