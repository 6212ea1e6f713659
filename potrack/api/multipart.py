"""Reading one file field of a multipart/form-data body as it arrives: its name from the part's headers, then its
bytes chunk by chunk (werkzeug's sans-IO decoder), so an upload of any size is never held whole in memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from werkzeug.sansio.multipart import NEED_DATA, Data, Epilogue, Event, File, MultipartDecoder

from potrack.uploads.receive import UploadRejected

CHUNK = 256 * 1024


class BadForm(UploadRejected):
    """The body is not a multipart form with the file field (400; the message says what is wrong)."""

    def __init__(self, reason: str) -> None:
        super().__init__(400, reason)


class MultipartFile:
    """The named file field of a multipart body read from a stream: `file_name()` reads up to its headers,
    `chunks()` then gives its bytes."""

    def __init__(self, stream: IO[bytes], boundary: str, field: str = "file") -> None:
        """`boundary` is the body's multipart boundary: empty when the body is not multipart/form-data."""
        self._stream = stream
        self._boundary = boundary
        # Other fields are skipped as they arrive: the decoder holds a chunk and its look-ahead, never a whole part.
        self._decoder = MultipartDecoder(boundary.encode("latin-1", "replace"))
        self._field = field
        self._name: str | None = None
        self._ended = False

    def _next(self) -> Event:
        while True:
            try:
                event = self._decoder.next_event()
            except ValueError as exc:
                raise BadForm(f"the multipart body cannot be read ({exc})") from None
            if event is not NEED_DATA:
                return event
            if self._ended:
                raise BadForm("the body ended before the multipart form did")
            data = self._stream.read(CHUNK)
            self._ended = not data
            self._decoder.receive_data(data or None)

    def file_name(self) -> str:
        """The file's name as the client sent it; BadForm when the form has no such file field."""
        if self._name is not None:
            return self._name
        if not self._boundary:
            raise BadForm(f"send the file as multipart/form-data, in the field {self._field!r}")
        while True:
            event = self._next()
            if isinstance(event, File) and event.name == self._field:
                self._name = event.filename or ""
                return self._name
            if isinstance(event, Epilogue):
                raise BadForm(f"the form has no file field {self._field!r}")

    def chunks(self) -> Iterator[bytes]:
        """The file's bytes as they arrive."""
        self.file_name()
        while True:
            event = self._next()
            if isinstance(event, Data):
                if event.data:
                    yield bytes(event.data)
                if not event.more_data:
                    return
