"""The store's schema check knows the newest revision from the migration files' names, without Alembic: each file
is named by its revision, so the largest number is the head Alembic itself upgrades to."""

from pathlib import Path

from alembic.script import ScriptDirectory

from potrack.store.engine import alembic_config, head_revision, make_engine


def alembic_scripts(tmp_path):
    return ScriptDirectory.from_config(alembic_config(make_engine(f"sqlite:///{tmp_path / 'store.db'}")))


def test_each_migration_file_is_named_by_its_revision(tmp_path):
    scripts = list(alembic_scripts(tmp_path).walk_revisions())
    assert scripts  # (walk_revisions would give nothing for a wrong script_location)
    assert [Path(script.path).name.partition("_")[0] for script in scripts] == [script.revision for script in scripts]


def test_head_from_the_file_names_is_alembics_head(tmp_path):
    assert head_revision() == alembic_scripts(tmp_path).get_current_head()
