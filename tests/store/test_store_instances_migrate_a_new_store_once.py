"""App instances starting together on a new store migrate it once: each takes the store's schema lock, the
first upgrades, the others wait and find the store at the newest revision."""

import pytest
from alembic.script import ScriptDirectory

from potrack.store.engine import alembic_config, current_revision, ensure_schema, make_engine
from tests.support.timing import all_at_once

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL


def test_four_instances_starting_at_once_all_find_the_store_at_head(store_url):
    engines = [make_engine(store_url) for _ in range(4)]
    all_at_once(*[lambda engine=engine: ensure_schema(engine) for engine in engines])  # raises what one raised
    head = ScriptDirectory.from_config(alembic_config(engines[0])).get_current_head()
    assert {current_revision(engine) for engine in engines} == {head}
