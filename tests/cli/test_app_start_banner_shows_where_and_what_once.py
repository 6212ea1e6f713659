"""`python app.py` prints a framed start banner: where it listens, its store (the URL's password masked), its
configuration file and logs, and the admin password on the start that generated it only."""

import re

import sqlalchemy as sa

from potrack.auth.users import authenticate
from potrack.config import Settings
from potrack.start_banner import start_banner
from potrack.store.engine import make_engine
from tests.support.workdir import write_config

SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 100 }\n'
STORE_PASSWORD = "Banner-St0re-Secret"  # PostgreSQL's trust authentication lets any password in


def banner(output: str) -> list[str]:
    """The lines of the framed block: from the first +---+ rule to the next."""
    lines = output.splitlines()
    first = next(i for i, line in enumerate(lines) if re.fullmatch(r"\+-+\+", line))
    last = next(i for i in range(first + 1, len(lines)) if lines[i] == lines[first])
    return lines[first : last + 1]


def test_the_banner_names_address_store_and_configuration_and_the_password_only_when_generated(
    app_processes, workdir, pg_schema
):
    config = write_config(workdir, SMALL_DEMO)
    store_url = sa.engine.make_url(pg_schema.url)
    store_url = store_url if store_url.password else store_url.set(password=STORE_PASSWORD)
    env = {
        "POTRACK_INSTANCE": str(workdir / "instance"),
        "POTRACK_SCHEDULER": "off",
        "POTRACK_DATABASE_URL": store_url.render_as_string(hide_password=False),
    }
    first = app_processes.app("first", **env)
    first.wait_ready()
    assert first.stop() == 0
    box = banner(first.output())
    text = "\n".join(box)
    assert len({len(line) for line in box}) == 1 and all(line[0] in "+|" and line[-1] in "+|" for line in box)
    assert f"http://127.0.0.1:{first.port}/" in text
    assert f"configuration  {config.resolve()}" in text
    assert f"store          {store_url.render_as_string(hide_password=True)}" in text
    assert store_url.password not in first.output()
    password = re.search(r"created user 'admin' with password (\S+)", text)[1]
    engine = make_engine(store_url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        assert authenticate(conn, "admin", password) is not None
    engine.dispose()
    assert first.output().count(password) == 1

    second = app_processes.app("second", **env)
    second.wait_ready()
    assert second.stop() == 0
    again = "\n".join(banner(second.output()))
    assert f"http://127.0.0.1:{second.port}/" in again and "password" not in again
    assert password not in second.output()


def test_the_banner_masks_the_password_of_the_store_url(tmp_path):
    settings = Settings(
        sources=(),
        database_url="postgresql+psycopg://potrack:Pa55-in-url@db01:5432/potrack",
        instance_dir=tmp_path / "instance",
    )
    text = start_banner("http://0.0.0.0:8050/", settings, None)
    assert "Pa55-in-url" not in text
    assert "postgresql+psycopg://potrack:***@db01:5432/potrack" in text
    assert "configuration  none" in text and "password" not in text
