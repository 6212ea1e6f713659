"""Subscribers (admins only): each configured subscriber by name, kind and topic (never its URL or secret), with its
latest deliveries and every attempt of each."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from pages._components import empty_state, html_table, moment_cell, run_cell
from potrack import runtime, timefmt
from potrack.auth.roles import Action
from potrack.config.model import SubscriberConfig
from potrack.store.subscriber_outbox import AttemptRow, DeliveryLog, delivery_logs
from potrack.web.access import may, signed_in
from potrack.web.fragment import Cell, Markup, element, text

# Where potrack sends what changed, like the alert channels: seen by those who administer those (admins).
VIEW = Action.SEE_SUBSCRIBERS
dash.register_page(__name__, path="/subscribers", name="Subscribers", order=8, needs=VIEW)
LATEST = 50  # deliveries shown per subscriber
STATE_CLASS = {"pending": "text-muted", "sending": "text-primary", "sent": "text-success", "failed": "text-danger"}


def attempt_html(attempt: AttemptRow) -> str:
    """'#2 2026-11-22 05:10 failed: DeliveryError: the webhook answered HTTP 500' (one attempt to deliver)."""
    at = element("span", text(timefmt.local_text(attempt.at, runtime.zone())), "moment", timefmt.utc_text(attempt.at))
    outcome = f" ok ({attempt.duration_ms:,.0f} ms)" if attempt.ok else f" failed: {attempt.error or 'no reason given'}"
    name = "attempt small " + ("attempt-ok" if attempt.ok else "attempt-failed text-danger")
    return element("div", text(f"#{attempt.attempt} ") + at + text(outcome), name)


def delivery_cells(log: DeliveryLog) -> list[Cell]:
    """One delivery's cells: id, topic, run, page x/y, state, attempts, last error, when queued, its attempts."""
    d = log.delivery
    tried = "".join(attempt_html(a) for a in log.attempts) or element("small", "not tried yet", "text-muted")
    return [
        f"#{d.id}",
        d.topic,
        run_cell(d.run_id),
        f"{d.page}/{d.pages}",
        Markup(element("span", text(d.state), f"delivery-state delivery-{d.state} {STATE_CLASS.get(d.state, '')}")),
        str(d.attempts),
        d.last_error or "",
        moment_cell(d.created_at),
        Markup(tried),
    ]


def subscriber_card(subscriber: SubscriberConfig) -> dbc.Card:
    """A subscriber: name, kind and topic, and its latest deliveries newest first."""
    logs = runtime.read(delivery_logs, subscriber.name, LATEST)
    header = ["delivery", "topic", "run", "page", "state", "attempts", "last error", "queued", "each attempt"]
    body = (
        html_table(header, [delivery_cells(log) for log in logs], "subscriber-deliveries")
        if logs
        else html.P("Nothing delivered yet: events are queued when a run finishes.", className="text-muted mb-0")
    )
    return dbc.Card(
        [
            dbc.CardHeader(
                [
                    html.Strong(subscriber.name, className="me-2"),
                    html.Span(f"{subscriber.kind} · hears {subscriber.topic}", className="text-muted"),
                ]
            ),
            dbc.CardBody(body),
        ],
        className="mb-3 subscriber",
    )


def layout(**_query: str) -> html.Div:
    """Every configured subscriber with its deliveries; a refusal for a role other than admin."""
    actor = signed_in()
    if not may(VIEW):
        who = f"{actor.name} ({actor.role})" if actor else "nobody signed in"
        return html.Div(
            [
                html.H2("Subscribers"),
                empty_state(
                    f"{who} may not see the subscribers: it needs the {VIEW.role} role.", "subscribers-refused"
                ),
            ]
        )
    subscribers = runtime.settings().subscribers
    cards = [subscriber_card(s) for s in subscribers] or [
        empty_state(
            "No subscriber is configured: add [[subscribers]] to potrack.toml (see docs/subscribers.md).",
            "subscribers-none",
        )
    ]
    return html.Div([html.H2("Subscribers", className="mb-3"), *cards], id="subscribers-page")
