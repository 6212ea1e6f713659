"""Two real app processes on one PostgreSQL store: 20 runs queued through the API of both, for two sources, each
execute exactly once and never two at a time per source, and both report the same metrics; when the leader is
killed (SIGKILL) the other takes the scheduler over, abandons the run the dead one was executing (its liveness lock
died with it) and queues the
next scheduled run itself."""

import re
import threading
import time
import urllib.request
from collections import Counter
from itertools import pairwise, product

import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families

from potrack.auth.tokens import create_token
from potrack.clock import utcnow
from potrack.store import leases, runs
from potrack.store.engine import ensure_schema, make_engine
from potrack.store.models import AuditEvent, Run
from tests.support.timing import wait_for

RUNS_PER_SOURCE = 10
LEASE_TTL_S = 3


def slow_demo(name: str, schedule: str, seed: int, slow_s: float) -> str:
    """A demo source of 300 lines read in three batches, `slow_s` seconds each."""
    return (
        f'[[sources]]\nname = "{name}"\nkind = "demo"\nschedule = "{schedule}"\nbatch_size = 100\n'
        f'demo = {{ lines = 300, seed = {seed}, fail = "slow", slow_s = {slow_s} }}\n'
    )


SHARED = slow_demo("north", "* * * * *", 1, 0.1) + slow_demo("south", "0 3 * * *", 2, 0.1)
# Only the first instance has this source, so only it can claim its run: the run the leader dies executing.
ONLY_IN_A = slow_demo("slowpoke", "0 4 * * *", 3, 30)


def instance_of(engine, process):
    """The instance id of an app process (host:pid:random), from its lease."""
    return next((h.holder for h in leases.live_instances(engine) if f":{process.proc.pid}:" in h.holder), None)


def store_runs(engine, *sources):
    with engine.connect() as conn:
        return conn.execute(
            sa.select(
                Run.id,
                Run.source,
                Run.trigger,
                Run.status,
                Run.claimed_by,
                Run.queued_at,
                Run.started_at,
                Run.finished_at,
                Run.error,
            )
            .where(Run.source.in_(sources))
            .order_by(Run.id)
        ).all()


def scraped(process):
    """The samples of GET /metrics about north and south, as Prometheus parses them."""
    with urllib.request.urlopen(process.url + "/metrics", timeout=10) as answer:
        text = answer.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.labels.get("source") in ("north", "south")
    }


def queue_through_both(instances, token):
    """POST /api/runs to both instances for both sources at once until each source has RUNS_PER_SOURCE accepted."""
    accepted, problems, lock = {"north": [], "south": []}, [], threading.Lock()
    deadline = time.monotonic() + 180

    def keep_posting(process, source):
        while time.monotonic() < deadline:
            with lock:
                if len(accepted[source]) >= RUNS_PER_SOURCE:
                    return
                status, body = process.request("POST", "/api/runs", {"source": source}, token)
                if status == 202:
                    accepted[source].append(body["run_id"])
            if status == 409:  # the source has a run queued or running: try again shortly
                time.sleep(0.05)
            elif status != 202:
                problems.append((status, body))
                return

    threads = [threading.Thread(target=keep_posting, args=pair) for pair in product(instances, ("north", "south"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert problems == []
    return accepted


def test_two_instances_execute_each_run_once_and_the_survivor_takes_over(app_processes, workdir, pg_schema):
    engine = make_engine(pg_schema.url)
    ensure_schema(engine)
    token = create_token(engine, "load", "operator", actor="test")
    (workdir / "a.toml").write_text(SHARED + ONLY_IN_A, encoding="utf-8")
    (workdir / "b.toml").write_text(SHARED, encoding="utf-8")
    common = {
        "POTRACK_DATABASE_URL": pg_schema.url,
        "POTRACK_LEASE_TTL_S": str(LEASE_TTL_S),
        "POTRACK_SECRET_KEY": "the-same-key-on-every-instance",
        "POTRACK_ADMIN_PASSWORD": "not-printed-1",
    }
    a = app_processes.app("a", POTRACK_CONFIG="a.toml", POTRACK_INSTANCE=str(workdir / "instance-a"), **common)
    a.wait_ready()
    a_id = wait_for(lambda: instance_of(engine, a), 20, "instance a's lease")
    assert leases.holding(engine, leases.SCHEDULER).holder == a_id
    b_env = {"POTRACK_CONFIG": "b.toml", "POTRACK_INSTANCE": str(workdir / "instance-b"), **common}
    b = app_processes.app("b", **b_env)
    b.wait_ready()
    b_id = wait_for(lambda: instance_of(engine, b), 20, "instance b's lease")

    # 1. Twenty runs through both APIs at once: the store queues one at a time per source, each executes once.
    accepted = queue_through_both([a, b], token)
    wait_for(
        lambda: all(r.status not in ("queued", "running") for r in store_runs(engine, "north", "south")),
        120,
        "every run to finish",
    )
    done = store_runs(engine, "north", "south")
    for source in ("north", "south"):
        manual = [r.id for r in done if r.source == source and r.trigger == "manual"]
        assert sorted(accepted[source]) == manual and len(manual) == RUNS_PER_SOURCE
        mine = sorted((r for r in done if r.source == source), key=lambda r: r.started_at)
        for earlier, later in pairwise(mine):
            assert earlier.finished_at <= later.started_at, f"runs #{earlier.id} and #{later.id} of {source} overlap"
    assert {r.status for r in done} == {"success"}
    assert {r.claimed_by for r in done} <= {a_id, b_id}  # which instance takes which run is not promised
    with engine.connect() as conn:
        completed = conn.execute(
            sa.select(AuditEvent.run_id).where(
                AuditEvent.event_type == "ingestion.completed", AuditEvent.source.in_(["north", "south"])
            )
        ).all()
    assert sorted(run_id for (run_id,) in completed) == [r.id for r in done]
    executed = re.findall(r"\[potrack\.pipeline\] run #(\d+) (?:north|south) success in", a.output() + b.output())
    assert Counter(map(int, executed)) == Counter(r.id for r in done)  # every run executed exactly once

    def same_metrics_as_the_store():
        seen = scraped(a)
        finished = [r for r in store_runs(engine, "north", "south") if r.status == "success"]
        counted = {s: seen[("potrack_runs_total", (("source", s), ("status", "success")))] for s in ("north", "south")}
        return seen == scraped(b) and counted == {s: sum(r.source == s for r in finished) for s in counted}

    wait_for(same_metrics_as_the_store, 10, "both instances to report the store's runs")  # a cron run may land between

    # 2. The leader dies while it executes a run: b leads, abandons the run, and queues the next scheduled one.
    status, body = a.request("POST", "/api/runs", {"source": "slowpoke"}, token)
    assert status == 202
    orphan = body["run_id"]
    wait_for(
        lambda: [r for r in store_runs(engine, "slowpoke") if r.id == orphan and r.status == "running"],
        15,
        "a to execute the slow run",
    )
    assert store_runs(engine, "slowpoke")[0].claimed_by == a_id == leases.holding(engine, leases.SCHEDULER).holder
    killed_at = utcnow()
    a.kill()

    wait_for(lambda: leases.holds(engine, leases.SCHEDULER, b_id), LEASE_TTL_S * 4, "b to lead")
    [abandoned] = wait_for(
        lambda: [r for r in store_runs(engine, "slowpoke") if r.status == "abandoned"],
        LEASE_TTL_S * 4,
        "the orphaned run to be abandoned",
    )
    assert abandoned.id == orphan and abandoned.error == runs.PROCESS_DIED  # its liveness lock died with it
    assert (utcnow() - killed_at).total_seconds() < 60  # replaced within a minute
    assert f"instance {b_id} now runs the scheduler" in b.output()

    [scheduled] = wait_for(
        lambda: [
            r
            for r in store_runs(engine, "north")
            if r.trigger == "schedule" and r.queued_at > killed_at and r.status == "success"
        ],
        90,
        "a scheduled run queued after the kill",
    )
    assert scheduled.claimed_by == b_id
    assert f"north: scheduled run #{scheduled.id} queued" in b.output()

    assert b.stop() == 0
    assert leases.live_instances(engine) == [] and leases.holding(engine, leases.SCHEDULER) is None
