"""Run now queues a manual run (toast confirms) in the operator's name, disables the button, and twenty clicks
queue one run."""

import sqlalchemy as sa

from pages._run_actions import run_now
from potrack.store.models import Run
from tests.support.personas import acting_as


def click(n, source="demo", engine=None):
    from potrack import runtime

    with acting_as(engine or runtime.current().engine, "otto"):
        return run_now(n, {"type": "run-now", "source": source})


def manual_runs(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(Run.id, Run.status, Run.trigger, Run.requested_by)).all()


def test_twenty_clicks_queue_one_manual_run(web):
    results = [click(n) for n in range(1, 21)]
    runs = manual_runs(web.engine)
    assert len(runs) == 1 and runs[0][1:] == ("queued", "manual", "otto")
    is_open, message, icon, disabled = results[0]
    assert (is_open, icon, disabled) == (True, "success", True) and f"Run #{runs[0][0]} of demo is queued" in message
    assert all(r[2] == "info" and "already has run" in r[1] and r[3] for r in results[1:])


def test_an_unknown_source_queues_nothing(web):
    is_open, message, icon, _ = click(1, source="nope")
    assert (is_open, icon) == (True, "danger") and "no source named 'nope'" in message
    assert manual_runs(web.engine) == []
