"""Leadership between app instances: one leads (runs the cron jobs, the stale check, the alert evaluation) and
another takes over when the leader stops renewing; an instance unsure its own lease is valid claims no runs."""

import time

import pytest

from jobs.dispatcher import Dispatcher
from jobs.leadership import Leadership
from potrack.pipeline.runner import Pipeline
from potrack.store import leases, runs
from tests.support.store import run_row

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

TTL_S = 0.6


def test_one_instance_runs_leader_jobs_until_it_stops_renewing(web):
    a, b = Leadership(web.engine, TTL_S, "a"), Leadership(web.engine, TTL_S, "b")
    done = []
    job_a, job_b = a.leader_only(lambda: done.append("a") or "a"), b.leader_only(lambda: done.append("b") or "b")
    assert a.renew() and not b.renew()
    assert (job_a(), job_b()) == ("a", None) and done == ["a"]
    assert {h.holder for h in leases.live_instances(web.engine)} == {"a", "b"}

    time.sleep(TTL_S + 0.1)  # a stops renewing (a process that hangs or was killed)
    assert b.renew() and not a.leads()
    assert (job_a(), job_b()) == (None, "b") and done == ["a", "b"]
    assert not a.renew()  # a comes back: b keeps the lead
    b.release()
    assert a.renew() and a.leads()


def test_an_instance_whose_lease_may_have_lapsed_claims_no_runs(web):
    lead = Leadership(web.engine, TTL_S, "a")
    dispatcher = Dispatcher(Pipeline(web.settings, web.engine, instance_id="a"), lead.alive)
    run_id, _ = runs.queue_run_unless_active(web.engine, "demo", "manual")
    assert not lead.alive() and dispatcher.dispatch() == []  # never renewed
    lead.renew()
    assert lead.alive()
    time.sleep(TTL_S * 2 / 3 + 0.05)  # within its lease, but past the last third: it could be taken for dead
    assert not lead.alive() and dispatcher.dispatch() == []
    assert run_row(web.engine, run_id)["status"] == "queued"
    lead.renew()
    [worker] = dispatcher.dispatch()
    worker.join(60)
    assert (run_row(web.engine, run_id)["status"], run_row(web.engine, run_id)["claimed_by"]) == ("success", "a")
