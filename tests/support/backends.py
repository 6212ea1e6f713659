"""The store's back-ends: SQLite by default; tests marked `backends` run once on a SQLite file and once on a
scratch schema of the real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import PgSchema, create_pg_schema

BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked `backends` run once per store back-end."""
    if metafunc.definition.get_closest_marker("backends") is not None:
        metafunc.parametrize("store_backend", BACKENDS, indirect=True)


@pytest.fixture
def store_backend(request: pytest.FixtureRequest) -> str:
    """The store's back-end: SQLite unless the test is marked `backends`."""
    return getattr(request, "param", "sqlite")


@pytest.fixture
def pg_schema() -> Iterator[PgSchema]:
    """A scratch schema on the real PostgreSQL server, dropped (its sessions ended) afterwards."""
    schema = create_pg_schema()
    try:
        yield schema
    finally:
        schema.drop()


@pytest.fixture
def store_url(store_backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of an empty store database on the test's back-end."""
    if store_backend == "postgresql":
        return request.getfixturevalue("pg_schema").url
    return f"sqlite:///{tmp_path / 'store.db'}"
