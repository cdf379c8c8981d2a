"""What a load did, for people: counts, column choices and notes, renderable in Italian or English."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ascolto_core.i18n import t

Note = tuple[str, dict[str, Any]]  # (i18n key, parameters)


@dataclass(frozen=True)
class LoadReport:
    """Everything a load did to the user's rows: nothing is dropped without being counted here.

    Attributes:
        rows_read: data rows found in the file (after the header).
        rows_kept: rows in the resulting table.
        unparseable_dates: rows whose date could not be read (kept, with a null ``created_at``).
        empty_texts_dropped: rows dropped because their text was empty.
        duplicates_removed: rows dropped as duplicates (same id; ids derived from content
            mean same source, author, date and text).
        columns: canonical or helper field -> source column it came from.
        unmapped_columns: the file's columns kept as they are after the canonical ones.
        layout: recognised export layout ("meltwater", "brandwatch", "talkwalker") or None.
        encoding, delimiter: what sniffing found (None for binary formats).
        sheet_used, sheets_available: for Excel files.
        notes: further facts as (i18n key, parameters), rendered by :meth:`lines`.
        format: "csv", "tsv", "xlsx", "json", "jsonl" or "parquet".
        source_name: the file name.
        missing_dates: rows whose date cell was empty (kept, with a null ``created_at``).
        ids_derived: rows whose id was derived from content.
    """

    rows_read: int
    rows_kept: int
    unparseable_dates: int
    empty_texts_dropped: int
    duplicates_removed: int
    columns: dict[str, str]
    unmapped_columns: tuple[str, ...]
    layout: str | None
    encoding: str | None
    delimiter: str | None
    sheet_used: str | None
    sheets_available: tuple[str, ...]
    notes: tuple[Note, ...] = ()
    format: str = "csv"
    source_name: str = ""
    missing_dates: int = 0
    ids_derived: int = 0

    def lines(self, lang: str = "it") -> list[str]:
        """The report as sentences in ``lang`` ("it" or "en"), one fact per line."""
        out = [t("load.report_file", lang, name=self.source_name, format=self.format.upper())]
        if self.encoding or self.delimiter:
            delimiter = {"\t": "TAB", " ": "SPACE"}.get(self.delimiter or "", self.delimiter or "-")
            out.append(t("load.report_encoding", lang, encoding=self.encoding or "-", delimiter=delimiter))
        if self.sheet_used:
            out.append(t("load.report_sheet", lang, sheet=self.sheet_used, sheets=", ".join(self.sheets_available)))
        if self.layout:
            out.append(t("load.report_layout", lang, layout=t(f"load.layout_{self.layout}", lang)))
        out.append(t("load.report_rows", lang, read=self.rows_read, kept=self.rows_kept))
        if self.empty_texts_dropped:
            out.append(t("load.report_empty_texts", lang, n=self.empty_texts_dropped))
        if self.duplicates_removed:
            out.append(t("load.report_duplicates", lang, n=self.duplicates_removed))
        if self.unparseable_dates:
            out.append(t("load.report_unparseable_dates", lang, n=self.unparseable_dates))
        if self.missing_dates:
            out.append(t("load.report_missing_dates", lang, n=self.missing_dates))
        if self.ids_derived:
            out.append(t("load.report_ids_derived", lang, n=self.ids_derived))
        pairs = ", ".join(f"{t(f'load.field_{field}', lang)} ← «{column}»" for field, column in self.columns.items())
        out.append(t("load.report_columns", lang, pairs=pairs or "-"))
        if self.unmapped_columns:
            out.append(t("load.report_unmapped", lang, columns=", ".join(f"«{c}»" for c in self.unmapped_columns)))
        out.extend(t(key, lang, **params) for key, params in self.notes)
        return out


@dataclass(frozen=True)
class LoadResult:
    """A loaded table of mentions (passes ``schema.conform``) and its report."""

    mentions: pl.DataFrame
    report: LoadReport = field(repr=False)
