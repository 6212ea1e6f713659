"""The odbc source streams through psqlODBC (UseDeclareFetch=1): its peak memory does not grow with the rows.

Each read runs in a fresh process (bench/odbc_extract.py), whose RSS growth is its VmHWM at the end over its VmRSS
once the driver is loaded. The bound comes from the data itself: PostgreSQL's stored size of the 200,000 rows
(pg_column_size of each row, header included: 36 MiB here) is less than what a client needs to hold them all, so
a read that kept every row would grow by at least that much; a streaming read grows by what one batch and one
Fetch of rows take (3.4 MiB here), the same for 20,000 rows as for 200,000. The same read with psqlODBC's default
(no UseDeclareFetch) is measured too: it grows past the data size (176 MiB here), which shows that the measure
sees a read that holds everything.
"""

import sqlalchemy as sa

from bench.odbc_extract import extract_in_child, load_lines
from odbc_support import odbc_erp  # noqa: F401 - fixture

ROWS = 200_000
FEW_ROWS = 20_000
BATCH_SIZE = 1000
MIB = 1024 * 1024


def test_peak_rss_of_an_odbc_read_does_not_grow_with_the_rows(odbc_erp):
    engine = odbc_erp.schema.engine()
    try:
        with engine.begin() as conn:
            load_lines(conn, "big", ROWS)
            data_mib = conn.execute(sa.text("SELECT sum(pg_column_size(b.*)) FROM big b")).scalar() / MIB
    finally:
        engine.dispose()
    streaming = odbc_erp.connection_string(fetch=BATCH_SIZE)

    many = extract_in_child(streaming, "SELECT * FROM big", BATCH_SIZE)
    few = extract_in_child(streaming, f"SELECT * FROM big LIMIT {FEW_ROWS}", BATCH_SIZE)
    buffered = extract_in_child(odbc_erp.connection_string(fetch=None), "SELECT * FROM big", BATCH_SIZE)

    assert (many["rows"], many["rows_total"], many["largest_batch"]) == (ROWS, ROWS, BATCH_SIZE)
    assert (few["rows"], few["largest_batch"]) == (FEW_ROWS, BATCH_SIZE)
    growth = {name: r["rss_peak_mib"] - r["rss_start_mib"] for name, r in
              (("many", many), ("few", few), ("buffered", buffered))}
    summary = f"growth MiB {growth}, data {data_mib:.1f} MiB"
    assert data_mib > 20, summary
    # Ten times the rows, about 30 MiB more data: no more than allocator noise more memory.
    assert growth["many"] < growth["few"] + 4, summary
    assert growth["many"] < data_mib / 4, summary
    assert growth["buffered"] > data_mib, summary
