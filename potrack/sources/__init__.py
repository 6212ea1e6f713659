"""ERP sources: demo, sql, odbc and csv, all streamed."""

from __future__ import annotations

from pathlib import Path

from potrack.config import SourceConfig
from potrack.sources.base import Snapshot, Source
from potrack.sources.csvfile import CsvSource
from potrack.sources.demo import DemoSource
from potrack.sources.odbc import OdbcSource
from potrack.sources.sql import SqlSource

__all__ = ["Snapshot", "Source", "make_source"]


def make_source(cfg: SourceConfig, instance_dir: Path) -> Source:
    """The source object for a configured source."""
    if cfg.kind == "demo":
        return DemoSource(cfg, instance_dir)
    if cfg.kind == "sql":
        return SqlSource(cfg)
    if cfg.kind == "odbc":
        return OdbcSource(cfg)
    return CsvSource(cfg)
