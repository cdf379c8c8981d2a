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
from typing import Any

import polars as pl

from ascolto_core.config import load_config
from ascolto_core.errors import AscoltoError
from ascolto_core.loading.dates import join_date_time, parse_datetimes
from ascolto_core.loading.ids import content_hashes, ids_from_hashes
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
from ascolto_core.loading.touchpoints import derive_touchpoints
from ascolto_core.loading.values import (
    parse_counts,
    parse_emotion_labels,
    parse_lang,
    parse_rating,
    parse_sentiment_labels,
)
from ascolto_core.schema import MENTION_SCHEMA, conform

__all__ = [
    "FORMATS",
    "ColumnMapping",
    "LoadReport",
    "LoadResult",
    "MappingNeeded",
    "MappingProblem",
    "MappingProposal",
    "load_mentions",
    "propose_mapping",
]

_COUNT_FIELDS: tuple[str, ...] = ("likes", "shares", "comments", "reach")
_PLAIN_TEXT_FIELDS: tuple[str, ...] = ("source", "author", "url", "brand")


def _limit_bytes(max_bytes: int | None) -> int:
    if max_bytes is not None:
        return max_bytes
    return int(float(load_config("app").get("max_file_mb", 200)) * 1024 * 1024)


def _display_tz() -> str:
    return str(load_config("app").get("display_timezone", "Europe/Rome"))


def _read(source: str | os.PathLike[str] | bytes, filename: str | None, sheet: str | int | None, max_bytes: int | None) -> tuple[RawTable, str]:
    opened = open_source(source, filename)
    limit = _limit_bytes(max_bytes)
    if opened.size > limit:
        raise AscoltoError(
            "load.too_large",
            name=opened.name,
            size_mb=f"{opened.size / 1024 / 1024:.1f}",
            limit_mb=f"{limit / 1024 / 1024:.0f}",
        )
    return read_table(opened, sheet=sheet), opened.name


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
) -> LoadResult:
    """Load a file of mentions into the canonical table, with a report of everything done.

    Args:
        source: a path, or the file's bytes (the Streamlit uploader's ``getvalue()``).
        filename: the file's name when ``source`` is bytes (its extension helps sniffing).
        mapping: the person's choice of columns (field -> column); fields left out
            are mapped automatically.
        sheet: Excel sheet name or 0-based index; default the first sheet with rows.
        max_bytes: size limit; default ``config/app.yaml: max_file_mb``.

    Returns:
        :class:`LoadResult` whose ``mentions`` pass ``schema.conform`` (canonical
        columns first, the file's other columns kept after them).

    Raises:
        MappingNeeded: when the columns are unclear (no text column, two date columns...).
        AscoltoError: empty, binary, corrupt or too large files, JSON that is not a
            list of records, unknown sheets, mappings naming absent columns.
    """
    raw, name = _read(source, filename, sheet, max_bytes)
    if mapping is not None and not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping(mapping)
    proposal = propose(raw.frame.columns, mapping)
    if not proposal.is_sure:
        raise MappingNeeded(proposal)
    mentions, counts, notes = _build(raw, proposal, _display_tz())
    columns = {f: c for f, c in proposal.chosen.items() if c is not None}
    canonical_sources = {c for f, c in columns.items() if f not in AUX_FIELDS}
    problem_notes: tuple[Note, ...] = tuple((p.key, {"field": p.field}) for p in proposal.problems if not p.blocking)
    report = LoadReport(
        rows_read=raw.frame.height,
        rows_kept=mentions.height,
        unparseable_dates=counts["unparseable_dates"],
        empty_texts_dropped=counts["empty_texts"],
        duplicates_removed=counts["duplicates"],
        columns=columns,
        unmapped_columns=tuple(c for c in raw.frame.columns if c not in canonical_sources),
        layout=proposal.layout,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet_used=raw.sheet_used,
        sheets_available=raw.sheets_available,
        notes=raw.notes + problem_notes + notes,
        format=raw.format,
        source_name=name,
        missing_dates=counts["missing_dates"],
        ids_derived=counts["ids_derived"],
    )
    return LoadResult(mentions=mentions, report=report)


def _is_blank(series: pl.Series) -> pl.Series:
    # No non-space character (regex stops at the first one: cheaper than stripping a copy).
    return series.is_null() | ~series.str.contains(r"\S")


def _build(raw: RawTable, proposal: MappingProposal, tz: str) -> tuple[pl.DataFrame, dict[str, int], tuple[Note, ...]]:
    """The canonical frame from the raw one: typed columns, touchpoints, ids, without empty texts and duplicates."""
    frame = raw.frame
    chosen = proposal.chosen
    notes: list[Note] = []

    def column(field: str) -> pl.Series | None:
        name = chosen.get(field)
        return frame.get_column(name) if name is not None else None

    out: dict[str, pl.Series] = {}

    # Text: the main column, then a second text column, then the title, where the cell is empty.
    text = column("text")
    assert text is not None  # propose() makes text required
    text = text.cast(pl.String)
    for helper in ("text_alt", "title"):
        extra = column(helper)
        if extra is None:
            continue
        fill = _is_blank(text) & ~_is_blank(extra.cast(pl.String))
        filled = int(fill.sum())
        if filled:
            text = pl.select(pl.when(fill).then(extra.cast(pl.String)).otherwise(text)).to_series()
            notes.append((f"load.note_text_from_{helper}", {"n": filled, "column": chosen[helper]}))
    out["text"] = text.alias("text")

    # Dates (a separate time-of-day column is joined first, as Meltwater writes them).
    created_raw = column("created_at")
    date_blank = date_bad = pl.repeat(False, frame.height, eager=True)
    if created_raw is not None:
        time_of_day = column("time")
        if time_of_day is not None:
            created_raw = join_date_time(created_raw, time_of_day)
        created = parse_datetimes(created_raw, tz)
        blank = _is_blank(created_raw) if created_raw.dtype == pl.String else created_raw.is_null()
        date_blank = blank
        date_bad = created.is_null() & ~blank
        if date_bad.any():
            examples = created_raw.filter(created.is_null() & ~blank).cast(pl.String).unique(maintain_order=True).head(3)
            notes.append(("load.note_date_examples", {"examples": ", ".join(f"«{v}»" for v in examples.to_list())}))
        out["created_at"] = created.alias("created_at")

    for field in _PLAIN_TEXT_FIELDS:
        values = column(field)
        if values is not None:
            out[field] = values.cast(pl.String).alias(field)  # as the file wrote it

    values = column("lang")
    if values is not None:
        out["lang"] = parse_lang(values).alias("lang")

    for field in _COUNT_FIELDS:
        values = column(field)
        if values is None:
            continue
        counts = parse_counts(values, delimiter=raw.delimiter)
        _note_unreadable(notes, values, counts, chosen[field])
        out[field] = counts.alias(field)
    engagement = column("engagement")
    if engagement is not None and not any(chosen.get(f) for f in ("likes", "shares", "comments")):
        # A total with no split goes into likes, so "amplified" still works; the original column is kept too.
        out["likes"] = parse_counts(engagement, delimiter=raw.delimiter).alias("likes")
        notes.append(("load.note_engagement_as_likes", {"column": chosen["engagement"]}))

    values = column("rating")
    if values is not None:
        rating = parse_rating(values)
        _note_unreadable(notes, values, rating, chosen["rating"])
        out["rating"] = rating.alias("rating")
    for field, parser in (("label", parse_sentiment_labels), ("label_emotion", parse_emotion_labels)):
        values = column(field)
        if values is not None:
            labels = parser(values)
            _note_unreadable(notes, values, labels, chosen[field], key="load.note_unknown_labels")
            out[field] = labels.alias(field)

    out["touchpoint"] = derive_touchpoints(
        length=frame.height,
        touchpoint=column("touchpoint"),
        channel=column("channel"),
        url=column("url"),
        source=column("source"),
    )

    # Ids: the file's own where present, else derived from content.
    own_ids = column("id")
    own = own_ids.cast(pl.String).str.strip_chars() if own_ids is not None else None
    blank_ids = _is_blank(own) if own is not None else None
    hashes: pl.Series | None = None
    ids_derived = 0
    if own is None or bool(blank_ids.any()):  # type: ignore[union-attr]
        hashes = content_hashes(
            text=out["text"],
            created_at=out["created_at"] if "created_at" in out else pl.repeat(None, frame.height, dtype=MENTION_SCHEMA["created_at"], eager=True),
            created_raw=created_raw,
            source=out.get("source"),
            author=out.get("author"),
        )
        derived = ids_from_hashes(hashes)
        if own is None:
            ids = derived
            ids_derived = frame.height
        else:
            ids_derived = int(blank_ids.sum())  # type: ignore[union-attr]
            ids = pl.select(pl.when(blank_ids).then(derived).otherwise(own)).to_series()
            hashes = None  # mixed ids: deduplicate on the id strings
    else:
        ids = own
    out["id"] = ids.alias("id")

    # The file's other columns keep their names; a clash with a canonical name gets a suffix.
    canonical_sources = {c for f, c in chosen.items() if c is not None and f not in AUX_FIELDS}
    extras: dict[str, pl.Series] = {}
    for name in frame.columns:
        if name in canonical_sources:
            continue
        target = name
        while target in MENTION_SCHEMA or target in extras:
            target = f"{target} (file)"
        if target != name:
            notes.append(("load.note_renamed_column", {"column": name, "renamed": target}))
        extras[target] = frame.get_column(name).alias(target)

    mentions = conform(pl.DataFrame({**out, **extras}))
    # One filter for both drops; date counts are of the rows that stay (a dropped row is counted once, as dropped).
    keep = ~_is_blank(mentions.get_column("text"))
    dedup_key = hashes if hashes is not None else mentions.get_column("id")  # UInt64 is faster to compare
    first = pl.select(pl.when(keep).then(dedup_key)).to_series().is_first_distinct()
    empty_texts = int((~keep).sum())
    duplicates = int((keep & ~first).sum())
    keep = keep & first
    mentions, date_blank, date_bad = mentions.filter(keep), date_blank.filter(keep), date_bad.filter(keep)
    counts = {
        "unparseable_dates": int(date_bad.sum()),
        "missing_dates": int(date_blank.sum()),
        "empty_texts": empty_texts,
        "duplicates": duplicates,
        "ids_derived": ids_derived,
    }
    return mentions, counts, tuple(notes)


def _note_unreadable(notes: list[Note], raw: pl.Series, parsed: pl.Series, column: str | None, *, key: str = "load.note_unreadable_values") -> None:
    """Count cells that had a value but could not be read, with a few examples."""
    if parsed.null_count() == raw.null_count():
        return  # fast path: every value was read
    had_value = raw.is_not_null()
    if raw.dtype == pl.String:
        had_value = had_value & (raw.str.strip_chars() != "")
    lost = had_value & parsed.is_null()
    n = int(lost.sum())
    if n:
        examples = raw.filter(lost).cast(pl.String).unique(maintain_order=True).head(3).to_list()
        notes.append((key, {"n": n, "column": column, "examples": ", ".join(f"«{v}»" for v in examples)}))


__all__ += ["MAPPABLE_FIELDS"]
