"""A source's `progress` is "estimate" (the default) or "count", and "count" only where there is a query to count
(sql and odbc sources); anything else exits 2 naming the key."""

import pytest

from potrack import cli
from potrack.config import load_settings
from tests.support.workdir import write_config

SQL = '[[sources]]\nname = "erp"\nkind = "sql"\nurl = "sqlite:///erp.db"\n'
CSV = '[[sources]]\nname = "files"\nkind = "csv"\npath = "po*.csv"\n'


def test_the_default_is_an_estimate_and_count_is_kept(workdir):
    write_config(
        workdir, SQL + '[[sources]]\nname = "counted"\nkind = "sql"\nurl = "sqlite:///erp.db"\nprogress = "count"\n'
    )
    assert [s.progress for s in load_settings().sources] == ["estimate", "count"]


@pytest.mark.parametrize(
    ("toml", "said"),
    [
        (SQL + 'progress = "exact"\n', "expected one of estimate, count; got 'exact'"),
        (CSV + 'progress = "count"\n', "only sql and odbc sources"),
        ('[[sources]]\nname = "demo"\nkind = "demo"\nprogress = "count"\n', "only sql and odbc sources"),
    ],
    ids=["unknown_mode", "count_on_csv", "count_on_demo"],
)
def test_a_wrong_progress_exits_2_naming_the_key(workdir, capsys, toml, said):
    write_config(workdir, toml)
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert "sources[0].progress" in err and said in err
