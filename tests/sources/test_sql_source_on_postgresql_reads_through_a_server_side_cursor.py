"""A sql source on a PostgreSQL ERP reads its snapshot through a server-side cursor, a batch per FETCH: while the
first batch is in hand, the source's session has just fetched that batch from its open cursor (pg_stat_activity),
instead of having received the whole result at execute. Every row still arrives, as the ERP holds it, and a `%` in
the query (or in the xref query) is SQL, not a placeholder."""

import re

import sqlalchemy as sa

from potrack.config import SourceConfig, XrefConfig
from potrack.sources.sql import SqlSource
from tests.support.memory import load_lines
from tests.support.services import PG_URL

ROWS = 12_345
BATCH = 1000
QUERY = "SELECT * FROM big WHERE description LIKE 'generated %' ORDER BY po_number, line_number"


def source_session(schema_name: str) -> list[dict]:
    """State and last statement of every session the scratch schema's URL opened (the source's)."""
    admin = sa.create_engine(PG_URL)
    try:
        with admin.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    sa.text("SELECT state, query FROM pg_stat_activity WHERE application_name = :name"),
                    {"name": schema_name},
                ).mappings()
            ]
    finally:
        admin.dispose()


def test_the_snapshot_is_fetched_a_batch_at_a_time_from_an_open_cursor(pg_schema):
    engine = pg_schema.engine()
    try:
        with engine.begin() as conn:
            load_lines(conn, "big", ROWS)
            conn.execute(
                sa.text(
                    "CREATE TABLE xref AS SELECT 'ITEM-' || g AS item_code, "
                    "'PART-' || g AS internal_part_id FROM generate_series(1, 3) g"
                )
            )
        with engine.connect() as conn:
            expected = [tuple(r) for r in conn.execute(sa.text("SELECT * FROM big ORDER BY po_number, line_number"))]
    finally:
        engine.dispose()
    xref = XrefConfig(query="SELECT item_code, internal_part_id FROM xref WHERE item_code LIKE 'ITEM-%'")
    cfg = SourceConfig(name="pg", kind="sql", url=pg_schema.url, query=QUERY, xref=xref, progress="count")
    source = SqlSource(cfg)

    with source.open(BATCH) as snap:
        first = next(snap.batches)
        [session] = source_session(pg_schema.name)
        rest = [row for batch in snap.batches for row in batch]

    assert len(first) == BATCH
    assert session["state"] == "idle in transaction"
    fetch = re.fullmatch(r'FETCH FORWARD (\d+) FROM "?\w+"?', session["query"])
    assert fetch is not None and int(fetch[1]) <= BATCH, session["query"]  # a batch (SQLAlchemy read its 1st row)
    assert snap.rows_total == ROWS
    assert snap.columns[:2] == ["po_number", "line_number"] and len(snap.columns) == 18
    assert [tuple(r) for r in [*first, *rest]] == expected
    assert source.read_xref() == {f"ITEM-{n}": f"PART-{n}" for n in (1, 2, 3)}
