"""Secrets planted in a potrack.toml and the environment: four passwords and tokens that must never be shown."""

ODBC_PWD = "0dbcPwd-5ecret"  # literal PWD= in an odbc connection string
URL_PWD = "UrlPwd-5ecret"  # a sql URL's password read from ${ERP_PASSWORD}
LITERAL_URL_PWD = "LitPwd-5ecret"  # a sql URL's password written in the file
TOKEN = "tok3n5ecret"  # a ${VAR} the driver's error message echoes back
ODBC_CONNECTION = f"DRIVER={{ODBC Driver 18 for SQL Server}};SERVER=127.0.0.1,1;DATABASE=erp;UID=potrack;PWD={ODBC_PWD}"
SECRETS = (ODBC_PWD, URL_PWD, LITERAL_URL_PWD, TOKEN)


def config(erp_url: str) -> str:
    return f"""
[[sources]]
name = "mssql"
kind = "odbc"
connection_string = "{ODBC_CONNECTION}"
retry = {{ attempts = 2, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}

[[sources]]
name = "pg"
kind = "sql"
url = "postgresql://potrack:${{ERP_PASSWORD}}@127.0.0.1:1/erp"
retry = {{ attempts = 2, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}

[[sources]]
name = "pg_literal"
kind = "sql"
url = "postgresql://potrack:{LITERAL_URL_PWD}@127.0.0.1:1/erp"
retry = {{ attempts = 2, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}

[[sources]]
name = "echo"
kind = "sql"
url = "{erp_url}"
query = "SELECT * FROM po_lines WHERE ${{ERP_TOKEN}} = 1"
retry = {{ attempts = 2, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
"""
