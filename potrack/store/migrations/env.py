"""Alembic environment: runs potrack's migrations on the engine handed over in the config."""

from __future__ import annotations

from alembic import context

from potrack.store.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
