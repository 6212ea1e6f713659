"""The schema check before every command: a store at the newest revision is left as it is without loading Alembic
(the start-up of `potrack run`); a store at a revision this potrack does not know (a newer potrack migrated it) is
refused as Alembic reports it, and left unchanged. (A store at an older revision is migrated:
test_store_migrations_upgrade_an_existing_store.py.)"""

import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from alembic.util import CommandError

from potrack.store.engine import alembic_config, current_revision, ensure_schema, make_engine
from tests.support import ROOT

pytestmark = pytest.mark.backends  # the store on SQLite and on PostgreSQL

# A fresh process: does ensure_schema on this store load Alembic?
LOADS_ALEMBIC = """
import sys
from potrack.store.engine import ensure_schema, make_engine
ensure_schema(make_engine(sys.argv[1]))
print("alembic" in sys.modules)
"""


def head(engine: sa.Engine) -> str:
    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def loads_alembic(store_url: str) -> bool:
    proc = subprocess.run(
        [sys.executable, "-c", LOADS_ALEMBIC, store_url], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return {"True": True, "False": False}[proc.stdout.strip()]


def test_a_store_at_the_newest_revision_is_checked_without_alembic(store_url):
    assert loads_alembic(store_url)  # a new store: migrated, by Alembic
    assert current_revision(make_engine(store_url)) == head(make_engine(store_url))
    assert not loads_alembic(store_url)


def test_a_store_at_an_unknown_revision_is_refused_and_left_unchanged(store_url):
    engine = make_engine(store_url)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    tables = sorted(sa.inspect(engine).get_table_names())
    with pytest.raises(CommandError, match="9999"):
        ensure_schema(engine)
    assert current_revision(engine) == "9999"
    assert sorted(sa.inspect(engine).get_table_names()) == tables
