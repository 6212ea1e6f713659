"""An odbc source (PostgreSQL through psqlODBC): a baseline night then an incremental night through the CLI."""

import json
import os

from tests.support.erp_nights import XREF, check_stored_nights, run_both_nights
from tests.support.odbc import psqlodbc_logs_of
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config


def test_odbc_source_baseline_then_incremental_night_every_metric_and_store_state(workdir, odbc_erp):
    write_config(workdir, odbc_erp.config())
    odbc_erp.write_xref(XREF)

    logs_before = psqlodbc_logs_of(os.getpid())
    first, second = run_both_nights(workdir, "erp", odbc_erp.write)
    # ODBCSYSINI points at an odbcinst.ini with CommLog=0: the driver wrote no /tmp/psqlodbc_<pid>.log here.
    assert psqlodbc_logs_of(os.getpid()) == logs_before

    engine = open_store().engine
    check_stored_nights(engine, first, second)
    assert {(u["run_id"], u["item_code"]) for u in store_rows(engine, "SELECT * FROM unmapped_codes")} == {
        (first["run_id"], "ITEM-98"),
        (first["run_id"], "ITEM-99"),
        (second["run_id"], "ITEM-98"),
        (second["run_id"], "ITEM-99"),
    }

    # PostgreSQL's date, integer and numeric columns arrive through ODBC as date, int and Decimal objects.
    stored = {
        (r["po_number"], r["line_number"]): r for r in store_rows(engine, "SELECT * FROM po_lines WHERE source = 'erp'")
    }
    assert sorted(k for k, r in stored.items() if not r["active"]) == [("PO2", 2)]
    po11, po12 = stored[("PO1", 1)], stored[("PO1", 2)]
    assert (str(po11["promised_date"]), po11["quantity_ordered"], po11["unit_price"]) == ("2026-12-06", 100, 2.5)
    assert json.loads(po11["custom"]) == {"udf_1": "B", "udf_3": 1.5}
    assert (po12["quantity_received"], po11["internal_part_id"], stored[("PO2", 1)]["internal_part_id"]) == (
        25,
        "PART-1",
        None,
    )
