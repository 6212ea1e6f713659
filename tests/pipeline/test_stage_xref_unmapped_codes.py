"""Stage 3, xref: item codes get the internal part id; a line with an unmapped code is still ingested, with
no part id, and its code is listed among the run's unmapped codes."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import events, expect, lines, metrics, unmapped
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

XREF = {f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)}
SNAPSHOT = [
    erp_line("PO1", 1),
    erp_line("PO1", 2, item_code="X-9"),
    erp_line("PO1", 3, item_code="X-9"),
    erp_line("PO1", 4, item_code="Y-1"),
    erp_line("PO1", 5),
]


def part_ids(store):
    return {k: r["internal_part_id"] for k, r in lines(store).items()}


def test_unmapped_codes_are_ingested_without_part_id_and_listed_with_line_counts(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(SNAPSHOT)

    code, [report] = run_cli("--source", "erp")

    assert code == 0 and report["status"] == "success"  # an xref gap is not an error
    assert metrics(report) == expect(lines_processed=5, lines_new=5, xref_gaps=2)
    store = open_store().engine
    assert part_ids(store) == {
        ("PO1", 1): "PART-1",
        ("PO1", 2): None,
        ("PO1", 3): None,
        ("PO1", 4): None,
        ("PO1", 5): "PART-5",
    }
    assert unmapped(store, report["run_id"]) == {"X-9": 2, "Y-1": 1}


def test_xref_changes_are_change_events_and_gaps_are_counted_for_every_valid_line(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write(SNAPSHOT)
    run_cli("--source", "erp")

    erp.write_xref({**{k: v for k, v in XREF.items() if k != "ITEM-1"}, "X-9": "PART-X9"})
    code, [report] = run_cli("--source", "erp")

    assert code == 0
    # PO1/4 is unchanged, and its code is still a gap of tonight's run.
    assert metrics(report) == expect(lines_processed=5, lines_changed=3, change_events=3, xref_gaps=2)
    store = open_store().engine
    assert events(store, report["run_id"]) == [
        ("PO1", 1, "changed", "internal_part_id", "PART-1", None),
        ("PO1", 2, "changed", "internal_part_id", None, "PART-X9"),
        ("PO1", 3, "changed", "internal_part_id", None, "PART-X9"),
    ]
    assert part_ids(store)[("PO1", 2)] == "PART-X9"
    assert unmapped(store, report["run_id"]) == {"ITEM-1": 1, "Y-1": 1}


def test_xref_read_from_a_csv_file(workdir, erp):
    (workdir / "xref.csv").write_text("item_code,internal_part_id\nITEM-1,P-ONE\nX-9, P-X9 \n", encoding="utf-8")
    write_config(
        workdir,
        sql_source_config(erp).replace(
            'xref = { query = "SELECT item_code, internal_part_id FROM xref" }', 'xref = { path = "xref.csv" }'
        ),
    )
    erp.write(SNAPSHOT)

    code, [report] = run_cli("--source", "erp")

    assert code == 0
    assert report["xref_gaps"] == 2
    store = open_store().engine
    assert part_ids(store) == {
        ("PO1", 1): "P-ONE",
        ("PO1", 2): "P-X9",
        ("PO1", 3): "P-X9",
        ("PO1", 4): None,
        ("PO1", 5): None,
    }
    assert unmapped(store, report["run_id"]) == {"Y-1": 1, "ITEM-5": 1}
