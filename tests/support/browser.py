"""End-to-end support: the real app (`python app.py`) as a subprocess on a store prepared by the test, and
headless Chromium driven by Playwright (Debian's /usr/bin/chromium; `playwright install` is never needed).

Every page needs a signed-in user: the served store gets the three personas of tests/support/personas.py (ada admin,
otto operator, vera viewer), and `sign_in(page, app, name, path)` signs a browser tab in through /login.

Browser tests skip with the reason when Chromium or Playwright is missing, unless POTRACK_REQUIRE_SERVICES=1
(CI), where they fail instead.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import shutil
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from potrack.runtime import Runtime
from potrack.store.models import Run
from tests.support import ROOT
from tests.support.processes import AppProcess
from tests.support.services import free_port, unavailable

CHROMIUM = Path(os.environ.get("POTRACK_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
START_TIMEOUT_S = 30
WAIT_MS = 10_000
# A small demo ERP: with 200 lines the 30-night history is built in about 2 s.
DEMO_CONFIG = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = {{ lines = {lines} }}\n'


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not os.access(CHROMIUM, os.X_OK):
        return f"Chromium not found at {CHROMIUM} (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium for one test module (skipped, or failed under POTRACK_REQUIRE_SERVICES=1, when missing)."""
    reason = missing_browser()
    if reason is not None:
        unavailable(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser tab (its own cookies and storage) with a 10 s default wait."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(WAIT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def expect(target: Any) -> Any:
    """Playwright's waiting assertions (imported late, so that a machine without Playwright skips, not errors)."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(target)


App = AppProcess  # a served app: its url, root, log and output()


def app_env(root: Path, **extra: str) -> dict[str, str]:
    """The environment of an app or store in `root`: its own instance/, potrack.toml, UTC, nothing else POTRACK_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(
        {
            "POTRACK_INSTANCE": str(root / "instance"),
            "POTRACK_CONFIG": str(root / "potrack.toml"),
            "POTRACK_TIMEZONE": "UTC",
            "POTRACK_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **extra,
        }
    )
    return env


@contextlib.contextmanager
def serve(root: Path, scheduler: bool = False, **extra_env: str) -> Iterator[App]:
    """Run `python app.py` on 127.0.0.1 and an ephemeral port against root's store (with the personas); always
    stopped at the end."""
    ensure_personas(root)
    env = app_env(root, POTRACK_HOST="127.0.0.1", POTRACK_SCHEDULER="on" if scheduler else "off", **extra_env)
    app = AppProcess([sys.executable, str(ROOT / "app.py")], root, free_port(), env, root / "app.log")
    try:
        app.wait_ready(timeout=START_TIMEOUT_S)
        yield app
    finally:
        app.stop(timeout=10)


def write_demo_config(root: Path, lines: int = 200) -> Path:
    """potrack.toml with one demo source of `lines` lines."""
    root.mkdir(parents=True, exist_ok=True)
    path = root / "potrack.toml"
    path.write_text(DEMO_CONFIG.format(lines=lines), encoding="utf-8")
    return path


@contextlib.contextmanager
def open_runtime(root: Path) -> Iterator[Runtime]:
    """The settings and migrated store of root, opened in this process the way the app opens them."""
    from potrack.runtime import start

    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("POTRACK_")]:
            mp.delenv(name)
        for name, value in app_env(root).items():
            if name.startswith("POTRACK_"):
                mp.setenv(name, value)
        runtime = start(root / "potrack.toml")
        try:
            yield runtime
        finally:
            runtime.engine.dispose()


def ensure_personas(root: Path) -> None:
    """Give root's store the personas ada (admin), otto (operator) and vera (viewer) unless it has users."""
    from potrack.auth.users import list_users
    from tests.support.personas import add_personas

    with open_runtime(root) as runtime:
        with runtime.engine.connect() as conn:
            has_users = bool(list_users(conn))
        if not has_users:
            add_personas(runtime.engine)


def submit_sign_in(page: Any, app: App, name: str, password: str, path: str = "/") -> Any:
    """Open /login (to go to `path` afterwards), fill in the form and send it; returns the page."""
    page.goto(f"{app.url}/login?{urllib.parse.urlencode({'next': path})}")
    page.fill("#username", name)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("#login-submit")
    return page


def sign_in(page: Any, app: App, name: str, path: str = "/") -> Any:
    """Sign a browser tab in as a persona and land on `path`; returns the page."""
    from tests.support.personas import PASSWORD

    submit_sign_in(page, app, name, PASSWORD, path)
    page.wait_for_url(lambda url: url == app.url + path)
    return page


def night_pipeline(runtime: Runtime, night: int, fail: str = "none") -> Any:
    """The real pipeline over one night of the demo ERP (as the demo history runs it), optionally failing."""
    from potrack import demo_history
    from potrack.pipeline.runner import Pipeline
    from potrack.sources.demo import DemoSource

    cfg = runtime.settings.source("demo")
    if fail != "none":
        cfg = dataclasses.replace(cfg, demo=dataclasses.replace(cfg.demo, fail=fail), retry=demo_history.OUTAGE_RETRY)
    settings, start = dataclasses.replace(runtime.settings, sources=(cfg,)), demo_start(runtime)
    return Pipeline(
        settings,
        runtime.engine,
        source_factory=lambda c: DemoSource(c, settings.instance_dir, night=night, start=start),
    )


def demo_start(runtime: Runtime) -> dt.date:
    """Night 0 of the demo ERP in the runtime's instance (as the demo history chose it)."""
    import sqlite3

    con = sqlite3.connect(runtime.settings.instance_dir / "demo-erp-demo.sqlite")
    try:
        return dt.date.fromisoformat(con.execute("SELECT start FROM meta").fetchone()[0])
    finally:
        con.close()


def history_with_latest_failure(root: Path) -> None:
    """The 30-night demo history (real pipeline; failed nights 17-18, partial 4, 13, 22, flaky 8) ending now,
    then night 30 with the ERP unreachable: the latest run failed."""
    from potrack import demo_history

    write_demo_config(root)
    with open_runtime(root) as runtime:
        demo_history.build(runtime.settings, runtime.engine)
        night_pipeline(runtime, 30, fail="unreachable").run("demo", trigger="schedule", requested_by="test")


_TEMPLATES: dict[str, Path] = {}


def prepared(tmp_root: Path, name: str, build: Callable[[Path], None], factory: pytest.TempPathFactory) -> Path:
    """A copy in tmp_root of a store built once per test session by build(dir) (config, store, demo ERP)."""
    if name not in _TEMPLATES:
        template = factory.mktemp(f"template-{name}")
        build(template)
        _TEMPLATES[name] = template
    shutil.copytree(_TEMPLATES[name], tmp_root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("app.log", "logs"))
    return tmp_root


@pytest.fixture(scope="module")
def history_app(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """A web-only app (scheduler off) over the demo history whose latest run failed, shared by a module."""
    root = prepared(tmp_path_factory.mktemp("app"), "history", history_with_latest_failure, tmp_path_factory)
    with serve(root) as app:
        yield app


def store_engine(root: Path) -> sa.Engine:
    """A read engine on root's store (for checking what the pages show against the store)."""
    return sa.create_engine(f"sqlite:///{root / 'instance' / 'potrack.db'}")


def store_query(app: App, sql: str, **params: Any) -> list[Any]:
    """The rows of a read-only SQL query on the app's store."""
    engine = store_engine(app.root)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.text(sql), params).all()
    finally:
        engine.dispose()


def runs_in_store(app: App) -> list[dict[str, Any]]:
    """Every run of the app's store, newest first, as dicts."""
    engine = store_engine(app.root)
    try:
        with engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(sa.select(Run.__table__).order_by(Run.queued_at.desc(), Run.id.desc())).mappings()
            ]
    finally:
        engine.dispose()
