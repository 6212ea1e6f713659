"""An uploaded file is written as it arrives, in chunks of any size: its SHA-256 and its data rows (CSV records
after the header; quoted line breaks, CRLF, a byte-order mark, blank lines and a missing last line break counted as
the csv module reads them) come out the same whatever the chunks, and equal hashlib's and the csv module's."""

from __future__ import annotations

import hashlib

import pytest

from potrack.config import SourceConfig
from potrack.uploads.receive import receive
from tests.support.uploads import SAMPLE, SAMPLE_WITH_ERRORS, data_rows

HEADER = (
    "po_number,line_number,item_code,supplier_code,quantity_ordered,quantity_received,unit_price,promised_date,status"
)
FILES = {
    "sample": SAMPLE.read_bytes(),
    "with errors": SAMPLE_WITH_ERRORS.read_bytes(),
    "quoted line breaks, CRLF": (
        HEADER
        + '\r\nPO1,1,"A\r\nB",S,1,0,1.5,2027-01-01,open\r\n\r\nPO1,2,"say ""hi""\nthere",S,1,0,1,2027-01-01,open\r\n'
    ).encode(),
    "byte-order mark, no last line break": ("\ufeff" + HEADER + "\nPO1,1,I,S,1,0,1,2027-01-01,open").encode(),
    "blank lines only after the header": (HEADER + "\n\n\n").encode(),
    "a lone CR ends lines": (HEADER + "\rPO1,1,I,S,1,0,1,2027-01-01,open\rPO1,2,I,S,1,0,1,2027-01-01,open\r").encode(),
}


def chunked(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize("size", [1, 2, 7, 64, 1 << 20])
def test_the_hash_and_rows_are_the_same_whatever_the_chunks(tmp_path, name, size):
    data = FILES[name]
    cfg = SourceConfig(name="buyer", kind="csv", upload=True)
    got = receive(chunked(data, size), cfg, tmp_path / "in" / "file.csv")
    assert got.sha256 == hashlib.sha256(data).hexdigest()
    assert got.size_bytes == len(data) == got.path.stat().st_size
    assert got.path.read_bytes() == data
    assert got.rows_total == data_rows(data)


def test_the_sample_file_has_its_30_lines():
    assert data_rows(SAMPLE.read_bytes()) == 30
