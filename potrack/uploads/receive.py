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
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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


class _Records:
    """Counts CSV records as decoded text arrives, keeping the header record's text; a record ends at a line
    break outside quotes (every '"' toggles quoting: a doubled quote toggles twice)."""

    def __init__(self) -> None:
        self.line = 1  # the file line the text being read is on
        self.records = 0  # non-empty records ended so far, the header included
        self.header: str | None = None
        self._record: list[str] = []  # the header record's text while it is read
        self._quoted = False
        self._empty = True  # the current record has no character but line breaks
        self._record_line = 1  # the line the current record starts on
        self._carry = ""  # a "\r" that ended the last text: its "\n" may start the next

    def feed(self, text: str) -> None:
        text, self._carry = self._carry + text, ""
        if text.endswith("\r"):
            text, self._carry = text[:-1], "\r"
        for piece in _LINES.findall(text):
            if "\x00" in piece:
                raise UploadRejected(
                    400,
                    f"line {self.line}: the file holds NUL bytes, so it is not a CSV text file "
                    "(a spreadsheet or other binary file? export it as CSV)",
                )
            if self.header is None:
                self._record.append(piece)
            if piece.count('"') % 2:
                self._quoted = not self._quoted
            body = piece.rstrip("\r\n")
            if body:
                self._empty = False
            if body != piece:  # the piece ends a line
                self.line += 1
                if not self._quoted:
                    self._end()

    def _end(self) -> None:
        if not self._empty:
            self.records += 1
            if self.header is None:
                self.header = "".join(self._record)
                self._record = []
        self._empty, self._record_line = True, self.line

    def finish(self) -> None:
        """The end of the file: a last record without a line break ends here; an open quote is an error."""
        carry, self._carry = self._carry, ""
        self.feed(carry)
        if self._quoted:
            raise UploadRejected(
                400,
                f"line {self._record_line}: a quoted cell opened on this line is never closed, so the file cannot "
                "be read as CSV",
            )
        self._end()


def _decoder(encoding: str) -> codecs.IncrementalDecoder:
    # utf-8-sig reads UTF-8 and drops a byte-order mark, which spreadsheet programs write (as CsvSource reads it).
    utf8 = codecs.lookup(encoding).name == "utf-8"
    return codecs.getincrementaldecoder("utf-8-sig" if utf8 else encoding)(errors="strict")


def _check_header(header: str | None, cfg: SourceConfig) -> None:
    if header is None:
        raise UploadRejected(400, "line 1: the file is empty (expected a header row, then one row per PO line)")
    columns = next(csv.reader([header]), [])
    try:
        resolve_columns(columns, cfg.columns, tuple(cfg.custom_columns), returns="line 1 (the header) has")
    except SourceError as exc:
        raise UploadRejected(400, str(exc)) from None


def receive(chunks: Iterable[bytes], cfg: SourceConfig, destination: Path) -> Received:
    """Write the chunks to `destination` (a new file), hashing and counting as they are written; on any refusal
    the partial file is removed and UploadRejected says why (413 over the source's limit, 400 otherwise)."""
    digest = hashlib.sha256()
    decoder = _decoder(cfg.encoding)
    records = _Records()
    size = 0
    destination.parent.mkdir(parents=True, exist_ok=True)
    try:
        with destination.open("xb") as out:
            for chunk in chunks:
                size += len(chunk)
                if size > cfg.upload_max_bytes:
                    raise UploadRejected(
                        413,
                        f"the file is larger than {cfg.name}'s limit of {cfg.upload_max_bytes // (1024 * 1024):,} MB "
                        "(upload_max_mb in potrack.toml)",
                    )
                digest.update(chunk)
                try:
                    records.feed(decoder.decode(chunk))
                except UnicodeDecodeError as exc:
                    raise UploadRejected(400, _not_encoded(cfg.encoding, exc, records)) from None
                out.write(chunk)
            try:
                records.feed(decoder.decode(b"", final=True))
            except UnicodeDecodeError as exc:
                raise UploadRejected(400, _not_encoded(cfg.encoding, exc, records)) from None
            records.finish()
            _check_header(records.header, cfg)
    except BaseException:
        destination.unlink(missing_ok=True)
        raise
    return Received(destination, size, digest.hexdigest(), max(records.records - 1, 0))


def _not_encoded(encoding: str, exc: UnicodeDecodeError, records: _Records) -> str:
    """Why the file is refused for its encoding: the line the bad bytes are on (the lines before them in the chunk
    that failed counted from the bytes: the chunk was not decoded) and the bytes."""
    before = exc.object[: exc.start]
    line = records.line + before.count(b"\n") + before.replace(b"\r\n", b"\n").count(b"\r")
    shown = " ".join(f"0x{b:02X}" for b in exc.object[exc.start : exc.end][:4])
    return (
        f"line {line}: bytes that are not valid {encoding} ({shown}); export the file as {encoding}, or set the "
        "source's encoding in potrack.toml to the one the file is in (e.g. cp1252)"
    )


def discard(path: Path) -> None:
    """Remove a received file that will not be applied (and its folder, when that is left empty)."""
    path.unlink(missing_ok=True)
    try:
        os.rmdir(path.parent)
    except OSError:  # not empty, or already gone
        pass
