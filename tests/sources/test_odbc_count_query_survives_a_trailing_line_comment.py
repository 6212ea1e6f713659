"""A source query whose last line is a `--` comment still gets its row count (the progress bar's total, with
`progress = "count"`).

The count wraps the query as a subquery; with the closing parenthesis on the query's last line, the comment
swallowed it and the count failed with a syntax error (the run went on without a total).
"""

from potrack.config import load_settings
from potrack.sources.odbc import OdbcSource
from tests.support.cli import run_cli
from tests.support.erp import erp_line
from tests.support.store import store_rows
from tests.support.workdir import open_store, write_config

QUERY = '''"""
SELECT *
FROM po_lines
-- every line of every open or closed PO
"""'''


def test_query_ending_in_a_line_comment_is_counted_and_read(workdir, odbc_erp):
    odbc_erp.write([erp_line("PO1", n) for n in range(1, 8)])
    write_config(workdir, odbc_erp.config(query=QUERY, extra='progress = "count"'))
    [cfg] = load_settings().sources
    with OdbcSource(cfg).open(100) as snap:
        assert snap.rows_total == 7  # counted before a row is read

    code, [report] = run_cli("--source", "erp")
    assert (code, report["status"], report["lines_processed"]) == (0, "success", 7)
    [run] = store_rows(open_store().engine, "SELECT rows_done, rows_total FROM runs WHERE id = :r", r=report["run_id"])
    assert (run["rows_done"], run["rows_total"]) == (7, 7)
    assert "no row count" not in (workdir / "instance" / "logs" / "potrack.log").read_text(encoding="utf-8")
