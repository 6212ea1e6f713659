"""/api/uploads: the uploads with how their runs are going, and uploading a snapshot file (multipart, streamed)."""

from __future__ import annotations

import hmac

import flask

from potrack import actions, runtime
from potrack.api.contract import endpoint
from potrack.api.errors import ApiError
from potrack.api.models import UploadQuery, UploadsQuery
from potrack.api.multipart import MultipartFile
from potrack.api.responses import UploadPage, UploadQueued
from potrack.api.runs import accepted, next_page
from potrack.api.serialize import upload_json
from potrack.auth.roles import Actor
from potrack.auth.session import CSRF_FIELD, current_actor
from potrack.clock import utcnow
from potrack.store.uploads import list_uploads

CSRF_HEADER = "X-CSRF-Token"
UNBOUNDED = 2**62


@endpoint(UploadPage, query=UploadsQuery, answers={200: "Uploads, newest first (keyset paging: follow `next`)."})
def list_recent(query: UploadsQuery) -> flask.Response:
    """List uploads, newest first, with the progress of their runs."""
    found = runtime.read(list_uploads, query.limit, query.cursor, query.source)
    last = found.uploads[-1] if found.more else None
    next_url = next_page("api_uploads", last.uploaded_at, last.upload_id) if last else None
    now = utcnow()
    return flask.jsonify(
        {
            "active_uploads": found.active,
            "recent_uploads": [upload_json(u, now) for u in found.uploads],
            "next": next_url,
        }
    )


def _cross_site(actor: Actor | None) -> str | None:
    """Why a session request is refused as possibly cross-site: a browser signed in by session cookie must send the
    session's CSRF token in a header, which a cross-site form cannot (a bearer token needs none)."""
    if actor is None or actor.kind != "user":
        return None
    sent = flask.request.headers.get(CSRF_HEADER, "")
    expected = str(flask.session.get(CSRF_FIELD, ""))
    if sent and expected and hmac.compare_digest(sent, expected):
        return None
    return (
        f"a request signed in by session cookie must send the {CSRF_HEADER} header of its page "
        "(or authenticate with an API token)"
    )


FORM = {
    "multipart/form-data": {
        "type": "object",
        "properties": {"file": {"type": "string", "format": "binary", "description": "The snapshot, a CSV file."}},
        "required": ["file"],
    }
}


@endpoint(
    UploadQueued,
    query=UploadQuery,
    form=FORM,
    answers={
        202: "The file was received and queued as a run (Location: the run's URL).",
        400: "The body is not a multipart form with a `file`, or the file is not CSV in the source's encoding, or "
        "its header lacks a required column, or the source takes no uploads (the message names the line).",
        403: "The actor may not upload (viewers; accept_removals: operators), or a session request lacks its "
        "X-CSRF-Token header.",
        409: "An identical file was already applied (`upload_id`, `run_id`), or the source has a run in the way.",
        413: "The file is larger than the source's upload_max_mb.",
    },
)
def upload(query: UploadQuery) -> flask.Response:
    """Upload a snapshot file.

    multipart/form-data with the file in the field `file`; streamed to disk, never held whole in memory."""
    actor = current_actor()
    problem = _cross_site(actor)
    if problem is not None:
        actions.upload_refused(actor, query.source, None, problem)
        raise ApiError(403, problem)
    request = flask.request
    # Streamed: the source's upload_max_mb bounds what is written (None would fall back to the 1 MiB of the rest).
    request.max_content_length = UNBOUNDED
    boundary = request.mimetype_params.get("boundary", "") if request.mimetype == "multipart/form-data" else ""
    incoming = MultipartFile(request.stream, boundary)
    taken = actions.upload_snapshot(actor, query.source, incoming, accept_removals=query.accept_removals)
    return accepted({"upload_id": taken.upload_id, "run_id": taken.run_id, "status": "queued"}, taken.run_id)
