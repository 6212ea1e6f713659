"""A file that is not CSV in its source's encoding, lacks a required column, is empty or is over the source's limit
is refused while it is received, naming the problem and its line (the header is line 1), and no part of it is left
on disk."""

from __future__ import annotations

import pytest

from potrack.config import SourceConfig
from potrack.uploads.receive import UploadRejected, receive
from tests.support.uploads import SAMPLE, sample_with

GOOD = SAMPLE.read_bytes()
LINES = GOOD.splitlines(keepends=True)  # file line n is LINES[n - 1]


def cfg(**options):
    return SourceConfig(
        name="buyer",
        kind="csv",
        upload=True,
        custom_columns={"udf_project": "text", "udf_weight_kg": "number"},
        **options,
    )


def refusal(tmp_path, data: bytes, chunk: int = 5, **options) -> UploadRejected:
    target = tmp_path / "incoming" / "file.csv"
    with pytest.raises(UploadRejected) as raised:
        receive([data[i : i + chunk] for i in range(0, len(data), chunk)], cfg(**options), target)
    assert not target.exists()
    return raised.value


def test_bytes_that_are_not_utf8_name_their_line_and_bytes(tmp_path):
    refused = refusal(tmp_path, sample_with(7, b"\xe4"))
    assert refused.status == 400
    assert refused.reason.startswith("line 7: bytes that are not valid utf-8 (0xE4)")
    assert "set the source's encoding" in refused.reason


def test_the_same_bytes_are_taken_by_a_cp1252_source(tmp_path):
    got = receive([sample_with(7, b"\xe4")], cfg(encoding="cp1252"), tmp_path / "f.csv")  # an a-umlaut in cp1252
    assert got.rows_total == 30


def test_a_binary_file_is_not_csv(tmp_path):
    workbook = b"PK\x03\x04\x14\x00\x06\x00" + b"\x00" * 40  # what a .xlsx starts with
    refused = refusal(tmp_path, workbook, encoding="latin-1")
    assert refused.status == 400 and refused.reason.startswith("line 1: the header holds NUL bytes")


def test_a_quote_never_closed_names_the_line_it_opened_on(tmp_path):
    refused = refusal(tmp_path, sample_with(len(LINES), b',"PRJ-OPEN'))
    assert refused.status == 400
    assert refused.reason == (
        f"line {len(LINES)}: the file cannot be read as CSV from this line on (unexpected end of data)"
    )
    # Opened earlier, the quoted cell runs on into the next lines until a quote ends it where no quote can.
    assert refusal(tmp_path, sample_with(5, b',"PRJ-OPEN')).reason.startswith("line 5: the file cannot be read as CSV")


def test_text_after_a_closing_quote_names_its_line(tmp_path):
    refused = refusal(tmp_path, sample_with(9, b',"PRJ"X'))
    assert refused.status == 400 and refused.reason.startswith("line 9: the file cannot be read as CSV")


def test_a_quote_inside_an_unquoted_cell_is_text(tmp_path):
    got = receive([sample_with(9, b',12" pipe')], cfg(), tmp_path / "f.csv")
    assert got.rows_total == 30


def test_nul_bytes_in_a_row_are_left_to_the_run_which_rejects_that_row(tmp_path):
    got = receive([sample_with(12, b"\x00\x00")], cfg(), tmp_path / "f.csv")
    assert got.rows_total == 30


def test_a_header_without_a_required_column_names_them(tmp_path):
    data = GOOD.replace(b"supplier_code,", b"vendor,", 1)
    refused = refusal(tmp_path, data)
    assert refused.status == 400
    assert refused.reason.startswith("line 1 (the header) has no column for supplier_code")


def test_an_empty_file_is_refused(tmp_path):
    refused = refusal(tmp_path, b"")
    assert refused.status == 400 and refused.reason.startswith("line 1: the file is empty")


def test_a_file_over_the_limit_is_413_naming_the_limit(tmp_path):
    refused = refusal(tmp_path, GOOD * 300, chunk=64 * 1024, upload_max_bytes=1024 * 1024)
    assert refused.status == 413
    assert refused.reason == "the file is larger than buyer's limit of 1 MB (upload_max_mb in potrack.toml)"
