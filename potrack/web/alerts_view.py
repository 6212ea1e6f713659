"""What the alerts page shows, without Dash: every source's rules with their current values, the alerts' and test
notifications' delivery logs, and sending a test notification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from potrack.alerts import message, rules
from potrack.alerts.evaluate import read_verdicts
from potrack.config import Settings
from potrack.config.alerts import RuleSettings
from potrack.schedule import longest_interval, next_fire
from potrack.store import alerts as store
from potrack.store.alerts import AlertRow, AttemptRow, DeliveryRow
from potrack.timefmt import length

ACTIVE = ("pending", "sending")  # a notification still on its way


@dataclass(frozen=True)
class RuleState:
    """One rule of one source now: the verdict, its thresholds in words, and the alert firing for it if any."""

    rule: str
    verdict: rules.Verdict
    thresholds: str
    alert: AlertRow | None

    @property
    def title(self) -> str:
        """The rule in words ('stale data')."""
        return message.TITLES.get(self.rule, self.rule)

    @property
    def anchor(self) -> str:
        """The rule's section of the runbook ('stale-data')."""
        return message.ANCHORS.get(self.rule, "")

    @property
    def state(self) -> str:
        """firing (an alert is open), holds (it will open at the next check, or the source is muted), ok, or
        no verdict (too little history)."""
        if self.alert is not None:
            return "firing"
        return {True: "holds", False: "ok", None: "no verdict"}[self.verdict.holds]


@dataclass(frozen=True)
class SourceRules:
    """A source's rules now, when it is muted until, its next scheduled run and when its data turns (or
    turned) stale."""

    source: str
    muted_until: dt.datetime | None
    next_run: dt.datetime | None
    stale_since: dt.datetime | None
    rules: tuple[RuleState, ...]


def thresholds(rule: str, limits: RuleSettings, schedule: str, tz: dt.tzinfo, now: dt.datetime) -> str:
    """A rule's thresholds for a source, in words."""
    if rule == "consecutive_failures":
        return f"{limits.consecutive_failures} failed or abandoned runs in a row"
    if rule == "stale_data":
        limit = rules.stale_limit(limits, schedule, tz, now)
        why = (
            "stale_after"
            if limits.stale_after
            else f"longest gap of the schedule {length(longest_interval(schedule, tz, now))} "
            f"+ grace {length(limits.stale_grace)}"
        )
        return f"no completed run for {length(limit)} ({why})"
    if rule == "volume_drop":
        return (
            f"latest successful run more than {limits.volume_drop_percent:g}% below the mean of the previous "
            f"{limits.volume_window}; from {limits.volume_min_runs} successful runs and a mean of "
            f"{limits.volume_min_mean:,.0f} lines"
        )
    if limits.new_gap_value is None:
        return "off: set new_gap_value to be told of new unmapped item codes"
    return (
        "an item code first left unmapped by the latest run, its open lines worth more than "
        f"{limits.new_gap_value:,.2f}"
    )


def _moment(text: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if isinstance(text, str) else None


def source_rules(conn: sa.Connection, settings: Settings, tz: dt.tzinfo, now: dt.datetime) -> list[SourceRules]:
    """Every configured source's rules as the evaluator sees them now (muted or not), in configuration order."""
    open_alerts = {(a.source, a.rule): a for a in store.firing(conn)}
    found = []
    for cfg in settings.sources:
        limits = settings.alerts.rules_for(cfg.name)
        states = tuple(
            RuleState(v.rule, v, thresholds(v.rule, limits, cfg.schedule, tz, now), open_alerts.get((cfg.name, v.rule)))
            for v in read_verdicts(conn, cfg, limits, tz, now)[1]
        )
        stale = next(s.verdict for s in states if s.rule == "stale_data")
        muted = limits.muted_until if limits.muted_until is not None and now < limits.muted_until else None
        found.append(
            SourceRules(
                cfg.name, muted, next_fire(cfg.schedule, tz, now), _moment(stale.facts.get("stale_since")), states
            )
        )
    return found


@dataclass(frozen=True)
class DeliveryLog:
    """A notification to one channel and every attempt to deliver it."""

    delivery: DeliveryRow
    attempts: tuple[AttemptRow, ...]

    @property
    def active(self) -> bool:
        """Whether it is still pending or being sent."""
        return self.delivery.state in ACTIVE


def delivery_logs(conn: sa.Connection, alert_ids: list[int]) -> dict[int, list[DeliveryLog]]:
    """The notifications of these alerts with their attempts, by alert id."""
    found = store.deliveries(conn, alert_ids) if alert_ids else {}
    tried = store.attempts(conn, [d.id for rows in found.values() for d in rows])
    return {alert_id: [DeliveryLog(d, tuple(tried.get(d.id, ()))) for d in rows] for alert_id, rows in found.items()}


def recent_tests(conn: sa.Connection, limit: int = 10) -> list[DeliveryLog]:
    """The latest test notifications with their attempts, newest first."""
    found = store.latest_test_notifications(conn, limit)
    tried = store.attempts(conn, [d.id for d in found])
    return [DeliveryLog(d, tuple(tried.get(d.id, ()))) for d in found]
