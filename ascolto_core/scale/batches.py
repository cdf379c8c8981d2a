"""Bounded memory on one machine: load, analyse and write a file batch by batch.

The loader (:mod:`ascolto_core.loading`) reads a whole file; this module wraps
it for files larger than memory. A CSV/TSV is sniffed exactly as the loader
does (encoding, delimiter, header row) and then read by Polars' streaming CSV
scan ``batch_rows`` rows at a time; Parquet files and folders are scanned the
same way. Each raw batch goes through the loader's own
``canonical.build_mentions`` with the mapping chosen once from the header, then
through :func:`ascolto_core.analysis.pipeline.analyze_mentions`, and is
appended to the output. Duplicates across batches are removed as the loader
removes them within a file (same ``id``, first occurrence kept): each batch's
ids are hashed (64-bit xxHash3) into a sorted array, 8 bytes per mention kept.

The result equals analysing the file in one piece (tested with tiny batches).
Excel and JSON files, and CSV files that are not UTF-8, are loaded whole by the
loader and then analysed in batches (their size is bounded by the loader's limit).

Public API::

    iter_mention_batches(path, *, batch_rows, mapping=None) -> MentionBatches
    analyze_batch(raw, plan, engine) -> pl.DataFrame          # one raw batch (Spark executors too)
    analyze_file(path, output, *, batch_rows, engine, ...) -> BatchedRun
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import polars_hash as plh

from ascolto_core.analysis.base import Engine, EngineInfo, ProgressCallback
from ascolto_core.analysis.pipeline import analyze_mentions, fill_languages, preload
from ascolto_core.errors import AscoltoError
from ascolto_core.loading import ColumnMapping, LoadReport, MappingNeeded, load_mentions
from ascolto_core.loading.canonical import build_mentions
from ascolto_core.loading.mapping import AUX_FIELDS, propose
from ascolto_core.loading.report import Note

# Rows per batch: with the next batch read ahead and the last one being written, 1,000,000
# rows in under 10 s and 1.5 GiB, and a 10,000,000-row file under 2 GiB at its peak, on two
# cores (benchmarks/bench_analyze_file.py, bench_spark.py --memory-rows).
DEFAULT_BATCH_ROWS = 200_000
BATCHED_OUTPUTS: tuple[str, ...] = (".csv", ".parquet")
_READ_CHUNK_ROWS = 50_000
_UTF8 = ("utf-8", "utf-8-sig")


@dataclass(frozen=True)
class BatchPlan:
    """What turns every raw batch of one file into canonical mentions (picklable, for Spark too).

    Attributes:
        chosen: field -> source column, decided once from the header (``MappingProposal.chosen``).
        tz: zone of timestamps that carry none (``config/app.yaml: display_timezone``).
        delimiter: the CSV delimiter (a hint for decimals), ``None`` for other formats.
        drop_columns: nameless, empty columns the loader drops (a trailing delimiter).
    """

    chosen: dict[str, str | None]
    tz: str
    delimiter: str | None = None
    drop_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Opened:
    """A source ready for batches: the plan's raw ingredients and a batch iterator factory."""

    columns: list[str]
    batches: Callable[[], Iterator[pl.DataFrame]]
    rows_estimate: int
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: tuple[Note, ...] = ()
    drop_columns: tuple[str, ...] = ()
    whole_report: LoadReport | None = None


class MentionBatches:
    """Canonical mentions of one file, batch by batch, deduplicated across batches.

    Iterate once; after the iteration :meth:`report` tells what the loader's report
    would tell for the whole file (rows read, kept, dropped, dates, notes).
    """

    def __init__(
        self, path: Path, opened: _Opened, plan: BatchPlan, proposal_notes: tuple[Note, ...]
    ) -> None:
        self.path = path
        self.plan = plan
        self.rows_estimate = opened.rows_estimate
        self._opened = opened
        self._proposal_notes = proposal_notes
        self._seen = _SeenIds()
        self._counts = {
            "read": 0,
            "kept": 0,
            "bad_dates": 0,
            "no_dates": 0,
            "empty": 0,
            "dups": 0,
            "derived": 0,
        }
        self._notes: list[Note] = []

    def __iter__(self) -> Iterator[pl.DataFrame]:
        if self._opened.whole_report is not None:
            # Loaded whole by the loader: canonical and deduplicated already.
            for mentions in self._opened.batches():
                self._counts["read"] += mentions.height
                yield mentions
            return
        for raw in self._opened.batches():
            if raw.height == 0:
                continue
            built = build_mentions(
                raw.drop([c for c in self.plan.drop_columns if c in raw.columns]),
                self.plan.chosen,
                tz=self.plan.tz,
                delimiter=self.plan.delimiter,
            )
            first = self._seen.first_time(built.mentions["id"])
            mentions = built.mentions if first.all() else built.mentions.filter(first)
            counts = self._counts
            counts["read"] += raw.height
            counts["kept"] += mentions.height
            counts["empty"] += built.empty_texts
            counts["dups"] += built.duplicates + int((~first).sum())
            counts["derived"] += built.ids_derived
            # Dates of a duplicate dropped across batches stay counted (the loader counts kept rows only).
            counts["bad_dates"] += built.unparseable_dates
            counts["no_dates"] += built.missing_dates
            for note in built.notes:
                if note not in self._notes:
                    self._notes.append(note)
            yield mentions

    @property
    def rows_read(self) -> int:
        """Raw rows read so far."""
        return self._counts["read"]

    def report(self) -> LoadReport:
        """The whole file's load report (valid after the iteration)."""
        opened, counts = self._opened, self._counts
        if opened.whole_report is not None:
            return opened.whole_report
        columns = {f: c for f, c in self.plan.chosen.items() if c is not None}
        canonical_sources = {c for f, c in columns.items() if f not in AUX_FIELDS}
        return LoadReport(
            rows_read=counts["read"],
            rows_kept=counts["kept"],
            unparseable_dates=counts["bad_dates"],
            empty_texts_dropped=counts["empty"],
            duplicates_removed=counts["dups"],
            columns=columns,
            unmapped_columns=tuple(
                c for c in opened.columns if c not in canonical_sources and c not in opened.drop_columns
            ),
            layout=None,
            encoding=opened.encoding,
            delimiter=opened.delimiter,
            sheet_used=None,
            sheets_available=(),
            notes=opened.notes + self._proposal_notes + tuple(self._notes),
            format=opened.format,
            source_name=self.path.name,
            missing_dates=counts["no_dates"],
            ids_derived=counts["derived"],
        )


class _SeenIds:
    """Ids already kept in earlier batches, as a sorted array of 64-bit hashes."""

    def __init__(self) -> None:
        self._sorted = np.empty(0, dtype=np.uint64)

    def first_time(self, ids: pl.Series) -> pl.Series:
        """True for the ids not seen in an earlier batch (within a batch they are distinct already)."""
        hashed = ids.to_frame("k").select(plh.col("k").nchash.xxh3_64()).to_series().to_numpy()
        if self._sorted.size:
            at = np.searchsorted(self._sorted, hashed).clip(0, self._sorted.size - 1)
            seen = self._sorted[at] == hashed
        else:
            seen = np.zeros(hashed.size, dtype=bool)
        merged = np.concatenate([self._sorted, hashed[~seen]])
        merged.sort(kind="stable")  # in place: two copies of the ids at most, not three
        self._sorted = merged
        return pl.Series("first", ~seen)


def iter_mention_batches(
    path: str | os.PathLike[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    mapping: ColumnMapping | dict[str, str | None] | None = None,
    stream_from_bytes: int | None = None,
) -> MentionBatches:
    """The canonical mentions of ``path`` in batches of at most ``batch_rows`` raw rows.

    What a workspace's ``add`` calls for a large file: iterate, store each batch,
    then read :meth:`MentionBatches.report`. A file up to ``stream_from_bytes``
    (default: the loader's ``config/app.yaml: max_file_mb``) is read whole by the
    loader, with every one of its rules (ragged lines, legacy encodings...); a larger
    UTF-8 CSV/TSV or Parquet file (or a Parquet folder) is streamed.

    Raises:
        MappingNeeded: when the columns are unclear (as the loader).
        AscoltoError: ``load.*`` for files that cannot be read; ``scale.bad_batch_rows``
            for a batch size below 1.
    """
    if batch_rows < 1:
        raise AscoltoError("scale.bad_batch_rows", rows=batch_rows)
    path = Path(path)
    opened = _open(path, batch_rows, mapping, stream_from_bytes)
    if opened.whole_report is not None:
        plan = BatchPlan({}, "UTC")
        return MentionBatches(path, opened, plan, ())
    if mapping is not None and not isinstance(mapping, ColumnMapping):
        mapping = ColumnMapping(mapping)
    proposal = propose(opened.columns, mapping)
    if not proposal.is_sure:
        raise MappingNeeded(proposal)
    plan = BatchPlan(dict(proposal.chosen), display_tz(), opened.delimiter, opened.drop_columns)
    notes: tuple[Note, ...] = tuple((p.key, {"field": p.field}) for p in proposal.problems if not p.blocking)
    return MentionBatches(path, opened, plan, notes)


def display_tz() -> str:
    """``config/app.yaml: display_timezone`` (the loader's zone for naive timestamps)."""
    from ascolto_core.config import load_config

    return str(load_config("app").get("display_timezone", "Europe/Rome"))


def _open(path: Path, batch_rows: int, mapping: Any, stream_from_bytes: int | None) -> _Opened:
    """Sniff ``path`` as the loader does and prepare its batches."""
    from ascolto_core.loading import readers

    if path.is_dir():
        return _open_parquet(path, batch_rows)
    source = readers.open_source(path, None)
    limit = _loader_limit() if stream_from_bytes is None else stream_from_bytes
    if source.size <= limit:
        return _open_whole(path, batch_rows, mapping, max(limit, _loader_limit()))
    kind = readers.sniff_format(source)
    if kind == "parquet":
        return _open_parquet(path, batch_rows)
    if kind in ("csv", "tsv"):
        encoding = readers.detect_encoding(source)
        if encoding in _UTF8:
            return _open_csv(path, source, kind, encoding, batch_rows)
    return _open_whole(path, batch_rows, mapping, None)


def _loader_limit() -> int:
    from ascolto_core.config import load_config

    return int(float(load_config("app").get("max_file_mb", 200)) * 1024 * 1024)


def _open_csv(path: Path, source: Any, kind: str, encoding: str, batch_rows: int) -> _Opened:
    from ascolto_core.loading import readers

    head = source.head()
    head_text = (readers._decode_head(head, encoding) or "").lstrip("\ufeff")
    delimiter, header_row, skip_lines = readers._sniff_dialect(head_text, "\t" if kind == "tsv" else None)
    options: dict[str, Any] = {"separator": delimiter, "skip_lines": skip_lines, "infer_schema": False}
    try:
        columns = pl.read_csv(path, n_rows=0, **options).columns
    except pl.exceptions.NoDataError as error:
        raise AscoltoError("load.empty_file", name=path.name) from error
    except pl.exceptions.ComputeError as error:
        raise AscoltoError("load.unreadable", name=path.name, reason=str(error).splitlines()[0]) from error
    drop = _empty_nameless(pl.scan_csv(path, **options), columns)
    lines = max(1, head.count(b"\n") - 1 - header_row)
    estimate = int(source.size * lines / max(1, len(head))) if len(head) < source.size else lines

    def batches() -> Iterator[pl.DataFrame]:
        try:
            yield from pl.scan_csv(path, **options).collect_batches(chunk_size=_read_rows(batch_rows))
        except pl.exceptions.ComputeError as error:
            raise AscoltoError(
                "load.unreadable", name=path.name, reason=str(error).splitlines()[0]
            ) from error

    notes: tuple[Note, ...] = (("load.note_header_row", {"row": header_row + 1}),) if header_row else ()
    return _Opened(
        columns,
        _rechunked(batches, batch_rows),
        estimate,
        kind,
        encoding,
        delimiter,
        notes,
        drop,
    )


def _open_parquet(path: Path, batch_rows: int) -> _Opened:
    target = str(path / "**" / "*.parquet") if path.is_dir() else str(path)
    try:
        lazy = pl.scan_parquet(target)
        columns = lazy.collect_schema().names()
        rows = int(lazy.select(pl.len()).collect().item())
    except Exception as error:  # polars raises several error types for corrupt files
        raise AscoltoError(
            "load.unreadable", name=path.name, reason=str(error).splitlines()[0][:200]
        ) from error
    if rows == 0:
        raise AscoltoError("load.empty_file", name=path.name)

    def batches() -> Iterator[pl.DataFrame]:
        yield from pl.scan_parquet(target).collect_batches(chunk_size=_read_rows(batch_rows))

    return _Opened(columns, _rechunked(batches, batch_rows), rows, "parquet")


def _open_whole(path: Path, batch_rows: int, mapping: Any, max_bytes: int | None) -> _Opened:
    """Small files, Excel, JSON, legacy encodings: the loader reads them whole (bounded by its size limit)."""
    loaded = load_mentions(path, mapping=mapping, max_bytes=max_bytes)
    mentions = loaded.mentions

    def batches() -> Iterator[pl.DataFrame]:
        yield from mentions.iter_slices(batch_rows)

    return _Opened(
        mentions.columns, batches, mentions.height, loaded.report.format, whole_report=loaded.report
    )


def _read_rows(batch_rows: int) -> int:
    """Rows per chunk asked of Polars' streaming reader (regrouped into batches by :func:`_rechunked`).

    The reader runs ahead of the analysis by a number of chunks: smaller chunks keep less
    of the file in memory (about 100 MiB less than 150,000-row chunks), at no cost in speed.
    """
    return max(1, min(batch_rows, _READ_CHUNK_ROWS))


def _rechunked(
    batches: Callable[[], Iterator[pl.DataFrame]], rows: int
) -> Callable[[], Iterator[pl.DataFrame]]:
    """Batches of exactly ``rows`` rows (the last one shorter): the streaming engine's own are smaller."""

    def regrouped() -> Iterator[pl.DataFrame]:
        pending: list[pl.DataFrame] = []
        held = 0
        for batch in batches():
            pending.append(batch)
            held += batch.height
            while held >= rows:
                joined = pl.concat(pending, how="vertical", rechunk=False)
                yield joined.slice(0, rows).rechunk()
                rest = joined.slice(rows)
                pending, held = ([rest] if rest.height else []), rest.height
        if held:
            yield pl.concat(pending, how="vertical").rechunk()

    return regrouped


def _empty_nameless(lazy: pl.LazyFrame, columns: list[str]) -> tuple[str, ...]:
    """Nameless columns that hold nothing in the whole file (one streaming pass, only if there are any)."""
    nameless = [c for c in columns if not c.strip() or c.startswith(("__UNNAMED__", "_duplicated_"))]
    if not nameless:
        return ()
    counts = lazy.select(pl.len().alias("__rows"), *(pl.col(c).null_count() for c in nameless)).collect(
        engine="streaming"
    )
    rows = counts["__rows"].item()
    return tuple(c for c in nameless if counts[c].item() == rows)


# ---------------------------------------------------------------- analysis in batches


def analyze_batch(raw: pl.DataFrame, plan: BatchPlan, engine: str | Engine | None = None) -> pl.DataFrame:
    """One raw batch (the file's own columns) -> canonical mentions + analysis columns.

    The unit of work of a Spark executor: the loader's ``build_mentions`` with the
    plan's mapping, then ``analyze_mentions`` without the result cache (executors
    share no disk). Duplicates are removed within the batch only.
    """
    built = build_mentions(
        raw.drop([c for c in plan.drop_columns if c in raw.columns]),
        plan.chosen,
        tz=plan.tz,
        delimiter=plan.delimiter,
    )
    return analyze_mentions(built.mentions, engine=engine, use_cache=False).mentions


@dataclass(frozen=True)
class BatchedRun:
    """What :func:`analyze_file` did.

    Attributes:
        report: the load report of the whole file.
        rows: mentions written.
        batches: batches analysed.
        distinct_texts, analysed, from_cache: sums over batches (a text repeated in two
            batches counts in both; the second time it comes from the cache).
        engine: the engine that produced the results (of the last batch).
        fallback, fallback_params: the first fallback reason met, if any.
        notes: i18n keys of other things the user should know.
        summary_rows: rows of the daily summary written, if one was asked for.
    """

    report: LoadReport
    rows: int
    batches: int
    distinct_texts: int
    analysed: int
    from_cache: int
    engine: EngineInfo | None
    fallback: str | None = None
    fallback_params: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default=())
    summary_rows: int | None = None


_DONE = object()


def _read_ahead(
    batches: MentionBatches, prepare: Callable[[pl.DataFrame], Any]
) -> Iterator[tuple[Any, int]]:
    """``prepare(batch)`` of each batch of ``batches`` with the raw rows read up to it, one ahead.

    The next batch is read and prepared in a thread while the caller analyses this one.
    Errors of the reading (a bad file, a mapping to choose) are raised here, in the caller's
    thread, where the batch would have come; a caller that stops early stops the reader.
    """
    ready: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: object) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not hand_over((prepare(batch), batches.rows_read)):
                    return
            hand_over(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed over to the caller's thread
            hand_over(error)

    reader = threading.Thread(target=read, name="ascolto-read", daemon=True)
    reader.start()
    try:
        while True:
            item = ready.get()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def analyze_file(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    engine: str | Engine | None = None,
    progress: ProgressCallback | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    mapping: ColumnMapping | dict[str, str | None] | None = None,
    summary: str | os.PathLike[str] | None = None,
    stream_from_bytes: int | None = None,
) -> BatchedRun:
    """Load, analyse and write ``path`` batch by batch (memory bounded by ``batch_rows``).

    Args:
        path: CSV/TSV/Parquet file or Parquet folder (others are loaded whole first).
        output: ``.csv`` or ``.parquet`` file, written batch by batch.
        batch_rows: raw rows per batch.
        engine, cache_dir, use_cache: as :func:`analyze_mentions`.
        progress: ``progress(rows done, rows expected)``; the total is an estimate for CSV.
        mapping: the person's choice of columns, as for the loader.
        summary: optional ``.parquet``/``.csv`` path for the daily summary
            (:func:`ascolto_core.scale.summary.daily_summary`), built batch by batch.
        stream_from_bytes: see :func:`iter_mention_batches`.

    Raises:
        AscoltoError: ``scale.bad_output`` for another output suffix; ``load.*`` from
            reading; ``analysis.*`` from the analysis.
        MappingNeeded: when the columns are unclear.
    """
    from ascolto_core.scale.output import BatchWriter
    from ascolto_core.scale.summary import combine_summaries, daily_summary, write_summary

    preload()  # the dictionaries, language model and lexicon load while the file is opened and read
    batches = iter_mention_batches(
        path, batch_rows=batch_rows, mapping=mapping, stream_from_bytes=stream_from_bytes
    )
    writer = BatchWriter(Path(output))
    parts: list[pl.DataFrame] = []
    totals = {"rows": 0, "batches": 0, "distinct": 0, "analysed": 0, "cached": 0}
    info: EngineInfo | None = None
    fallback: tuple[str | None, tuple[tuple[str, str], ...]] = (None, ())
    notes: list[str] = []
    tz = batches.plan.tz if batches.plan.chosen else display_tz()
    expected = max(1, batches.rows_estimate)
    if progress is not None:
        progress(0, expected)
    done_raw = 0
    # Reading the next batch and writing the last one overlap the analysis of this one (Polars
    # and Arrow release the GIL): one batch read ahead, one being written, so memory stays bounded.
    io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ascolto-write")
    writing: Future[None] | None = None
    # The languages of the next batch are found while this one is analysed (the same steps
    # analyze_mentions would take: the cached vote, then py3langid).
    prepared = _read_ahead(
        batches, lambda batch: fill_languages(batch, cache_dir=cache_dir, use_cache=use_cache)
    )
    try:
        for (mentions, language_notes), rows_read in prepared:
            notes.extend(n for n in language_notes if n not in notes)
            result = analyze_mentions(mentions, engine=engine, cache_dir=cache_dir, use_cache=use_cache)
            if writing is not None:
                writing.result()
            writing = io.submit(writer.write, result.mentions)
            if summary is not None:
                parts = [combine_summaries([*parts, daily_summary(result.mentions, tz)])]
            totals["rows"] += result.mentions.height
            totals["batches"] += 1
            totals["distinct"] += result.distinct_texts
            totals["analysed"] += result.analysed
            totals["cached"] += result.from_cache
            info = result.engine
            if result.fallback is not None and fallback[0] is None:
                fallback = (result.fallback, result.fallback_params)
            notes.extend(n for n in result.notes if n not in notes)
            done_raw = rows_read
            if progress is not None:
                expected = max(expected, done_raw)
                progress(done_raw, expected)
        if writing is not None:
            writing.result()
    finally:
        prepared.close()  # stops the reader now, also when an analysis failed
        io.shutdown(wait=True)
        writer.close()
    if progress is not None:
        progress(done_raw, done_raw)
    summary_rows = None
    if summary is not None:
        table = combine_summaries(parts)
        write_summary(table, Path(summary))
        summary_rows = table.height
    return BatchedRun(
        report=batches.report(),
        rows=totals["rows"],
        batches=totals["batches"],
        distinct_texts=totals["distinct"],
        analysed=totals["analysed"],
        from_cache=totals["cached"],
        engine=info,
        fallback=fallback[0],
        fallback_params=fallback[1],
        notes=tuple(notes),
        summary_rows=summary_rows,
    )


__all__ = [
    "BATCHED_OUTPUTS",
    "DEFAULT_BATCH_ROWS",
    "BatchPlan",
    "BatchedRun",
    "MentionBatches",
    "analyze_batch",
    "analyze_file",
    "iter_mention_batches",
]
