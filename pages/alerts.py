"""Alerts: what fires now, the history filtered through the URL, every alert's delivery log, each source's rules
with their current values, and (admins) a test notification per channel."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, dcc, html

from pages._actions import clicked, refusal
from pages._alert_parts import firing_table, history_table, log_table, rules_card
from pages._components import empty_state, toast
from pages._ignored import ignored_note
from pages._lists import date_range
from potrack import actions, runtime
from potrack.actions import Refused
from potrack.alerts.message import TITLES
from potrack.auth.roles import Action
from potrack.clock import utcnow
from potrack.store.alerts import firing, list_alerts
from potrack.web.access import may, signed_in
from potrack.web.alerts_view import delivery_logs, recent_tests, source_rules
from potrack.web.filters import AlertView

dash.register_page(__name__, path="/alerts", name="Alerts", order=7)
HISTORY_LIMIT = 100
TICK_MS = 1000
RULES = [{"label": title, "value": rule} for rule, title in TITLES.items()]


def firing_section() -> Any:
    """The firing alerts, oldest first, with their notifications."""
    alerts = runtime.read(firing)
    if not alerts:
        return empty_state("No alert is firing.", "alerts-none-firing")
    return firing_table(alerts, runtime.read(delivery_logs, [a.id for a in alerts]), utcnow())


def rules_section() -> list[dbc.Card]:
    """Every configured source's rules now."""
    now = utcnow()
    return [rules_card(s, now) for s in runtime.read(source_rules, runtime.settings(), runtime.zone(), now)]


def tests_section() -> tuple[Any, bool]:
    """The latest test notifications, and whether any is still on its way (the page then refreshes them)."""
    logs = runtime.read(recent_tests)
    if not logs:
        return html.P("No test notification was sent yet.", className="text-muted"), False
    return log_table(logs, "alerts-test-log"), any(log.active for log in logs)


def channels_section() -> Any:
    """The configured channels by name and kind (never their address); a Send test notification button each for
    admins."""
    channels = runtime.settings().alerts.channels
    if not channels:
        return empty_state(
            "No notification channel is configured: add [[alerts.channels]] to potrack.toml "
            "(see the runbook, 'Testing the channels').",
            "alerts-no-channels",
        )
    admin = may(Action.ALERT_SETTINGS)
    rows = [
        html.Div(
            [
                html.Strong(c.name, className="me-2"),
                html.Span(c.kind, className="text-muted me-3"),
                dbc.Button(
                    "Send test notification",
                    id={"type": "alerts-test", "channel": c.name},
                    color="secondary",
                    outline=True,
                    size="sm",
                )
                if admin
                else None,
            ],
            className="d-flex align-items-center mb-2 alerts-channel",
            **_data_channel(c.name),
        )
        for c in channels
    ]
    return html.Div(rows)


def _data_channel(name: str) -> dict[str, Any]:
    """A channel row's data-channel attribute, as keyword arguments."""
    return {"data-channel": name}


def layout(**query: str) -> html.Div:
    """Firing alerts, then the history (filters from the query string, filled by show_history), the rules of
    every source, and the channels with their latest test notifications."""
    view = AlertView.from_params(query)
    sources = sorted(set(runtime.source_names()) | ({view.source} if view.source else set()))
    filters = dbc.Row(
        [
            dbc.Col(
                dcc.Dropdown(id="alerts-filter-source", options=sources, value=view.source, placeholder="any source"),
                md=2,
            ),
            dbc.Col(
                dcc.Dropdown(id="alerts-filter-rule", options=RULES, value=view.rule, placeholder="any rule"), md=3
            ),
            dbc.Col(date_range("alerts-filter-dates", view.start, view.end), width="auto"),
        ],
        className="g-2 mb-2 align-items-center",
    )
    tests, active = tests_section()
    return html.Div(
        [
            dcc.Location(id="alerts-url", refresh=False),
            toast("alerts-test-toast", "Test notification", "alerts-toast"),
            html.Div(
                [
                    html.H2("Alerts", className="me-3 mb-0"),
                    dcc.Link("Runbook: what to do about each alert", href="/runbook", id="alerts-runbook-link"),
                ],
                className="d-flex align-items-baseline mb-3",
            ),
            html.H4("Firing now"),
            html.Div(firing_section(), id="alerts-firing", className="mb-4"),
            html.H4("History"),
            ignored_note("alerts", AlertView.ignored(query)),
            filters,
            html.P(id="alerts-count", className="text-muted mb-2"),
            html.Div(id="alerts-history", className="mb-4"),
            html.H4("Rules per source"),
            html.Div(rules_section(), id="alerts-rules", className="mb-4"),
            html.H4("Channels"),
            html.Div(channels_section(), id="alerts-channels"),
            html.H6("Latest test notifications", className="mt-3"),
            html.Div(tests, id="alerts-tests"),
            dcc.Interval(id="alerts-tick", interval=TICK_MS, disabled=not active),
        ]
    )


@dash.callback(
    Output("alerts-url", "search"),
    Input("alerts-filter-source", "value"),
    Input("alerts-filter-rule", "value"),
    Input("alerts-filter-dates", "start_date"),
    Input("alerts-filter-dates", "end_date"),
    prevent_initial_call=True,
)
def filters_to_url(source: str | None, rule: str | None, start: str | None, end: str | None) -> str:
    """Put the history's filters in the query string."""
    return AlertView.from_inputs(source, rule, start, end).search()


@dash.callback(
    Output("alerts-history", "children"),
    Output("alerts-count", "children"),
    Input("alerts-url", "search"),
)
def show_history(search: str | None) -> tuple[Any, str]:
    """The alerts the URL's filters select, firing first, then newest first, each with its notifications; when
    none, the reason once (in the list, with no count line above it)."""
    view = AlertView.from_search(search)
    since, until = view.bounds(runtime.zone())
    found = runtime.read(list_alerts, view.source, view.rule, since, until, HISTORY_LIMIT + 1)
    if not found:
        empty = "No alerts match these filters." if view != AlertView() else "No alert has fired yet."
        return empty_state(empty, "alerts-history-empty"), ""
    shown = found[:HISTORY_LIMIT]
    count = (
        f"the newest {HISTORY_LIMIT} alerts (narrow the filters for older ones)"
        if len(found) > HISTORY_LIMIT
        else f"{len(shown):,} alert{'s' if len(shown) != 1 else ''}"
    ) + " · firing first, then newest first"
    return history_table(shown, runtime.read(delivery_logs, [a.id for a in shown])), count


@dash.callback(
    Output("alerts-test-toast", "is_open"),
    Output("alerts-test-toast", "children"),
    Output("alerts-test-toast", "icon"),
    Input({"type": "alerts-test", "channel": ALL}, "n_clicks"),
    prevent_initial_call=True,
)
def send_test_notification(_clicks: list[int | None]) -> tuple[bool, str, str]:
    """Send a test notification to the channel whose button was clicked (admins only: potrack.actions checks)."""
    channel = str(clicked()["channel"])
    try:
        notification = actions.send_test_notification(signed_in(), channel)
    except Refused as refused:
        return (True, *refusal(refused, "sent"))
    return True, f"Test notification #{notification} to {channel} is being sent: its delivery shows below.", "success"


@dash.callback(
    Output("alerts-tests", "children"),
    Output("alerts-tick", "disabled"),
    Input("alerts-tick", "n_intervals"),
    Input("alerts-test-toast", "is_open"),
    prevent_initial_call=True,
)
def refresh_tests(_tick: int | None, _toast: bool | None) -> tuple[Any, bool]:
    """Redraw the latest test notifications; keep ticking while one is pending or being sent."""
    tests, active = tests_section()
    return tests, not active
