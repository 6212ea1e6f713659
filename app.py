"""potrack's web app: `python app.py` serves it on POTRACK_HOST:POTRACK_PORT (default 127.0.0.1:8050)."""

import dash
from dash import Dash, dcc, html

from potrack import bootstrap
from potrack.config import envint, envstr

bootstrap.install(bootstrap.start())
app = Dash(__name__, use_pages=True, title="potrack")
server = app.server
app.layout = html.Div([
    html.Nav([html.Strong("potrack")] + [dcc.Link(page["name"], href=page["relative_path"], style={"marginLeft": "1em"})
                                        for page in dash.page_registry.values()]),
    dash.page_container,
])

if __name__ == "__main__":
    app.run(host=envstr("POTRACK_HOST", "127.0.0.1"), port=envint("POTRACK_PORT", 8050), debug=False)
