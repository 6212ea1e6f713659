"""The frame around every page: navbar with the page links, the runbook, the PO search, the health indicator, who
is signed in, Sign out."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, dcc, html

from potrack import runtime
from potrack.auth.session import CSRF_FIELD, csrf_token
from potrack.clock import utcnow
from potrack.health import Health, check_sources, overall
from potrack.web.access import may, signed_in

HEALTH_EVERY_MS = 30_000


def current_health() -> Health:
    """The verdict over every configured source, now."""
    verdicts = runtime.read(check_sources, runtime.settings().sources, runtime.zone(), utcnow())
    return overall([v.health for v in verdicts])


def health_shown(health: Health) -> tuple[str, str, str, str]:
    """The health indicator's label, link (the run behind the verdict), reasons on hover and classes."""
    href = f"/runs/{health.run_id}" if health.run_id is not None else "/runs"
    return (
        f"● {health.label}",
        href,
        health.reason,
        f"badge text-bg-{health.color} fs-6 text-decoration-none health-indicator health-{health.level}",
    )


def health_indicator() -> dcc.Link:
    """The navbar's health verdict as it is now: it arrives with the page, and refresh_health keeps it current."""
    label, href, title, name = health_shown(current_health())
    return dcc.Link(label, id="health-indicator", href=href, title=title, className=name)


def sign_out_form() -> html.Form:
    """Sign out in one click: a plain form POSTing the session's CSRF token to /logout (a GET only asks)."""
    return html.Form(
        [
            dcc.Input(type="hidden", name=CSRF_FIELD, value=csrf_token(), id="nav-sign-out-token"),
            html.Button("Sign out", type="submit", id="nav-sign-out", className="btn btn-link nav-link"),
        ],
        action="/logout",
        method="post",
        id="nav-sign-out-form",
        className="m-0",
    )


def user_menu() -> list[dbc.Nav]:
    """Who is signed in with their role ('otto · operator') and a Sign out button."""
    actor = signed_in()
    if actor is None:
        return []
    return [
        dbc.Nav(
            [
                dbc.NavItem(
                    html.Span(f"{actor.name} · {actor.role}", id="nav-user", className="navbar-text text-light")
                ),
                dbc.NavItem(sign_out_form()),
            ],
            navbar=True,
            className="ms-3 align-items-center user-menu",
        )
    ]


def search_box() -> html.Form:
    """Find a PO or a line: a plain GET form to /find, which redirects to what it names."""
    return html.Form(
        dbc.Input(id="nav-search", name="q", type="search", placeholder="PO or PO/line", size="sm", autoComplete="off"),
        action="/find",
        method="get",
        className="me-3 nav-search",
        role="search",
    )


def runbook_link() -> dbc.NavItem:
    """The runbook (what to do about each alert), on the right of the page links: help for every page."""
    return dbc.NavItem(dbc.NavLink("Runbook", href="/runbook", active="exact", id="nav-runbook"))


def layout() -> html.Div:
    """Navbar (links from the page registry, the runbook, the search, health indicator, user) above the current
    page."""
    links = [
        dbc.NavItem(
            dbc.NavLink(
                page["name"],
                href=page["relative_path"],
                active="exact",
                id="nav-" + page["name"].lower().replace(" ", "-"),
            )
        )
        for page in dash.page_registry.values()
        if page.get("nav", True) and (page.get("needs") is None or may(page["needs"]))  # (the page checks again)
    ]
    navbar = dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand("potrack", href="/"),
                dbc.Nav(links, navbar=True, className="me-auto"),
                dbc.Nav(runbook_link(), navbar=True, className="me-3"),
                search_box(),
                health_indicator(),
                *user_menu(),
            ],
            fluid=True,
        ),
        color="dark",
        dark=True,
        className="mb-3",
        id="navbar",
    )
    return html.Div(
        [
            dcc.Location(id="shell-url"),
            dcc.Interval(id="health-tick", interval=HEALTH_EVERY_MS),
            navbar,
            dbc.Container(dash.page_container, fluid=True, className="pb-5"),
        ]
    )


@dash.callback(
    Output("health-indicator", "children"),
    Output("health-indicator", "href"),
    Output("health-indicator", "title"),
    Output("health-indicator", "className"),
    Input("health-tick", "n_intervals"),
    Input("shell-url", "pathname"),
    prevent_initial_call=True,  # the layout brings the verdict: one round trip fewer on every page
)
def refresh_health(_tick: int | None, _path: str | None) -> tuple[str, str, str, str]:
    """Show the health verdict again, on each tick and page change: label, link to the run behind it, reasons on
    hover."""
    return health_shown(current_health())
