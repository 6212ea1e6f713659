"""Pieces of the alerts page: state badges, delivery logs with their attempts, the firing and history tables, a
source's rules card."""

from __future__ import annotations

import datetime as dt
from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

from pages._components import moment, run_link, table
from potrack.alerts.message import ANCHORS, TITLES
from potrack.health import alert_color
from potrack.store.alerts import AlertRow, AttemptRow
from potrack.web.alerts_view import DeliveryLog, RuleState, SourceRules

NOTIFICATION_COLOR = {"pending": "secondary", "sending": "primary", "sent": "success", "failed": "danger"}
RULE_STATE_COLOR = {"ok": "success", "no verdict": "light"}


def badge(text: str, color: str, name: str) -> dbc.Badge:
    """A small coloured label; `name` is its class."""
    return dbc.Badge(text, color=color, text_color="dark" if color in ("light", "warning") else None, className=name)


def rule_badge(rule: str) -> dbc.Badge:
    """A rule's name, red for consecutive failures and amber for the others."""
    return badge(TITLES.get(rule, rule), alert_color(rule), f"rule-badge rule-{rule}")


def runbook_link(rule: str, text: str = "runbook") -> dcc.Link:
    """A link to the runbook's section on a rule."""
    return dcc.Link(text, href=f"/runbook#{ANCHORS.get(rule, '')}", className="runbook-link")


def attempt_line(attempt: AttemptRow) -> html.Div:
    """'#2 2026-11-22 05:10 UTC failed: the webhook answered HTTP 500' (one attempt to deliver)."""
    outcome = f" ok ({attempt.duration_ms:,.0f} ms)" if attempt.ok else f" failed: {attempt.error or 'no reason given'}"
    return html.Div(
        [f"#{attempt.attempt} ", moment(attempt.at), outcome],
        className="attempt small " + ("attempt-ok" if attempt.ok else "attempt-failed text-danger"),
    )


def log_table(logs: list[DeliveryLog], name: str) -> dbc.Table:
    """Notifications, one a line: channel, event, state, every attempt with its time and error, when queued."""
    rows = [
        [
            log.delivery.channel,
            log.delivery.event,
            badge(
                log.delivery.state,
                NOTIFICATION_COLOR.get(log.delivery.state, "secondary"),
                f"notification-state notification-{log.delivery.state}",
            ),
            [attempt_line(a) for a in log.attempts] or html.Small("not tried yet", className="text-muted"),
            moment(log.delivery.created_at),
        ]
        for log in logs
    ]
    return table(["channel", "event", "state", "attempts", "queued"], rows, name)


def delivery_log(logs: list[DeliveryLog]) -> Any:
    """An alert's notifications folded under a one-line summary ('3 notifications: 2 sent, 1 failed')."""
    if not logs:
        return html.Small("no notification (no channel was configured then)", className="text-muted")
    states = [log.delivery.state for log in logs]
    counts = ", ".join(f"{states.count(s)} {s}" for s in NOTIFICATION_COLOR if s in states)
    noun = "notification" if len(logs) == 1 else "notifications"
    return html.Details(
        [html.Summary(f"{len(logs)} {noun}: {counts}"), log_table(logs, "delivery-log")], className="delivery-log-box"
    )


def firing_table(alerts: list[AlertRow], logs: dict[int, list[DeliveryLog]], now: dt.datetime) -> dbc.Table:
    """The firing alerts: source, rule, since when, why, the run that shows it, the runbook, the notifications."""
    rows = [
        [
            html.Strong(a.source),
            rule_badge(a.rule),
            moment(a.opened_at, now),
            a.message,
            run_link(a.run_id) if a.run_id else "",
            runbook_link(a.rule, "what to do"),
            delivery_log(logs.get(a.id, [])),
        ]
        for a in alerts
    ]
    return table(["source", "rule", "since", "message", "run", "runbook", "notifications"], rows, "alerts-firing-table")


def _resolution(alert: AlertRow) -> Any:
    if alert.resolution is None:
        return alert.message
    return [alert.message, html.Div(["resolved: ", alert.resolution], className="small text-success")]


def history_table(alerts: list[AlertRow], logs: dict[int, list[DeliveryLog]]) -> dbc.Table:
    """Alerts firing or resolved: state, source, rule, opened, resolved, why, run, notifications."""

    def state(alert: AlertRow) -> dbc.Badge:
        """Firing (red or amber) or resolved (green)."""
        color = alert_color(alert.rule) if alert.state == "firing" else "success"
        return badge(alert.state, color, f"alert-state alert-{alert.state}")

    rows = [
        [
            state(a),
            a.source,
            TITLES.get(a.rule, a.rule),
            moment(a.opened_at),
            moment(a.resolved_at),
            _resolution(a),
            run_link(a.run_id) if a.run_id else "",
            delivery_log(logs.get(a.id, [])),
        ]
        for a in alerts
    ]
    return table(
        ["state", "source", "rule", "opened", "resolved", "message", "run", "notifications"],
        rows,
        "alerts-history-table",
    )


def _rule_row(state: RuleState, source: SourceRules, now: dt.datetime) -> list[Any]:
    """A rule's cells: name and runbook link, state, current value, thresholds."""
    color = alert_color(state.rule) if state.state in ("firing", "holds") else RULE_STATE_COLOR[state.state]
    value: list[Any] = [state.verdict.message]
    if state.alert is not None:
        value.append(html.Div(["firing since ", moment(state.alert.opened_at, now)], className="small"))
    if state.rule == "stale_data":
        when: list[Any] = ["next expected run ", moment(source.next_run, now)]
        if source.stale_since is not None:
            when += [
                " · stale since " if source.stale_since <= now else " · stale from ",
                moment(source.stale_since, now),
            ]
        value.append(html.Div(when, className="small text-muted"))
    return [
        [state.title, " ", runbook_link(state.rule, "?")],
        badge(state.state, color, f"rule-state rule-state-{state.state.replace(' ', '-')}"),
        value,
        html.Small(state.thresholds, className="text-muted"),
    ]


def rules_card(source: SourceRules, now: dt.datetime) -> dbc.Card:
    """A source's three rules with their current values and thresholds, and its mute."""
    header: list[Any] = [html.Strong(source.source)]
    if source.muted_until is not None:
        header += [
            " ",
            badge("muted", "secondary", "muted-badge"),
            html.Small([" notifications muted until ", moment(source.muted_until, now)]),
        ]
    body = table(
        ["rule", "state", "now", "thresholds"], [_rule_row(s, source, now) for s in source.rules], "rules-table"
    )
    return dbc.Card(
        [dbc.CardHeader(header), dbc.CardBody(body, className="p-2")],
        className="mb-3 rules-card",
        id={"type": "alerts-rules-card", "source": source.source},
    )
