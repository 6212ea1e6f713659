"""Where each field comes from (docs/pipeline.md, "Columns: where each field comes from"):

- source column names match canonical fields, renames (`columns`), custom columns and the xref query's columns
  ignoring case — on SQLite and on PostgreSQL, which folds unquoted names to lower case;
- an explicit rename always wins: with `columns = { status = "StatusText" }` the status comes from StatusText and a
  column merely named `Status` is ignored, which the run says once in its notes (report, log line, runs.notes, the
  run page);
- a canonical field the source provides in no way is NULL, and the notes say so once;
- a name potrack reads that matches two columns of the query fails the run naming both (a permanent error); columns
  potrack does not read may repeat;
- a rename whose source column the query does not return fails the run naming it and the columns the query does
  return, for a required field and for an optional one, and writes nothing;
- two renames onto one field, a custom column named like a canonical field and two custom columns that differ only
  in case are configuration errors (exit 2, naming the key).
"""

import datetime as dt
import json

import pytest
import sqlalchemy as sa

import app
from pages.run_detail import layout
from tests.support.cli import run_cli, run_cli_process
from tests.support.columns import renamed, source_config, write_table
from tests.support.erp import ERP_COLUMNS, erp_line
from tests.support.services import PgSchema
from tests.support.store import audit_events, events, expect, failed_rows, lines, metrics, run_row, store_rows
from tests.support.web import find_all, text
from tests.support.workdir import open_store, write_config

CUSTOM = '{ udf_1 = "text", udf_3 = "number" }'
IGNORED = "column Status ignored: status comes from StatusText"


def _attempts(engine, run_id):
    return store_rows(
        engine, "SELECT attempt, transient FROM retry_attempts WHERE run_id = :r ORDER BY attempt", r=run_id
    )


def test_an_explicit_rename_wins_over_a_column_with_the_canonical_name_and_the_run_says_so(workdir, erp):
    columns = [*(c if c != "status" else "Status" for c in ERP_COLUMNS), "StatusText"]
    write_table(
        erp.path,
        columns,
        [
            {**renamed(erp_line("PO1", 1), {"status": "Status"}), "Status": "O", "StatusText": "open"},
            {**renamed(erp_line("PO1", 2), {"status": "Status"}), "Status": "C", "StatusText": "closed"},
        ],
    )
    write_config(workdir, source_config(erp.url, columns='{ status = "StatusText" }', custom=CUSTOM))

    done = run_cli_process(workdir, "run", "--json", "--source", "erp")

    assert done.returncode == 0, done.stderr
    [report] = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    run_id = report["run_id"]
    assert report["status"] == "success" and report["notes"] == [IGNORED]
    [log_line] = [line for line in done.stderr.splitlines() if f"run #{run_id} erp success in" in line]
    assert log_line.startswith("[") and "[INFO] [potrack.pipeline]" in log_line
    assert log_line.endswith(f"; {IGNORED}")
    runtime = open_store()
    assert {k: r["status"] for k, r in lines(runtime.engine).items()} == {("PO1", 1): "open", ("PO1", 2): "closed"}
    assert run_row(runtime.engine, run_id)["notes"] == IGNORED
    [completed] = audit_events(runtime.engine, run_id)
    assert completed["event_type"] == "ingestion.completed" and completed["details"]["notes"] == [IGNORED]
    app.install(runtime)
    page = layout(run_id=str(run_id))
    [notes] = find_all(page, lambda c: getattr(c, "className", None) == "detail-notes")
    assert IGNORED in text(notes)


def test_fields_the_source_does_not_provide_are_null_and_named_once_in_the_notes(workdir, erp):
    columns = [c for c in ERP_COLUMNS if c not in ("need_by_date", "plant")]
    write_table(erp.path, columns, [erp_line("PO1", 1), erp_line("PO1", 2, plant="P200", need_by_date="2026-12-09")])
    write_config(workdir, source_config(erp.url, custom=CUSTOM))

    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success"
    assert report["notes"] == ["not provided by the source: need_by_date, plant"]
    store = open_store().engine
    assert run_row(store, report["run_id"])["notes"] == "not provided by the source: need_by_date, plant"
    assert {k: (r["need_by_date"], r["plant"], r["buyer"]) for k, r in lines(store).items()} == {
        ("PO1", 1): (None, None, "alice"),
        ("PO1", 2): (None, None, "alice"),
    }


def test_renames_custom_columns_canonical_names_and_xref_columns_match_ignoring_case(workdir, erp):
    names = {"po_number": "ponum", "line_number": "LINE_NUMBER", "item_code": "Item_Code", "udf_1": "udf_1"}
    columns = [names.get(c, c) for c in ERP_COLUMNS if c != "udf_3"]
    write_table(
        erp.path,
        columns,
        [renamed(erp_line("PO1", 1, udf_1="A"), names), renamed(erp_line("PO1", 2, item_code="ITEM-7"), names)],
    )
    write_config(
        workdir,
        source_config(
            erp.url,
            columns='{ po_number = "PONUM" }',
            custom='{ UDF_1 = "text" }',
            # Not the documented order, and in another case: read by name, not as "two columns, code then part".
            xref='{ query = "SELECT internal_part_id AS Internal_Part_Id, item_code AS ITEM_CODE FROM xref" }',
        ),
    )

    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success", report
    assert report["notes"] == []
    assert metrics(report) == expect(lines_processed=2, lines_new=2, custom_values=1)
    stored = lines(open_store().engine)
    assert {k: (r["item_code"], r["internal_part_id"], r["custom"]) for k, r in stored.items()} == {
        ("PO1", 1): ("ITEM-1", "PART-1", {"udf_1": "A"}),
        ("PO1", 2): ("ITEM-7", "PART-7", None),
    }


# A PostgreSQL ERP whose table was created with unquoted mixed-case names: PostgreSQL stores them in lower case.
PG_TABLE = """CREATE TABLE po_lines (PONum text, LineNo integer, ItemCode text, Vendor text, ItemDesc text, UOM text,
QtyOrd double precision, QtyRcvd double precision, Price numeric(12, 4), Curr text, OrdDate date, PromDate date,
NeedBy date, Status text, Buyer text, Plant text, Project text)"""
PG_COLUMNS = (
    "PONum",
    "LineNo",
    "ItemCode",
    "Vendor",
    "ItemDesc",
    "UOM",
    "QtyOrd",
    "QtyRcvd",
    "Price",
    "Curr",
    "OrdDate",
    "PromDate",
    "NeedBy",
    "Status",
    "Buyer",
    "Plant",
    "Project",
)
PG_RENAMES = (
    '{ po_number = "PONum", line_number = "LineNo", item_code = "ItemCode", supplier_code = "Vendor", '
    'description = "ItemDesc", uom = "UOM", quantity_ordered = "QtyOrd", quantity_received = "QtyRcvd", '
    'unit_price = "Price", currency = "Curr", order_date = "OrdDate", promised_date = "PromDate", '
    'need_by_date = "NeedBy", status = "Status", buyer = "Buyer", plant = "Plant" }'
)
PG_LINE_1 = (
    "PO-1",
    1,
    "ITEM-1",
    "SUP1",
    "Bolt M8",
    "EA",
    100,
    10,
    2.5,
    "EUR",
    dt.date(2026, 10, 1),
    dt.date(2026, 12, 1),
    dt.date(2026, 12, 5),
    "open",
    "alice",
    "P100",
    "Apollo",
)
PG_LINE_2 = (
    "PO-1",
    2,
    "ITEM-2",
    "SUP2",
    "Nut M8",
    "KG",
    5,
    0,
    7.25,
    "USD",
    dt.date(2026, 10, 2),
    dt.date(2026, 12, 2),
    dt.date(2026, 12, 6),
    "open",
    "bob",
    "P200",
    "Gemini",
)


def _pg_erp(schema: PgSchema, rows):
    """Replace the PostgreSQL ERP's po_lines with these rows (values in PG_COLUMNS order)."""
    engine = schema.engine()
    placeholders = ", ".join(f":c{i}" for i in range(len(PG_COLUMNS)))
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS po_lines")
            conn.exec_driver_sql(PG_TABLE)
            conn.execute(
                sa.text(f"INSERT INTO po_lines VALUES ({placeholders})"),
                [{f"c{i}": v for i, v in enumerate(row)} for row in rows],
            )
            folded = [
                r[0]
                for r in conn.exec_driver_sql(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
                    "AND table_name = 'po_lines' ORDER BY ordinal_position"
                )
            ]
    finally:
        engine.dispose()
    assert folded == [c.lower() for c in PG_COLUMNS]  # (the premise: the ERP's spelling is gone)


def test_a_postgresql_erp_with_folded_names_fills_every_renamed_optional_field_and_diffs_it(workdir, pg_schema):
    _pg_erp(pg_schema, [PG_LINE_1, PG_LINE_2])
    write_config(workdir, source_config(pg_schema.url, columns=PG_RENAMES, custom='{ Project = "text" }'))

    code, [first] = run_cli("--source", "erp")

    assert code == 0 and first["status"] == "success", first
    assert first["notes"] == []
    assert metrics(first) == expect(
        lines_processed=2, lines_new=2, batches_reconstructed=1, custom_values=2, xref_gaps=2
    )
    store = open_store().engine
    optional = ("description", "uom", "currency", "order_date", "need_by_date", "buyer", "plant", "custom")
    assert {k: tuple(r[f] for f in optional) for k, r in lines(store).items()} == {
        ("PO-1", 1): (
            "Bolt M8",
            "EA",
            "EUR",
            dt.date(2026, 10, 1),
            dt.date(2026, 12, 5),
            "alice",
            "P100",
            {"project": "Apollo"},
        ),
        ("PO-1", 2): (
            "Nut M8",
            "KG",
            "USD",
            dt.date(2026, 10, 2),
            dt.date(2026, 12, 6),
            "bob",
            "P200",
            {"project": "Gemini"},
        ),
    }
    assert lines(store)[("PO-1", 1)]["unit_price"] == 2.5 and lines(store)[("PO-1", 1)]["quantity_received"] == 10.0

    changed = (
        "PO-1",
        1,
        "ITEM-1",
        "SUP1",
        "Bolt M8 zinc",
        "BOX",
        100,
        10,
        2.5,
        "CHF",
        dt.date(2026, 10, 3),
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 8),
        "open",
        "carol",
        "P300",
        "Apollo 2",
    )
    _pg_erp(pg_schema, [changed, PG_LINE_2])
    code, [second] = run_cli("--source", "erp")

    assert code == 0 and second["status"] == "success", second
    assert metrics(second) == expect(lines_processed=2, lines_changed=1, change_events=8, custom_values=2, xref_gaps=2)
    assert events(store, second["run_id"]) == [
        ("PO-1", 1, "changed", "buyer", "alice", "carol"),
        ("PO-1", 1, "changed", "currency", "EUR", "CHF"),
        ("PO-1", 1, "changed", "description", "Bolt M8", "Bolt M8 zinc"),
        ("PO-1", 1, "changed", "need_by_date", "2026-12-05", "2026-12-08"),
        ("PO-1", 1, "changed", "order_date", "2026-10-01", "2026-10-03"),
        ("PO-1", 1, "changed", "plant", "P100", "P300"),
        ("PO-1", 1, "changed", "project", "Apollo", "Apollo 2"),
        ("PO-1", 1, "changed", "uom", "EA", "BOX"),
    ]


def test_a_name_potrack_reads_that_matches_two_columns_fails_the_run_naming_both(workdir, erp):
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2)])
    write_config(workdir, source_config(erp.url, query='SELECT *, status AS "Status" FROM po_lines', custom=CUSTOM))

    code, [report] = run_cli("--source", "erp")

    assert code == 1 and report["status"] == "failed"
    assert '"status" and "Status", which match status ignoring case' in report["error"]
    store = open_store().engine
    assert _attempts(store, report["run_id"]) == [{"attempt": 1, "transient": False}]  # permanent: not retried
    assert report["retry_attempts"] == 1
    assert lines(store) == {}


def test_columns_potrack_does_not_read_may_repeat_in_any_case(workdir, erp):
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2, plant="P200")])
    write_config(
        workdir, source_config(erp.url, query="SELECT *, plant AS junk, plant AS JUNK FROM po_lines", custom=CUSTOM)
    )

    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success", report
    assert report["notes"] == [] and report["lines_new"] == 2
    assert {k: r["plant"] for k, r in lines(open_store().engine).items()} == {("PO1", 1): "P100", ("PO1", 2): "P200"}


@pytest.mark.parametrize(
    "rename, missing",
    [
        ('{ po_number = "PONUM" }', '"PONUM" (for po_number)'),  # a required field (the table has po_number)
        ('{ description = "ItemDescr" }', '"ItemDescr" (for description)'),  # an optional one
    ],
)
def test_a_rename_whose_column_the_query_does_not_return_fails_the_run_and_writes_nothing(
    workdir, erp, rename, missing
):
    write_config(workdir, source_config(erp.url, custom=CUSTOM))
    erp.write([erp_line("PO1", 1), erp_line("PO1", 2)])
    run_cli("--source", "erp")
    store = open_store().engine
    before = lines(store)
    write_config(workdir, source_config(erp.url, columns=rename, custom=CUSTOM))
    erp.write([erp_line("PO1", 1, status="closed"), erp_line("PO1", 2, description="other"), erp_line("PO1", 3)])

    code, [report] = run_cli("--source", "erp")

    assert code == 1 and report["status"] == "failed"
    assert missing in report["error"]
    assert "po_number, line_number, item_code, supplier_code, description, uom" in report["error"]  # what it returns
    assert _attempts(store, report["run_id"]) == [{"attempt": 1, "transient": False}]
    assert lines(store) == before
    assert events(store, report["run_id"]) == [] and failed_rows(store, report["run_id"]) == []


@pytest.mark.parametrize(
    "settings, message",
    [
        (
            {"columns": '{ PONUM = "po_number", PONO = "PO_NUMBER" }'},
            "sources[0].columns.PONO: po_number is already read from 'PONUM'",
        ),
        ({"custom": '{ Status = "text" }'}, "sources[0].custom_columns.Status: status is a canonical field"),
        (
            {"custom": '{ udf_1 = "text", UDF_1 = "number" }'},
            "sources[0].custom_columns.UDF_1: the same column as another custom column",
        ),
    ],
)
def test_ambiguous_column_settings_are_configuration_errors_naming_the_key(workdir, erp, settings, message):
    write_config(workdir, source_config(erp.url, **settings))

    done = run_cli_process(workdir, "run", "--source", "erp")

    assert done.returncode == 2
    assert f"potrack: configuration error: {message}" in done.stderr
    assert not (workdir / "instance" / "potrack.db").exists()  # stopped before anything was started
