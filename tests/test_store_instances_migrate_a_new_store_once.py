"""App instances starting together on a new store migrate it once: each takes the store's schema lock, the
first upgrades, the others wait and find the store at the newest revision."""

import threading

import pytest
from alembic.script import ScriptDirectory

from potrack.store.engine import alembic_config, current_revision, ensure_schema, make_engine

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_four_instances_starting_at_once_all_find_the_store_at_head(store_url):
    engines = [make_engine(store_url) for _ in range(4)]
    barrier, errors = threading.Barrier(len(engines)), []

    def start(engine) -> None:
        barrier.wait()
        try:
            ensure_schema(engine)
        except Exception as exc:  # collected: a thread's exception would otherwise only be printed
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(engine,)) for engine in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    head = ScriptDirectory.from_config(alembic_config(engines[0])).get_current_head()
    assert errors == []
    assert {current_revision(engine) for engine in engines} == {head}
