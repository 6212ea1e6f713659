"""The change explorer's supplier, buyer and plant choices are those of the stored lines, and a new run's lines
show up in them (the answer is kept only while the store's latest finished run stays the same)."""

from potrack.store.changes import filter_choices
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.workdir import open_store, write_config


def choices(engine):
    with engine.connect() as conn:
        found = filter_choices(conn)
    return found.suppliers, found.buyers, found.plants


def test_a_new_runs_lines_appear_in_the_choices(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    erp.write([erp_line("PO1", 1, supplier_code="SUP-B", buyer="bob", plant="P2"), erp_line("PO1", 2)])
    run_cli("--source", "erp")
    engine = open_store().engine
    assert choices(engine) == (["SUP-B", "SUP1"], ["alice", "bob"], ["P100", "P2"])
    erp.write([erp_line("PO1", 1, supplier_code="SUP-A", buyer="ann", plant="P0"), erp_line("PO1", 2)])
    assert choices(engine) == (["SUP-B", "SUP1"], ["alice", "bob"], ["P100", "P2"])  # nothing ran yet
    run_cli("--source", "erp")
    assert choices(engine) == (["SUP-A", "SUP1"], ["alice", "ann"], ["P0", "P100"])
