"""Bounds on what one load may cost: bytes on disk, bytes after decompression, rows, columns.

The defaults (``config/app.yaml: load_limits``) fit a 2-core, 8 GB laptop
serving a workshop of about 20 people: a 1,000,000-row CSV loads, a spreadsheet
that inflates to gigabytes of XML is refused. Every limit is checked while the
file is read (a zip member is decompressed in a stream and counted, the CSV
reader stops one row past the limit), never after the whole thing sits in
memory, and a refusal names the limit that was crossed.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError

_MB = 1024 * 1024
_STREAM_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class LoadLimits:
    """What one load may read.

    Attributes:
        max_bytes: size of the file as brought (``max_file_mb``).
        max_decompressed_bytes: bytes a compressed container (xlsx, ods) may inflate to.
        max_rows: data rows of the table.
        max_columns: columns of the table.
    """

    max_bytes: int = 200 * _MB
    max_decompressed_bytes: int = 1024 * _MB
    max_rows: int = 2_000_000
    max_columns: int = 500

    @classmethod
    def from_config(cls, max_bytes: int | None = None, config: dict[str, object] | None = None) -> LoadLimits:
        """The limits of ``config/app.yaml`` (``max_file_mb`` and ``load_limits``); ``max_bytes`` overrides the file size."""
        app = config if config is not None else load_config("app")
        section = app.get("load_limits") or {}
        assert isinstance(section, dict)
        default = cls()
        size = max_bytes if max_bytes is not None else int(float(app.get("max_file_mb", 200)) * _MB)  # type: ignore[arg-type]
        return cls(
            max_bytes=size,
            max_decompressed_bytes=int(float(section.get("max_decompressed_mb", default.max_decompressed_bytes / _MB)) * _MB),
            max_rows=int(section.get("max_rows", default.max_rows)),
            max_columns=int(section.get("max_columns", default.max_columns)),
        )

    def check_rows(self, rows: int, name: str) -> None:
        """Refuse a table with more rows than allowed (the reader asked for one row more than the limit).

        Raises:
            AscoltoError: ``load.limit_rows``.
        """
        if rows > self.max_rows:
            raise AscoltoError("load.limit_rows", name=name, limit=f"{self.max_rows:,}".replace(",", "."))

    def check_columns(self, columns: int, name: str) -> None:
        """Refuse a table with more columns than allowed.

        Raises:
            AscoltoError: ``load.limit_columns``.
        """
        if columns > self.max_columns:
            raise AscoltoError("load.limit_columns", name=name, n=columns, limit=self.max_columns)

    def check_zip(self, archive: bytes | Path, name: str) -> None:
        """Refuse a zip container (xlsx, ods) whose members inflate past ``max_decompressed_bytes``.

        The sizes the archive declares are checked first, then every member is
        decompressed as a stream and counted (a forged header cannot lie its way
        through); memory stays at one chunk.

        Raises:
            AscoltoError: ``load.limit_decompressed``; nothing for an archive that is not
                a readable zip (the spreadsheet reader reports those as corrupt).
        """
        limit = self.max_decompressed_bytes
        try:
            with zipfile.ZipFile(io.BytesIO(archive) if isinstance(archive, bytes) else archive) as opened:
                members = opened.infolist()
                if sum(member.file_size for member in members) > limit:
                    self._refuse_inflated(name)
                total = 0
                for member in members:
                    total += _inflate_counting(opened, member, limit - total)
                    if total > limit:
                        self._refuse_inflated(name)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError):
            return  # corrupt or encrypted: the Excel reader says so in its own words

    def _refuse_inflated(self, name: str) -> None:
        """Raises ``load.limit_decompressed`` naming the limit."""
        raise AscoltoError("load.limit_decompressed", name=name, limit_mb=f"{self.max_decompressed_bytes / _MB:.0f}")


_LOCAL_HEADER = 30


def _inflate_counting(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> int:
    """Bytes ``member`` really inflates to, counted on its raw stream (stops once past ``budget``).

    ``zipfile`` itself stops at the size the archive declares; another reader
    may not, so the deflate stream is decompressed here, chunk by chunk, with
    output bounded per step: memory stays at a few MB whatever the ratio.
    """
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        with archive.open(member) as stream:  # other methods: zipfile's own stream, capped by the declared size
            total = 0
            while chunk := stream.read(_STREAM_CHUNK):
                total += len(chunk)
                if total > budget:
                    break
            return total
    raw = archive.fp
    assert raw is not None
    raw.seek(member.header_offset)
    header = raw.read(_LOCAL_HEADER)
    name_length = int.from_bytes(header[26:28], "little")
    extra_length = int.from_bytes(header[28:30], "little")
    raw.seek(member.header_offset + _LOCAL_HEADER + name_length + extra_length)
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left = member.compress_size
    total = 0
    while left > 0 and not inflater.eof:
        chunk = raw.read(min(_STREAM_CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
        data = chunk
        while data:
            total += len(inflater.decompress(data, _STREAM_CHUNK))
            if total > budget:
                return total
            data = inflater.unconsumed_tail
    return total
