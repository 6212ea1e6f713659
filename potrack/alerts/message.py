"""What a notification says: the facts of an alert (source, rule, since when, last good run and data age, the
failure and whether it looks transient, links to the run and the runbook), rendered per channel."""

from __future__ import annotations

import datetime as dt
from typing import Any

from potrack.timefmt import length

TITLES = {
    "consecutive_failures": "consecutive failed runs",
    "stale_data": "stale data",
    "volume_drop": "volume drop",
    "new_xref_gap": "new xref gap",
}
ANCHORS = {
    "consecutive_failures": "consecutive-failures",
    "stale_data": "stale-data",
    "volume_drop": "volume-drop",
    "new_xref_gap": "new-xref-gap",
}
HEADLINES = {"opened": "FIRING", "resolved": "RESOLVED", "reminder": "STILL FIRING", "test": "TEST"}


def failure_kind(error_stage: str | None, transient: bool | None, status: str | None) -> str:
    """Whether a failure looks transient (worth a retry) or needs a fix, in words."""
    if status == "abandoned":
        return "transient: the process running it stopped; retry it"
    if error_stage == "extract" and transient:
        return "looks transient (connection, timeout): a retry may succeed"
    if error_stage == "extract":
        return "needs a fix (configuration, SQL or login): retrying will not help until it is fixed"
    return "needs a fix: the run failed after reading the ERP"


def facts(
    *,
    event: str,
    source: str,
    rule: str,
    message: str,
    since: dt.datetime,
    dashboard_url: str,
    run_id: int | None,
    last_ok: tuple[int, dt.datetime] | None,
    now: dt.datetime,
    failure: dict[str, Any] | None,
) -> dict[str, Any]:
    """The payload of a notification: plain JSON values, so it is stored as it was sent."""
    return {
        "event": event,
        "source": source,
        "rule": rule,
        "title": TITLES.get(rule, rule),
        "message": message,
        "since": since.isoformat(),
        "at": now.isoformat(),
        "last_success": None
        if last_ok is None
        else {"run_id": last_ok[0], "at": last_ok[1].isoformat(), "url": f"{dashboard_url}/runs/{last_ok[0]}"},
        "data_age_hours": None if last_ok is None else round((now - last_ok[1]).total_seconds() / 3600, 1),
        "run_id": run_id,
        "run_url": f"{dashboard_url}/runs/{run_id}" if run_id else f"{dashboard_url}/runs",
        "failure": failure,
        "alerts_url": f"{dashboard_url}/alerts",
        "runbook_url": f"{dashboard_url}/runbook#{ANCHORS.get(rule, 'testing-the-channels')}",
    }


def subject(payload: dict[str, Any]) -> str:
    """One line: what, where, which state."""
    if payload["event"] == "test":
        return "[potrack] test notification"
    return f"[potrack] {HEADLINES[payload['event']]}: {payload['source']} — {payload['title']}"


def _age(then: str, now: str) -> str:
    """How old the data of a run finished `then` was `now` (both ISO 8601, as the payload keeps them)."""
    return length(dt.datetime.fromisoformat(now) - dt.datetime.fromisoformat(then))


def body(payload: dict[str, Any]) -> str:
    """Every fact, a line each."""
    if payload["event"] == "test":
        return (
            f"This is a test notification from potrack ({payload['at']}). If you read this, the channel works.\n"
            f"Alerts: {payload['alerts_url']}\nRunbook: {payload['runbook_url']}"
        )
    lines = [
        f"Source: {payload['source']}",
        f"Rule: {payload['title']} — {payload['message']}",
        f"Since: {payload['since']}",
    ]
    last = payload["last_success"]
    lines.append(
        f"Last successful run: #{last['run_id']} at {last['at']} (data {_age(last['at'], payload['at'])} old)"
        if last
        else "Last successful run: none yet"
    )
    failure = payload["failure"]
    if failure:
        stage = f" (stage {failure['stage']})" if failure.get("stage") else ""
        lines.append(f"Failure: {failure['reason']}{stage} — {failure['kind']}")
    lines += [f"Run: {payload['run_url']}", f"Runbook: {payload['runbook_url']}"]
    return "\n".join(lines)


def slack_json(payload: dict[str, Any]) -> dict[str, Any]:
    """A Slack-compatible incoming-webhook message: text, and one section block with the facts."""
    return {
        "text": subject(payload),
        "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": subject(payload)[:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": body(payload)}},
        ],
    }


def webhook_json(payload: dict[str, Any]) -> dict[str, Any]:
    """The alert as one JSON object: every fact, plus the subject and text."""
    return {**payload, "subject": subject(payload), "text": body(payload)}
