"""Stage 6: configured custom columns are stored per line, typed; custom_values counts the non-null ones of the
run's valid lines; a changed custom value is a change event named after the column."""

import pytest

from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.store import events, expect, failed_rows, lines, metrics
from tests.support.workdir import open_store, write_config

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def custom(store):
    return {k: r["custom"] for k, r in lines(store).items()}


def test_custom_values_are_stored_typed_counted_and_diffed(workdir, erp):
    write_config(workdir, sql_source_config(erp))  # udf_1 = "text", udf_3 = "number"
    erp.write([erp_line("PO1", 1, udf_1="A", udf_3=5), erp_line("PO1", 2, udf_3="2.5"), erp_line("PO1", 3)])

    code, [first] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(first) == expect(lines_processed=3, lines_new=3, custom_values=3)
    store = open_store().engine
    stored = custom(store)
    assert stored == {("PO1", 1): {"udf_1": "A", "udf_3": 5.0}, ("PO1", 2): {"udf_3": 2.5}, ("PO1", 3): None}
    assert isinstance(stored[("PO1", 2)]["udf_3"], float)  # a number, not the ERP's text

    erp.write(
        [
            erp_line("PO1", 1, udf_1="A", udf_3=7.5),
            erp_line("PO1", 2, udf_1="new", udf_3=2.5),
            erp_line("PO1", 3),
            erp_line("PO1", 4, udf_1="lost", udf_3="heavy"),
        ]
    )
    code, [second] = run_cli("--source", "erp")

    assert code == 3
    assert metrics(second) == expect(lines_processed=4, lines_changed=2, change_events=2, custom_values=4, errors=1)
    assert events(store, second["run_id"]) == [
        ("PO1", 1, "changed", "udf_3", "5", "7.5"),
        ("PO1", 2, "changed", "udf_1", None, "new"),
    ]
    assert [(r["row_key"], r["error"]) for r in failed_rows(store, second["run_id"])] == [
        ("PO1/4", "udf_3: not a number: 'heavy'")
    ]
    assert custom(store) == {
        ("PO1", 1): {"udf_1": "A", "udf_3": 7.5},
        ("PO1", 2): {"udf_1": "new", "udf_3": 2.5},
        ("PO1", 3): None,
    }

    erp.write([erp_line("PO1", 1, udf_3=7.5), erp_line("PO1", 2, udf_1="new", udf_3=2.5), erp_line("PO1", 3)])
    code, [third] = run_cli("--source", "erp")

    assert code == 0
    assert metrics(third) == expect(lines_processed=3, lines_changed=1, change_events=1, custom_values=3)
    assert events(store, third["run_id"]) == [("PO1", 1, "changed", "udf_1", "A", None)]
    assert custom(store)[("PO1", 1)] == {"udf_3": 7.5}


def test_date_custom_column_is_stored_as_iso_date_and_compared_as_a_date(workdir, erp):
    write_config(workdir, sql_source_config(erp).replace('udf_1 = "text"', 'udf_1 = "date"'))
    erp.write([erp_line("PO1", 1, udf_1="20261203")])
    run_cli("--source", "erp")
    store = open_store().engine
    assert custom(store) == {("PO1", 1): {"udf_1": "2026-12-03"}}

    erp.write([erp_line("PO1", 1, udf_1="2026-12-03")])
    _, [same] = run_cli("--source", "erp")
    erp.write([erp_line("PO1", 1, udf_1="2026-12-04 08:00:00")])
    _, [moved] = run_cli("--source", "erp")

    assert metrics(same) == expect(lines_processed=1, custom_values=1)
    assert metrics(moved) == expect(lines_processed=1, lines_changed=1, change_events=1, custom_values=1)
    assert events(store, moved["run_id"]) == [("PO1", 1, "changed", "udf_1", "2026-12-03", "2026-12-04")]
    assert custom(store) == {("PO1", 1): {"udf_1": "2026-12-04"}}
