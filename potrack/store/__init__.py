"""The store: models, engine and migrations, run bookkeeping, audit and read queries."""
