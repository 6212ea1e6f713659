"""A night whose every row is rejected stores every rejection exactly (how many, in the ERP's order, with its stage,
key, raw data, error and location), and the run does not hold them in memory: rejecting 4,000 rows of 9 KB peaks at
the Python memory (tracemalloc) of rejecting 1,000, where a run keeping them in a list would need the 26 MiB of the
3,000 more rows' cells on top.

Both sources are first runs on the same store, in this process; each reads its ERP 100 rows at a time, so that a
batch of the source is small beside the rejected rows.
"""

import tracemalloc

import pytest

from tests.support.cli import run_cli
from tests.support.erp import ERP_COLUMNS, Erp, erp_line
from tests.support.store import json_value, store_rows
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

FEW, MANY = 1_000, 4_000  # a thousand: a full batch of the store's insert in both runs
MEMO = 9_000  # characters of the unmapped udf_1 column, kept whole in the raw data (cut only past 10,000)
MIB = 2**20


def source(name: str, erp: Erp) -> str:
    """A sql source reading 100 rows at a time, udf_1 not mapped (its cells are only kept in the raw data)."""
    return f"""
[[sources]]
name = "{name}"
kind = "sql"
url = "{erp.url}"
query = "SELECT * FROM po_lines"
batch_size = 100
custom_columns = {{ udf_3 = "number" }}
"""


def bad_row(n: int) -> tuple[dict, str | None, str]:
    """ERP row n (9 KB of udf_1), its key as shown, and the one error it has."""
    po, line = f"PO{n // 10:05d}", n % 10 + 1
    memo = {"udf_1": f"{n:06d}".ljust(MEMO, "m")}
    defect = n % 4
    if defect == 0:
        return (
            erp_line(po, line, quantity_ordered=f"lots{n}", **memo),
            f"{po}/{line}",
            f"quantity_ordered: not a number: 'lots{n}'",
        )
    if defect == 1:
        return (
            erp_line(po, line, supplier_code=None, **memo),
            f"{po}/{line}",
            "supplier_code: required value is missing",
        )
    if defect == 2:
        return erp_line(po, line, unit_price=-n, **memo), f"{po}/{line}", f"unit_price: negative: {-n}"
    return erp_line(None, line, **memo), None, "po_number: required value is missing"


def run_measured(name: str) -> tuple[int, dict, float]:
    """`potrack run --source NAME`: exit code, report, and the run's peak of traced Python memory in MiB."""
    tracemalloc.start()
    try:
        code, [report] = run_cli("--source", name)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return code, report, peak / MIB


def test_every_rejected_row_is_stored_exactly_and_in_order_without_holding_them_all(workdir, erp):
    few = Erp(workdir / "few.sqlite")
    few.write([bad_row(n)[0] for n in range(FEW)])
    erp.write([bad_row(n)[0] for n in range(MANY)])
    write_config(workdir, source("few", few) + source("many", erp))
    open_store().engine.dispose()  # the store's schema is made before either run

    few_code, few_report, few_peak = run_measured("few")
    code, report, peak = run_measured("many")

    assert (few_code, few_report["status"], few_report["errors"]) == (3, "partial", FEW)
    assert (code, report["status"], report["errors"], report["lines_processed"]) == (3, "partial", MANY, MANY)
    assert (report["lines_new"], report["lines_changed"], report["lines_removed"]) == (0, 0, 0)
    engine = open_store().engine
    stored = store_rows(
        engine,
        "SELECT run_id, source, stage, row_key, raw_data, error, location FROM failed_rows "
        "WHERE source = 'many' ORDER BY id",
    )
    assert len(stored) == MANY
    for n, row in enumerate(stored):
        erp_row, key, error = bad_row(n)
        raw = json_value(row.pop("raw_data"))  # SQLite keeps the JSON as text, PostgreSQL decodes it
        assert row == {
            "run_id": report["run_id"],
            "source": "many",
            "stage": "validate",
            "row_key": key,
            "error": error,
            "location": None,
        }, n
        assert raw == {c: erp_row[c] for c in ERP_COLUMNS}, n
    [run] = store_rows(engine, "SELECT status, errors FROM runs WHERE id = :r", r=report["run_id"])
    assert (run["status"], run["errors"]) == ("partial", MANY)

    more_mib = (MANY - FEW) * MEMO / MIB  # what a list of the rejections would hold on top, in udf_1 alone
    assert peak - few_peak < more_mib / 5, f"peak {peak:.1f} MiB for {MANY:,} rejected rows, {few_peak:.1f} for {FEW:,}"
