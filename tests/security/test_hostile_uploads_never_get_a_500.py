"""Hostile uploads get a 4xx naming what was wrong, never a 500, and leave nothing on disk: bodies that are not a
multipart form or break off, a form without the file field, file names built to escape the uploads folder or to break
a page, a JSON bomb sent as the body."""

from __future__ import annotations

import pytest

import app
from tests.support.personas import persona_tokens
from tests.support.uploads import SAMPLE, SOURCE, multipart, post_upload

DATA = SAMPLE.read_bytes()
DEEP = b"[" * 100_000 + b"]" * 100_000


def send(token: str, body: bytes, content_type: str):
    return app.server.test_client().post(
        f"/api/uploads?source={SOURCE}",
        data=body,
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
    )


def kept(runtime) -> list[str]:
    root = runtime.settings.instance_dir / "uploads"
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize(
    ("label", "make"),
    [
        ("a JSON bomb", lambda: (DEEP, "application/json")),
        ("multipart without a boundary", lambda: (multipart("a.csv", DATA)[0], "multipart/form-data")),
        ("a boundary the body lacks", lambda: (multipart("a.csv", DATA)[0], "multipart/form-data; boundary=nope")),
        ("a body cut off in the file", lambda: (multipart("a.csv", DATA)[0][:2000], multipart("a.csv", DATA)[1])),
        ("no file field", lambda: multipart("a.csv", DATA, field="attachment")),
        (
            "a part without Content-Disposition",
            lambda: (b"--b\r\nX: y\r\n\r\nz\r\n--b--\r\n", "multipart/form-data; boundary=b"),
        ),
        ("a boundary of 5,000 characters", lambda: (b"x", "multipart/form-data; boundary=" + "b" * 5000)),
    ],
)
def test_a_broken_body_is_400_and_nothing_is_kept(upload_web, label, make):
    body, content_type = make()
    answer = send(persona_tokens(upload_web.engine)["operator"], body, content_type)
    assert answer.status_code == 400, (label, answer.get_data(as_text=True)[:300])
    assert answer.get_json()["parameter"] == "file", label
    assert kept(upload_web) == [], label


@pytest.mark.parametrize(
    ("sent", "kept_as"),
    [
        ("../../../etc/passwd", "passwd"),
        # In a quoted header value a backslash escapes the next character: the name arrives without them.
        ("..\\..\\windows\\win.ini", "windowswin.ini"),
        ("<img src=x onerror=alert(1)>.csv", "_img src_x onerror_alert(1)_.csv"),
        (".hidden.csv", "hidden.csv"),
        ("", "upload.csv"),
        ("n" * 5000 + ".csv", "n" * 200),
    ],
)
def test_a_hostile_file_name_is_kept_inside_the_uploads_folder_made_safe(upload_web, sent, kept_as):
    answer = post_upload(persona_tokens(upload_web.engine)["operator"], DATA, sent)
    assert answer.status_code == 202, answer.get_json()
    assert kept(upload_web) == [f"{SOURCE}/{answer.get_json()['upload_id']}/{kept_as}"]
