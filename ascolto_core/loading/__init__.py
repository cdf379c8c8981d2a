"""Loading any export a person brings into the canonical mentions table.

Public API::

    load_mentions(source, *, filename=None, mapping=None, sheet=None, max_bytes=None) -> LoadResult
    propose_mapping(source, *, filename=None, sheet=None) -> MappingProposal

``source`` is a path or the uploaded bytes (then pass ``filename`` so the
extension helps). CSV, TSV, Excel, JSON, JSON Lines and Parquet are read;
encoding, delimiter, header row, decimal style and date formats are sniffed.
When the columns are unclear, :class:`MappingNeeded` carries a
:class:`MappingProposal` and the caller retries with a :class:`ColumnMapping`.
"""

from __future__ import annotations

import os

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.loading.canonical import build_mentions
from ascolto_core.loading.limits import LoadLimits
from ascolto_core.loading.mapping import (
    AUX_FIELDS,
    MAPPABLE_FIELDS,
    ColumnMapping,
    MappingNeeded,
    MappingProblem,
    MappingProposal,
    propose,
)
from ascolto_core.loading.readers import FORMATS, RawTable, open_source, read_table
from ascolto_core.loading.report import LoadReport, LoadResult, Note

__all__ = [
    "FORMATS",
    "MAPPABLE_FIELDS",
    "ColumnMapping",
    "LoadLimits",
    "LoadReport",
    "LoadResult",
    "MappingNeeded",
    "MappingProblem",
    "MappingProposal",
    "load_mentions",
    "propose_mapping",
]


def _display_tz() -> str:
    return str(load_config("app").get("display_timezone", "Europe/Rome"))


def _read(
    source: str | os.PathLike[str] | bytes,
    filename: str | None,
    sheet: str | int | None,
    max_bytes: int | None,
    *,
    typed: bool = False,
    mapping: ColumnMapping | dict[str, str | None] | None = None,
    limits: LoadLimits | None = None,
) -> tuple[RawTable, str]:
    opened = open_source(source, filename)
    limits = limits or LoadLimits.from_config(max_bytes)
    limit = limits.max_bytes
    if opened.size > limit:
        raise AscoltoError(
            "load.too_large",
            name=opened.name,
            size_mb=f"{opened.size / 1024 / 1024:.3g}",
            limit_mb=f"{limit / 1024 / 1024:.3g}",
        )
    return read_table(opened, sheet=sheet, typed=typed, mapping=mapping, limits=limits), opened.name


def propose_mapping(
    source: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    sheet: str | int | None = None,
    max_bytes: int | None = None,
) -> MappingProposal:
    """Read a file's headers and propose which column becomes which field.

    Raises:
        AscoltoError: for files that cannot be read at all (empty, binary, too large...).
    """
    raw, _ = _read(source, filename, sheet, max_bytes)
    return propose(raw.frame.columns)


def load_mentions(
    source: str | os.PathLike[str] | bytes,
    *,
    filename: str | None = None,
    mapping: ColumnMapping | dict[str, str | None] | None = None,
    sheet: str | int | None = None,
    max_bytes: int | None = None,
    limits: LoadLimits | None = None,
) -> LoadResult:
    """Load a file of mentions into the canonical table, with a report of everything done.

    Args:
        source: a path, or the file's bytes (the Streamlit uploader's ``getvalue()``).
        filename: the file's name when ``source`` is bytes (its extension helps sniffing).
        mapping: the person's choice of columns (field -> column); fields left out
            are mapped automatically.
        sheet: Excel sheet name or 0-based index; default the first sheet with rows.
        max_bytes: size limit; default ``config/app.yaml: max_file_mb``.
        limits: every limit at once (size, decompressed bytes, rows, columns); default
            ``config/app.yaml`` (``max_file_mb``, ``load_limits``).

    Returns:
        :class:`LoadResult` whose ``mentions`` pass ``schema.conform`` (canonical
        columns first, the file's other columns kept after them).

    Raises:
        MappingNeeded: when the columns are unclear (no text column, two date columns...).
        AscoltoError: empty, binary, corrupt or too large files, JSON that is not a
            list of records, unknown sheets, mappings naming absent columns, JSON nested too
            deep, files past a limit (``load.limit_*``, ``load.too_large``).
    """
    # Counts and ratings may be parsed by the CSV reader: the table built below is the same.
    raw, name = _read(source, filename, sheet, max_bytes, typed=True, mapping=mapping, limits=limits)
    if mapping is not None and not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping(mapping)
    proposal = propose(raw.frame.columns, mapping)
    if not proposal.is_sure:
        raise MappingNeeded(proposal)
    built = build_mentions(raw.frame, proposal.chosen, tz=_display_tz(), delimiter=raw.delimiter)
    columns = {f: c for f, c in proposal.chosen.items() if c is not None}
    canonical_sources = {c for f, c in columns.items() if f not in AUX_FIELDS}
    problem_notes: tuple[Note, ...] = tuple((p.key, {"field": p.field}) for p in proposal.problems if not p.blocking)
    report = LoadReport(
        rows_read=raw.frame.height + raw.rows_excluded,
        rows_kept=built.mentions.height,
        unparseable_dates=built.unparseable_dates,
        empty_texts_dropped=built.empty_texts,
        duplicates_removed=built.duplicates,
        columns=columns,
        unmapped_columns=tuple(c for c in raw.frame.columns if c not in canonical_sources),
        layout=proposal.layout,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet_used=raw.sheet_used,
        sheets_available=raw.sheets_available,
        notes=raw.notes + problem_notes + built.notes,
        format=raw.format,
        source_name=name,
        missing_dates=built.missing_dates,
        ids_derived=built.ids_derived,
    )
    return LoadResult(mentions=built.mentions, report=report)

