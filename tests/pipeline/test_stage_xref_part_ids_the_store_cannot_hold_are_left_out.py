"""Stage 3, xref: an entry of the source's xref whose part id the store cannot hold (over 64 characters, or with a
control character) is left out — its lines are stored without a part id and count as unmapped — and the run says
so once in its notes; one odd cell of the ERP's xref never fails the night (on PostgreSQL it would, stored)."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import lines, unmapped
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_unusable_part_ids_are_left_out_and_noted(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(
        [
            erp_line("PO1", 1, item_code="ITEM-1"),
            erp_line("PO1", 2, item_code="LONG"),
            erp_line("PO1", 3, item_code="NUL"),
            erp_line("PO1", 4, item_code="NBSP"),
        ]
    )
    erp.write_xref({"ITEM-1": "PART-1", "LONG": "P" * 65, "NUL": "PART\x00X", "NBSP": "PART\xa0Y"})

    code, [report] = run_cli("--source", "erp")

    assert (code, report["status"], report["xref_gaps"]) == (0, "success", 2)
    assert report["notes"] == [
        "xref: 2 item code(s) ignored, their part id is longer than 64 characters or holds "
        "a control character: 'LONG', 'NUL'"
    ]
    store = open_store().engine
    assert {k: r["internal_part_id"] for k, r in lines(store).items()} == {
        ("PO1", 1): "PART-1",
        ("PO1", 2): None,
        ("PO1", 3): None,
        ("PO1", 4): "PART\xa0Y",
    }  # (no-break space: text)
    assert unmapped(store, report["run_id"]) == {"LONG": 1, "NUL": 1}
