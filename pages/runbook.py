"""Runbook: docs/runbook.md, what to do about each alert; every section has the anchor the notifications link to
(/runbook#stale-data). In the navbar; the alerts page and the notifications link to its sections too."""

from __future__ import annotations

import dash
from dash import Input, Output, clientside_callback, dcc, html
from dash.development.base_component import Component

from potrack.web.runbook import runbook

dash.register_page(__name__, path="/runbook", name="Runbook", nav=False)


def layout(**_query: str) -> html.Div:
    """The runbook's intro, a contents line, then each section under a heading with its anchor."""
    intro, *parts = runbook()
    contents: list[str | Component] = [html.Span("Contents: ", className="text-muted")]
    for n, part in enumerate(parts):
        contents += [" · " if n else "", html.A(part.title, href=f"#{part.anchor}")]
    body = [dcc.Markdown(intro.body, className="runbook-intro"), html.P(contents, id="runbook-contents")]
    for part in parts:
        body.append(
            html.Section([html.H2(part.title, id=part.anchor), dcc.Markdown(part.body)], className="runbook-section")
        )
    return html.Div(
        [dcc.Location(id="runbook-url"), html.Div(id="runbook-scrolled", hidden=True), *body], className="runbook"
    )


# Scroll to the section the URL's #anchor names. The Markdown is drawn after the page (its script loads lazily) and
# pushes the headings down as it appears: scroll again whenever the runbook changes size, until the reader scrolls,
# clicks or types, or 15 s have passed.
clientside_callback(
    """function (hash) {
        if (window.runbookUnfollow) { window.runbookUnfollow(); }
        const id = hash ? decodeURIComponent(hash.slice(1)) : "";
        const box = document.querySelector(".runbook");
        if (!id || !box) { return hash || ""; }
        const follow = () => { const target = document.getElementById(id); if (target) { target.scrollIntoView(); } };
        const watcher = new ResizeObserver(follow);
        const reader = ["wheel", "touchstart", "keydown", "mousedown"];
        const stop = () => {
            watcher.disconnect();
            reader.forEach(name => window.removeEventListener(name, stop));
            window.runbookUnfollow = null;
        };
        reader.forEach(name => window.addEventListener(name, stop));
        window.runbookUnfollow = stop;
        watcher.observe(box);
        setTimeout(stop, 15000);
        follow();
        return hash;
    }""",
    Output("runbook-scrolled", "children"),
    Input("runbook-url", "hash"),
)
