"""`upload = true` lets operators upload snapshot files for a csv source, whose `path` may then be left out (an
upload-only source); `upload_max_mb` bounds a file (200 by default). Anything else exits 2 naming the key."""

import pytest

from potrack import cli
from potrack.config import load_settings
from tests.support.workdir import write_config

CSV = '[[sources]]\nname = "files"\nkind = "csv"\n'


def test_an_upload_source_may_leave_out_its_path_and_has_a_200_mb_default(workdir):
    write_config(workdir, CSV + "upload = true\n" + CSV.replace("files", "fed") + 'path = "po.csv"\nupload = true\n')
    fed_only, both = load_settings().sources
    assert (fed_only.upload, fed_only.path, fed_only.upload_only) == (True, None, True)
    assert (both.upload, both.upload_only) == (True, False)
    assert fed_only.upload_max_bytes == 200 * 1024 * 1024


def test_upload_max_mb_is_kept_in_bytes(workdir):
    write_config(workdir, CSV + "upload = true\nupload_max_mb = 5\n")
    assert load_settings().sources[0].upload_max_bytes == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("toml", "key", "said"),
    [
        (CSV, "sources[0].path", 'required for kind = "csv" (a file or glob), unless the source is fed by uploads'),
        (CSV + 'upload = "yes"\n', "sources[0].upload", "expected true/false, got str"),
        (
            '[[sources]]\nname = "erp"\nkind = "sql"\nurl = "sqlite:///erp.db"\nupload = true\n',
            "sources[0].upload",
            "only a csv source takes uploaded files",
        ),
        (CSV + 'path = "po.csv"\nupload_max_mb = 5\n', "sources[0].upload_max_mb", "the source takes no uploads"),
        (CSV + "upload = true\nupload_max_mb = 0\n", "sources[0].upload_max_mb", "expected a positive whole number"),
    ],
    ids=["no_path_without_upload", "not_a_boolean", "upload_on_sql", "limit_without_upload", "zero_limit"],
)
def test_a_wrong_upload_setting_exits_2_naming_the_key(workdir, capsys, toml, key, said):
    write_config(workdir, toml)
    assert cli.main(["run"]) == 2
    err = capsys.readouterr().err
    assert key in err and said in err
