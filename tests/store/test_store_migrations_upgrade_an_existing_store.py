"""Upgrading a store that an older potrack filled (at revision 0004) keeps its data: of two runs of one source
left running, the older is abandoned before the one-running-run index is created, and resolved alerts (NULL
firing keys) survive the move of the firing-key uniqueness to a filtered index."""

import datetime as dt

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from potrack.store.engine import alembic_config, current_revision, ensure_schema, make_engine

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

T0 = dt.datetime(2026, 11, 1, 2, 0)
METRICS = (
    "rows_done",
    "lines_processed",
    "lines_new",
    "lines_changed",
    "lines_removed",
    "change_events",
    "batches_reconstructed",
    "custom_values",
    "xref_gaps",
    "errors",
    "retry_attempts",
)


def old_run(conn: sa.Connection, source: str, status: str, minutes: int) -> int:
    runs = sa.Table("runs", sa.MetaData(), autoload_with=conn)
    values = {
        "source": source,
        "trigger": "schedule",
        "status": status,
        "baseline": False,
        "queued_at": T0 + dt.timedelta(minutes=minutes),
        "started_at": T0 + dt.timedelta(minutes=minutes),
        **{name: 0 for name in METRICS},
    }
    return conn.execute(runs.insert().values(values).returning(runs.c.id)).scalar_one()


def old_alert(conn: sa.Connection, source: str, firing: bool) -> None:
    alerts = sa.Table("alerts", sa.MetaData(), autoload_with=conn)
    conn.execute(
        alerts.insert().values(
            source=source,
            rule="stale_data",
            state="firing" if firing else "resolved",
            firing_key=f"{source}/stale_data" if firing else None,
            opened_at=T0,
            message="no data",
        )
    )


@pytest.fixture
def store_at_0004(store_url):
    engine = make_engine(store_url)
    command.upgrade(alembic_config(engine), "0004")
    with engine.begin() as conn:
        older = old_run(conn, "erp", "running", 0)
        newer = old_run(conn, "erp", "running", 5)
        other = old_run(conn, "plant2", "running", 1)
        done = old_run(conn, "erp", "success", -60)
        for source, firing in (("erp", False), ("plant2", False), ("erp", True)):
            old_alert(conn, source, firing)
    return engine, {"older": older, "newer": newer, "other": other, "done": done}


def statuses(engine: sa.Engine) -> dict[int, tuple[str, str | None]]:
    with engine.connect() as conn:
        return {i: (s, e) for i, s, e in conn.execute(sa.text("SELECT id, status, error FROM runs"))}


def test_upgrade_keeps_runs_and_abandons_all_but_the_newest_running_run_of_a_source(store_at_0004):
    engine, ids = store_at_0004
    ensure_schema(engine)
    assert current_revision(engine) == ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    after = statuses(engine)
    assert after[ids["older"]] == ("abandoned", "Abandoned by the upgrade to one running run per source")
    assert {after[ids[k]][0] for k in ("newer", "other")} == {"running"} and after[ids["done"]][0] == "success"
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM runs WHERE claimed_by IS NULL")).scalar_one() == 4


def test_upgrade_keeps_alerts_and_allows_many_resolved_but_one_firing_per_key(store_at_0004):
    engine, _ = store_at_0004
    ensure_schema(engine)
    with engine.connect() as conn:
        kept = conn.execute(sa.text("SELECT source, state, firing_key FROM alerts ORDER BY id")).all()
    assert [tuple(r) for r in kept] == [
        ("erp", "resolved", None),
        ("plant2", "resolved", None),
        ("erp", "firing", "erp/stale_data"),
    ]
    with engine.begin() as conn:
        old_alert(conn, "erp", False)  # a third NULL key: SQL Server's unique constraint would refuse it
    with pytest.raises(sa.exc.IntegrityError):
        with engine.begin() as conn:
            old_alert(conn, "erp", True)
