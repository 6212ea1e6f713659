"""The rows an upload's run rejects carry the file's name and their line in it (the header is line 1), and
GET /api/failed-rows?upload_id=N lists exactly the rows of that upload: the lines are computed here with the csv
module from the sample file, whose only good lines are 4500013001/1 and 4500013006/1."""

from __future__ import annotations

import csv
import io

from potrack.pipeline.runner import Pipeline
from tests.support.personas import client_as, persona_tokens
from tests.support.uploads import SAMPLE_WITH_ERRORS, post_upload

DATA = SAMPLE_WITH_ERRORS.read_bytes()
GOOD = {("4500013001", "1"), ("4500013006", "1")}


def bad_lines(data: bytes) -> list[int]:
    """The file lines of the rows that are not one of the good lines."""
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    next(reader)
    found, start = [], reader.line_num + 1
    for row in reader:
        if row and (row[0], row[1]) not in GOOD:
            found.append(start)
        start = reader.line_num + 1
    return found


def test_each_rejected_row_names_its_file_and_line_and_the_filter_keeps_to_its_upload(upload_web):
    token = persona_tokens(upload_web.engine)["operator"]
    pipeline = Pipeline(upload_web.settings, upload_web.engine)
    first = post_upload(token, DATA, "errors.csv").get_json()
    assert pipeline.execute(first["run_id"]).status == "partial"
    # A second file: the good lines again and one bad row of its own (a quantity that is not a number).
    rows = DATA.decode().splitlines(keepends=True)
    bad = rows[1].replace("4500013001,1,", "4500013009,1,").replace(",EA,100,", ",EA,lots,", 1)
    second_data = "".join([rows[0], rows[1], rows[-1], bad])
    second = post_upload(token, second_data.encode(), "again.csv").get_json()
    assert pipeline.execute(second["run_id"]).status == "partial"

    vera = client_as("vera")
    listed = vera.get(f"/api/failed-rows?upload_id={first['upload_id']}&per_page=100").get_json()["results"]
    assert sorted(r["location"] for r in listed) == sorted(f"errors.csv:{n}" for n in bad_lines(DATA))
    assert {r["run_id"] for r in listed} == {first["run_id"]}
    [other] = vera.get(f"/api/failed-rows?upload_id={second['upload_id']}").get_json()["results"]
    assert (other["location"], other["row_key"]) == ("again.csv:4", "4500013009/1")
