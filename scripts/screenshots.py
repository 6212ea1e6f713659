"""Screenshots of the dashboard for the README and docs/: overview.png, runs.png, trends.png, changes.png, line.png
and xref.png, then the alerting evidence overview-failing.png, alerts-firing.png and notification.png, then an
upload's run card upload-card.png, in docs/screenshots.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--timezone UTC] [--only demo|upload]

Starts `python app.py` on a fresh instance in a temporary directory with the built-in configuration, so the
app builds its 30-night demo history with the real pipeline (as `make run` does on a fresh machine), with the
scheduler off and the admin's password set; then drives Debian's Chromium (/usr/bin/chromium) with Playwright,
signed in: the Overview, /runs filtered on partial and failed runs with the newest partial run expanded, /trends,
/changes filtered on promised dates that slipped by more than 7 days, the history of the first line listed there,
and /xref.

Then a scripted failure, to show a fired alert as an audit wants it shown: the app stops, a potrack.toml is written
that keeps the demo source (its history stays) and adds `erp-west`, a demo ERP whose query fails every time
(`fail = "bad_sql"`), with a webhook channel and an e-mail channel pointed at real receivers on 127.0.0.1 (the
tests' aiosmtpd server and HTTP receiver). `python -m potrack run --source erp-west` runs twice, as an outside
scheduler would; the second failure opens the consecutive-failures alert and the CLI delivers its notifications.
The app starts again on that configuration: the Overview with the failing source, /alerts with the alert firing,
and what both receivers got (the webhook's JSON body and the e-mail), drawn as a page.

Then an upload, on a fresh instance whose potrack.toml has one source fed by uploads (`buyer`, the sample files'
custom columns) and the scheduler on: the admin gives docs/sample-data/po_lines.csv to the upload area of /runs (the
browser streams it to /api/uploads, as a person's would), the dispatcher runs it, and the top of the page is taken
once its card says `success`: the upload area, the toast naming the upload and its run, and the card naming the file.

Needs requirements-dev.txt (Playwright, aiosmtpd); never runs `playwright install`.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402 - Debian's Chromium as the tests start it
from tests.support.receivers import Inbox, Receiver, channels_toml, smtp_server, webhook_server  # noqa: E402

VIEWPORT = {"width": 1400, "height": 1050}
START_TIMEOUT_S = 180  # the demo history is built before the app answers
PASSWORD = "screenshots-only-password"
FAILING = "erp-west"
# The built-in demo source as potrack.toml spells it (its history carries over), and a source that always fails.
UPLOAD_SOURCE = "buyer"
UPLOAD_SOURCES = f"""
[[sources]]
name = "{UPLOAD_SOURCE}"
kind = "csv"
upload = true
custom_columns = {{ udf_project = "text", udf_weight_kg = "number" }}
"""
SAMPLE = ROOT / "docs" / "sample-data" / "po_lines.csv"
SCENARIO_SOURCES = f"""
[[sources]]
name = "demo"
kind = "demo"
custom_columns = {{ udf_project = "text", udf_weight_kg = "number" }}

[[sources]]
name = "{FAILING}"
kind = "demo"
demo = {{ fail = "bad_sql" }}
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def potrack_env(workdir: Path, timezone: str, port: int, scheduler: bool = False) -> dict[str, str]:
    """The environment of the app and the CLI: the instance in workdir, the scheduler off unless asked for, the
    admin's password."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(
        POTRACK_INSTANCE=str(workdir / "instance"),
        POTRACK_HOST="127.0.0.1",
        POTRACK_PORT=str(port),
        POTRACK_TIMEZONE=timezone,
        POTRACK_SCHEDULER="on" if scheduler else "off",
        POTRACK_LOG_LEVEL="WARNING",
        POTRACK_ADMIN_PASSWORD=PASSWORD,
    )
    return env


def start_app(workdir: Path, timezone: str, scheduler: bool = False) -> tuple[subprocess.Popen[bytes], str]:
    """`python app.py` on 127.0.0.1 in workdir (its potrack.toml, else the built-in demo source), answering."""
    port = free_port()
    env = potrack_env(workdir, timezone, port, scheduler)
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


def sign_in(browser: object, url: str) -> object:
    """A page of the browser signed in as the admin, on the Overview."""
    page = browser.new_page(viewport=VIEWPORT)  # type: ignore[attr-defined]
    page.set_default_timeout(30_000)
    page.goto(url + "/login")
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")
    return page


def launch(pw: object) -> object:
    """Debian's Chromium, headless."""
    return pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)  # type: ignore


def shoot(url: str, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    overview_png, runs_png, trends_png, changes_png, line_png, xref_png = (
        out / f"{name}.png" for name in ("overview", "runs", "trends", "changes", "line", "xref")
    )
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = sign_in(browser, url)
            page.wait_for_selector("#overview-board .board-row[data-source]")
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
            page.wait_for_selector(".xref-gaps .grid-row .grid-cells > div")
            settle(page)
            page.screenshot(path=str(xref_png))
        finally:
            browser.close()
    return [overview_png, runs_png, trends_png, changes_png, line_png, xref_png]


def fail_twice(workdir: Path, timezone: str, received: Receiver, inbox: Inbox) -> None:
    """Configure the failing source and the two channels, then run it twice through the CLI (exit 1 each time)."""
    (workdir / "potrack.toml").write_text(SCENARIO_SOURCES + channels_toml(received.url, inbox.port))
    env = potrack_env(workdir, timezone, free_port())
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "potrack", "run", "--source", FAILING],
            cwd=workdir,
            env={**env, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=300,
        )
        if done.returncode != 1:
            raise SystemExit(f"`potrack run --source {FAILING}` exited {done.returncode}, not 1:\n{done.stderr}")
    if not received.posts or not inbox.messages:
        raise SystemExit("the consecutive-failures alert reached no receiver")


def received_page(received: Receiver, inbox: Inbox) -> str:
    """What the receivers got for the opened alert, as a page: the webhook's JSON body and the e-mail."""
    opened = received.posts[0]
    mail = inbox.messages[0]
    headers = "\n".join(f"{name}: {mail[name]}" for name in ("From", "To", "Subject", "Date"))
    text = mail.get_body(preferencelist=("plain",))
    body = text.get_content() if text is not None else mail.get_payload()
    return f"""<!doctype html><html><head><meta charset="utf-8"><style>
body {{ font-family: sans-serif; margin: 24px; color: #212529; }}
h2 {{ font-size: 18px; margin: 0 0 6px; }} p {{ color: #6c757d; margin: 0 0 8px; font-size: 13px; }}
pre {{ background: #f8f9fa; border: 1px solid #dee2e6; padding: 12px; font-size: 12px; white-space: pre-wrap; }}
.cols {{ display: grid; grid-template-columns: 1fr 1fr; gap: 24px; }}
</style></head><body><div class="cols">
<section><h2>Webhook: the body as the receiver got it</h2><p>POST {html.escape(received.url)}</p>
<pre>{html.escape(json.dumps(opened, indent=2, ensure_ascii=False))}</pre></section>
<section><h2>E-mail: as the SMTP server got it</h2><p>SMTP 127.0.0.1:{inbox.port}</p>
<pre>{html.escape(headers)}\n\n{html.escape(str(body))}</pre></section>
</div></body></html>"""


def shoot_alerting(url: str, out: Path, received: Receiver, inbox: Inbox) -> list[Path]:
    """The Overview with the failing source, /alerts with its alert firing, and what the receivers got."""
    from playwright.sync_api import sync_playwright

    overview_png, alerts_png, notification_png = (
        out / f"{name}.png" for name in ("overview-failing", "alerts-firing", "notification")
    )
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = sign_in(browser, url)
            page.wait_for_selector(f"text={FAILING}")
            page.mouse.move(0, 0)
            settle(page)
            page.screenshot(path=str(overview_png))

            page.goto(url + "/alerts")
            page.wait_for_selector(f"#alerts-firing >> text={FAILING}")
            page.mouse.move(0, 0)
            settle(page)
            page.screenshot(path=str(alerts_png))

            page.set_content(received_page(received, inbox))
            page.screenshot(path=str(notification_png), full_page=True)
        finally:
            browser.close()
    return [overview_png, alerts_png, notification_png]


def shoot_upload(url: str, out: Path) -> list[Path]:
    """An upload's run card at the end of its run, with the upload area and the toast above it."""
    from playwright.sync_api import sync_playwright

    upload_png = out / "upload-card.png"
    with sync_playwright() as pw:
        browser = launch(pw)
        try:
            page = sign_in(browser, url)
            page.goto(url + "/runs")
            area = page.locator(f".upload-area[data-source={UPLOAD_SOURCE}]")
            area.locator("input[type=file]").set_input_files(SAMPLE)
            page.wait_for_selector(".upload-toast >> text=queued as run")
            card = page.locator(".run-card[data-status=success]")
            card.wait_for(timeout=60_000)  # the dispatcher starts it within 3 s
            page.mouse.move(0, 0)
            settle(page)
            bottom = card.bounding_box()
            page.screenshot(
                path=str(upload_png),
                clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": bottom["y"] + bottom["height"] + 6},
            )
        finally:
            browser.close()
    return [upload_png]


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop the app (SIGTERM, then SIGKILL after 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots", help="where to save the PNGs")
    parser.add_argument("--timezone", default="UTC", help="POTRACK_TIMEZONE of the app (default UTC)")
    parser.add_argument(
        "--only",
        choices=("demo", "upload"),
        help="only the demo history's pages and alerting (demo), or only the upload card (upload)",
    )
    args = parser.parse_args(argv)
    if not os.access(CHROMIUM, os.X_OK):
        print(f"screenshots: {CHROMIUM} is missing (apt-get install -y chromium)", file=sys.stderr)
        return 1
    saved: list[Path] = []
    if args.only in (None, "demo"):
        with tempfile.TemporaryDirectory(prefix="potrack-screenshots-") as tmp:
            workdir = Path(tmp)
            proc, url = start_app(workdir, args.timezone)
            try:
                saved += shoot(url, args.out)
            finally:
                stop(proc)
            with webhook_server() as received, smtp_server() as inbox:
                fail_twice(workdir, args.timezone, received, inbox)
                proc, url = start_app(workdir, args.timezone)
                try:
                    saved += shoot_alerting(url, args.out, received, inbox)
                finally:
                    stop(proc)
    if args.only in (None, "upload"):
        with tempfile.TemporaryDirectory(prefix="potrack-screenshots-upload-") as tmp:
            workdir = Path(tmp)
            (workdir / "potrack.toml").write_text(UPLOAD_SOURCES, encoding="utf-8")
            proc, url = start_app(workdir, args.timezone, scheduler=True)
            try:
                saved += shoot_upload(url, args.out)
            finally:
                stop(proc)
    for path in saved:
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
