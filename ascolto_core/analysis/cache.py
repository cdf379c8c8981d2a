"""On-disk cache of analysis results, so the same text is never analysed twice.

One SQLite file (stdlib ``sqlite3``) in ``$ASCOLTO_CACHE_DIR``, else the
per-user cache folder (``platformdirs.user_cache_dir("ascolto")``). Results are
keyed by engine name, model id and engine version (a "namespace") plus a
hash of the language and the text; the text itself is not stored, and
nothing else is (no credentials, no user names).

Concurrency: WAL journal (readers never block the writer), a generous busy
timeout, one short-lived connection per call and writes in chunks of a few
thousand rows, which is plenty for a workshop of ~20 people on one server.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

import polars as pl
import polars_hash as plh

from ascolto_core.analysis.base import ENGINE_OUTPUT_SCHEMA, EngineInfo
from ascolto_core.schema import EMOTIONS, SENTIMENTS

ENV_CACHE_DIR = "ASCOLTO_CACHE_DIR"
CACHE_FILE = "analysis-results.sqlite3"
# Bump when the table layout changes (a new file is started; the old one is ignored).
LAYOUT_VERSION = 1
_WRITE_CHUNK = 20_000
# A lookup reads the whole table (or engine namespace) when it holds at most this many rows per key asked.
# Reading a row costs about as much as looking a key up (each read row is validated and copied), so
# past 1 the scan loses: with 4, the fifth 200,000-row batch of a file read its 600,000 rows again
# (3.1 s against 0.8 s by key, `benchmarks/bench_analyze.py --rows 1000000`).
_SCAN_FACTOR = 1
# Separator for driver lists stored as text (a control character no driver contains).
_LIST_SEPARATOR = "\x1f"
_RESULT_COLUMNS = tuple(ENGINE_OUTPUT_SCHEMA)


def _labels(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _number_in(column: str, low: int, high: int) -> str:
    # SQLite stores NaN as NULL; a text or blob in a REAL column is kept as it is, hence typeof.
    return f"({column} IS NULL OR (typeof({column}) IN ('real', 'integer') AND {column} BETWEEN {low} AND {high}))"


def _label_in(column: str, labels: tuple[str, ...]) -> str:
    return f"({column} IS NULL OR (typeof({column}) = 'text' AND {column} IN ({_labels(labels)})))"


def _text_or_null(column: str) -> str:
    return f"({column} IS NULL OR typeof({column}) = 'text')"


# A cached result row is used only when every value has the type and range the engines give.
_VALID_RESULT = " AND ".join(
    (
        "typeof(key) = 'text'",
        _label_in("sentiment", SENTIMENTS),
        _number_in("sentiment_score", -1, 1),
        _number_in("sentiment_confidence", 0, 1),
        _label_in("emotion", EMOTIONS),
        _number_in("emotion_confidence", 0, 1),
        _text_or_null("drivers_pos"),
        _text_or_null("drivers_neg"),
    )
)
# Aspect lists are checked further once split (known names, known sentiments, aligned lengths).
_VALID_ASPECTS = "(typeof(key) = 'text' AND typeof(aspects) = 'text' AND typeof(sentiments) = 'text')"
# A cached language is an ISO 639 code or "other".
_VALID_LANGUAGE = "(typeof(key) = 'text' AND typeof(lang) = 'text' AND length(lang) BETWEEN 2 AND 5 AND lang NOT GLOB '*[^a-z]*')"


def default_cache_dir() -> Path:
    """``$ASCOLTO_CACHE_DIR`` when set, else the per-user cache folder for Ascolto."""
    configured = os.environ.get(ENV_CACHE_DIR)
    if configured:
        return Path(configured).expanduser()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("ascolto", appauthor=False))


def text_keys(texts: pl.Series, langs: pl.Series) -> pl.Series:
    """Stable content keys: 128 bits of BLAKE3 over ``lang``, a separator and ``text``.

    Vectorised over the column; null text counts as "" and null lang as "other".
    """
    frame = pl.DataFrame({"text": texts.cast(pl.String), "lang": langs.cast(pl.String)})
    content = pl.concat_str(pl.col("lang").fill_null("other"), pl.lit("\x1e"), pl.col("text").fill_null(""))
    hashed = frame.select(content.alias("key")).select(plh.col("key").chash.blake3().str.slice(0, 32))
    return hashed["key"]


@functools.cache
def language_detector_fingerprint() -> str:
    """Identifies the language detector (its code and packages): a change invalidates cached languages."""
    from importlib import metadata

    import ascolto_core.analysis.language as detector

    parts = [Path(detector.__file__).read_bytes()]
    for package in ("py3langid", "stopwordsiso"):
        try:
            parts.append(metadata.version(package).encode())
        except metadata.PackageNotFoundError:
            parts.append(b"-")
    return hashlib.blake2b(b"\x1f".join(parts), digest_size=8).hexdigest()


def language_keys(texts: pl.Series) -> pl.Series:
    """Keys for cached language detection: the detector's fingerprint and the text."""
    fingerprint = pl.Series([f"lang-{language_detector_fingerprint()}"] * len(texts), dtype=pl.String)
    return text_keys(texts, fingerprint)


class CacheUnavailable(Exception):
    """The cache file cannot be opened or written (read-only disk, corrupt file...)."""


_SCHEMA = """
    CREATE TABLE IF NOT EXISTS namespaces (
        id INTEGER PRIMARY KEY,
        engine TEXT NOT NULL, model TEXT NOT NULL, version TEXT NOT NULL,
        UNIQUE (engine, model, version)
    );
    CREATE TABLE IF NOT EXISTS languages (
        key TEXT PRIMARY KEY, lang TEXT NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS results (
        ns INTEGER NOT NULL, key TEXT NOT NULL,
        sentiment TEXT, sentiment_score REAL, sentiment_confidence REAL,
        emotion TEXT, emotion_confidence REAL, drivers_pos TEXT, drivers_neg TEXT,
        PRIMARY KEY (ns, key)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS aspects (
        ns INTEGER NOT NULL, key TEXT NOT NULL, aspects TEXT NOT NULL, sentiments TEXT NOT NULL,
        PRIMARY KEY (ns, key)
    ) WITHOUT ROWID;
"""
# Two processes creating the same new cache at once: switching to WAL and the first
# CREATE TABLE can fail with "database is locked" without waiting on the busy timeout
# (SQLite refuses to wait where waiting could deadlock), so the set-up is retried.
_PREPARE_SECONDS = 30.0


def _prepare(connection: sqlite3.Connection) -> None:
    """WAL journal, tables and layout version; retried while another process holds the lock."""
    deadline = time.monotonic() + _PREPARE_SECONDS
    pause = 0.01
    while True:
        try:
            if connection.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                connection.execute("PRAGMA journal_mode = WAL")
            connection.executescript(_SCHEMA)
            connection.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")
            return
        except sqlite3.OperationalError as error:
            transient = "locked" in str(error) or "busy" in str(error)
            if not transient or time.monotonic() > deadline:
                raise
            time.sleep(pause)
            pause = min(pause * 2, 0.25)


class ResultCache:
    """Analysis results on disk, per engine namespace.

    Args:
        directory: folder for the cache file; default :func:`default_cache_dir`.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory).expanduser() if directory is not None else default_cache_dir()
        self.path = self.directory / CACHE_FILE
        self._ready = False
        # Damaged rows found (and deleted, so they are recomputed and stored again) by this object's lookups.
        self.repaired = 0

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            if not self._ready:
                self.directory.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise CacheUnavailable(str(error)) from error
        try:
            connection.execute("PRAGMA busy_timeout = 30000")
            if not self._ready:
                _prepare(connection)
                self._ready = True
            connection.execute("PRAGMA synchronous = NORMAL")
            # 8 MiB of pages per connection. Connections are short-lived and opened by several
            # threads; 64 MiB page caches, allocated and freed in turn by each thread, fragmented
            # the heap: analysing 150,000-row batches one after another, the process grew by
            # ~18 MiB per batch (982 -> 1,719 MiB over 40 batches). With 8 MiB it stays flat.
            connection.execute("PRAGMA cache_size = -8192")
            yield connection
        except sqlite3.Error as error:
            raise CacheUnavailable(str(error)) from error
        finally:
            connection.close()

    def _namespace(self, connection: sqlite3.Connection, info: EngineInfo, *, create: bool) -> int | None:
        query = "SELECT id FROM namespaces WHERE engine = ? AND model = ? AND version = ?"
        row = connection.execute(query, (info.name, info.model_id, info.version)).fetchone()
        if row is None and create:
            connection.execute(
                "INSERT OR IGNORE INTO namespaces (engine, model, version) VALUES (?, ?, ?)",
                (info.name, info.model_id, info.version),
            )
            row = connection.execute(query, (info.name, info.model_id, info.version)).fetchone()
        return None if row is None else int(row[0])

    def lookup(self, info: EngineInfo, keys: pl.Series) -> pl.DataFrame:
        """Cached results for ``keys`` under ``info``: columns ``key`` + ``ENGINE_OUTPUT_SCHEMA``.

        Only keys found are returned (in no particular order). A row whose values
        do not have the engines' types and ranges (a damaged or tampered file) is
        not returned and is deleted, so the caller recomputes and stores it again;
        :attr:`repaired` counts those rows.

        Raises:
            CacheUnavailable: if the cache file cannot be read.
        """
        schema = {"key": pl.String(), **ENGINE_OUTPUT_SCHEMA}
        wanted = keys.drop_nulls().unique()
        if wanted.is_empty():
            return pl.DataFrame(schema=schema)
        columns = "key, " + ", ".join(_RESULT_COLUMNS) + f", {_VALID_RESULT} AS valid"
        with self._connect() as connection:
            namespace = self._namespace(connection, info, create=False)
            if namespace is None:
                return pl.DataFrame(schema=schema)
            rows = _select_keys(connection, columns, "results", ("ns = ?", (namespace,)), wanted)
            rows = self._drop_damaged(connection, rows, "results", ("ns = ?", (namespace,)))
        stored = {"key": pl.String(), **{name: _stored_dtype(name) for name in _RESULT_COLUMNS}}
        frame = _only_wanted(pl.DataFrame(rows, schema=stored, orient="row"), wanted)
        return frame.with_columns(_decode_list(name) for name in ("drivers_pos", "drivers_neg")).select(
            pl.col(name).cast(dtype) for name, dtype in schema.items()
        )

    def store(self, info: EngineInfo, keys: pl.Series, results: pl.DataFrame) -> int:
        """Save ``results`` (``ENGINE_OUTPUT_SCHEMA`` rows aligned with ``keys``); returns rows written.

        Raises:
            CacheUnavailable: if the cache file cannot be written.
            ValueError: if ``keys`` and ``results`` differ in length.
        """
        if len(keys) != results.height:
            raise ValueError(
                f"expected one result per key, got {results.height} results for {len(keys)} keys"
            )
        if results.is_empty():
            return 0
        encoded = (
            results.select(
                keys.alias("key"),
                *(
                    pl.col(name).list.join(_LIST_SEPARATOR) if name.startswith("drivers_") else pl.col(name)
                    for name in _RESULT_COLUMNS
                ),
            )
            .unique(subset="key", keep="last")
            .sort("key")
        )  # B-tree appends in key order are faster
        return self._write_rows(info, "results", _RESULT_COLUMNS, encoded)

    def _write_rows(
        self, info: EngineInfo, table: str, columns: tuple[str, ...], encoded: pl.DataFrame
    ) -> int:
        """Insert ``encoded`` (``key`` + ``columns``, sorted by key) into ``table`` in ``info``'s namespace."""
        placeholders = ", ".join("?" * (len(columns) + 2))
        statement = f"INSERT OR REPLACE INTO {table} (ns, key, {', '.join(columns)}) VALUES ({placeholders})"
        with self._connect() as connection:
            connection.execute("BEGIN IMMEDIATE")
            namespace = self._namespace(connection, info, create=True)
            connection.execute("COMMIT")
            encoded = encoded.select(pl.lit(namespace, dtype=pl.Int64).alias("ns"), pl.all())
            for start in range(0, encoded.height, _WRITE_CHUNK):
                chunk = encoded.slice(start, _WRITE_CHUNK)
                # Short transactions: other users' writes interleave between chunks.
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(statement, chunk.iter_rows())
                connection.execute("COMMIT")
        return encoded.height

    def lookup_aspects(self, info: EngineInfo, keys: pl.Series, names: Collection[str]) -> pl.DataFrame:
        """Cached aspects for ``keys`` under ``info``: ``key``, ``aspects``, ``aspect_sentiments`` (lists).

        ``info`` names the taxonomy and the lexicon that read them (see
        ``insights.aspects.aspects_cache_info``). A row whose lists are not aligned, or name
        an aspect outside ``names`` or an unknown sentiment, is treated as damaged: left out
        and deleted, as :meth:`lookup` does.

        Raises:
            CacheUnavailable: if the cache file cannot be read.
        """
        lists = pl.List(pl.String())
        schema = {"key": pl.String(), "aspects": lists, "aspect_sentiments": lists}
        wanted = keys.drop_nulls().unique()
        if wanted.is_empty():
            return pl.DataFrame(schema=schema)
        with self._connect() as connection:
            namespace = self._namespace(connection, info, create=False)
            if namespace is None:
                return pl.DataFrame(schema=schema)
            scope = ("ns = ?", (namespace,))
            rows = _select_keys(
                connection, f"key, aspects, sentiments, {_VALID_ASPECTS} AS valid", "aspects", scope, wanted
            )
            frame = _only_wanted(
                pl.DataFrame(
                    rows,
                    schema={
                        "key": pl.String(),
                        "aspects": pl.String(),
                        "sentiments": pl.String(),
                        "valid": pl.Int64(),
                    },
                    orient="row",
                ),
                wanted,
            ).with_columns(_decode_list("aspects"), _decode_list("sentiments").alias("aspect_sentiments"))
            known = pl.Series(sorted(names), dtype=pl.String).implode()
            sound = (
                (pl.col("valid") == 1)
                & (pl.col("aspects").list.len() == pl.col("aspect_sentiments").list.len())
                & pl.col("aspects").list.eval(pl.element().is_in(known)).list.all()
                & pl.col("aspect_sentiments").list.eval(pl.element().is_in(list(SENTIMENTS))).list.all()
            )
            frame = frame.with_columns(sound.alias("valid"))
            self._drop_damaged(
                connection, frame.select("key", "valid").rows(), "aspects", scope
            )
        sound_rows = frame.filter(pl.col("valid"))
        return sound_rows.select(pl.col(name).cast(dtype) for name, dtype in schema.items())

    def store_aspects(self, info: EngineInfo, keys: pl.Series, aspects: pl.DataFrame) -> int:
        """Save ``aspects`` (``aspects``, ``aspect_sentiments`` lists aligned with ``keys``); returns rows.

        Raises:
            CacheUnavailable: if the cache file cannot be written.
            ValueError: if ``keys`` and ``aspects`` differ in length.
        """
        if len(keys) != aspects.height:
            raise ValueError(f"expected one row per key, got {aspects.height} rows for {len(keys)} keys")
        if aspects.is_empty():
            return 0
        encoded = (
            aspects.select(
                keys.alias("key"),
                pl.col("aspects").list.join(_LIST_SEPARATOR),
                pl.col("aspect_sentiments").list.join(_LIST_SEPARATOR).alias("sentiments"),
            )
            .unique(subset="key", keep="last")
            .sort("key")
        )
        return self._write_rows(info, "aspects", ("aspects", "sentiments"), encoded)

    def lookup_languages(self, keys: pl.Series) -> pl.DataFrame:
        """Detected languages cached for ``keys`` (see :func:`language_keys`): ``key``, ``lang``.

        Raises:
            CacheUnavailable: if the cache file cannot be read.
        """
        wanted = keys.drop_nulls().unique()
        schema = {"key": pl.String(), "lang": pl.String()}
        if wanted.is_empty():
            return pl.DataFrame(schema=schema)
        with self._connect() as connection:
            rows = _select_keys(connection, f"key, lang, {_VALID_LANGUAGE} AS valid", "languages", None, wanted)
            rows = self._drop_damaged(connection, rows, "languages", None)
        return _only_wanted(pl.DataFrame(rows, schema=schema, orient="row"), wanted)

    def _drop_damaged(
        self,
        connection: sqlite3.Connection,
        rows: list[tuple[object, ...]],
        table: str,
        scope: tuple[str, tuple[object, ...]] | None,
    ) -> list[tuple[object, ...]]:
        """The rows whose last column (the validity check) is true, without it; the others are deleted."""
        damaged = [row[0] for row in rows if not row[-1]]
        if damaged:
            condition, params = scope if scope is not None else ("1", ())
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(
                    f"DELETE FROM {table} WHERE {condition} AND key IN (SELECT value FROM json_each(?))",
                    (*params, json.dumps(damaged, default=str)),
                )
                connection.execute("COMMIT")
            except sqlite3.Error:
                # Not deleted (another writer holds the file): still recomputed, and stored over.
                if connection.in_transaction:
                    connection.rollback()
            self.repaired += len(damaged)
        return [row[:-1] for row in rows if row[-1]]

    def store_languages(self, keys: pl.Series, langs: pl.Series) -> int:
        """Remember detected languages (aligned with ``keys``); returns rows written.

        Raises:
            CacheUnavailable: if the cache file cannot be written.
        """
        pairs = (
            pl.DataFrame({"key": keys, "lang": langs.cast(pl.String)}).drop_nulls().unique("key").sort("key")
        )
        with self._connect() as connection:
            for start in range(0, pairs.height, _WRITE_CHUNK):
                connection.execute("BEGIN IMMEDIATE")
                connection.executemany(
                    "INSERT OR REPLACE INTO languages (key, lang) VALUES (?, ?)",
                    pairs.slice(start, _WRITE_CHUNK).iter_rows(),
                )
                connection.execute("COMMIT")
        return pairs.height

    def count(self, info: EngineInfo | None = None) -> int:
        """Number of cached results (for one engine namespace, or all)."""
        with self._connect() as connection:
            if info is None:
                return int(connection.execute("SELECT COUNT(*) FROM results").fetchone()[0])
            namespace = self._namespace(connection, info, create=False)
            if namespace is None:
                return 0
            return int(
                connection.execute("SELECT COUNT(*) FROM results WHERE ns = ?", (namespace,)).fetchone()[0]
            )

    def clear(self) -> None:
        """Delete every cached result."""
        with self._connect() as connection:
            connection.execute("DELETE FROM results")
            connection.execute("DELETE FROM aspects")
            connection.execute("DELETE FROM namespaces")


def _select_keys(
    connection: sqlite3.Connection,
    columns: str,
    table: str,
    scope: tuple[str, tuple[object, ...]] | None,
    wanted: pl.Series,
) -> list[tuple[object, ...]]:
    """Rows (``columns``, the first being ``key``) of ``table`` for the ``wanted`` keys, the cheaper way.

    ``scope`` is an optional extra condition with its parameters (an engine namespace).
    When the stored rows are no more than the keys asked for (a first run, a small
    cache), they are all read (one scan instead of a look-up per key), so the rows may
    include unwanted keys: filter with :func:`_only_wanted`.
    """
    condition, params = scope if scope is not None else ("1", ())
    # Counted only up to the threshold: a whole COUNT(*) reads every page of a large cache.
    threshold = _SCAN_FACTOR * len(wanted)
    stored = connection.execute(
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {condition} LIMIT ?)", (*params, threshold + 1)
    ).fetchone()[0]
    if stored == 0:
        return []
    if stored <= threshold:
        return connection.execute(f"SELECT {columns} FROM {table} WHERE {condition}", params).fetchall()
    # One query for any number of keys: the key list travels as a JSON array.
    return connection.execute(
        f"SELECT {columns} FROM {table} WHERE {condition} AND key IN (SELECT value FROM json_each(?))",
        (*params, json.dumps(wanted.to_list())),
    ).fetchall()


def _only_wanted(frame: pl.DataFrame, wanted: pl.Series) -> pl.DataFrame:
    return frame.join(wanted.alias("key").to_frame(), on="key", how="semi")


def _stored_dtype(name: str) -> pl.DataType:
    return pl.String() if name.startswith("drivers_") else ENGINE_OUTPUT_SCHEMA[name]


def _decode_list(name: str) -> pl.Expr:
    column = pl.col(name)
    return (
        pl.when(column.is_null() | (column == ""))
        .then(pl.lit([], dtype=pl.List(pl.String)))
        .otherwise(column.str.split(_LIST_SEPARATOR))
        .alias(name)
    )
