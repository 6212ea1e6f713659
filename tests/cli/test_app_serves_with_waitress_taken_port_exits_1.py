"""`python app.py` on an address another process listens on stops at once with exit code 1 and a message naming
the address, before it creates the admin or starts anything (so no generated password is lost)."""

import os
import socket
import subprocess
import sys

from potrack.store.engine import make_engine
from tests.support import ROOT
from tests.support.store import store_rows
from tests.support.workdir import write_config

SMALL_DEMO = '[[sources]]\nname = "demo"\nkind = "demo"\ndemo = { lines = 100 }\n'


def test_a_taken_port_exits_1_naming_the_address_before_anything_starts(workdir):
    write_config(workdir, SMALL_DEMO)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith("POTRACK_")}
        env.update(POTRACK_INSTANCE=str(workdir / "instance"), POTRACK_PORT=str(port), PYTHONPATH=str(ROOT))
        done = subprocess.run(
            [sys.executable, str(ROOT / "app.py")], cwd=workdir, env=env, capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 1, done.stderr
    assert f"potrack: cannot listen on 127.0.0.1:{port}: " in done.stderr and "Traceback" not in done.stderr
    assert "created user" not in done.stdout
    engine = make_engine(f"sqlite:///{workdir / 'instance' / 'potrack.db'}")
    assert store_rows(engine, "SELECT name FROM users") == []
    engine.dispose()
