"""The rules over a source's run history: consecutive failures, stale data, volume drop; and, when a threshold is
set, a new xref gap (an item code first left unmapped by the latest run whose open lines are worth more).

Each gives a Verdict: holds (an alert should fire), does not hold, or no verdict yet (too little history).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from potrack.alerts.inputs import RuleInputs
from potrack.config.alerts import RuleSettings
from potrack.schedule import longest_interval
from potrack.store.run_status import FAILED
from potrack.store.xref import Gap
from potrack.timefmt import length


@dataclass(frozen=True)
class Verdict:
    """A rule's verdict now: holds True/False, or None for no verdict; why, and the run that shows it."""

    rule: str
    holds: bool | None
    message: str
    run_id: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)


def stale_limit(settings: RuleSettings, schedule: str, tz: dt.tzinfo, now: dt.datetime) -> dt.timedelta:
    """How old the last completed run may be: stale_after, else the schedule's longest interval plus the grace."""
    return settings.stale_after or longest_interval(schedule, tz, now) + settings.stale_grace


def consecutive_failures(inputs: RuleInputs, settings: RuleSettings) -> Verdict:
    """The latest N runs that ended all failed or were abandoned (a partial run completed: it ends a streak)."""
    n = settings.consecutive_failures
    latest = inputs.finished[:n]
    streak = len(latest) == n and all(r.status in FAILED for r in latest)
    if not streak:
        ok = next((r for r in inputs.finished if r.status not in FAILED), None)
        why = f"run #{ok.id} {ok.status}" if ok else "fewer failures in a row than the threshold"
        return Verdict("consecutive_failures", False, f"no failure streak of {n} ({why})", ok.id if ok else None)
    last = latest[0]
    runs = ", ".join(f"#{r.id}" for r in reversed(latest))
    return Verdict(
        "consecutive_failures",
        True,
        f"the last {n} runs failed ({runs}); latest: {last.error or last.status}",
        last.id,
        {"runs": [r.id for r in latest], "error": last.error, "error_stage": last.error_stage},
    )


def stale_data(inputs: RuleInputs, settings: RuleSettings, schedule: str, tz: dt.tzinfo, now: dt.datetime) -> Verdict:
    """No success or partial run within the limit; a source that never completed one is stale once its first run
    is older than the limit, and one that never ran has no verdict."""
    limit = stale_limit(settings, schedule, tz, now)
    ok = inputs.last_ok
    facts: dict[str, Any] = {"limit_s": limit.total_seconds()}
    if ok is None:
        if inputs.first_queued_at is None:
            return Verdict("stale_data", None, "no run yet", None, facts)
        since = inputs.first_queued_at + limit
        holds = now >= since
        return Verdict(
            "stale_data",
            holds,
            "no run has completed yet" + (f" (stale since {since:%Y-%m-%d %H:%M} UTC)" if holds else ""),
            None,
            {**facts, "stale_since": since.isoformat()},
        )
    done = ok.finished_at or ok.queued_at
    since = done + limit
    age = now - done
    facts.update(
        last_ok_run=ok.id, last_ok_at=done.isoformat(), stale_since=since.isoformat(), data_age_s=age.total_seconds()
    )
    if now < since:
        return Verdict(
            "stale_data",
            False,
            f"last completed run #{ok.id} is {length(age)} old (limit {length(limit)})",
            ok.id,
            facts,
        )
    return Verdict(
        "stale_data",
        True,
        f"no completed run for {length(age)}: the last was #{ok.id} (limit {length(limit)})",
        ok.id,
        facts,
    )


def volume_drop(inputs: RuleInputs, settings: RuleSettings) -> Verdict:
    """The latest successful run's lines are more than the threshold below the mean of the previous window."""
    if len(inputs.successes) < max(2, settings.volume_min_runs):
        return Verdict(
            "volume_drop",
            None,
            f"{len(inputs.successes)} successful runs: no verdict before {settings.volume_min_runs}",
        )
    latest, previous = inputs.successes[0], inputs.successes[1 : 1 + settings.volume_window]
    mean = sum(r.lines_processed for r in previous) / len(previous)
    if mean < settings.volume_min_mean:
        return Verdict(
            "volume_drop",
            None,
            f"baseline {mean:,.0f} lines is under {settings.volume_min_mean:,.0f}: no verdict",
            latest.id,
        )
    change = (latest.lines_processed - mean) / mean * 100
    text = f"baseline {mean:,.0f} lines, latest {latest.lines_processed:,}: {change:+.0f}%".replace("-", "−")
    facts = {
        "baseline": round(mean, 1),
        "latest": latest.lines_processed,
        "change_percent": round(change, 1),
        "window": len(previous),
    }
    return Verdict("volume_drop", -change > settings.volume_drop_percent, text, latest.id, facts)


def new_xref_gap(new_gaps: list[Gap] | None, latest_run: int | None, settings: RuleSettings) -> Verdict:
    """Item codes the latest completed run left unmapped for the first time, whose open lines are worth more
    than new_gap_value (None: the rule is off). Codes already known from earlier nights never count."""
    threshold = settings.new_gap_value
    if threshold is None or new_gaps is None:
        return Verdict("new_xref_gap", None, "off (no new_gap_value set)")
    if latest_run is None:
        return Verdict("new_xref_gap", None, "no completed run yet")
    facts = {
        "threshold": threshold,
        "codes": [
            {
                "item_code": g.item_code,
                "lines": g.lines_now,
                "open_value": round(g.open_value, 2),
                "currency": g.currency,
            }
            for g in new_gaps
        ],
    }
    if not new_gaps:
        return Verdict(
            "new_xref_gap",
            False,
            f"no new unmapped item code worth more than {threshold:,.2f} in run #{latest_run}",
            latest_run,
            facts,
        )
    listed = ", ".join(
        f"{g.item_code} ({g.lines_now} lines, {g.open_value:,.2f}{f' {g.currency}' if g.currency else ''})"
        for g in new_gaps[:5]
    )
    more = f" and {len(new_gaps) - 5} more" if len(new_gaps) > 5 else ""
    noun = "code" if len(new_gaps) == 1 else "codes"
    return Verdict(
        "new_xref_gap",
        True,
        f"run #{latest_run} left {len(new_gaps)} new item {noun} unmapped worth "
        f"more than {threshold:,.2f} on open lines: {listed}{more}",
        latest_run,
        facts,
    )
