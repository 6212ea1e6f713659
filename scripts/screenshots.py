"""Screenshots of the dashboard for the README and docs/: overview.png, runs.png, trends.png, changes.png, line.png
and xref.png in docs/screenshots.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--timezone UTC]

Starts `python app.py` on a fresh instance in a temporary directory with the built-in configuration, so the
app builds its 30-night demo history with the real pipeline (as `make run` does on a fresh machine), with the
scheduler off and the admin's password set; then drives Debian's Chromium (/usr/bin/chromium) with Playwright,
signed in: the Overview, /runs filtered on partial and failed runs with the newest partial run expanded, /trends,
/changes filtered on promised dates that slipped by more than 7 days, the history of the first line listed there,
and /xref. Needs requirements-dev.txt (Playwright); never runs `playwright install`.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
VIEWPORT = {"width": 1400, "height": 1050}
START_TIMEOUT_S = 180  # the demo history is built before the app answers
PASSWORD = "screenshots-only-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_app(workdir: Path, timezone: str) -> tuple[subprocess.Popen[bytes], str]:
    """`python app.py` on 127.0.0.1 in workdir (no potrack.toml: the built-in demo source), answering."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_HOST="127.0.0.1",
        POTRACK_PORT=str(port),
        POTRACK_TIMEZONE=timezone,
        POTRACK_SCHEDULER="off",
        POTRACK_LOG_LEVEL="WARNING",
        POTRACK_ADMIN_PASSWORD=PASSWORD,
    )
    log = open(workdir / "app.log", "wb")  # noqa: SIM115 (closed with the process below)
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "app.py")],
        cwd=workdir,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    log.close()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the app exited with code {proc.returncode}:\n{(workdir / 'app.log').read_text()}")
        try:
            with urllib.request.urlopen(url + "/api/health", timeout=2):  # public: no sign-in needed
                return proc, url
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the app did not answer within {START_TIMEOUT_S} s")


def settle(page: object) -> None:
    """Wait until Dash has no callback in flight and the page stopped moving."""
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]
    page.wait_for_function("() => !document.querySelector('[data-dash-is-loading=\"true\"]')")  # type: ignore
    page.wait_for_timeout(600)  # type: ignore[attr-defined]  (collapse and plotly transitions)


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    overview_png, runs_png, trends_png, changes_png, line_png, xref_png = (
        out / f"{name}.png" for name in ("overview", "runs", "trends", "changes", "line", "xref")
    )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(30_000)
            page.goto(url + "/login")
            page.fill("input[name=username]", "admin")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url(url + "/")
            page.wait_for_selector("#overview-cards .source-card")
            page.mouse.move(0, 0)
            settle(page)
            page.screenshot(path=str(overview_png))

            page.goto(url + "/runs?status=partial,failed")
            page.wait_for_selector(".run-card[data-status=partial]")
            card = page.locator(".run-card[data-status=partial]").first
            card.locator(".run-summary").click()
            card.locator(".run-details").wait_for(state="visible")
            page.mouse.move(0, 0)
            settle(page)
            page.screenshot(path=str(runs_png))

            page.goto(url + "/trends")
            for name in ("lines", "volumes", "outcomes", "duration"):
                page.wait_for_selector(f"#trends-{name}-graph .main-svg")
            page.mouse.move(0, 0)
            settle(page)
            page.screenshot(path=str(trends_png), full_page=True)

            page.goto(url + "/changes?field=promised_date&slip=7")
            page.wait_for_selector("#changes-nights-graph .main-svg")
            page.wait_for_selector(".change-rows tbody tr")
            page.mouse.move(0, 0)
            settle(page)
            page.screenshot(path=str(changes_png))

            page.locator(".change-rows .line-link").first.click()
            page.wait_for_selector("#line-history .line-timeline")
            settle(page)
            page.screenshot(path=str(line_png))

            page.goto(url + "/xref")
            page.wait_for_selector(".xref-gaps tbody tr")
            settle(page)
            page.screenshot(path=str(xref_png))
        finally:
            browser.close()
    return [overview_png, runs_png, trends_png, changes_png, line_png, xref_png]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to save the PNGs")
    parser.add_argument("--timezone", default="UTC", help="POTRACK_TIMEZONE of the app (default UTC)")
    args = parser.parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"screenshots: {CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="potrack-screenshots-") as tmp:
        proc, url = start_app(Path(tmp), args.timezone)
        try:
            saved = shoot(url, args.out)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    for path in saved:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
