"""Stage 2, validate, on odd cells real ERPs send: each of these rejects its own row only — stored in failed_rows
with its raw data and an error naming the field — and the run ends partial (exit 3) with every other line applied,
on a SQLite and on a PostgreSQL store (a NUL used to fail every night on PostgreSQL, whose text cannot hold one):

- a C0 control character anywhere in a text value (NUL in a description, BEL in an item code, a unit separator at
  the end of a supplier code, which str.strip() would silently remove); tab, CR and LF inside a description are
  kept as sent;
- a value over its field's limit (a description of 401 characters, a po_number of 65) and a line_number over the
  store's limit of 2,000,000,000, while the values exactly at the limits pass;
- a quantity with a thousands separator ("1,234.50") or an underscore ("1_000");
- error texts show values as the ERP sent them: a PostgreSQL NUMERIC(19,4) of -1.5000 is "-1.5000", never
  "Decimal('-1.5000')";
- a rejected NUL row whose key is an active line leaves that line exactly as it was, and its raw data is stored
  as valid JSON with the NUL escaped.
"""

import datetime as dt
import json
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.support.cli import run_cli
from tests.support.erp import ERP_COLUMNS, erp_line, sql_source_config
from tests.support.store import (
    all_batches,
    all_events,
    batches,
    events,
    expect,
    failed_rows,
    lines,
    metrics,
    run_row,
    store_rows,
)
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

MULTILINE = "first\tsecond\r\nthird\nfourth"
NIGHT_1 = [erp_line("PO1", 1), erp_line("PO1", 2, description=MULTILINE)]
# Tonight: PO1/1 received 5, PO1/2 as before, a new line exactly at every limit, and eight rows that must fail.
GOOD_TONIGHT = [
    erp_line("PO1", 1, quantity_received=5),
    erp_line("PO1", 2, description=MULTILINE),
    erp_line(
        "P" * 64,
        2_000_000_000,
        item_code="ITEM-3",
        description="e" * 400,
        quantity_ordered="1234.50",
        quantity_received="1.5e3",
    ),
]
# (row, its row_key, its error): written out by hand.
BAD_TONIGHT = [
    (
        erp_line("PO2", 1, description="bad\x00nul"),
        "PO2/1",
        "description: contains the control character NUL at position 4",
    ),
    (
        erp_line("PO2", 2, item_code="IT\x07EM"),
        "PO2/2",
        "item_code: contains the control character U+0007 at position 3",
    ),
    (
        erp_line("PO2", 3, supplier_code="SUP1\x1f"),
        "PO2/3",
        "supplier_code: contains the control character U+001F at position 5",
    ),
    (erp_line("PO2", 4, description="d" * 401), "PO2/4", "description: longer than 400 characters (401)"),
    (erp_line("P" * 65, 1), None, "po_number: longer than 64 characters (65)"),
    (
        erp_line("PO2", 3_000_000_000, item_code="ITEM-4"),
        None,
        "line_number: larger than 2,000,000,000, the store's limit: 3000000000",
    ),
    (
        erp_line("PO2", 6, quantity_ordered="1,234.50"),
        "PO2/6",
        "quantity_ordered: not a number: '1,234.50' (no thousands separators; the decimal point is '.')",
    ),
    (
        erp_line("PO2", 7, quantity_received="1_000"),
        "PO2/7",
        "quantity_received: not a number: '1_000' (no thousands separators; the decimal point is '.')",
    ),
]


def test_each_odd_cell_rejects_only_its_row_and_every_other_line_is_applied(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(NIGHT_1)
    assert run_cli("--source", "erp")[0] == 0

    erp.write(GOOD_TONIGHT + [row for row, _, _ in BAD_TONIGHT])
    code, [report] = run_cli("--source", "erp")

    assert code == 3
    assert (report["status"], report["error"]) == ("partial", None)
    assert metrics(report) == expect(
        lines_processed=11, lines_new=1, lines_changed=1, change_events=1, batches_reconstructed=2, errors=8
    )
    store = open_store().engine
    rejected = failed_rows(store, report["run_id"])
    assert [(r["row_key"], r["error"]) for r in rejected] == sorted(
        ((key, error) for _, key, error in BAD_TONIGHT), key=lambda t: (t[0] or "", t[1])
    )
    by_error = {r["error"]: r for r in rejected}
    for row, _, error in BAD_TONIGHT:
        assert by_error[error]["raw"] == row  # every cell as the ERP sent it, the NUL and the \x1f included
        assert (by_error[error]["stage"], by_error[error]["location"]) == ("validate", None)
    # No rejected key reached the store; the good lines did, tonight's changes included.
    stored = lines(store)
    assert set(stored) == {("PO1", 1), ("PO1", 2), ("P" * 64, 2_000_000_000)}
    assert stored[("PO1", 2)]["description"] == "first\tsecond\r\nthird\nfourth"
    at_limits = stored[("P" * 64, 2_000_000_000)]
    assert (at_limits["description"], at_limits["quantity_ordered"], at_limits["quantity_received"]) == (
        "e" * 400,
        1234.5,
        1500.0,
    )
    assert stored[("PO1", 1)]["quantity_received"] == 5.0
    assert events(store, report["run_id"]) == [
        ("PO1", 1, "changed", "quantity_received", "0", "5"),
        ("P" * 64, 2_000_000_000, "new", None, None, None),
    ]
    assert batches(store, report["run_id"]) == [("PO1", 1, 5.0, 5.0), ("P" * 64, 2_000_000_000, 1500.0, 1500.0)]
    assert run_row(store, report["run_id"])["status"] == "partial"


def test_a_description_with_tab_cr_and_lf_inside_is_stored_with_them(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, description="  a\tb\rc\nd\r\ne  ")])

    code, [report] = run_cli("--source", "erp")

    assert (code, report["errors"]) == (0, 0)
    assert lines(open_store().engine)[("PO1", 1)]["description"] == "a\tb\rc\nd\r\ne"  # only the ends stripped


def test_a_rejected_nul_row_of_an_active_line_leaves_it_as_it_was_and_its_raw_data_is_escaped_json(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, quantity_received=10, udf_1="a"), erp_line("PO1", 2)])
    assert run_cli("--source", "erp")[0] == 0
    store = open_store().engine
    before, events_before, batches_before = lines(store), all_events(store), all_batches(store)

    # PO1/1 tonight: a NUL in its description, and a received rise and a new custom value that must not be applied.
    bad = erp_line("PO1", 1, description="broken\x00text", quantity_received=30, udf_1="b")
    erp.write([bad, erp_line("PO1", 2)])
    code, [report] = run_cli("--source", "erp")

    assert (code, report["status"]) == (3, "partial")
    assert metrics(report) == expect(lines_processed=2, errors=1)
    assert lines(store) == before  # every column, the active flag and the run ids
    assert (all_events(store), all_batches(store)) == (events_before, batches_before)
    [stored] = store_rows(
        store, "SELECT row_key, raw_data, error FROM failed_rows WHERE run_id = :r", r=report["run_id"]
    )
    assert (stored["row_key"], stored["error"]) == (
        "PO1/1",
        "description: contains the control character NUL at position 7",
    )
    assert "\x00" not in stored["raw_data"] and '"broken\\u0000text"' in stored["raw_data"]
    assert json.loads(stored["raw_data"]) == bad


def test_a_po_number_with_a_control_character_at_its_end_keeps_its_stored_line(workdir, erp):
    # 'PO1\x1f' was stored as PO1 when stripping removed the character: the row is rejected now, and PO1/1 is
    # neither changed nor removed. A control character inside a PO number leaves no key to protect.
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2)])
    assert run_cli("--source", "erp")[0] == 0
    store = open_store().engine
    before = lines(store)

    erp.write(
        [
            erp_line("PO1\x1f", 1, unit_price=9, description="plain"),
            erp_line("PO1", 2),
            erp_line("P\x00O9", 1, description="plain"),
        ]
    )
    code, [report] = run_cli("--source", "erp")

    assert (code, report["errors"], report["lines_removed"]) == (3, 2, 0)
    assert lines(store) == before
    assert [(r["row_key"], r["error"]) for r in failed_rows(store, report["run_id"])] == [
        (None, "po_number: contains the control character NUL at position 2"),
        ("PO1/1", "po_number: contains the control character U+001F at position 4"),
    ]


# The ERP in PostgreSQL: typed columns, prices and quantities NUMERIC(19,4), which psycopg returns as Decimal.
ERP_TABLE = """
CREATE TABLE erp_po_lines (
    po_number text, line_number integer, item_code text, supplier_code text, description text, uom text,
    quantity_ordered numeric(19,4), quantity_received numeric(19,4), unit_price numeric(19,4), currency text,
    order_date date, promised_date date, need_by_date date, status text, buyer text, plant text, udf_1 text,
    udf_3 numeric(19,4)
)"""


def pg_erp_row(po: str, line: int, **values) -> dict:
    row = erp_line(po, line, **values)
    for name in ("quantity_ordered", "quantity_received", "unit_price"):
        row[name] = Decimal(str(row[name]))
    for name in ("order_date", "promised_date", "need_by_date"):
        row[name] = dt.date.fromisoformat(row[name])
    return row


def test_error_texts_show_numbers_as_a_postgresql_erp_sent_them(workdir, pg_schema):
    engine = pg_schema.engine()
    with engine.begin() as conn:
        conn.execute(sa.text(ERP_TABLE))
        conn.execute(
            sa.text(f"INSERT INTO erp_po_lines VALUES ({', '.join(':' + c for c in ERP_COLUMNS)})"),
            [
                pg_erp_row("PO1", 1),
                pg_erp_row("PO1", 2, unit_price="-1.5"),
                pg_erp_row("PO1", 3, quantity_received="-0.0001"),
            ],
        )
    engine.dispose()
    write_config(
        workdir,
        f"""
[[sources]]
name = "pg"
kind = "sql"
url = "{pg_schema.url}"
query = "SELECT * FROM erp_po_lines"
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
""",
    )

    code, [report] = run_cli("--source", "pg")

    assert (code, report["status"]) == (3, "partial")
    # (no xref configured: ITEM-1 is unmapped)
    assert metrics(report) == expect(lines_processed=3, lines_new=1, xref_gaps=1, errors=2)
    store = open_store().engine
    rejected = failed_rows(store, report["run_id"])
    assert [(r["row_key"], r["error"]) for r in rejected] == [
        ("PO1/2", "unit_price: negative: -1.5000"),
        ("PO1/3", "quantity_received: negative: -0.0001"),
    ]
    assert not any("Decimal" in r["error"] for r in rejected)
    # The raw data keeps the numbers' text as PostgreSQL gave them.
    assert (rejected[0]["raw"]["unit_price"], rejected[0]["raw"]["quantity_ordered"]) == ("-1.5000", "100.0000")
    assert set(lines(store, "pg")) == {("PO1", 1)}
