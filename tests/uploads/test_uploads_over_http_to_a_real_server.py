"""A real `python app.py` on both stores takes uploads over HTTP from a streaming client (http.client, chunked
transfer encoding, the file sent in pieces as it is read): its scheduler applies the file and GET /api/uploads follows
the run to success with every row; a file over the source's limit is refused with 413 naming the limit once that
much is written, and the server keeps nothing of it."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator

import pytest

from potrack.auth.tokens import create_token
from potrack.runtime import start
from tests.support.timing import wait_for
from tests.support.uploads import SAMPLE, SOURCE, data_rows, streamed_multipart, upload_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

DATA = SAMPLE.read_bytes()
ROWS = data_rows(DATA)


def pieces(data: bytes, size: int) -> Iterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def send(port: int, token: str, chunks: Iterator[bytes], name: str = "po_lines.csv") -> tuple[int, dict]:
    """POST the file as a streamed multipart body (chunked); the status and the JSON answer."""
    body, content_type = streamed_multipart(name, chunks)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(
            "POST",
            f"/api/uploads?source={SOURCE}",
            body=body,
            headers={"Content-Type": content_type, "Authorization": f"Bearer {token}"},
            encode_chunked=True,
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    except (BrokenPipeError, ConnectionResetError):  # the server may answer and close before the body is sent
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def get(port: int, token: str, path: str) -> dict:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"})
        return json.loads(connection.getresponse().read())
    finally:
        connection.close()


def serve(app_processes, workdir, max_mb: int):
    upload_config(workdir, max_mb=max_mb)
    runtime = start()  # the store migrated, for the token the client sends
    token = create_token(runtime.engine, "feeder", "operator", actor="test")
    env = {"POTRACK_DATABASE_URL": runtime.settings.database_url, "POTRACK_INSTANCE": str(workdir / "instance")}
    process = app_processes.app("app", **env)
    process.wait_ready()
    return process, token, workdir / "instance" / "uploads" / SOURCE


def test_a_streamed_upload_is_applied_by_the_servers_scheduler(app_processes, workdir):
    process, token, _ = serve(app_processes, workdir, max_mb=200)
    status, body = send(process.port, token, pieces(DATA, 1000))
    assert status == 202, body

    def finished() -> dict | None:
        [upload] = get(process.port, token, "/api/uploads")["recent_uploads"]
        return upload if upload["status"] in ("success", "partial", "failed") else None

    upload = wait_for(finished, 30, "the upload's run to finish")
    assert upload["status"] == "success", upload
    assert (upload["rows_processed"], upload["rows_total"], upload["percent_complete"]) == (ROWS, ROWS, 100)
    assert upload["size_bytes"] == len(DATA) and upload["uploaded_by"] == "token:feeder"
    run = get(process.port, token, f"/api/runs/{body['run_id']}")
    assert (run["trigger"], run["lines_new"], run["errors"]) == ("upload", ROWS, 0)


def test_a_file_over_the_limit_is_413_while_it_arrives_and_nothing_is_kept(app_processes, workdir):
    process, token, folder = serve(app_processes, workdir, max_mb=1)
    status, body = send(process.port, token, pieces(DATA * 700, 64 * 1024))  # about 3 MB
    assert status == 413, body
    assert body["message"] == f"the file is larger than {SOURCE}'s limit of 1 MB (upload_max_mb in potrack.toml)"
    assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert get(process.port, token, "/api/uploads")["recent_uploads"] == []
