"""On the Overview's board, the 'next run' of a source fed by uploads only says when its next file is expected
('file in 7 h'): its schedule queues nothing; a source with a path says when its run comes ('in 7 h')."""

import datetime as dt

from pages.overview import next_run
from potrack.config import SourceConfig

NOW = dt.datetime(2026, 12, 6, 19, 0, tzinfo=dt.UTC)


def test_an_upload_only_source_expects_a_file_and_a_path_source_a_run():
    fed = SourceConfig(name="buyer", kind="csv", upload=True)
    read = SourceConfig(name="nightly", kind="csv", path="po.csv", upload=True)
    assert ">file in 7 h<" in next_run(fed, NOW, dt.UTC)
    assert "a file is expected by the schedule, uploaded by hand" in next_run(fed, NOW, dt.UTC)
    assert ">in 7 h<" in next_run(read, NOW, dt.UTC) and "file" not in next_run(read, NOW, dt.UTC)
