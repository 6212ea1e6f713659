"""The sign-in and sign-out pages: plain HTML (no Dash), styled by the Bootstrap copy in assets/."""

from __future__ import annotations

from html import escape


def _page(title: str, name: str, lead: str, error: str | None, body: str) -> str:
    """A small page of the sign-in look: heading, lead text, the last error (class `name`-error), then `body`."""
    alert = f'<div class="alert alert-danger {name}-error" role="alert">{escape(error)}</div>' if error else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} · potrack</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/bootstrap.min.css"></head>
<body class="bg-light"><main class="container" style="max-width: 24rem; margin-top: 10vh">
<h1 class="h3 mb-3">potrack</h1><p class="text-muted">{lead}</p>{alert}
{body}
</main></body></html>"""


def login_html(csrf_token: str, next_path: str, error: str | None = None, name: str = "") -> str:
    """The sign-in form with its CSRF token, the path to go to afterwards, and the last error."""
    form = f"""<form method="post" action="/login" id="login-form">
<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
<input type="hidden" name="next" value="{escape(next_path)}">
<div class="mb-2"><label class="form-label" for="username">User name</label>
<input class="form-control" id="username" name="username" autocomplete="username" required autofocus
 value="{escape(name)}"></div>
<div class="mb-3"><label class="form-label" for="password">Password</label>
<input class="form-control" id="password" name="password" type="password" autocomplete="current-password" required>
</div><button class="btn btn-primary w-100" type="submit" id="login-submit">Sign in</button></form>"""
    return _page("Sign in", "login", "Sign in to the PO ingestion dashboard.", error, form)


def logout_html(csrf_token: str, error: str | None = None) -> str:
    """The sign-out confirmation: one button posting the CSRF token to /logout (a GET signs nobody out)."""
    form = f"""<form method="post" action="/logout" id="logout-form">
<input type="hidden" name="csrf_token" value="{escape(csrf_token)}">
<button class="btn btn-primary w-100" type="submit" id="logout-submit">Sign out</button></form>
<p class="mt-3"><a href="/">Stay signed in</a></p>"""
    return _page("Sign out", "logout", "Sign out of the PO ingestion dashboard?", error, form)
