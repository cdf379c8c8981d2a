"""``analyze_mentions``: language, sentiment, emotion, drivers and questions for a mentions table.

Steps: fill missing languages, collapse identical (text, language) pairs,
serve what the result cache already knows, run the chosen engine on the rest
(falling back to the embedded engine when the chosen one cannot run), store
the new results, and join everything back onto the input rows in order.
Cache writes run in a background thread while the analysis goes on.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

import polars as pl

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, Engine, EngineInfo, ProgressCallback
from ascolto_core.analysis.cache import CacheUnavailable, ResultCache, text_keys
from ascolto_core.analysis.registry import EngineChoice, fallback_choice, resolve_engine
from ascolto_core.errors import AscoltoError
from ascolto_core.i18n import t
from ascolto_core.schema import ANALYSIS_SCHEMA

log = logging.getLogger(__name__)
_CACHE_UNAVAILABLE = "analysis.cache_unavailable"


@dataclass(frozen=True)
class AnalysisResult:
    """What :func:`analyze_mentions` returns.

    Attributes:
        mentions: the input rows and columns in order (``lang`` filled where it was
            null) followed by the ``ANALYSIS_SCHEMA`` columns, then ``aspects`` and
            ``aspect_sentiments`` (``insights.aspects.ASPECT_COLUMNS``).
        engine: the engine that actually produced the results.
        fallback: i18n key of the reason the requested engine did not run, else ``None``.
        fallback_params: parameters of that message (model id, requested engine).
        from_cache: distinct texts whose results came from the on-disk cache.
        analysed: distinct texts the engine analysed in this call.
        distinct_texts: distinct (text, language) pairs in the input.
        requested: the engine that was asked for ("auto", "transformers", ...).
        notes: i18n keys of other things the user should know (e.g. cache unusable).
    """

    mentions: pl.DataFrame
    engine: EngineInfo
    fallback: str | None = None
    from_cache: int = 0
    analysed: int = 0
    distinct_texts: int = 0
    requested: str = "auto"
    fallback_params: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = field(default=())

    def fallback_message(self, lang: str = "it") -> str | None:
        """The fallback reason rendered in ``lang``, or ``None`` when there was none."""
        if self.fallback is None:
            return None
        return t(self.fallback, lang, **dict(self.fallback_params))


def analyze_mentions(
    mentions: pl.DataFrame,
    *,
    engine: str | Engine | None = None,
    progress: ProgressCallback | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> AnalysisResult:
    """Analyse every mention and add the ``ANALYSIS_SCHEMA`` columns.

    Args:
        mentions: a frame with at least a ``text`` column (canonical table expected).
            Analysis columns already present are replaced.
        engine: "auto", "embedded", "transformers" or a plugin name; ``None`` =
            ``$ASCOLTO_ENGINE``, else ``config/analysis.yaml: engine``, else "auto".
            An engine instance is used as it is (Spark executors pass the engine built
            from the state shipped to them, see :mod:`ascolto_core.scale.engine_state`).
        progress: called as ``progress(done, total)`` over distinct texts.
        cache_dir: result cache folder; default ``$ASCOLTO_CACHE_DIR`` or the user cache.
        use_cache: set ``False`` to neither read nor write the result cache.

    Returns:
        An :class:`AnalysisResult`; an empty input gives an empty, typed table.

    Raises:
        TypeError: if ``mentions`` is not a Polars DataFrame.
        AscoltoError: ``analysis.no_text_column`` when there is no ``text`` column;
            ``analysis.unknown_engine`` for an engine name nobody registered;
            ``analysis.no_engine`` if not even the embedded engine can run.
    """
    if not isinstance(mentions, pl.DataFrame):
        raise TypeError(f"expected polars.DataFrame, got {type(mentions).__name__}")
    if "text" not in mentions.columns:
        raise AscoltoError("analysis.no_text_column", columns=", ".join(mentions.columns))

    cache = ResultCache(cache_dir) if use_cache else None
    notes: list[str] = []
    writer = _CacheWriter(cache, notes)
    aspects = _Aspects(cache, writer, notes)
    try:
        frame, choice, from_cache, analysed, total = _analyse(
            mentions.drop([name for name in ANALYSIS_SCHEMA if name in mentions.columns]),
            _choose(engine),
            cache,
            writer,
            progress,
            notes,
            aspects,
        )
    finally:
        aspects.finish()
        writer.finish()
    return _result(frame, choice, from_cache, analysed, total, tuple(notes))


def preload() -> None:
    """Start loading, in background threads, what the first analysis of a process loads.

    simplemma's dictionaries, py3langid's model and the embedded engine's lexicon (which
    every analysis uses: for its results, or for the aspects' sentiment) take about a
    second on first use. A caller about to read a large file calls this first, so they
    load while the file is opened and read; an analysis that needs one before it is
    ready waits for it. Each loads once per process.
    """
    import threading

    from ascolto_core.analysis.embedded import load_lexicon
    from ascolto_core.analysis.language import preload_dictionaries, preload_identifier, wait_for_dictionaries

    preload_dictionaries()
    preload_identifier()

    def lexicon() -> None:
        wait_for_dictionaries()  # the lexicon lemmatises its expressions: one dictionary load, not two
        load_lexicon()

    threading.Thread(target=lexicon, name="ascolto-lexicon", daemon=True).start()


def fill_languages(
    mentions: pl.DataFrame,
    *,
    cache_dir: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """``mentions`` with ``lang`` filled where it is null, as :func:`analyze_mentions` fills it.

    The same steps (the cached vote, then py3langid), so a frame passed through here and then
    to :func:`analyze_mentions` is analysed exactly as it would have been directly. The batched
    ``analyze`` runs it on the next batch while the current one is analysed.

    Returns:
        The frame and the i18n keys of what the user should know (an unusable cache...).
    """
    if not isinstance(mentions, pl.DataFrame) or "text" not in mentions.columns:
        return mentions, ()
    cache = ResultCache(cache_dir) if use_cache else None
    notes: list[str] = []
    writer = _CacheWriter(cache, notes)
    try:
        frame, pending = _with_languages(mentions, cache, writer, notes)
        if pending is not None:
            frame = _resolve_pending(frame, pending, writer)
    finally:
        writer.finish()
    return frame, tuple(notes)


def _choose(engine: str | Engine | None) -> EngineChoice:
    """The registry's choice for a name, or an engine instance taken as it is."""
    if engine is None or isinstance(engine, str):
        return resolve_engine(engine)
    return EngineChoice(engine, engine.info.name)


def _analyse(
    frame: pl.DataFrame,
    choice: EngineChoice,
    cache: ResultCache | None,
    writer: _CacheWriter,
    progress: ProgressCallback | None,
    notes: list[str],
    aspects: _Aspects,
) -> tuple[pl.DataFrame, EngineChoice, int, int, int]:
    """The body of :func:`analyze_mentions`: (mentions, engine choice, from cache, analysed, distinct).

    The aspects of the distinct texts are read by ``aspects`` in a thread meanwhile (they
    need the text and language only, not the engine's results).
    """
    from ascolto_core.insights.aspects import annotate_aspects

    frame, pending = _with_languages(frame, cache, writer, notes)
    if frame.is_empty():
        empty = frame.with_columns(
            pl.lit(None, dtype=dtype).alias(name) for name, dtype in ANALYSIS_SCHEMA.items()
        )
        return annotate_aspects(empty), choice, 0, 0, 0

    from ascolto_core.analysis.text import is_question

    texts = frame["text"].cast(pl.String).fill_null("")
    # First the rows whose language is known; py3langid's model loads meanwhile for the rest.
    ready = frame["lang"].is_not_null()
    keys, first = _keyed(texts.filter(ready), frame["lang"].filter(ready))
    aspects.add(first)
    expected = first.height + (pending.distinct.height if pending is not None else 0)
    results, from_cache, analysed, first_choice = _results_for(
        first, choice, cache, writer, _shifted(progress, 0, expected), notes
    )
    choice = first_choice
    if pending is not None:
        frame = _resolve_pending(frame, pending, writer)
        rest_keys, rest = _keyed(texts.filter(~ready), frame["lang"].filter(~ready))
        rest = rest.join(results.select("key"), on="key", how="anti", maintain_order="left")
        aspects.add(rest)
        keys = (
            pl.Series("key", [None] * frame.height, dtype=pl.String)
            .scatter(ready.arg_true(), keys)
            .scatter((~ready).arg_true(), rest_keys)
        )
        more, more_cached, more_analysed, choice = _results_for(
            rest, choice, cache, writer, _shifted(progress, first.height, expected), notes
        )
        if choice is not first_choice:
            # The engine fell back on the second batch: the first one must come from the fallback too.
            results, from_cache, analysed, choice = _results_for(first, choice, cache, writer, None, notes)
        results = pl.concat([results, more], how="vertical")
        from_cache, analysed = from_cache + more_cached, analysed + more_analysed
    total = results.height

    analysed_frame = frame.with_columns(keys.alias("__key")).join(
        results, left_on="__key", right_on="key", how="left", maintain_order="left"
    )
    analysed_frame = analysed_frame.drop("__key").with_columns(
        is_question(texts).alias("is_question"),
        pl.lit(choice.engine.info.label, dtype=pl.String).alias("engine"),
    )
    ordered = analysed_frame.select(
        *frame.columns, *(pl.col(name).cast(dtype) for name, dtype in ANALYSIS_SCHEMA.items())
    )
    ordered = aspects.annotate(ordered, keys)
    if progress is not None:
        progress(total, total)
    return ordered, choice, from_cache, analysed, total


def _result(
    frame: pl.DataFrame,
    choice: EngineChoice,
    from_cache: int,
    analysed: int,
    total: int,
    notes: tuple[str, ...],
) -> AnalysisResult:
    return AnalysisResult(
        mentions=frame,
        engine=choice.engine.info,
        fallback=choice.fallback,
        from_cache=from_cache,
        analysed=analysed,
        distinct_texts=total,
        requested=choice.requested,
        fallback_params=choice.fallback_params,
        notes=notes,
    )


@dataclass(frozen=True)
class _PendingLanguages:
    """Rows whose language the vote could not tell, left to py3langid.

    Attributes:
        rows: their indices in the frame.
        keys: their language-cache keys, aligned with ``rows``.
        distinct: ``key``, ``text``: one row per distinct pending text.
    """

    rows: pl.Series
    keys: pl.Series
    distinct: pl.DataFrame


def _with_languages(
    frame: pl.DataFrame, cache: ResultCache | None, writer: _CacheWriter, notes: list[str]
) -> tuple[pl.DataFrame, _PendingLanguages | None]:
    """``lang`` present and filled where null (detected from the text); other values kept.

    Each distinct text is detected once, and detections are kept in the result
    cache so a second run skips them. Texts the vote cannot decide stay null and
    are returned as pending (py3langid's model starts loading in the background):
    :func:`_resolve_pending` fills them.
    """
    if "lang" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias("lang"))
    langs = frame["lang"].cast(pl.String)
    missing = langs.is_null()
    if not missing.any():
        return frame.with_columns(langs.alias("lang")), None
    from ascolto_core.analysis.cache import language_keys
    from ascolto_core.analysis.language import preload_identifier, vote_languages

    texts = frame["text"].cast(pl.String).fill_null("").filter(missing)
    keys = language_keys(texts)
    distinct = pl.DataFrame({"key": keys, "text": texts}).unique("key", keep="first", maintain_order=True)
    known = _lookup(
        cache,
        notes,
        lambda found: found.lookup_languages(distinct["key"]),
        pl.DataFrame(schema={"key": pl.String(), "lang": pl.String()}),
    )
    unknown = distinct.join(known, on="key", how="anti", maintain_order="left")
    voted = (
        unknown.with_columns(vote_languages(unknown["text"]).alias("lang"))
        if unknown.height
        else unknown.with_columns(pl.lit(None, dtype=pl.String).alias("lang"))
    )
    decided = voted.filter(pl.col("lang").is_not_null()).select("key", "lang")
    writer.store_languages(decided)
    by_key = pl.concat([known, decided])
    filled = pl.DataFrame({"key": keys}).join(by_key, on="key", how="left", maintain_order="left")["lang"]
    frame = frame.with_columns(langs.scatter(missing.arg_true(), filled).alias("lang"))
    undecided = voted.filter(pl.col("lang").is_null()).select("key", "text")
    if undecided.is_empty():
        return frame, None
    preload_identifier()
    is_pending = filled.is_null()
    return frame, _PendingLanguages(missing.arg_true().filter(is_pending), keys.filter(is_pending), undecided)


def _resolve_pending(frame: pl.DataFrame, pending: _PendingLanguages, writer: _CacheWriter) -> pl.DataFrame:
    """``frame`` with py3langid's languages on the pending rows (also remembered in the cache)."""
    from ascolto_core.analysis.language import identify_languages

    found = pending.distinct.select("key", identify_languages(pending.distinct["text"]).alias("lang"))
    writer.store_languages(found)
    by_row = pl.DataFrame({"key": pending.keys}).join(found, on="key", how="left", maintain_order="left")
    langs = by_row["lang"]
    return frame.with_columns(frame["lang"].scatter(pending.rows, langs).alias("lang"))


class _CacheWriter:
    """Cache writes, one after another in a background thread: the analysis does not wait for the disk.

    :meth:`finish` waits for them all; a cache that cannot be written becomes the
    ``analysis.cache_unavailable`` note, as a cache that cannot be read does.
    """

    def __init__(self, cache: ResultCache | None, notes: list[str]) -> None:
        self._cache = cache
        self._notes = notes
        self._pool: ThreadPoolExecutor | None = None
        self._writes: list[Future[int]] = []

    def store(self, info: EngineInfo, results: pl.DataFrame) -> None:
        """Save engine results (``key`` + ``ENGINE_OUTPUT_SCHEMA``)."""
        self._submit(lambda cache: cache.store(info, results["key"], results.drop("key")), results.height)

    def store_aspects(self, info: EngineInfo, aspects: pl.DataFrame) -> None:
        """Save aspects (``key`` + ``insights.aspects.ASPECT_COLUMNS``) under ``info``."""
        self._submit(
            lambda cache: cache.store_aspects(info, aspects["key"], aspects.drop("key")), aspects.height
        )

    def store_languages(self, detected: pl.DataFrame) -> None:
        """Save detected languages (``key``, ``lang``)."""
        self._submit(lambda cache: cache.store_languages(detected["key"], detected["lang"]), detected.height)

    def _submit(self, write: Callable[[ResultCache], int], rows: int) -> None:
        if self._cache is None or rows == 0 or _CACHE_UNAVAILABLE in self._notes:
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ascolto-cache")
        self._writes.append(self._pool.submit(write, self._cache))

    def finish(self) -> None:
        """Wait for every write (errors other than an unusable cache are raised here)."""
        if self._pool is None:
            return
        try:
            for write in self._writes:
                try:
                    write.result()
                except CacheUnavailable as error:
                    log.warning("result cache not writable: %s", error)
                    _note(self._notes, _CACHE_UNAVAILABLE)
        finally:
            self._pool.shutdown(wait=True)
            self._pool = None
            self._writes.clear()


class _Aspects:
    """Topics of the experience and their own sentiment (:mod:`ascolto_core.insights.aspects`).

    Each distinct text's aspects depend on its text and language alone, so they are read
    per result key like the engine's results: from the result cache when known (under
    the taxonomy's and lexicon's own namespace), else read and stored. :meth:`add` hands
    distinct texts to a background thread, which works while the engine scores the same
    texts (both are Polars work that releases the GIL, so they share the cores);
    :meth:`annotate` adds the columns to the analysed table. The columns equal
    :func:`annotate_aspects` on the whole table.
    """

    def __init__(self, cache: ResultCache | None, writer: _CacheWriter, notes: list[str]) -> None:
        self._cache = cache
        self._writer = writer
        self._notes = notes
        self._pool: ThreadPoolExecutor | None = None
        self._parts: list[Future[pl.DataFrame]] = []

    def add(self, distinct: pl.DataFrame) -> None:
        """Read the aspects of ``distinct`` (``key``, ``text``, ``lang``: one row per key) in the thread."""
        if distinct.is_empty():
            return
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ascolto-aspects")
        self._parts.append(self._pool.submit(self._read, distinct.select("key", "text", "lang")))

    def _read(self, distinct: pl.DataFrame) -> pl.DataFrame:
        """``key`` and the aspect columns of every row of ``distinct``."""
        from ascolto_core.insights.aspects import (
            ASPECT_COLUMNS,
            annotate_aspects,
            aspects_cache_info,
            default_taxonomy,
        )

        info = aspects_cache_info()
        cached = _lookup(
            self._cache,
            self._notes,
            lambda found: found.lookup_aspects(info, distinct["key"], default_taxonomy().names),
            pl.DataFrame(schema={"key": pl.String(), **ASPECT_COLUMNS}),
        )
        missing = distinct.join(cached.select("key"), on="key", how="anti", maintain_order="left")
        if missing.is_empty():
            return cached
        read = annotate_aspects(missing.select("text", "lang"))
        fresh = missing.select("key").with_columns(read[name] for name in ASPECT_COLUMNS)
        self._writer.store_aspects(info, fresh)
        return pl.concat([cached, fresh], how="vertical")

    def annotate(self, frame: pl.DataFrame, keys: pl.Series) -> pl.DataFrame:
        """``frame`` with the aspect columns, by each row's result key (``keys``, aligned with it)."""
        from ascolto_core.insights.aspects import ASPECT_COLUMNS

        parts = [part.result() for part in self._parts]
        found = pl.concat(parts, how="vertical").unique("key", keep="first") if parts else None
        frame = frame.drop([name for name in ASPECT_COLUMNS if name in frame.columns])
        if found is None:
            columns = pl.DataFrame({"key": keys}).with_columns(
                pl.lit([], dtype=dtype).alias(name) for name, dtype in ASPECT_COLUMNS.items()
            )
        else:
            columns = pl.DataFrame({"key": keys}).join(found, on="key", how="left", maintain_order="left")
        return frame.with_columns(
            columns[name].fill_null(pl.lit([], dtype=dtype)).cast(dtype)
            for name, dtype in ASPECT_COLUMNS.items()
        )

    def finish(self) -> None:
        """Wait for the thread (an error of the analysis is raised by :meth:`annotate`, not here)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

def _note(notes: list[str], key: str) -> None:
    if key not in notes:
        notes.append(key)


def _keyed(texts: pl.Series, langs: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Each row's result key, and one row per distinct key: ``key``, ``text``, ``lang`` (engine view)."""
    from ascolto_core.analysis.text import normalise_lang

    engine_langs = normalise_lang(langs)
    keys = text_keys(texts, engine_langs)
    distinct = pl.DataFrame({"key": keys, "text": texts, "lang": engine_langs}).unique(
        "key", keep="first", maintain_order=True
    )
    return keys, distinct


def _shifted(progress: ProgressCallback | None, offset: int, total: int) -> ProgressCallback | None:
    """``progress`` for one batch of distinct texts: ``offset`` done before it, ``total`` overall."""
    if progress is None:
        return None

    def report(done: int, _batch_total: int) -> None:
        progress(offset + done, total)

    return report


def _results_for(
    distinct: pl.DataFrame,
    choice: EngineChoice,
    cache: ResultCache | None,
    writer: _CacheWriter,
    progress: ProgressCallback | None,
    notes: list[str],
) -> tuple[pl.DataFrame, int, int, EngineChoice]:
    """Results (``key`` + engine columns) for every distinct text, falling back once if needed."""
    total = distinct.height
    while True:
        info = choice.engine.info
        cached = _lookup(cache, notes, lambda found: found.lookup(info, distinct["key"]), _empty_results())
        missing = distinct.join(cached.select("key"), on="key", how="anti", maintain_order="left")
        if progress is not None:
            progress(total - missing.height, total)
        fresh = (
            _run(choice.engine, missing, progress, total - missing.height, total)
            if missing.height
            else _empty_results()
        )
        if fresh is None:
            if choice.fallback is not None or info.name == "embedded":
                # Even the fallback cannot run: nothing sensible left to try.
                raise AscoltoError("analysis.no_engine")
            reason = getattr(choice.engine, "failure", None) or "analysis.fallback.run_failed"
            choice = fallback_choice(choice.requested, reason, info.model_id)
            continue
        fresh = fresh.with_columns(missing["key"].alias("key")).select("key", *ENGINE_OUTPUT_SCHEMA)
        writer.store(info, fresh)
        return pl.concat([cached, fresh], how="vertical"), cached.height, fresh.height, choice


def _lookup(
    cache: ResultCache | None,
    notes: list[str],
    read: Callable[[ResultCache], pl.DataFrame],
    empty: pl.DataFrame,
) -> pl.DataFrame:
    """``read(cache)``, or ``empty`` without a usable cache (an unreadable one becomes a note)."""
    if cache is None or _CACHE_UNAVAILABLE in notes:
        return empty
    try:
        found = read(cache)
        if cache.repaired:
            _note(notes, "cache.repaired")  # damaged rows were left out: recomputed now, stored again
        return found
    except CacheUnavailable as error:
        log.warning("result cache not readable: %s", error)
        _note(notes, _CACHE_UNAVAILABLE)
        return empty


def _empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema={"key": pl.String(), **ENGINE_OUTPUT_SCHEMA})


def _run(
    engine: Engine, missing: pl.DataFrame, progress: ProgressCallback | None, offset: int, total: int
) -> pl.DataFrame | None:
    """Run ``engine`` on the missing texts; ``None`` if it cannot, crashes or answers malformed."""
    n = missing.height

    def engine_progress(done: int, engine_total: int) -> None:
        if progress is not None and engine_total > 0:
            progress(offset + min(n, round(done * n / engine_total)), total)

    try:
        output = engine.analyze(missing["text"], missing["lang"], engine_progress)
    except Exception as error:  # noqa: BLE001 - an engine must not take the analysis down with it
        log.warning("engine %s failed: %s", engine.info.name, error)
        return None
    if output is None:
        return None
    if (
        not isinstance(output, pl.DataFrame)
        or output.height != n
        or not set(ENGINE_OUTPUT_SCHEMA) <= set(output.columns)
    ):
        log.warning("engine %s returned a malformed result", engine.info.name)
        return None
    return output.select(pl.col(name).cast(dtype) for name, dtype in ENGINE_OUTPUT_SCHEMA.items())
