"""Uploads in tests: a configuration with a source fed by uploads, the sample files, and multipart bodies built by
hand as a browser sends them (RFC 7578), independently of the multipart reader potrack uses."""

from __future__ import annotations

import csv
import io
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import app
from potrack.runtime import Runtime, start
from tests.support.browser import serve
from tests.support.personas import add_personas
from tests.support.workdir import write_config

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "docs" / "sample-data" / "po_lines.csv"
SAMPLE_WITH_ERRORS = ROOT / "docs" / "sample-data" / "po_lines_with_errors.csv"
SOURCE = "buyer"
UPLOAD_TOML = f"""
[[sources]]
name = "{SOURCE}"
kind = "csv"
upload = true
upload_max_mb = {{max_mb}}
custom_columns = {{{{ udf_project = "text", udf_weight_kg = "number" }}}}

[[sources]]
name = "nightly"
kind = "csv"
path = "nightly.csv"
"""


def data_rows(data: bytes = b"") -> int:
    """A CSV file's data rows as the csv module reads them (empty records skipped, as the csv source skips them);
    the sample's when no data is given."""
    text = (data or SAMPLE.read_bytes()).decode("utf-8-sig")
    return sum(1 for row in csv.reader(io.StringIO(text, newline="")) if row) - 1


def sample_with(number: int, text: bytes) -> bytes:
    """The sample file with `text` put before the line break of its line `number` (the header is line 1)."""
    lines = SAMPLE.read_bytes().splitlines(keepends=True)
    body = lines[number - 1].rstrip(b"\r\n")
    lines[number - 1] = body + text + lines[number - 1][len(body) :]
    return b"".join(lines)


def upload_config(workdir: Path, max_mb: int = 200) -> Path:
    """potrack.toml with the upload-only source `buyer` (the sample files' custom columns) and a csv source
    `nightly` that takes no uploads."""
    return write_config(workdir, UPLOAD_TOML.format(max_mb=max_mb))


@pytest.fixture
def upload_web(workdir: Path) -> Runtime:
    """The app on the upload configuration, with the three personas, installed as the app's runtime."""
    upload_config(workdir)
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    return runtime


def csrf_header(client: Any) -> dict[str, str]:
    """The header a page of the app sends with an upload: its session's CSRF token (a Flask test client's; made
    here when the session has none yet, as the page showing the upload area makes it)."""
    with client.session_transaction() as session:
        return {"X-CSRF-Token": session.setdefault("csrf_token", secrets.token_urlsafe(32))}


def multipart(
    file_name: str, content: bytes, field: str = "file", extra: dict[str, str] | None = None
) -> tuple[bytes, str]:
    """A multipart/form-data body holding the file (and any extra text fields first); (body, content type)."""
    boundary = "----potrack-test-" + secrets.token_hex(12)
    parts: list[bytes] = []
    for name, value in (extra or {}).items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def post_upload(token: str, data: bytes, name: str = "po_lines.csv", source: str = SOURCE) -> Any:
    """POST a file to /api/uploads with a bearer token through the app's test client; the response."""
    body, content_type = multipart(name, data)
    return app.server.test_client().post(
        f"/api/uploads?source={source}",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def streamed_multipart(file_name: str, chunks: Iterator[bytes]) -> tuple[Iterator[bytes], str]:
    """A multipart body whose file arrives chunk by chunk (sent with chunked transfer encoding)."""
    boundary = "----potrack-test-" + secrets.token_hex(12)

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        yield from chunks
        yield f"\r\n--{boundary}--\r\n".encode()

    return body(), f"multipart/form-data; boundary={boundary}"


def upload_file(client: Any, path: Path = SAMPLE, source: str = SOURCE, headers: dict[str, str] | None = None) -> Any:
    """POST a file to /api/uploads as a page sends it: multipart, with the client's CSRF header unless `headers` are
    given; the response."""
    body, content_type = multipart(path.name, path.read_bytes())
    return client.post(
        f"/api/uploads?source={source}",
        data=body,
        content_type=content_type,
        headers=csrf_header(client) if headers is None else headers,
    )


@pytest.fixture(scope="module")
def upload_app(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real app process with its scheduler (the dispatcher runs queued uploads) on the upload configuration and a
    fresh store, for the browser tests of a module."""
    root = tmp_path_factory.mktemp("upload")
    upload_config(root)
    with serve(root, scheduler=True) as app:
        yield app
