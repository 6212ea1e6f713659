"""Browser timings (issue 18): how long headless Chromium takes to show a run card's details and each page.

    python bench/browser.py [--store demo|big|both] [--repeat 5] [--changes 50000] [--keep DIR]

Builds two stores with the real pipeline and serves each with a real `python app.py` (127.0.0.1, a free port,
scheduler off, signed in as the admin):

- demo: the 30-night demo history exactly as `make run` builds it on a fresh install (no potrack.toml: the app
  builds it with potrack/demo_history.py before it answers);
- big: a sql source over a SQLite ERP (tests/support/erp.py's builders) of `--changes` lines, a baseline and then
  five nights that each slip every line's promised date (`--changes` change events a night), add 8 lines and carry
  3 bad rows (partial runs), each night a real `python -m potrack run`.

Then, in Debian's Chromium (/usr/bin/chromium) through Playwright, it prints the median and min–max of `--repeat`
measurements (after one warm-up) of:

- opening run cards on /runs: the 1st, 2nd, ... 5th card clicked in a row on one page, each kept open; from the
  click to the card's details drawn (the details element laid out with a visible height and, when the card lists
  changes, its first change row drawn), timed inside the page with requestAnimationFrame;
- each page, from navigation start (the page's performance.timeOrigin) to its content drawn (the selectors in PAGES
  visible and no Dash component loading): the page loaded in a new tab;
- each page again "in the app": from an in-app navigation to it (what a click on a link or the navbar does: the
  address changes and Dash draws the page, the app and its scripts stay loaded; from /runbook, or from / to the
  runbook) to its content drawn.

Targets (issue 18): opening any card ≤ 300 ms and the fifth as fast as the first; every page ≤ 700 ms. This prints
figures; it is not a test and exits 0 unless something fails to build or serve.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from potrack.links import line_path  # noqa: E402
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - Debian's Chromium as the tests start it
from tests.support.erp import Erp, erp_line, sql_source_config  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1000}
PASSWORD = "bench-browser-only-password"
START_TIMEOUT_S = 300  # the demo history is built before the app answers
WAIT_MS = 60_000
CARDS = 5
BIG_NIGHTS = 5
NEW_A_NIGHT = 8
BAD_A_NIGHT = 3

# What shows that a page's content is drawn: every selector of its list visible. {line} and {run} are filled in.
PAGES: dict[str, tuple[str, ...]] = {
    "/": ("#overview-cards > *, #overview-board .board-cells table, #overview-board .board-cells a",),
    "/runs": (".run-card",),
    "/runs/{run}": ("#run-detail .detail-changes tbody tr, #run-detail .detail-changes .ag-row",),
    "/changes": (".change-rows tbody tr", "#changes-nights .main-svg"),
    "/trends": tuple(f"#trends-{name}-graph .main-svg" for name in ("lines", "volumes", "outcomes", "duration")),
    "/alerts": ("#alerts-history > *", "#alerts-rules > *"),
    "/failed-rows": (".failed-rows .grid-row .grid-cells > div",),
    "/xref": (".xref-gaps .grid-row .grid-cells > div",),
    "/audit": (".audit-events tbody tr",),
    "/lines?q={po}": (".lines-found tbody tr",),
    "{line}": ("#line-history .line-timeline",),
    "/runbook": ("#runbook-contents",),
}

# Visible: laid out, not hidden, and with some height left inside every ancestor that clips it (a collapse that is
# still opening clips its content to its own height).
SHOWN_JS = """
window.__benchShown = (el) => {
  if (!el || !el.isConnected || !el.checkVisibility()) return false;
  let {top, bottom} = el.getBoundingClientRect();
  for (let a = el.parentElement; a; a = a.parentElement) {
    if (getComputedStyle(a).overflowY !== 'visible') {
      const r = a.getBoundingClientRect();
      top = Math.max(top, r.top);
      bottom = Math.min(bottom, r.bottom);
    }
  }
  return bottom - top > 0;
};
"""

CARD_JS = """
async ([index, timeout]) => {
  const card = document.querySelectorAll('.run-card')[index];
  const t0 = performance.now();
  card.querySelector('.run-summary').click();
  const drawn = () => {
    const details = card.querySelector('.run-details');
    if (!window.__benchShown(details)) return false;
    const changes = details.querySelector('.detail-changes');
    return !changes || !!changes.querySelector('tbody tr, .ag-row, p');
  };
  return await new Promise((resolve, reject) => {
    const tick = () => {
      if (drawn()) resolve(performance.now() - t0);
      else if (performance.now() - t0 > timeout) reject(new Error('card ' + index + ' not drawn'));
      else requestAnimationFrame(tick);
    };
    tick();
  });
}
"""

PAGE_JS = """
async ([selectors, timeout]) => {
  const drawn = () => selectors.every((s) => Array.from(document.querySelectorAll(s)).some(window.__benchShown))
    && !document.querySelector('[data-dash-is-loading="true"]');
  return await new Promise((resolve, reject) => {
    const tick = () => {
      if (drawn()) resolve(performance.now());
      else if (performance.now() > timeout) reject(new Error('not drawn: ' + selectors.join(' + ')));
      else requestAnimationFrame(tick);
    };
    tick();
  });
}
"""

# In-app navigation, as a click on a dcc.Link or a navbar link does it (the app stays loaded): the address changes and
# Dash draws the page; from that moment to its content drawn.
NAV_JS = """
async ([path, selectors, timeout]) => {
  const t0 = performance.now();
  window.history.pushState({}, '', path);
  window.dispatchEvent(new CustomEvent('_dashprivate_pushstate'));
  const drawn = () => selectors.every((s) => Array.from(document.querySelectorAll(s)).some(window.__benchShown))
    && !document.querySelector('[data-dash-is-loading="true"]');
  return await new Promise((resolve, reject) => {
    const tick = () => {
      if (drawn()) resolve(performance.now() - t0);
      else if (performance.now() - t0 > timeout) reject(new Error('not drawn: ' + selectors.join(' + ')));
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}
"""


@dataclass(frozen=True)
class Store:
    """A prepared instance: its directory, its potrack.toml (None: the built-in demo) and what to open on it."""

    name: str
    root: Path
    config: Path | None

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
        env.update(
            PYTHONPATH=str(ROOT),
            POTRACK_INSTANCE=str(self.root / "instance"),
            POTRACK_TIMEZONE="UTC",
            POTRACK_LOG_LEVEL="WARNING",
            **({"POTRACK_CONFIG": str(self.config)} if self.config else {}),
            **extra,
        )
        return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serve(store: Store) -> Iterator[str]:
    """`python app.py` on the store (building the demo history first when it has none); yields its URL."""
    port = free_port()
    env = store.env(
        POTRACK_HOST="127.0.0.1", POTRACK_PORT=str(port), POTRACK_SCHEDULER="off", POTRACK_ADMIN_PASSWORD=PASSWORD
    )
    log = store.root / "app.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py")],
            cwd=store.root,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise SystemExit(f"the app exited with {proc.returncode}:\n{log.read_text(errors='replace')}")
            try:
                with urllib.request.urlopen(url + "/api/health", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit(f"the app did not answer within {START_TIMEOUT_S} s") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def demo_store(workdir: Path) -> Store:
    """The built-in configuration on an empty instance: the app builds the 30-night history as it starts."""
    root = workdir / "demo"
    root.mkdir(exist_ok=True)
    return Store("demo", root, None)


def big_night(lines: int, night: int) -> list[dict[str, Any]]:
    """The ERP on a night: every line's promised date slips a day a night; from night 1, 8 more lines a night and
    3 bad rows (a quantity that is not a number, a missing supplier)."""
    promised = (dt.date(2027, 1, 1) + dt.timedelta(days=night)).isoformat()
    rows = [
        erp_line(f"PO{i // 5:06d}", i % 5 + 1, item_code=f"ITEM-{i % 12}", promised_date=promised)
        for i in range(lines + NEW_A_NIGHT * night)
    ]
    if night:
        rows += [
            erp_line(f"BAD{night}", 1, quantity_ordered="n/a"),
            erp_line(f"BAD{night}", 2, quantity_ordered="n/a"),
            erp_line(f"BAD{night}", 3, supplier_code=None),
        ]
    return rows


def big_store(workdir: Path, lines: int) -> Store:
    """A sql source over a `lines`-line ERP: a baseline, then BIG_NIGHTS nights of `lines` change events each."""
    root = workdir / "big"
    config = root / "potrack.toml"
    store = Store("big", root, config)
    if (root / "instance" / "potrack.db").exists():  # kept by an earlier --keep
        return store
    root.mkdir()
    erp = Erp(root / "erp.sqlite")
    erp.write_xref({f"ITEM-{n}": f"PART-{n}" for n in range(1, 10)})
    config.write_text(sql_source_config(erp), encoding="utf-8")
    for night in range(BIG_NIGHTS + 1):
        erp.write(big_night(lines, night))
        command = [sys.executable, "-m", "potrack", "run", "--source", "erp", *(["--baseline"] if not night else [])]
        began = time.perf_counter()
        done = subprocess.run(command, cwd=root, env=store.env(), capture_output=True, text=True)
        if done.returncode not in (0, 3):  # 3: partial (the bad rows)
            raise SystemExit(f"night {night} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        print(f"  big store: night {night} in {time.perf_counter() - began:.1f} s", file=sys.stderr)
    return store


def targets(store: Store) -> dict[str, str]:
    """What {run}, {po} and {line} stand for on a store: its run with the most change events, and a line of it."""
    engine = sa.create_engine(f"sqlite:///{store.root / 'instance' / 'potrack.db'}")
    try:
        with engine.connect() as conn:
            run = conn.execute(sa.text("SELECT id FROM runs ORDER BY change_events DESC, id DESC LIMIT 1")).scalar()
            source, po, line = conn.execute(
                sa.text(
                    "SELECT source, po_number, line_number FROM change_events WHERE run_id = :r ORDER BY id LIMIT 1"
                ),
                {"r": run},
            ).one()
    finally:
        engine.dispose()
    return {"run": str(run), "po": po, "line": line_path(source, po, line)}


def sign_in(context: Any, url: str) -> None:
    page = context.new_page()
    page.goto(f"{url}/login")
    page.fill("#username", "admin")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("#login-submit")
    page.close()


def settle(page: Any) -> None:
    """Wait until Dash has no callback in flight."""
    page.wait_for_load_state("networkidle")
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")


def open_cards(context: Any, url: str) -> list[float]:
    """Milliseconds to open each of the first CARDS run cards on /runs, one after the other, each kept open."""
    page = context.new_page()
    try:
        page.goto(f"{url}/runs")
        page.wait_for_function(f"() => document.querySelectorAll('.run-card').length >= {CARDS}", timeout=WAIT_MS)
        settle(page)
        times = []
        for index in range(CARDS):
            times.append(float(page.evaluate(CARD_JS, [index, WAIT_MS])))
            settle(page)
        return times
    finally:
        page.close()


def open_page(context: Any, url: str, path: str, selectors: tuple[str, ...]) -> float:
    """Milliseconds from navigation start to the page's content drawn (NaN when it was not drawn in time)."""
    page = context.new_page()
    try:
        page.goto(url + path, wait_until="commit")
        return float(page.evaluate(PAGE_JS, [list(selectors), WAIT_MS]))
    except PlaywrightError as exc:
        print(f"  {path}: {exc.message.splitlines()[0]}", file=sys.stderr)
        return math.nan
    finally:
        page.close()


def navigate_in_app(context: Any, url: str, path: str, selectors: tuple[str, ...]) -> float:
    """Milliseconds from an in-app navigation to `path` (from /runbook, or from / to the runbook) to its content
    drawn (NaN when it was not drawn in time)."""
    page = context.new_page()
    try:
        page.goto(url + ("/" if path == "/runbook" else "/runbook"))
        settle(page)
        return float(page.evaluate(NAV_JS, [path, list(selectors), WAIT_MS]))
    except PlaywrightError as exc:
        print(f"  {path} (in the app): {exc.message.splitlines()[0]}", file=sys.stderr)
        return math.nan
    finally:
        page.close()


def figure(samples: list[float]) -> str:
    if any(math.isnan(s) for s in samples):
        return "  not drawn in time"
    return f"{statistics.median(samples):7.0f}  {min(samples):6.0f}–{max(samples):<6.0f}"


def measure(store: Store, repeat: int, browser: Any) -> list[tuple[str, str, list[float]]]:
    """(store, what, samples in ms) of every card position and page."""
    rows: list[tuple[str, str, list[float]]] = []
    with serve(store) as url:
        fill = targets(store)
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(SHOWN_JS)
        context.set_default_timeout(WAIT_MS)
        try:
            sign_in(context, url)
            rounds = [open_cards(context, url) for _ in range(repeat + 1)][1:]
            for index in range(CARDS):
                rows.append((store.name, f"open card {index + 1} of {CARDS}", [r[index] for r in rounds]))
            for template, selectors in PAGES.items():
                path, shown = template.format(**fill), template.format(run="<id>", po="<po>", line="/lines/<line>")
                samples = [open_page(context, url, path, selectors) for _ in range(repeat + 1)][1:]
                rows.append((store.name, shown, samples))
                samples = [navigate_in_app(context, url, path, selectors) for _ in range(repeat + 1)][1:]
                rows.append((store.name, f"{shown} in the app", samples))
        finally:
            context.close()
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", choices=("demo", "big", "both"), default="both", help="which store to measure")
    parser.add_argument("--repeat", type=int, default=5, help="measurements per figure, after one warm-up")
    parser.add_argument("--changes", type=int, default=50_000, help="the big store's lines (change events a night)")
    parser.add_argument(
        "--keep", type=Path, help="build the stores in this directory and keep them (a store kept there is reused)"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    workdir = Path(tempfile.mkdtemp(prefix="potrack-bench-browser-")) if args.keep is None else args.keep
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        began = time.perf_counter()
        stores = []
        if args.store in ("demo", "both"):
            stores.append(demo_store(workdir))
        if args.store in ("big", "both"):
            stores.append(big_store(workdir, args.changes))
        print(f"stores built in {time.perf_counter() - began:.0f} s (the demo's history: as its app starts)")
        rows = []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            try:
                for store in stores:
                    rows += measure(store, args.repeat, browser)
            finally:
                browser.close()
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nheadless Chromium, median and min–max of {args.repeat} in ms")
        print(f"(load average {load} on {os.cpu_count()} CPUs)")
        print(f"{'store':6} {'what':32} {'median':>7}  min–max")
        for name, what, samples in rows:
            print(f"{name:6} {what:32} {figure(samples)}")
    finally:
        if args.keep is None:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
