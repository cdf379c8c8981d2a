"""From the user's raw table and a column mapping to the canonical mentions table.

Every step is vectorised (Polars expressions over whole columns); every row
or value that cannot be used is counted for the load report, never dropped
silently.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import accumulate

import polars as pl
import polars_hash as plh

from ascolto_core.loading.dates import DateWindow, join_date_time, parse_datetimes, time_known
from ascolto_core.loading.ids import content_hashes, ids_from_hashes, text_hashes
from ascolto_core.loading.mapping import AUX_FIELDS
from ascolto_core.loading.report import Note
from ascolto_core.loading.touchpoints import derive_touchpoints
from ascolto_core.loading.values import (
    parse_counts,
    parse_emotion_labels,
    parse_lang,
    parse_rating,
    parse_sentiment_labels,
)
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, OPTIONAL_SCHEMA, TIME_KNOWN, conform

COUNT_FIELDS: tuple[str, ...] = ("likes", "shares", "comments", "reach")
PLAIN_TEXT_FIELDS: tuple[str, ...] = ("source", "author", "url", "brand", "reply_to")
# Threads for the independent steps of a build (Polars works outside the GIL).
_WORKERS = 4


@dataclass(frozen=True)
class Built:
    """The canonical table and what building it did (counts for the report, notes)."""

    mentions: pl.DataFrame
    unparseable_dates: int
    missing_dates: int
    empty_texts: int
    duplicates: int
    ids_derived: int
    notes: tuple[Note, ...]


def is_blank(series: pl.Series) -> pl.Series:
    """True where a text cell is null or has no visible character."""
    # The regex stops at the first non-space character: cheaper than stripping a copy.
    return series.is_null() | ~series.cast(pl.String).str.contains(r"\S")


def as_text(values: pl.Series) -> pl.Series:
    """A column as text; whole numbers stored as floats (Excel) lose the ".0" (id 12345, not "12345.0")."""
    if values.dtype.is_float():
        whole = values.drop_nulls()
        if whole.is_empty() or bool((whole == whole.round(0)).all()):
            return values.cast(pl.Int64, strict=False).cast(pl.String)
    return values.cast(pl.String)


def chunk_lengths(values: pl.Series) -> list[int]:
    """The row counts of a column's memory chunks (the CSV reader writes one chunk per block of the file)."""
    return [len(chunk) for chunk in values.get_chunks()]


def align_chunks(values: pl.Series, lengths: Sequence[int]) -> pl.Series:
    """``values`` cut, without copying, into chunks of ``lengths`` when it is one chunk.

    Steps that look values up (touchpoints, labels, ratings) give one chunk while
    the file's columns keep the reader's chunks; a frame mixing the two layouts is
    copied into single chunks by ``filter`` and ``select`` (measured: about 15 ms
    per million rows on ``conform`` and twice the filter's time), one sharing a
    layout is not copied.
    """
    if values.n_chunks() != 1 or len(lengths) < 2 or sum(lengths) != len(values):
        return values
    starts = (0, *accumulate(lengths))
    pieces = [values.slice(start, n) for start, n in zip(starts, lengths, strict=False)]
    return pl.concat(pieces, rechunk=False)


def first_occurrences(keys: pl.Series) -> pl.Series:
    """True at the first row of each distinct key (nulls count as one key).

    Keys are compared through 64-bit hashes (string keys are hashed with
    xxHash3; integer keys such as content hashes are used as they are): one
    sort of the hashes finds those that repeat, and only the rows sharing a
    repeated hash get the exact comparison, so a hash collision can never drop
    a row. Most files have no or few repeats: about three times faster than
    ``is_first_distinct`` over every row.
    """
    if keys.dtype == pl.String:
        hashed = keys.to_frame("k").select(plh.col("k").nchash.xxh3_64()).to_series()
    elif keys.dtype.is_integer():
        hashed = keys
    else:
        return keys.is_first_distinct()
    first = pl.repeat(True, len(keys), eager=True)
    ordered = hashed.drop_nulls().sort()
    repeated = ordered.filter(ordered == ordered.shift(1))
    if not repeated.is_empty():
        suspects = hashed.is_in(repeated.unique().implode()).fill_null(False).arg_true()
        first = first.scatter(suspects, keys.gather(suspects).is_first_distinct())
    nulls = keys.is_null()
    if nulls.sum() > 1:
        first = first.scatter(nulls.arg_true().slice(1), False)  # nulls are one key: only the first null is first
    return first


def _examples(values: pl.Series) -> str:
    return ", ".join(f"«{v}»" for v in values.cast(pl.String).unique(maintain_order=True).head(3).to_list())


def _note_unreadable(notes: list[Note], raw: pl.Series, parsed: pl.Series, column: str | None, key: str = "load.note_unreadable_values") -> None:
    """Count cells that had a value but could not be read, with a few examples."""
    if parsed.null_count() == raw.null_count():
        return  # every value was read
    lost = ~is_blank(raw) & parsed.is_null() if raw.dtype == pl.String else raw.is_not_null() & parsed.is_null()
    n = int(lost.sum())
    if n:
        notes.append((key, {"n": n, "column": column, "examples": _examples(raw.filter(lost))}))


Step = tuple[dict[str, pl.Series], list[Note]]
"""What one independent step of a build gives: canonical columns and notes for the report."""


@dataclass(frozen=True)
class _Dates:
    """The date step: parsed timestamps and the raw values, with masks of blank and unreadable ones."""

    created: pl.Series | None
    raw: pl.Series | None
    blank: pl.Series
    bad: pl.Series
    notes: list[Note]
    time_known: pl.Series | None = None  # only when some dates carry no time of day


class _Builder:
    """One build: the raw frame, the chosen columns and the notes gathered on the way.

    The steps that read different columns are independent (each returns its
    columns and notes instead of changing the builder), so they can run in
    parallel threads: Polars releases the GIL while it works.
    """

    def __init__(
        self, frame: pl.DataFrame, chosen: dict[str, str | None], tz: str, delimiter: str | None, window: DateWindow
    ) -> None:
        self.window = window
        self.frame = frame
        self.chosen = chosen
        self.tz = tz
        self.delimiter = delimiter
        self.notes: list[Note] = []
        self.out: dict[str, pl.Series] = {}
        self.pending_ids: Future[pl.Series] | None = None
        self.pending_hashes: Future[pl.DataFrame] | None = None

    def column(self, field: str) -> pl.Series | None:
        name = self.chosen.get(field)
        return self.frame.get_column(name) if name is not None else None

    def text(self) -> Step:
        """The main text column, filled from a second text column and then the title where empty."""
        notes: list[Note] = []
        text = self.column("text")
        assert text is not None  # mapping.propose makes text required
        text = as_text(text)
        for helper in ("text_alt", "title"):
            extra = self.column(helper)
            if extra is None:
                continue
            extra = as_text(extra)
            fill = is_blank(text) & ~is_blank(extra)
            filled = int(fill.sum())
            if filled:
                text = pl.select(pl.when(fill).then(extra).otherwise(text)).to_series()
                notes.append((f"load.note_text_from_{helper}", {"n": filled, "column": self.chosen[helper]}))
        return {"text": text.alias("text")}, notes

    def dates(self) -> _Dates:
        """Parse ``created_at`` (joined with a separate time column)."""
        raw = self.column("created_at")
        nothing = pl.repeat(False, self.frame.height, eager=True)
        if raw is None:
            return _Dates(None, None, nothing, nothing, [])
        notes: list[Note] = []
        time_of_day = self.column("time")
        if time_of_day is not None:
            raw = join_date_time(raw, time_of_day)
        created = parse_datetimes(raw, self.tz, notes=notes)
        outside = self.window.outside(created)
        if outside.any():
            # 9999-12-31 and 0001-01-01 placeholders: unreadable like any bad date (and unshowable in local time).
            notes.append((
                "load.note_dates_out_of_range",
                {
                    "n": int(outside.sum()),
                    "earliest": self.window.earliest.date().isoformat(),
                    "latest": self.window.latest.date().isoformat(),
                    "examples": _examples(raw.filter(outside)),
                },
            ))
            created = pl.select(pl.when(outside).then(None).otherwise(created)).to_series().alias(created.name)
        # Only rows without a date can be blank or unreadable: look at those alone (usually none).
        unread = created.is_null()
        blank = nothing
        if unread.any():
            rows = unread.arg_true()
            empty = raw.gather(rows)
            blank = blank.scatter(rows, is_blank(empty) if raw.dtype == pl.String else empty.is_null())
        bad = unread & ~blank
        if (bad & ~outside).any():
            notes.append(("load.note_date_examples", {"examples": _examples(raw.filter(bad & ~outside))}))
        known = time_known(raw, created, self.tz)
        if bool((known == False).any()):  # noqa: E712 - null (no date) is not "day only"
            notes.append(("load.note_time_unknown", {"n": int((known == False).sum())}))  # noqa: E712
        else:
            known = None
        return _Dates(created.alias("created_at"), raw, blank, bad, notes, known)

    def plain(self) -> Step:
        """Plain text fields (as the file wrote them) and the language."""
        out = {field: as_text(values).alias(field) for field in PLAIN_TEXT_FIELDS if (values := self.column(field)) is not None}
        values = self.column("lang")
        if values is not None:
            out["lang"] = parse_lang(values).alias("lang")
        return out, []

    def counts(self, field: str) -> Step:
        """One engagement count column."""
        values = self.column(field)
        if values is None:
            return {}, []
        counts = parse_counts(values, delimiter=self.delimiter)
        notes: list[Note] = []
        _note_unreadable(notes, values, counts, self.chosen[field])
        return {field: counts.alias(field)}, notes

    def engagement(self) -> Step:
        """A total with no split goes into likes, so "amplified" still works; the original column is kept too."""
        engagement = self.column("engagement")
        if engagement is None or any(self.chosen.get(f) for f in ("likes", "shares", "comments")):
            return {}, []
        likes = parse_counts(engagement, delimiter=self.delimiter).alias("likes")
        return {"likes": likes}, [("load.note_engagement_as_likes", {"column": self.chosen["engagement"]})]

    def rating(self) -> Step:
        """Star ratings."""
        values = self.column("rating")
        if values is None:
            return {}, []
        rating = parse_rating(values)
        notes: list[Note] = []
        _note_unreadable(notes, values, rating, self.chosen["rating"])
        return {"rating": rating.alias("rating")}, notes

    def labels(self, field: str) -> Step:
        """Reference sentiment or emotion labels."""
        values = self.column(field)
        if values is None:
            return {}, []
        labels = (parse_sentiment_labels if field == "label" else parse_emotion_labels)(values)
        notes: list[Note] = []
        _note_unreadable(notes, values, labels, self.chosen[field], key="load.note_unknown_labels")
        return {field: labels.alias(field)}, notes

    def touchpoints(self) -> Step:
        """The canonical touchpoint of each row."""
        touchpoint = derive_touchpoints(
            length=self.frame.height,
            touchpoint=self.column("touchpoint"),
            channel=self.column("channel"),
            url=self.column("url"),
            source=self.column("source"),
        )
        return {"touchpoint": touchpoint}, []

    def value_steps(self) -> list[Callable[[], Step]]:
        """The independent steps after text and dates, in the order their notes are reported."""
        return [
            self.plain,
            *(partial(self.counts, field) for field in COUNT_FIELDS),
            self.engagement,
            self.rating,
            partial(self.labels, "label"),
            partial(self.labels, "label_emotion"),
            self.touchpoints,
        ]

    def run(self, pool: ThreadPoolExecutor) -> _Dates:
        """Text, dates and values in parallel; their columns go to ``out`` and notes to ``notes`` in a fixed order."""
        dates = pool.submit(self.dates)
        steps = [pool.submit(step) for step in (self.text, *self.value_steps())]
        text_out, text_notes = steps[0].result()
        self.out.update(text_out)
        self.notes += text_notes
        if self.chosen.get("id") is None:
            # Ids from content: the text parts are hashed while the dates are parsed.
            plain_out, _ = steps[1].result()  # value_steps() opens with the plain fields
            text, source, author = text_out["text"], plain_out.get("source"), plain_out.get("author")
            self.pending_hashes = pool.submit(partial(text_hashes, text=text, source=source, author=author))
        done = dates.result()
        if done.created is not None:
            self.out["created_at"] = done.created
        if done.time_known is not None:
            self.out[TIME_KNOWN] = done.time_known
        self.notes += done.notes
        for step in steps[1:]:
            out, notes = step.result()
            self.out.update(out)
            self.notes += notes
        return done

    def ids(self, created_raw: pl.Series | None, pool: ThreadPoolExecutor) -> tuple[pl.Series, int]:
        """The file's ids where present, else derived from content; returns (dedup key, ids derived).

        Derived id strings are written in ``pool`` while the caller looks for duplicates.
        """
        own_column = self.column("id")
        own = as_text(own_column).str.strip_chars() if own_column is not None else None
        # Stripped already: blank is null or empty.
        blank = (own.str.len_bytes() == 0).fill_null(True) if own is not None else None
        if own is not None and blank is not None and not blank.any():
            self.out["id"] = own.alias("id")
            return self.out["id"], 0
        created = self.out.get("created_at")
        hashes = content_hashes(
            text=self.out["text"],
            created_at=created if created is not None else pl.repeat(None, self.frame.height, dtype=MENTION_SCHEMA["created_at"], eager=True),
            created_raw=created_raw,
            source=self.out.get("source"),
            author=self.out.get("author"),
            parts=self.pending_hashes.result() if self.pending_hashes is not None else None,
        )
        if own is None or blank is None:
            self.pending_ids = pool.submit(ids_from_hashes, hashes)
            return hashes, self.frame.height  # UInt64 hashes compare faster than the id strings
        derived = ids_from_hashes(hashes)
        self.out["id"] = pl.select(pl.when(blank).then(derived).otherwise(own)).to_series().alias("id")
        return self.out["id"], int(blank.sum())

    def extras(self) -> dict[str, pl.Series]:
        """The file's other columns under their own names (a clash with a canonical or analysis name gets a suffix)."""
        used = {c for f, c in self.chosen.items() if c is not None and f not in AUX_FIELDS}
        extras: dict[str, pl.Series] = {}
        for name in self.frame.columns:
            if name in used:
                continue
            target = name
            # Analysis columns too: re-loading an Ascolto export must not collide with the next analysis.
            while target in MENTION_SCHEMA or target in ANALYSIS_SCHEMA or target in OPTIONAL_SCHEMA or target in extras:
                target = f"{target} (file)"
            if target != name:
                self.notes.append(("load.note_renamed_column", {"column": name, "renamed": target}))
            extras[target] = self.frame.get_column(name).alias(target)
        return extras


def build_mentions(
    frame: pl.DataFrame,
    chosen: dict[str, str | None],
    *,
    tz: str,
    delimiter: str | None = None,
    window: DateWindow | None = None,
) -> Built:
    """The canonical table from a raw table and a complete mapping (field -> column or None).

    Rows without text are dropped and duplicates removed (same id; for ids
    derived from content: same source, author, date and text), both counted.

    Args:
        frame: the user's table, columns under their own names.
        chosen: the mapping (``MappingProposal.chosen``); ``text`` must be set.
        tz: zone of timestamps that carry none.
        delimiter: the CSV delimiter, a hint for the decimal style of numbers.
        window: plausible dates (default ``config/app.yaml: date_window``); others count as unreadable.
    """
    builder = _Builder(frame, chosen, tz, delimiter, window or DateWindow.from_config())
    with ThreadPoolExecutor(max_workers=_WORKERS) as pool:
        dates = builder.run(pool)
        blank_texts = pool.submit(is_blank, builder.out["text"])  # while the ids are derived
        dedup_key, ids_derived = builder.ids(dates.raw, pool)
        # One filter for both drops; date counts are of the rows that stay (a dropped row is counted once, as dropped).
        keep = ~blank_texts.result()
        first = first_occurrences(pl.select(pl.when(keep).then(dedup_key)).to_series())
        if builder.pending_ids is not None:
            builder.out["id"] = builder.pending_ids.result().alias("id")
    empty_texts = int((~keep).sum())
    duplicates = int((keep & ~first).sum())
    keep = keep & first
    # Every column in the reader's chunk layout: the filter copies only the rows kept, conform only reorders.
    # A file with nothing to drop is not copied at all.
    lengths = chunk_lengths(frame.to_series(0)) if frame.width else []
    columns = {**builder.out, **builder.extras()}
    table = pl.DataFrame({name: align_chunks(values, lengths) for name, values in columns.items()})
    mentions = conform(table if keep.all() else table.filter(align_chunks(keep, lengths)))
    return Built(
        mentions=mentions,
        unparseable_dates=int(dates.bad.filter(keep).sum()),
        missing_dates=int(dates.blank.filter(keep).sum()),
        empty_texts=empty_texts,
        duplicates=duplicates,
        ids_derived=ids_derived,
        notes=tuple(builder.notes),
    )
