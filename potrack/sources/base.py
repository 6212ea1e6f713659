"""What every source provides: a streamed snapshot of PO lines and an xref table."""

from __future__ import annotations

import abc
import csv
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

from potrack.config import SourceConfig
from potrack.sources.errors import SourceError


@dataclass
class Snapshot:
    """An open read of the ERP: column names and row batches (sequences), streamed."""

    columns: list[str]
    batches: Iterator[list]
    rows_total: int | None = None


def read_xref_csv(path: Path) -> dict[str, str]:
    """Read an xref CSV file with the columns item_code and internal_part_id."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            missing = {"item_code", "internal_part_id"} - set(reader.fieldnames or ())
            if missing:
                raise SourceError(f"xref file {path.name}: missing column(s) {', '.join(sorted(missing))}", transient=False)
            return {
                row["item_code"].strip(): row["internal_part_id"].strip()
                for row in reader
                if row["item_code"] and row["internal_part_id"]
            }
    except FileNotFoundError:
        raise SourceError(f"xref file {path} does not exist", transient=False) from None


class Source(abc.ABC):
    """A place PO lines come from. Implementations stream: memory never grows with the ERP."""

    def __init__(self, cfg: SourceConfig) -> None:
        self.cfg = cfg
        self.name = cfg.name

    @abc.abstractmethod
    def open(self, batch_size: int) -> AbstractContextManager[Snapshot]:
        """Connect and start reading the snapshot; closing the context releases the connection."""

    def query_xref(self, query: str) -> dict[str, str]:
        """Run the xref query on the source (sources without a database cannot)."""
        raise SourceError(f"source {self.name}: an xref query needs a database source", transient=False)

    def read_xref(self) -> dict[str, str]:
        """item_code → internal part id from the configured xref (empty when none is configured)."""
        xref = self.cfg.xref
        if xref is None:
            return {}
        if xref.path is not None:
            return read_xref_csv(xref.path)
        return self.query_xref(xref.query or "")
