"""`columns` renames work in the direction of the documented example, and the other way round."""

import pytest

from potrack.config import ConfigError, load_settings
from tests.support.cli import run_cli
from tests.support.erp import erp_line, sql_source_config
from tests.support.workdir import write_config


def _erp_with_ponum(erp):
    import sqlite3

    erp.write([erp_line("PO1", 1), erp_line("PO1", 2)])
    con = sqlite3.connect(erp.path)
    with con:
        con.execute("ALTER TABLE po_lines RENAME COLUMN po_number TO PONUM")
    con.close()


@pytest.mark.parametrize("renames", ['{ po_number = "PONUM" }', '{ PONUM = "po_number" }'])
def test_renamed_source_column_is_read_as_the_canonical_field(workdir, erp, renames):
    _erp_with_ponum(erp)
    write_config(workdir, sql_source_config(erp, extra=f"columns = {renames}"))
    code, [report] = run_cli("--source", "erp")
    assert code == 0, report
    assert report["lines_new"] == 2


def test_rename_naming_no_canonical_field_fails_naming_the_key(workdir, erp):
    write_config(workdir, sql_source_config(erp, extra='columns = { PONUM = "PO_NO" }'))
    with pytest.raises(ConfigError, match=r"sources\[0\]\.columns\.PONUM"):
        load_settings()
