"""Receiving an uploaded snapshot file: streamed to disk chunk by chunk, its SHA-256 and its data rows counted while
it is written, its header and encoding checked, its size held to the source's limit.

Nothing is held whole in memory: each chunk is hashed, decoded (to check the encoding and to find where records
end) and written, then dropped. What does not fit is refused before any run starts, naming the problem and the
line it is on.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from potrack.config import SourceConfig
from potrack.pipeline.columns import resolve_columns
from potrack.sources.errors import SourceError

# A name kept on disk and shown on failed rows: the uploaded name's last part, with what a file system or a
# page could misread replaced.
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+-]")
# Line breaks as the csv module and a file opened with newline="" see them (not str.splitlines' form feeds).
_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
MAX_NAME = 200


class UploadRejected(Exception):
    """An uploaded file that is not taken: why, and the HTTP status that says so (400 or 413)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Received:
    """A file written to disk whole: where, how big, its SHA-256 and how many data rows (records after the header)."""

    path: Path
    size_bytes: int
    sha256: str
    rows_total: int


def safe_file_name(name: str) -> str:
    """The uploaded file's name as kept: its last path part, unsafe characters replaced, at most 200 characters."""
    base = re.split(r"[\\/]", name or "")[-1].strip().lstrip(".")
    cleaned = _UNSAFE.sub("_", base)[:MAX_NAME]
    return cleaned or "upload.csv"


class _Writing:
    """A file being written: its size and hash so far, and its decoded lines for the csv reader that pulls them
    (each chunk is written once it has decoded; a line cut by a chunk's end waits for the next chunk)."""

    def __init__(self, cfg: SourceConfig, out: IO[bytes]) -> None:
        self.cfg, self.out = cfg, out
        self.digest = hashlib.sha256()
        self.size = 0
        self.line = 0  # lines given to the reader so far
        self._decoder = _decoder(cfg.encoding)

    def lines(self, chunks: Iterable[bytes]) -> Iterator[str]:
        carry = ""
        for chunk in chunks:
            self.size += len(chunk)
            if self.size > self.cfg.upload_max_bytes:
                limit = self.cfg.upload_max_bytes // (1024 * 1024)
                raise UploadRejected(
                    413,
                    f"the file is larger than {self.cfg.name}'s limit of {limit:,} MB (upload_max_mb in potrack.toml)",
                )
            self.digest.update(chunk)
            text = carry + self._decode(chunk)
            self.out.write(chunk)
            pieces = _LINES.findall(text)
            carry = pieces.pop() if pieces and not pieces[-1].endswith("\n") else ""  # "\r" may precede a "\n"
            yield from self._counted(pieces)
        yield from self._counted(_LINES.findall(carry + self._decode(b"", final=True)))

    def _decode(self, chunk: bytes, final: bool = False) -> str:
        try:
            text = self._decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            line = self.line + 1 + _breaks(exc.object[: exc.start].decode("latin-1"))
            shown = " ".join(f"0x{b:02X}" for b in exc.object[exc.start : exc.end][:4])
            raise UploadRejected(
                400,
                f"line {line}: bytes that are not valid {self.cfg.encoding} ({shown}); export the file as "
                f"{self.cfg.encoding}, or set the source's encoding in potrack.toml to the one the file is in "
                "(e.g. cp1252)",
            ) from None
        # NUL bytes in the header mean a binary file (a workbook, a PDF); in a row they are a bad cell, which
        # rejects that row when the run validates it (real exports have them), never the file.
        if self.line == 0 and "\x00" in text.split("\n", 1)[0].split("\r", 1)[0]:
            raise UploadRejected(
                400,
                "line 1: the header holds NUL bytes, so the file is not a CSV text file (a spreadsheet or other "
                "binary file? export it as CSV)",
            )
        return text

    def _counted(self, pieces: list[str]) -> Iterator[str]:
        for piece in pieces:
            self.line += 1
            yield piece


def _breaks(text: str) -> int:
    """How many line breaks the text holds (CRLF, CR or LF each one)."""
    return text.count("\n") + text.replace("\r\n", "\n").count("\r")


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    # utf-8-sig reads UTF-8 and drops a byte-order mark, which spreadsheet programs write (as CsvSource reads it).
    utf8 = codecs.lookup(encoding).name == "utf-8"
    return codecs.getincrementaldecoder("utf-8-sig" if utf8 else encoding)(errors="strict")


def _check_header(columns: list[str] | None, cfg: SourceConfig) -> None:
    if columns is None:
        raise UploadRejected(400, "line 1: the file is empty (expected a header row, then one row per PO line)")
    try:
        resolve_columns(columns, cfg.columns, tuple(cfg.custom_columns), returns="line 1 (the header) has")
    except SourceError as exc:
        raise UploadRejected(400, str(exc)) from None


def receive(chunks: Iterable[bytes], cfg: SourceConfig, destination: Path) -> Received:
    """Write the chunks to `destination` (a new file), hashing and counting as they are written; on any refusal
    the partial file is removed and UploadRejected says why (413 over the source's limit, 400 otherwise).

    The rows are counted by the csv module in strict mode, as the csv source will read them: a quote left open, or
    text after a closing quote, is refused naming the line."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with destination.open("xb") as out:
            writing = _Writing(cfg, out)
            reader = csv.reader(writing.lines(chunks), strict=True)
            header: list[str] | None = None
            rows = 0
            while True:
                start = reader.line_num + 1
                try:
                    row = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise UploadRejected(
                        400, f"line {start}: the file cannot be read as CSV from this line on ({exc})"
                    ) from None
                if not row:
                    continue
                if header is None:
                    header = row
                else:
                    rows += 1
            _check_header(header, cfg)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return Received(destination, writing.size, writing.digest.hexdigest(), rows)


def discard(path: Path) -> None:
    """Remove a received file that will not be applied (and its folder, when that is left empty)."""
    path.unlink(missing_ok=True)
    try:
        os.rmdir(path.parent)
    except OSError:  # not empty, or already gone
        pass
