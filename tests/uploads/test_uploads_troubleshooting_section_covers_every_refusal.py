"""docs/runbook.md's "What if an upload fails?" (linked from the upload area) covers every refusal potrack gives an
upload: each is provoked here through the API, and the words that identify it must be in potrack's message and in
the section's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from potrack.config import SourceConfig
from potrack.pipeline.runner import Pipeline
from potrack.uploads.receive import UploadRejected, receive
from potrack.web.runbook import anchor
from tests.support.personas import client_as, persona_tokens
from tests.support.uploads import SAMPLE, multipart, post_upload, sample_with

RUNBOOK = Path(__file__).resolve().parents[2] / "docs" / "runbook.md"
DATA = SAMPLE.read_bytes()
LINES = DATA.splitlines(keepends=True)


def section() -> str:
    text = RUNBOOK.read_text(encoding="utf-8")
    title = "What if an upload fails?"
    assert anchor(title) == "what-if-an-upload-fails"  # the upload area links to /runbook#what-if-an-upload-fails
    return text.split(f"## {title}", 1)[1].split("\n## ", 1)[0]


FILES = {
    "bytes that are not valid utf-8": sample_with(3, b"\xe4"),
    "the header holds NUL bytes, so the file is not a CSV text file": sample_with(1, b"\x00"),
    "the file cannot be read as CSV from this line on (unexpected end of data)": sample_with(len(LINES), b',"open'),
    "(',' expected after '\"')": sample_with(3, b',"a"b'),
    "(the header) has no column for": DATA.replace(b"supplier_code,", b"vendor,", 1),
    "the file is empty": b"",
}


@pytest.mark.parametrize("words", FILES)
def test_each_refused_file_is_in_the_section(upload_web, words):
    answer = post_upload(persona_tokens(upload_web.engine)["operator"], FILES[words])
    assert answer.status_code == 400 and words in answer.get_json()["message"]
    assert words in section()


def test_the_other_refusals_are_in_the_section(upload_web, tmp_path):
    tokens = persona_tokens(upload_web.engine)
    said = []
    first = post_upload(tokens["operator"], DATA).get_json()
    said.append(post_upload(tokens["operator"], DATA.replace(b"PRJ-ALPHA", b"PRJ-B")).get_json()["message"])
    Pipeline(upload_web.settings, upload_web.engine).execute(first["run_id"])
    said.append(post_upload(tokens["operator"], DATA).get_json()["message"])
    said.append(post_upload(tokens["operator"], DATA, source="nightly").get_json()["message"])
    said.append(post_upload(tokens["viewer"], DATA).get_json()["message"])
    body, content_type = multipart("x.csv", DATA)
    said.append(
        client_as("otto").post("/api/uploads?source=buyer", data=body, content_type=content_type).get_json()["message"]
    )
    with pytest.raises(UploadRejected) as too_big:
        receive(
            [DATA] * 400, SourceConfig(name="buyer", kind="csv", upload=True, upload_max_bytes=1 << 20), tmp_path / "f"
        )
    said.append(too_big.value.reason)
    for words, message in zip(
        [
            "already has run #",
            "identical to upload #",
            "takes no uploaded files (set upload = true",
            "may not upload snapshot files: it needs the operator role",
            "must send the X-CSRF-Token header of its page",
            "the file is larger than buyer's limit of",
        ],
        said,
        strict=True,
    ):
        assert words in message and words in section(), words
