"""With plotly.js's basic bundle installed (scripts/fetch_plotly_basic.py, run by `make run` and `make test`), the
URL Dash's graphs load plotly.js from answers with that bundle, of the plotly.js version plotly bundles, cached as
Dash caches it (an ETag, 304 when unchanged)."""

import re

from plotly.offline import get_plotlyjs_version

from potrack.web.plotly_bundle import BUNDLE_NAME, bundle_dir
from tests.support.personas import client_as

# What dcc.Graph loads when the page has no plotly.js yet (Dash serving its files locally, prefix "/").
PLOTLY_JS_URL = "/_dash-component-suites/plotly/package_data/plotly.min.js"


def test_graphs_load_the_basic_bundle_of_plotlys_version(web):
    installed = bundle_dir() / BUNDLE_NAME
    assert installed.exists(), f"no {installed}: run `python scripts/fetch_plotly_basic.py` (make test does)"
    client = client_as("vera")

    answer = client.get(PLOTLY_JS_URL)

    assert answer.status_code == 200 and answer.mimetype == "text/javascript"
    header = answer.get_data()[:200].decode()
    assert re.search(r"plotly\.js \(basic - minified\) v(\S+)", header)[1] == get_plotlyjs_version()
    assert answer.get_data() == installed.read_bytes()
    again = client.get(PLOTLY_JS_URL, headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
