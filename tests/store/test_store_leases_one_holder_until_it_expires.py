"""Leases in the store: one holder at a time until the lease expires unrenewed, whoever races for it; a renewal
keeps when it was first taken; a released lease is free at once; week-old instance leases are forgotten."""

import datetime as dt
import time

import pytest

from potrack.store import leases
from potrack.store.engine import ensure_schema, make_engine
from tests.support.timing import all_at_once

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

TTL = dt.timedelta(seconds=0.5)


@pytest.fixture
def engine(store_url):
    engine = make_engine(store_url)
    ensure_schema(engine)
    return engine


def test_a_lease_has_one_holder_until_it_expires_unrenewed(engine):
    assert leases.acquire(engine, "scheduler", "a", TTL)
    first = leases.holding(engine, "scheduler")
    assert not leases.acquire(engine, "scheduler", "b", TTL)
    assert leases.acquire(engine, "scheduler", "a", TTL)  # a renewal
    renewed = leases.holding(engine, "scheduler")
    assert (renewed.holder, renewed.acquired_at) == ("a", first.acquired_at) and renewed.expires_at > first.expires_at
    time.sleep(TTL.total_seconds() + 0.1)
    assert leases.holding(engine, "scheduler") is None and not leases.holds(engine, "scheduler", "a")
    assert leases.acquire(engine, "scheduler", "b", TTL)
    taken = leases.holding(engine, "scheduler")
    assert taken.holder == "b" and taken.acquired_at > first.acquired_at
    assert leases.holds(engine, "scheduler", "b") and not leases.acquire(engine, "scheduler", "a", TTL)


def test_instances_racing_for_a_new_lease_get_it_once(engine):
    holders = [f"instance-{n}" for n in range(8)]
    taken = all_at_once(
        *[lambda h=h: leases.acquire(engine, "scheduler", h, dt.timedelta(seconds=30)) for h in holders]
    )
    won = [h for h, ok in zip(holders, taken, strict=True) if ok]
    assert len(won) == 1 and leases.holding(engine, "scheduler").holder == won[0]


def test_a_released_lease_is_free_at_once_and_only_its_holder_releases_it(engine):
    leases.acquire(engine, "scheduler", "a", dt.timedelta(minutes=5))
    leases.release(engine, "scheduler", "b")
    assert leases.holding(engine, "scheduler").holder == "a"
    leases.release(engine, "scheduler", "a")
    assert leases.acquire(engine, "scheduler", "b", dt.timedelta(minutes=5))


def test_instance_leases_expired_for_longer_than_a_while_are_forgotten(engine):
    for instance in ("old", "recent", "alive"):
        leases.acquire(
            engine, leases.instance_lease(instance), instance, dt.timedelta(minutes=5) if instance == "alive" else TTL
        )
    leases.acquire(engine, leases.SCHEDULER, "old", TTL)
    time.sleep(TTL.total_seconds() + 0.1)
    assert [h.holder for h in leases.live_instances(engine)] == ["alive"]
    assert leases.forget_dead_instances(engine, dt.timedelta(0)) == 2
    assert leases.forget_dead_instances(engine, dt.timedelta(0)) == 0
    assert [h.holder for h in leases.live_instances(engine)] == ["alive"]
    assert leases.acquire(engine, leases.SCHEDULER, "alive", TTL)  # an expired scheduler lease is not deleted
