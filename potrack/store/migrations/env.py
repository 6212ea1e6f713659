"""Alembic environment: runs potrack's migrations on the connection or engine handed over in the config, or
writes them as SQL for a dialect (offline mode: `attributes["dialect_name"]`; potrack.store.engine.migration_sql)."""

from __future__ import annotations

from alembic import context

from potrack.store.engine import prepare_offline_dialect
from potrack.store.models import Base

attributes = context.config.attributes
if context.is_offline_mode():
    context.configure(
        dialect_name=attributes["dialect_name"],
        target_metadata=Base.metadata,
        output_buffer=attributes.get("output_buffer"),
        literal_binds=True,
    )
    prepare_offline_dialect(context.get_context().dialect)
    with context.begin_transaction():
        context.run_migrations()
elif "connection" in attributes:  # the caller holds the transaction (and the schema lock)
    context.configure(connection=attributes["connection"], target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
else:
    with attributes["engine"].begin() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
        context.run_migrations()
