"""What an upload costs the server: a snapshot file POSTed to a real `python app.py` (waitress) from a streaming
client, timed to its 202 (received, hashed, counted, checked and queued), the server's peak RSS before and after,
and the run that applies it, timed to its end.

    python bench/upload.py [--mb 200] [--keep DIR]

Two files: an AdventureWorks export (the real purchasing tables, cp1252, through the renames a real ERP needs; read
from ../shared/realdata) and a generated file of about --mb megabytes in the shape of docs/sample-data/po_lines.csv
(the sample's 30 lines repeated under new PO numbers). Each upload must answer 202 and its run must end `success`
with every row, or the benchmark fails (exit 1).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support import adventureworks as aw  # noqa: E402  (the path above comes first)
from tests.support.services import free_port  # noqa: E402
from tests.support.uploads import SAMPLE, streamed_multipart  # noqa: E402

CHUNK = 256 * 1024


def generated(path: Path, megabytes: int) -> int:
    """The sample's 30 lines repeated under new PO numbers until the file is `megabytes` MB; its data rows."""
    header, *lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header)
        copy = 0
        while out.tell() < megabytes * 1024 * 1024:
            for line in lines:  # the sample's POs are ten consecutive numbers: each copy moves them by 100
                po, rest = line.split(",", 1)
                out.write(f"{int(po) + 100 * copy},{rest}")
                rows += 1
            copy += 1
    return rows


def adventureworks(path: Path, work: Path) -> int:
    """The AdventureWorks purchasing view exported as a cp1252 CSV file; its data rows."""
    erp = aw.AwErp.build(aw.realdata_dir(), work / "adventureworks.sqlite")
    return len(aw.write_csv(path, erp.snapshot()).rows)


def peak_rss_mb(pid: int) -> float:
    """A process's peak resident set (VmHWM) in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def request(port: int, method: str, path: str, token: str, body: object = None, headers: dict | None = None) -> tuple:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    try:
        connection.request(
            method,
            path,
            body=body,
            headers={"Authorization": f"Bearer {token}", **(headers or {})},
            encode_chunked=body is not None and not isinstance(body, bytes),
        )
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            yield block


def upload(port: int, pid: int, token: str, source: str, path: Path, rows: int) -> dict:
    """POST the file, then follow its run to the end; the timings, and the server's peak RSS once the file is taken
    (its run is dispatched within 3 s: not yet started)."""
    body, content_type = streamed_multipart(path.name, chunks(path))
    began = time.perf_counter()
    status, answer = request(port, "POST", f"/api/uploads?source={source}", token, body, {"Content-Type": content_type})
    accepted = time.perf_counter() - began
    taken_rss = peak_rss_mb(pid)
    if status != 202:
        raise SystemExit(f"{path.name}: HTTP {status} {answer}")
    while True:
        _, listed = request(port, "GET", f"/api/uploads?source={source}&limit=1", token)
        upload = listed["recent_uploads"][0]
        if upload["status"] in ("success", "partial", "failed"):
            break
        time.sleep(0.2)
    if (upload["status"], upload["rows_total"], upload["rows_processed"]) != ("success", rows, rows):
        raise SystemExit(f"{path.name}: expected success with {rows} rows, got {upload}")
    return {
        "accepted_s": accepted,
        "run_s": upload["elapsed_seconds"],
        "size_mb": upload["size_bytes"] / 2**20,
        "taken_rss": taken_rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the generated file (default 200)")
    parser.add_argument("--keep", type=Path, help="work in this directory and keep it")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="potrack-bench-upload-"))
    work.mkdir(parents=True, exist_ok=True)
    files = {"adventureworks": (work / "aw-export.csv", adventureworks(work / "aw-export.csv", work))}
    files["generated"] = (work / "generated.csv", generated(work / "generated.csv", args.mb))
    columns = ", ".join(f'{k} = "{v}"' for k, v in aw.RENAMES.items())
    custom = ", ".join(f'{k} = "{v}"' for k, v in aw.CUSTOM.items())
    (work / "potrack.toml").write_text(
        f'[[sources]]\nname = "aw"\nkind = "csv"\nupload = true\nencoding = "cp1252"\nupload_max_mb = 1000\n'
        f"columns = {{ {columns} }}\ncustom_columns = {{ {custom} }}\n\n"
        '[[sources]]\nname = "gen"\nkind = "csv"\nupload = true\nupload_max_mb = 1000\n'
        'custom_columns = { udf_project = "text", udf_weight_kg = "number" }\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
    env.update(PYTHONPATH=str(ROOT), POTRACK_INSTANCE=str(work / "instance"), POTRACK_PORT=str(free_port()))
    token = subprocess.run(
        [sys.executable, "-m", "potrack", "tokens", "create", "bench", "--role", "operator"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()[-1]
    server = subprocess.Popen([sys.executable, str(ROOT / "app.py")], cwd=work, env=env, stdout=subprocess.DEVNULL)
    try:
        port = int(env["POTRACK_PORT"])
        for _ in range(300):
            try:
                request(port, "GET", "/api/health", token)
                break
            except OSError:
                time.sleep(0.1)
        print(
            f"{'file':<16}{'rows':>10}{'MB':>8}{'202 after':>11}{'MB/s':>8}{'run':>8}"
            f"{'peak RSS: before, at 202, after the run':>42}"
        )
        for name, source in (("adventureworks", "aw"), ("generated", "gen")):
            path, rows = files[name]
            before = peak_rss_mb(server.pid)
            timing = upload(port, server.pid, token, source, path, rows)
            after = peak_rss_mb(server.pid)
            print(
                f"{name:<16}{rows:>10,}{timing['size_mb']:>8.1f}{timing['accepted_s']:>10.2f}s"
                f"{timing['size_mb'] / timing['accepted_s']:>8.1f}{timing['run_s']:>7.1f}s"
                f"{before:>24.0f}, {timing['taken_rss']:.0f}, {after:.0f} MB"
            )
    finally:
        server.terminate()
        server.wait(30)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
