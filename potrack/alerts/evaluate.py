"""Evaluating the rules of a source and moving its alerts: open once, remind if asked, resolve once."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from potrack.alerts import message, rules
from potrack.alerts.inputs import RuleInputs, rule_inputs
from potrack.clock import utcnow
from potrack.config import Settings, SourceConfig, time_zone
from potrack.config.alerts import RuleSettings
from potrack.store import alerts as store
from potrack.store import audit
from potrack.store.models import AuditEvent, RetryAttempt
from potrack.store.run_history import RunRow
from potrack.store.run_status import FAILED
from potrack.store.xref import new_gaps_over

log = logging.getLogger("potrack.alerts")


def _failure(conn: sa.Connection, run: RunRow | None) -> dict[str, Any] | None:
    """The failure of the latest finished run, if it failed: reason, stage and whether it looks transient."""
    if run is None or run.status not in FAILED:
        return None
    transient = conn.execute(
        sa.select(RetryAttempt.transient)
        .where(RetryAttempt.run_id == run.id)
        .order_by(RetryAttempt.attempt.desc())
        .limit(1)
    ).scalar()
    reason = (run.error or run.status).removeprefix(f"{run.error_stage}: ")
    return {
        "run_id": run.id,
        "reason": reason,
        "stage": run.error_stage,
        "kind": message.failure_kind(run.error_stage, transient, run.status),
    }


def read_verdicts(
    conn: sa.Connection, cfg: SourceConfig, limits: RuleSettings, tz: dt.tzinfo, now: dt.datetime
) -> tuple[RuleInputs, list[rules.Verdict]]:
    """What the rules read of a source now, and every rule's verdict on it."""
    inputs = rule_inputs(conn, cfg.name, limits.consecutive_failures, limits.volume_window + 1)
    gaps = None if limits.new_gap_value is None else new_gaps_over(conn, cfg.name, limits.new_gap_value)
    return inputs, [
        rules.consecutive_failures(inputs, limits),
        rules.stale_data(inputs, limits, cfg.schedule, tz, now),
        rules.volume_drop(inputs, limits),
        rules.new_xref_gap(gaps, inputs.last_ok.id if inputs.last_ok else None, limits),
    ]


class Evaluator:
    """Evaluates every rule of a source against its run history and opens, reminds or resolves its alerts."""

    def __init__(self, settings: Settings, engine: sa.Engine, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock

    def evaluate_all(self) -> list[str]:
        """Every configured source; returns what changed, e.g. 'opened demo/stale_data'."""
        return [change for src in self.settings.sources for change in self.evaluate(src.name)]

    def evaluate(self, source: str) -> list[str]:
        """One source: 1. muted → nothing; 2. every rule's verdict; 3. open, remind or resolve each rule's alert."""
        cfg, limits, now = self.settings.source(source), self.settings.alerts.rules_for(source), self.clock()
        if limits.muted_until is not None and now < limits.muted_until:
            self._note_mute(source, limits.muted_until)
            return []
        with self.engine.connect() as conn:
            inputs, verdicts = read_verdicts(conn, cfg, limits, time_zone(self.settings.timezone), now)
            firing = {a.rule: a for a in store.firing(conn, source)}
            failure = _failure(conn, inputs.finished[0] if inputs.finished else None)
        channels = [c.name for c in self.settings.alerts.channels]
        last_ok = inputs.last_ok
        ok_at = None if last_ok is None else (last_ok.id, last_ok.finished_at or last_ok.queued_at)
        changes = []
        for verdict in verdicts:
            alert = firing.get(verdict.rule)

            def payload(event: str, since: dt.datetime, verdict: rules.Verdict = verdict) -> dict[str, Any]:
                return message.facts(
                    event=event,
                    source=source,
                    rule=verdict.rule,
                    message=verdict.message,
                    since=since,
                    dashboard_url=self.settings.alerts.dashboard_url,
                    run_id=verdict.run_id,
                    last_ok=ok_at,
                    now=now,
                    failure=failure,
                )

            if verdict.holds and alert is None:
                if store.open_alert(self.engine, source, verdict, channels, payload("opened", now), now) is not None:
                    changes.append(f"opened {source}/{verdict.rule}")
            elif verdict.holds is False and alert is not None:
                if store.resolve_alert(
                    self.engine, alert, verdict, channels, payload("resolved", alert.opened_at), now
                ):
                    changes.append(f"resolved {source}/{verdict.rule}")
            elif verdict.holds and alert is not None and self.settings.alerts.remind_every is not None:
                if store.remind(
                    self.engine,
                    alert,
                    self.settings.alerts.remind_every,
                    channels,
                    payload("reminder", alert.opened_at),
                    now,
                ):
                    changes.append(f"reminded {source}/{verdict.rule}")
        for change in changes:
            log.warning("alert %s", change)
        return changes

    def _note_mute(self, source: str, until: dt.datetime) -> None:
        """Audit a source's mute once per `muted_until` value (it comes from potrack.toml)."""
        text = f"alerts of {source} are muted until {until.isoformat()} (potrack.toml muted_until)"
        with self.engine.begin() as conn:
            seen = conn.execute(
                sa.select(AuditEvent.id)
                .where(AuditEvent.event_type == "alert.muted", AuditEvent.message == text)
                .limit(1)
            ).first()
            if seen is None:
                audit.record(conn, "alert.muted", text, source=source, details={"until": until.isoformat()})
