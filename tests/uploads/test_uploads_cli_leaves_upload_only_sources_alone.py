"""`potrack run` runs every source but those fed by uploaded files only (nothing to read until a file comes), and
`potrack run --source` of one is refused naming why, queueing nothing."""

from __future__ import annotations

from tests.support.cli import run_cli
from tests.support.store import store_rows
from tests.support.uploads import SOURCE, upload_config
from tests.support.workdir import open_store


def test_run_all_skips_the_upload_only_source_and_run_source_refuses_it(workdir, capsys):
    upload_config(workdir)
    (workdir / "nightly.csv").write_text(
        "po_number,line_number,item_code,supplier_code,quantity_ordered,quantity_received,unit_price,"
        "promised_date,status\nPO1,1,I,S,1,0,1.5,2027-01-01,open\n",
        encoding="utf-8",
    )
    code, reports = run_cli()
    assert code == 0 and [r["source"] for r in reports] == ["nightly"]
    code, reports = run_cli("--source", SOURCE)
    assert code == 1 and reports == []
    assert f"{SOURCE} is fed by uploaded files only (it has no path to read)" in capsys.readouterr().err
    runs = store_rows(open_store().engine, "SELECT source FROM runs ORDER BY id")
    assert runs == [{"source": "nightly"}]
