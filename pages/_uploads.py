"""The upload area of a source that takes snapshot files (upload = true), on the Ingestion Monitor and the source's row
of the Overview, for operators and admins; and the toast that tells how an upload went.

The file never travels through a Dash callback: assets/uploads.js catches the drop or the picked file inside
`.upload-area` before dcc.Upload reads it, streams it to POST /api/uploads?source=<data-source> with the session's
CSRF token (the area's data-csrf) and shows the bytes sent; the API's answer ({status, body}) lands in the page's
`upload-outcome` store, and tell_upload_outcome below says it in words. Each page refreshes its runs on it too."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, dcc, html
from dash.exceptions import PreventUpdate

from pages._components import run_link, toast
from potrack import runtime
from potrack.auth.roles import Action
from potrack.auth.session import csrf_token
from potrack.config import SourceConfig
from potrack.web.access import may

OUTCOME = "upload-outcome"  # the store assets/uploads.js hands the API's answer to
TOAST = "upload-toast"
HELP = "/runbook#what-if-an-upload-fails"
SUCCESS_SHOWN_MS = 8000


def upload_sources() -> list[SourceConfig]:
    """The configured sources that take uploaded files, when the signed-in user may upload (else none)."""
    if not may(Action.UPLOAD):
        return []
    return [cfg for cfg in runtime.settings().sources if cfg.upload]


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def upload_area(cfg: SourceConfig, compact: bool = False) -> html.Div | None:
    """Where a file for the source is dropped or picked (None unless the source takes uploads and the signed-in user
    may upload); `compact` for a row of the Overview. The area carries its source and the session's CSRF token for
    assets/uploads.js, which also writes the bytes sent in its status line."""
    if not cfg.upload or not may(Action.UPLOAD):
        return None
    words = f"Upload a snapshot of {cfg.name}: drop a CSV file here, or click to pick one"
    limit = f"up to {_megabytes(cfg.upload_max_bytes)}"
    data: dict[str, Any] = {"data-source": cfg.name, "data-csrf": csrf_token(), "data-outcome": OUTCOME}
    live: dict[str, Any] = {"aria-live": "polite"}  # a screen reader reads the bytes sent
    return html.Div(
        [
            dcc.Upload(
                html.Div([html.Span("⇪ ", className="upload-icon"), words, html.Small(f" ({limit})")]),
                accept=".csv,text/csv",
                multiple=False,
                className="upload-drop",
                className_active="upload-drop upload-drag",
            ),
            html.Div(className="upload-status small text-muted", role="status", **live),
            dcc.Link("What if an upload fails?", href=HELP, className="upload-help small"),
        ],
        className="upload-area" + (" upload-area-compact" if compact else ""),
        **data,
    )


def upload_outcome() -> list[Any]:
    """The store an upload's answer lands in and the toast that tells it: on a page that shows an upload area."""
    if not upload_sources():
        return []
    return [dcc.Store(id=OUTCOME), toast(TOAST, "Upload", "upload-toast")]


def outcome_words(outcome: dict[str, Any]) -> tuple[list[Any], str, str, int | None]:
    """The toast's message, header, icon and how long it stays for an upload's answer as assets/uploads.js handed it
    ({source, file, status, body}): 'Upload #N queued as run #M' with a link to the run, else the API's message as
    it is (a refusal stays until dismissed)."""
    status, body = outcome.get("status"), outcome.get("body")
    body = body if isinstance(body, dict) else {}
    upload_id, run_id = body.get("upload_id"), body.get("run_id")
    file_name, source = str(outcome.get("file") or "the file"), str(outcome.get("source") or "?")
    if status == 202 and isinstance(upload_id, int) and isinstance(run_id, int):
        said = [
            f"Upload #{upload_id} queued as ",
            run_link(run_id, f"run #{run_id}", "upload-run-link"),
            f" ({file_name} for {source}).",
        ]
        return said, "Upload queued", "success", SUCCESS_SHOWN_MS
    message = body.get("message")
    if not isinstance(status, int) or status == 0:
        said_text = f"{file_name} could not be sent: the connection to potrack failed. Nothing was queued."
    elif isinstance(message, str) and message:
        said_text = message
    else:
        said_text = f"potrack answered {status} without a message. Nothing was queued."
    icon = "warning" if status == 409 else "danger"
    return [said_text], f"Upload of {file_name} refused", icon, None


@dash.callback(
    Output(TOAST, "is_open"),
    Output(TOAST, "children"),
    Output(TOAST, "header"),
    Output(TOAST, "icon"),
    Output(TOAST, "duration"),
    Input(OUTCOME, "data"),
    prevent_initial_call=True,
)
def tell_upload_outcome(outcome: dict[str, Any] | None) -> tuple[bool, list[Any], str, str, int | None]:
    """Tell how an upload went, in the page's toast."""
    if not isinstance(outcome, dict):
        raise PreventUpdate
    said, header, icon, duration = outcome_words(outcome)
    return True, said, header, icon, duration


def refresh_on_upload(tick: str) -> None:
    """Make an upload's answer redraw a page's runs at once: it advances the page's refresh interval `tick` (whose
    callback redraws them and keeps ticking while the queued run is under way)."""

    @dash.callback(
        Output(tick, "n_intervals"),
        Input(OUTCOME, "data"),
        dash.State(tick, "n_intervals"),
        prevent_initial_call=True,
    )
    def tick_after_upload(_outcome: dict[str, Any] | None, n_intervals: int | None) -> int:
        """Advance the interval by one, as if it had fired."""
        return (n_intervals or 0) + 1
