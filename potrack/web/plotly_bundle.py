"""Which plotly.js the browser gets: plotly.js's basic bundle (traces scatter, bar and pie: 1.2 MB, about 110 ms
to start in Chromium) when scripts/fetch_plotly_basic.py installed the one of plotly's own plotly.js version, else
Dash's full bundle (4.8 MB, about 770 ms).

dcc.Graph loads plotly.js from one URL, `<prefix>_dash-component-suites/plotly/package_data/plotly.min.js`, when
the page has none yet. A rule for exactly that path takes precedence over Dash's
`_dash-component-suites/<package_name>/<path:fingerprinted_path>` in Werkzeug's router (a static path beats one
with variables), so registering it is all it takes; without it Dash serves its full bundle as before.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import re
import sys
from pathlib import Path

import flask
import werkzeug
from dash import Dash
from plotly.offline import get_plotlyjs_version  # type: ignore[import-untyped]

BUNDLE_NAME = "plotly-basic.min.js"
BASIC_TRACES = frozenset({"scatter", "bar", "pie"})  # the trace types the basic bundle draws
# The URL dcc.Graph loads plotly.js from (serve_locally), after Dash's routes prefix.
PLOTLY_JS_PATH = "_dash-component-suites/plotly/package_data/plotly.min.js"
INSTALL_HINT = "install it with `python scripts/fetch_plotly_basic.py` (make run and make test do)"
# The bundle's first lines: "* plotly.js (basic - minified) v4.1.1".
_BASIC_HEADER = re.compile(rb"plotly\.js \(basic[^)\n]*\) v(\d+\.\d+\.\d+\S*)")
_HEADER_BYTES = 512

logger = logging.getLogger(__name__)


def bundle_dir() -> Path:
    """Where scripts/fetch_plotly_basic.py installs the bundle: $POTRACK_PLOTLY_BUNDLE_DIR, else
    <sys.prefix>/share/potrack (the virtualenv's)."""
    configured = os.environ.get("POTRACK_PLOTLY_BUNDLE_DIR")
    return Path(configured) if configured else Path(sys.prefix) / "share" / "potrack"


@dataclasses.dataclass(frozen=True)
class PlotlyJs:
    """The plotly.js the graphs load: the basic bundle's file (None: Dash's full bundle) and a line saying which."""

    basic: Path | None
    note: str

    def log(self) -> None:
        """Say which plotly.js the graphs load: INFO when it is the full bundle (with how to install the basic)."""
        logger.log(logging.DEBUG if self.basic else logging.INFO, self.note)


def find_basic_bundle(directory: Path | None = None) -> PlotlyJs:
    """The basic bundle in `directory` (default bundle_dir()) when it is plotly's plotly.js version."""
    path = (directory or bundle_dir()) / BUNDLE_NAME
    wanted = get_plotlyjs_version()
    try:
        with path.open("rb") as bundle:
            header = bundle.read(_HEADER_BYTES)
    except OSError:
        return PlotlyJs(None, f"graphs load plotly's full plotly.js: no basic bundle at {path}; {INSTALL_HINT}")
    found = _BASIC_HEADER.search(header)
    if found is None or found[1].decode() != wanted:
        what = f"plotly.js {found[1].decode()}" if found else "not plotly.js's basic bundle"
        return PlotlyJs(
            None, f"graphs load plotly's full plotly.js: {path} is {what}, plotly has {wanted}; {INSTALL_HINT}"
        )
    return PlotlyJs(path, f"graphs load plotly.js {wanted}'s basic bundle from {path}")


def register_plotly_bundle(app: Dash, directory: Path | None = None) -> PlotlyJs:
    """Serve the basic bundle at the URL dcc.Graph loads plotly.js from, when it is installed (see
    find_basic_bundle); otherwise register nothing. Returns which plotly.js the graphs get, to log once the
    logs are set up."""
    plotly_js = find_basic_bundle(directory)
    if plotly_js.basic is None:
        return plotly_js
    data = plotly_js.basic.read_bytes()  # read once: 1.2 MB, served from memory as Dash serves its own
    etag = hashlib.sha1(data).hexdigest()  # what Werkzeug's add_etag computes, as Dash's answer has

    def serve_basic_bundle() -> werkzeug.Response:
        # Cached as Dash caches this unversioned URL (an ETag, 304 when unchanged), not for a year: after a plotly
        # upgrade the next page load must get the new plotly.js.
        response = flask.Response(data, mimetype="text/javascript")
        response.set_etag(etag)
        return response.make_conditional(flask.request)

    path = app.config.routes_pathname_prefix + PLOTLY_JS_PATH
    app.server.add_url_rule(path, "potrack_plotly_basic", serve_basic_bundle, methods=["GET"])
    return plotly_js
