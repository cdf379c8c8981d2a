"""Writing analysed mentions batch by batch: a Parquet file or a CSV file that grows.

The CSV is the app's download format (:func:`ascolto_core.insights.export.export_csv`):
the first batch brings the BOM and the header, the others only their rows, so the
file equals ``export_csv`` of the whole table. Parquet batches become row groups of
one file with the first batch's schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ascolto_core.errors import AscoltoError

BATCHED_SUFFIXES: tuple[str, ...] = (".csv", ".parquet")


class BatchWriter:
    """Appends frames with the same columns to one ``.csv`` or ``.parquet`` file.

    Raises:
        AscoltoError: ``scale.bad_output`` for another suffix; ``analysis.cli.write_failed``
            when the file cannot be written.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.suffix = path.suffix.lower()
        if self.suffix not in BATCHED_SUFFIXES:
            raise AscoltoError("scale.bad_output", suffix=self.suffix or path.name)
        self._parquet: Any = None
        self._schema: Any = None
        self._csv: Any = None
        self._rows = 0

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame`` (the first call fixes the columns)."""
        try:
            if self.suffix == ".parquet":
                self._write_parquet(frame)
            else:
                self._write_csv(frame)
        except OSError as error:
            raise AscoltoError(
                "analysis.cli.write_failed", path=self.path, reason=error.strerror or str(error)
            ) from error
        self._rows += frame.height

    def _write_parquet(self, frame: pl.DataFrame) -> None:
        import pyarrow.parquet as pq

        table = frame.to_arrow()
        if self._parquet is None:
            self._schema = table.schema
            self._parquet = pq.ParquetWriter(self.path, self._schema)
        self._parquet.write_table(table.cast(self._schema))

    def _write_csv(self, frame: pl.DataFrame) -> None:
        from ascolto_core.insights.export import export_csv, spreadsheet_frame

        if self._csv is None:
            self._csv = self.path.open("wb")
            self._csv.write(export_csv(frame))
            return
        # The same options as export_csv, without the BOM and the header.
        spreadsheet_frame(frame).write_csv(
            self._csv,
            include_header=False,
            datetime_format="%Y-%m-%d %H:%M:%S",
            quote_style="necessary",
        )

    def close(self) -> None:
        """Finish the file (an output with no rows at all is still a valid, empty file)."""
        if self._parquet is not None:
            self._parquet.close()
            self._parquet = None
        if self._csv is not None:
            self._csv.close()
            self._csv = None
