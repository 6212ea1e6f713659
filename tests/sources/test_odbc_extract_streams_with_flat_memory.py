"""The odbc source streams 1,000,000 ERP rows through psqlODBC (UseDeclareFetch=1) with flat memory: its peak
memory is that of one batch, the same for a million rows as for a hundred thousand.

Each read runs in a fresh process (tests/support/memory.py, as bench/odbc_extract.py measures it), whose RSS growth
is its VmHWM at the end over its VmRSS once the driver is loaded. The bound comes from the data itself: PostgreSQL's
stored size of the rows (pg_column_size of each row, header included) is less than what a client needs to hold them
all, so a read that kept every row would grow by at least that much; a streaming read grows by what one batch and one
Fetch of rows take (about 3 MiB at 1,000 rows). The same read of 100,000 rows with psqlODBC's default (no
UseDeclareFetch) is measured too: it grows past that data's size, which shows that the measure sees a read that holds
everything."""

import pytest
import sqlalchemy as sa

from tests.support.memory import extract_in_child, load_lines

pytestmark = pytest.mark.slow  # loads and reads 1,000,000 rows

ROWS = 1_000_000
FEW_ROWS = 100_000
BATCH_SIZE = 1000
MIB = 1024 * 1024


def test_peak_rss_of_an_odbc_read_of_a_million_rows_is_that_of_one_batch(odbc_erp):
    engine = odbc_erp.schema.engine()
    try:
        with engine.begin() as conn:
            load_lines(conn, "big", ROWS)
            data_mib = conn.execute(sa.text("SELECT sum(pg_column_size(b.*)) FROM big b")).scalar() / MIB
            few_mib = (
                conn.execute(
                    sa.text(f"SELECT sum(pg_column_size(b.*)) FROM (SELECT * FROM big LIMIT {FEW_ROWS}) b")
                ).scalar()
                / MIB
            )
    finally:
        engine.dispose()
    streaming = odbc_erp.connection_string(fetch=BATCH_SIZE)
    few_query = f"SELECT * FROM big LIMIT {FEW_ROWS}"

    many = extract_in_child(streaming, "SELECT * FROM big", BATCH_SIZE)
    few = extract_in_child(streaming, few_query, BATCH_SIZE)
    buffered = extract_in_child(odbc_erp.connection_string(fetch=None), few_query, BATCH_SIZE)

    assert (many["rows"], many["largest_batch"]) == (ROWS, BATCH_SIZE)
    assert (few["rows"], few["largest_batch"]) == (FEW_ROWS, BATCH_SIZE)
    growth = {
        name: r["rss_peak_mib"] - r["rss_start_mib"]
        for name, r in (("many", many), ("few", few), ("buffered", buffered))
    }
    summary = f"growth MiB {growth}, data {data_mib:.1f} MiB ({few_mib:.1f} MiB for {FEW_ROWS:,} rows)"
    assert data_mib > 100, summary
    # Ten times the rows, over 100 MiB more data: no more than allocator noise more memory.
    assert growth["many"] < growth["few"] + 4, summary
    assert growth["many"] < few_mib / 2, summary
    assert growth["buffered"] > few_mib, summary
