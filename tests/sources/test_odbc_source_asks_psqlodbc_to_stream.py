"""psqlODBC keeps a whole result in memory unless its connection string says UseDeclareFetch=1: an odbc source
whose connection string says nothing about it reads through a cursor anyway, a batch per fetch, and one that says
UseDeclareFetch=0 is left as it chose."""

import sqlalchemy as sa

from potrack.config import SourceConfig
from potrack.sources.odbc import OdbcSource, streaming
from tests.support.memory import load_lines
from tests.support.services import PG_URL

ROWS = 5_000
BATCH = 500


def erp_session_states(schema_name: str) -> list[str]:
    """The state of every session the ERP's connection string opened (application_name is the schema): a session
    reading a declared cursor is "idle in transaction" between fetches; one that got the whole result is "idle"."""
    admin = sa.create_engine(PG_URL)
    try:
        with admin.connect() as conn:
            return [
                r
                for (r,) in conn.execute(
                    sa.text("SELECT state FROM pg_stat_activity WHERE application_name = :name"), {"name": schema_name}
                )
            ]
    finally:
        admin.dispose()


def load(erp) -> None:
    engine = erp.schema.engine()
    try:
        with engine.begin() as conn:
            load_lines(conn, "big", ROWS)
    finally:
        engine.dispose()  # its session is not the source's


def first_batch_then_rest(erp, connection_string: str) -> tuple[list[str], int]:
    """The ERP sessions' states while the first batch is in hand, and how many rows came in all."""
    source = OdbcSource(
        SourceConfig(
            name="erp",
            kind="odbc",
            connection_string=connection_string,
            query="SELECT * FROM big ORDER BY po_number, line_number",
        )
    )
    with source.open(BATCH) as snap:
        first = next(snap.batches)
        seen = erp_session_states(erp.schema.name)
        rest = sum(len(batch) for batch in snap.batches)
    assert len(first) == BATCH
    return seen, len(first) + rest


def test_a_connection_string_silent_on_fetching_reads_a_batch_per_fetch(odbc_erp):
    load(odbc_erp)
    seen, rows = first_batch_then_rest(odbc_erp, odbc_erp.plain_connection_string())
    assert rows == ROWS
    assert seen == ["idle in transaction"]  # its cursor open, the rest of the rows still on the server


def test_a_connection_string_that_chose_gets_what_it_chose(odbc_erp):
    load(odbc_erp)
    seen, rows = first_batch_then_rest(odbc_erp, odbc_erp.connection_string(fetch=None))
    assert rows == ROWS
    assert seen == ["idle"]  # the whole result was handed over at once


def test_only_psqlodbc_without_a_choice_is_asked_to_stream():
    assert (
        streaming("DRIVER={PostgreSQL Unicode};SERVER=db;", "psqlodbcw.so", 1000)
        == "DRIVER={PostgreSQL Unicode};SERVER=db;UseDeclareFetch=1;Fetch=1000"
    )
    assert streaming("DSN=erp;usedeclarefetch = 0", "PSQLODBC35W.DLL", 1000) is None
    assert streaming("DRIVER={ODBC Driver 18 for SQL Server};SERVER=erp01", "msodbcsql18.so", 1000) is None
