"""A partial run's card says why without being opened: its rejected rows in one line, counted by reason ('3 rows
rejected: 2 bad quantity_ordered, 1 missing supplier_code'); a run without rejected rows says nothing of the kind."""

import app
from pages.runs import refresh_runs
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.personas import acting_as, add_personas
from tests.support.web import text
from tests.support.workdir import open_store, write_config


def cards_by_run(runtime):
    with acting_as(runtime.engine, "vera"):
        cards = refresh_runs("", [], None, None, [])[0]
    return {card.id["index"]: text(card) for card in cards}


def test_a_partial_runs_card_counts_its_rejected_rows_by_reason(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, item_code="ITEM-1")])
    _, [baseline] = run_cli()
    erp.write(
        [
            erp_line("PO1", 1, item_code="ITEM-1"),
            erp_line("PO2", 1, quantity_ordered="n/a"),
            erp_line("PO2", 2, quantity_ordered="lots"),
            erp_line("PO3", 1, supplier_code=None),
        ]
    )
    _, [partial] = run_cli()
    assert partial["status"] == "partial" and partial["errors"] == 3
    runtime = open_store()
    app.install(runtime)
    add_personas(runtime.engine)
    cards = cards_by_run(runtime)
    assert "3 rows rejected: 2 bad quantity_ordered, 1 missing supplier_code" in cards[partial["run_id"]]
    assert "rejected" not in cards[baseline["run_id"]]
