"""A csv source reads its files in the source's `encoding` (default utf-8, a byte-order mark dropped; cp1252 and
latin-1 as configured) and rejects, row by row and never the night, what its file cannot give as a row of its
header: bytes not valid in the encoding (the error names the column, the byte and the encoding; the raw data
shows the byte as \\xNN) and more non-empty cells than the header (empty trailing cells are ignored, missing
trailing cells are NULL). A 5 MB cell rejects its row only, its raw data cut to 10,000 characters saying how long
it was. Every failed row says where it is, `<file name>:<line the record starts on>` (the header is line 1),
also through GET /api/failed-rows. An unknown encoding, or an encoding on a sql source, is a configuration error
naming sources[0].encoding; a header-only file is stopped by the removal guard."""

import csv
import io

import pytest

import app
from potrack.runtime import start
from tests.support.cli import run_cli, run_cli_process
from tests.support.erp import ERP_COLUMNS, erp_line
from tests.support.personas import add_personas, client_as
from tests.support.store import expect, failed_rows, lines, metrics, run_row
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

HEADER = ",".join(ERP_COLUMNS)


def config(path: str = "po.csv", extra: str = "") -> str:
    return f"""
[[sources]]
name = "files"
kind = "csv"
path = "{path}"
custom_columns = {{ udf_1 = "text", udf_3 = "number" }}
xref = {{ path = "xref.csv" }}
retry = {{ attempts = 1, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
{extra}
"""


def csv_line(row: dict, cells: list[str] | None = None) -> str:
    """One CSV record of an ERP row (quoted where needed), without its line end; `cells`: extra cells after it."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(
        ["" if row.get(c) is None else row[c] for c in ERP_COLUMNS] + (cells or [])
    )
    return out.getvalue().removesuffix("\r\n")  # (the writer quotes a cell holding a line break)


def setup(workdir, extra: str = "", path: str = "po.csv") -> None:
    write_config(workdir, config(path, extra))
    (workdir / "xref.csv").write_text(
        "item_code,internal_part_id\n" + "".join(f"ITEM-{n},PART-{n}\n" for n in range(1, 10)), encoding="utf-8"
    )


def only_po1_2_rejected(report: dict, processed: int, kept: set[tuple[str, int]]) -> dict:
    """A partial run that kept these lines and rejected one row, PO1/2 on line 3 of po.csv: that failed row."""
    assert (report["status"], report["lines_processed"], report["errors"]) == ("partial", processed, 1)
    store = open_store().engine
    assert set(lines(store, "files")) == kept
    [failed] = failed_rows(store, report["run_id"])
    assert (failed["row_key"], failed["location"]) == ("PO1/2", "po.csv:3")
    return failed


def test_utf8_with_a_byte_order_mark_and_non_ascii_text_is_read_as_written(workdir):
    setup(workdir)
    text = (
        "\n".join(
            [
                HEADER,
                csv_line(erp_line("PO1", 1, supplier_code="Müller", description="Ærø, Fünen")),
                csv_line(erp_line("PO1", 2)),
            ]
        )
        + "\n"
    )
    (workdir / "po.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))

    code, [report] = run_cli("--source", "files")

    assert (code, report["status"]) == (0, "success")
    assert metrics(report) == expect(lines_processed=2, lines_new=2)
    stored = lines(open_store().engine, "files")
    assert (stored[("PO1", 1)]["supplier_code"], stored[("PO1", 1)]["description"]) == ("Müller", "Ærø, Fünen")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_file_in_the_configured_single_byte_encoding_is_read_right(workdir, encoding):
    setup(workdir, f'encoding = "{encoding}"')
    text = "\n".join([HEADER, csv_line(erp_line("PO1", 1, supplier_code="Müller", description="Ærø"))]) + "\n"
    data = text.encode(encoding)
    assert b"M\xfcller" in data and b"\xc6r\xf8" in data  # single bytes, not valid UTF-8
    (workdir / "po.csv").write_bytes(data)

    code, [report] = run_cli("--source", "files")

    assert (code, report["errors"]) == (0, 0)
    stored = lines(open_store().engine, "files")[("PO1", 1)]
    assert (stored["supplier_code"], stored["description"]) == ("Müller", "Ærø")


@pytest.mark.parametrize(
    ("encoding", "byte", "shown", "named"),
    [
        (None, b"\xe9", "0xE9", "utf-8"),  # the default: a lone Latin-1 é is not UTF-8
        ("cp1252", b"\x81", "0x81", "cp1252"),  # 0x81 is undefined in cp1252
    ],
    ids=["utf-8_by_default", "cp1252"],
)
def test_a_row_with_bytes_not_valid_in_the_encoding_is_rejected_naming_column_byte_and_line(
    workdir, encoding, byte, shown, named
):
    setup(workdir, f'encoding = "{encoding}"' if encoding else "")
    rows = [
        csv_line(erp_line("PO1", 1)),
        csv_line(erp_line("PO1", 2, description="cafBYTE")),
        csv_line(erp_line("PO1", 3)),
    ]
    (workdir / "po.csv").write_bytes("\n".join([HEADER, *rows, ""]).encode("ascii").replace(b"BYTE", byte))

    code, [report] = run_cli("--source", "files")

    assert code == 3 and metrics(report) == expect(lines_processed=3, lines_new=2, errors=1)
    failed = only_po1_2_rejected(report, 3, {("PO1", 1), ("PO1", 3)})
    assert failed["error"] == f"description: bytes that are not valid {named} ({shown}) (po.csv:3)"
    assert failed["raw"]["description"] == "caf\\x" + shown[2:].lower()
    assert failed["raw"]["po_number"] == "PO1" and failed["raw"]["supplier_code"] == "SUP1"


def test_surplus_non_empty_cells_reject_the_row_empty_ones_are_ignored_and_missing_ones_are_null(workdir):
    setup(workdir)
    short = ",".join(
        [
            "PO1",
            "4",
            "ITEM-4",
            "SUP1",
            "short row",
            "EA",
            "100",
            "0",
            "2.5",
            "EUR",
            "2026-10-01",
            "2026-12-01",
            "2026-12-05",
            "open",
        ]
    )  # ends after status: buyer, plant, udf_1, udf_3 missing
    (workdir / "po.csv").write_text(
        "\n".join(
            [
                HEADER,
                csv_line(erp_line("PO1", 1)),
                csv_line(erp_line("PO1", 2), ["surplus"]),
                csv_line(erp_line("PO1", 3), ["", ""]),
                short,
                "",
            ]
        ),
        encoding="utf-8",
    )

    code, [report] = run_cli("--source", "files")

    assert code == 3 and metrics(report) == expect(lines_processed=4, lines_new=3, errors=1)
    failed = only_po1_2_rejected(report, 4, {("PO1", 1), ("PO1", 3), ("PO1", 4)})
    short_line = lines(open_store().engine, "files")[("PO1", 4)]
    assert (short_line["status"], short_line["buyer"], short_line["plant"], short_line["custom"]) == (
        "open",
        None,
        None,
        None,
    )
    assert failed["error"] == "the row has 19 cells, the header 18 columns (po.csv:3)"
    assert failed["raw"]["(cell 19)"] == "surplus" and failed["raw"]["po_number"] == "PO1"


def test_a_5_mb_cell_rejects_only_its_row_and_its_raw_data_is_cut_saying_how_long_it_was(workdir):
    setup(workdir)
    (workdir / "po.csv").write_text(
        "\n".join(
            [
                HEADER,
                csv_line(erp_line("PO1", 1)),
                csv_line(erp_line("PO1", 2, description="x" * 5_000_000)),
                csv_line(erp_line("PO1", 3)),
                "",
            ]
        ),
        encoding="utf-8",
    )

    code, [report] = run_cli("--source", "files")

    assert code == 3 and metrics(report) == expect(lines_processed=3, lines_new=2, errors=1)
    failed = only_po1_2_rejected(report, 3, {("PO1", 1), ("PO1", 3)})
    assert failed["error"] == "description: longer than 400 characters (5000000)"
    assert failed["raw"]["description"] == "x" * 10_000 + "… [cut: 5,000,000 characters]"
    assert failed["raw"]["item_code"] == "ITEM-2"
    assert len(failed["raw_data"]) < 11_000


def test_a_bad_rows_location_is_the_line_its_record_starts_on_after_multi_line_cells(workdir):
    setup(workdir, path="erp/po-*.csv")
    (workdir / "erp").mkdir()
    # po-a.csv: one good record; po-b.csv: records spanning several lines between the bad ones.
    (workdir / "erp" / "po-a.csv").write_text(f"{HEADER}\n{csv_line(erp_line('PO1', 1))}\n", encoding="utf-8")
    lines_b = [
        HEADER,  # line 1
        csv_line(erp_line("PO2", 1, description="one\ntwo\nthree")),  # lines 2-4
        csv_line(erp_line("PO2", 2, quantity_ordered="ten")),  # line 5: bad value
        csv_line(erp_line("PO2", 3, description="a\nb")),  # lines 6-7
        csv_line(erp_line("PO2", 4, description="cafBYTE")),  # line 8: bad byte
        csv_line(erp_line("PO2", 5, description="x\ny"), ["surplus"]),  # lines 9-10: 19 cells
        csv_line(erp_line("PO2", 6)),  # line 11
        "",
    ]
    (workdir / "erp" / "po-b.csv").write_bytes("\n".join(lines_b).encode("utf-8").replace(b"BYTE", b"\xe9"))

    code, [report] = run_cli("--source", "files")

    assert (code, report["status"]) == (3, "partial")
    assert metrics(report) == expect(lines_processed=7, lines_new=4, errors=3)
    store = open_store().engine
    stored = lines(store, "files")
    assert set(stored) == {("PO1", 1), ("PO2", 1), ("PO2", 3), ("PO2", 6)}
    assert stored[("PO2", 1)]["description"] == "one\ntwo\nthree"
    assert [(r["row_key"], r["location"], r["error"]) for r in failed_rows(store, report["run_id"])] == [
        ("PO2/2", "po-b.csv:5", "quantity_ordered: not a number: 'ten'"),
        ("PO2/4", "po-b.csv:8", "description: bytes that are not valid utf-8 (0xE9) (po-b.csv:8)"),
        ("PO2/5", "po-b.csv:9", "the row has 19 cells, the header 18 columns (po-b.csv:9)"),
    ]

    # The API lists each failed row with its location.
    runtime = start()
    app.install(runtime)
    add_personas(runtime.engine)
    answer = client_as("vera").get(f"/api/failed-rows?run_id={report['run_id']}&order=oldest")
    assert answer.status_code == 200
    assert sorted((r["row_key"], r["location"]) for r in answer.get_json()["results"]) == [
        ("PO2/2", "po-b.csv:5"),
        ("PO2/4", "po-b.csv:8"),
        ("PO2/5", "po-b.csv:9"),
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ('kind = "csv"\npath = "po.csv"\nencoding = "klingon"', "unknown encoding 'klingon'"),
        ('kind = "sql"\nurl = "sqlite:///erp.db"\nencoding = "cp1252"', "only csv sources have an encoding"),
    ],
    ids=["unknown_encoding", "encoding_on_a_sql_source"],
)
def test_a_bad_encoding_setting_is_a_configuration_error_naming_the_key(workdir, source, expected):
    write_config(workdir, f'[[sources]]\nname = "files"\n{source}\n')
    proc = run_cli_process(workdir, "run", "--json")
    assert proc.returncode == 2
    assert "configuration error" in proc.stderr
    assert f"sources[0].encoding: {expected}" in proc.stderr
    assert proc.stdout == "" and "Traceback" not in proc.stderr


def test_a_header_only_file_on_a_source_with_stored_lines_is_stopped_by_the_removal_guard(workdir):
    setup(workdir)
    (workdir / "po.csv").write_text(
        "\n".join([HEADER, *(csv_line(erp_line("PO1", n)) for n in (1, 2, 3)), ""]), encoding="utf-8"
    )
    assert run_cli("--source", "files")[0] == 0
    store = open_store().engine
    before = lines(store, "files")

    (workdir / "po.csv").write_text(HEADER + "\n", encoding="utf-8")
    code, [report] = run_cli("--source", "files")

    assert (code, report["status"]) == (1, "failed")
    assert report["error"] == (
        "diff: snapshot would remove 100 % of 3 active lines; limit 50 %; "
        "run with --accept-removals or raise max_removed_fraction"
    )
    assert lines(store, "files") == before
    assert run_row(store, report["run_id"])["status"] == "failed"
