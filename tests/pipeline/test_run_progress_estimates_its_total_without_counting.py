"""Progress without a second query: a sql source reads its query once, and a run's total is an estimate (the
previous completed run's rows, "≈") until its read ends; `progress = "count"` opts into an exact COUNT(*) first. A
CSV source estimates from the share of its files read. A source's first run shows rows without a total."""

import os

import pytest
import sqlalchemy as sa

from potrack.config import SourceConfig
from potrack.pipeline.progress import expected_total
from potrack.pipeline.runner import Pipeline
from potrack.sources.csvfile import CsvSource
from potrack.store import runs
from tests.support.erp import erp_line, sql_source_config
from tests.support.progress import ObservedSqlSource
from tests.support.runs import queue_run
from tests.support.store import run_row
from tests.support.web import add_run
from tests.support.workdir import open_store, write_config

QUERY = "SELECT * FROM po_lines"


def lines(count):
    return [erp_line(f"PO{n // 10}", n % 10, item_code="ITEM-1") for n in range(count)]


class Statements:
    """Every SQL statement any engine of this process executes (the source's and the store's)."""

    def __init__(self):
        self.seen = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.seen.append(statement)

    def of_query(self):
        return [s for s in self.seen if QUERY in s]


@pytest.fixture
def statements():
    recorder = Statements()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", recorder)
    yield recorder
    sa.event.remove(sa.engine.Engine, "before_cursor_execute", recorder)


def observed_run(runtime, seen):
    with runtime.engine.begin() as conn:
        run_id = queue_run(conn, "erp", "manual")
    pipeline = Pipeline(
        runtime.settings,
        runtime.engine,
        source_factory=lambda cfg: ObservedSqlSource(cfg, runtime.engine, run_id, seen),
    )
    assert pipeline.execute(run_id).status == "success"
    return run_id


def test_a_sql_source_sends_its_query_once_and_with_count_twice(workdir, erp, statements):
    erp.write(lines(30))
    write_config(workdir, sql_source_config(erp, "erp") + sql_source_config(erp, "counted", 'progress = "count"'))
    runtime = open_store()
    pipeline = Pipeline(runtime.settings, runtime.engine)

    pipeline.run("erp")
    assert len(statements.of_query()) == 1
    statements.seen.clear()
    report = pipeline.run("counted")
    assert len(statements.of_query()) == 2 and any("COUNT(*)" in s for s in statements.of_query())
    assert run_row(runtime.engine, report.run_id)["rows_total"] == 30


def test_the_first_run_shows_rows_without_a_total_and_ends_with_the_exact_one(workdir, erp):
    erp.write(lines(3000))
    write_config(workdir, sql_source_config(erp, extra="batch_size = 500"))
    runtime = open_store()
    seen = []

    run_id = observed_run(runtime, seen)

    assert len(seen) == 6 and all(shown["rows_total"] is None for _, shown in seen)
    finished = run_row(runtime.engine, run_id)
    assert (finished["rows_done"], finished["rows_total"], finished["rows_total_estimated"]) == (3000, 3000, False)


def test_a_later_run_estimates_its_total_from_the_previous_run_until_its_read_ends(workdir, erp):
    erp.write(lines(3000))
    write_config(workdir, sql_source_config(erp, extra="batch_size = 500"))
    runtime = open_store()
    observed_run(runtime, [])
    erp.write(lines(3600))  # the night grew by 600 lines
    seen = []

    run_id = observed_run(runtime, seen)

    assert len(seen) == 8
    for read, shown in seen:
        assert shown["rows_total_estimated"] is True
        assert shown["rows_total"] == max(3000, shown["rows_done"])  # the estimate, never below the rows read
        assert shown["rows_done"] <= read
    finished = run_row(runtime.engine, run_id)
    assert (finished["rows_done"], finished["rows_total"], finished["rows_total_estimated"]) == (3600, 3600, False)


def test_the_estimate_comes_from_the_latest_completed_run_that_read_the_whole_source(workdir, erp):
    write_config(workdir, sql_source_config(erp))
    engine = open_store().engine
    add_run(engine, source="erp", status="success", rows_done=900, rows_total=900)
    add_run(engine, source="erp", status="partial", rows_done=1000, rows_total=1000)
    add_run(engine, source="erp", status="success", trigger="row_retry", rows_done=2, rows_total=2)
    add_run(engine, source="erp", status="failed", rows_done=400, rows_total=None)
    add_run(engine, source="other", status="success", rows_done=5, rows_total=5)

    with engine.connect() as conn:
        assert runs.rows_last_read(conn, "erp") == 1000
        assert runs.rows_last_read(conn, "never-ran") is None


def test_a_csv_source_reports_the_share_of_its_files_read(tmp_path):
    sizes = []
    for name, count in (("a.csv", 700), ("b.csv", 300)):
        rows = [f"PO{n},{n % 10},ITEM-{n},10,2026-12-{1 + n % 28:02d}\n" for n in range(count)]
        (tmp_path / name).write_text("po_number,line_number,item_code,quantity_ordered,promised_date\n" + "".join(rows))
        sizes.append((tmp_path / name).stat().st_size)
    total = sum(sizes)
    source = CsvSource(SourceConfig(name="csv", kind="csv", path=str(tmp_path / "*.csv")))
    shares = []

    with source.open(100) as snap:
        assert snap.rows_total is None and snap.read_fraction is not None
        shares.append(snap.read_fraction())
        for _batch in snap.batches:
            shares.append(snap.read_fraction())

    assert shares[0] == 0
    assert shares == sorted(shares) and shares[-1] == 1.0
    # After file a's 7 batches the position is within a.csv's last buffered chunk, after them b.csv's.
    assert sizes[0] - 8192 <= shares[7] * total <= sizes[0]


def test_the_total_is_exact_when_counted_else_estimated_never_below_the_rows_read():
    assert expected_total(done=10, exact=500, fraction=0.9, previous=300) == 500
    assert expected_total(done=250, exact=None, fraction=0.25, previous=300) == 1000  # the share read wins
    assert expected_total(done=0, exact=None, fraction=0.0, previous=300) == 300
    assert expected_total(done=400, exact=None, fraction=None, previous=300) == 400
    assert expected_total(done=400, exact=None, fraction=None, previous=None) is None


def test_a_csv_source_with_a_named_pipe_among_its_files_gives_no_share(tmp_path):
    (tmp_path / "a.csv").write_text("po_number,line_number\nPO1,1\n")
    os.mkfifo(tmp_path / "b.csv")  # no size, no position (an export streamed in)
    source = CsvSource(SourceConfig(name="csv", kind="csv", path=str(tmp_path / "*.csv")))
    with source.open(100) as snap:
        assert snap.read_fraction is None


def test_the_demo_source_counts_its_own_generated_erp(workdir, statements):
    runtime = open_store()  # the built-in configuration: the demo source
    Pipeline(runtime.settings, runtime.engine).run("demo")
    assert [s for s in statements.of_query() if "COUNT(*)" in s]  # so a demo's first run shows its total
