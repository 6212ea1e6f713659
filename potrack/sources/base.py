"""What every source provides: a streamed snapshot of PO lines and an xref table."""

from __future__ import annotations

import abc
import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from potrack.config import SourceConfig
from potrack.sources.errors import SourceError


@dataclass(frozen=True)
class UnreadableRow:
    """A row the source itself could not read as a row of its columns (bytes not valid in the file's encoding,
    more cells than the header): it is rejected with this error, and its cells kept as far as they could be read."""

    cells: list[Any]
    origin: str
    error: str


@dataclass
class Snapshot:
    """An open read of the ERP: column names and row batches (sequences), streamed.

    `rows_total` is exact when the source counted its rows first (progress = "count"); a source that can tell how
    much of itself it has read gives `read_fraction` (0 to 1) instead, from which the total is estimated.

    With `origins`, every row carries one more value after its columns: where it is in the source
    ("po.csv:17"), for its failed-row record. Rows the source could not read are put in `unreadable` while
    the batches stream; the reader takes them out after each batch.
    """

    columns: list[str]
    batches: Iterator[list]
    rows_total: int | None = None
    read_fraction: Callable[[], float] | None = None
    origins: bool = False
    unreadable: list[UnreadableRow] = field(default_factory=list)


XREF_COLUMNS = ("item_code", "internal_part_id")


def xref_positions(columns: list[str], what: str) -> tuple[int, int]:
    """Where item_code and internal_part_id are among an xref's columns (names match ignoring case); a query of
    exactly two columns with other names is read as code, part in that order."""
    lowered = [str(c).lower() for c in columns]
    found = []
    for name in XREF_COLUMNS:
        hits = [i for i, c in enumerate(lowered) if c == name]
        if len(hits) > 1:
            raise SourceError(
                f"{what}: more than one column matches {name} ignoring case ({', '.join(columns)})", transient=False
            )
        found.append(hits[0] if hits else None)
    first, second = found
    if first is not None and second is not None:
        return first, second
    if len(columns) == 2 and found == [None, None]:
        return 0, 1
    missing = [name for name, at in zip(XREF_COLUMNS, found, strict=True) if at is None]
    raise SourceError(f"{what}: no column {', '.join(missing)} (it returns: {', '.join(columns)})", transient=False)


def xref_mapping(columns: list[str], rows: Iterable[Sequence[Any]], what: str) -> dict[str, str]:
    """item_code → internal part id from an xref's rows; rows without a code or a part are skipped."""
    code_at, part_at = xref_positions(columns, what)
    mapping = {}
    for row in rows:
        code, part = row[code_at], row[part_at]
        if code is not None and part is not None:
            code, part = str(code).strip(), str(part).strip()
            if code and part:
                mapping[code] = part
    return mapping


def read_xref_csv(path: Path) -> dict[str, str]:
    """Read an xref CSV file with the columns item_code and internal_part_id (any case)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None) or []
            return xref_mapping(header, reader, f"xref file {path.name}")
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

    def counts_rows(self) -> bool:
        """Whether the source counts its rows before reading them (progress = "count")."""
        return self.cfg.progress == "count"

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
