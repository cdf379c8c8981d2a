"""One brand's listening on disk: a SQLite catalogue and append-only Parquet segments.

Layout of a workspace folder::

    DIR/
      workspace.sqlite3     catalogue (WAL): meta, settings, segments, history,
                            labels, vocabulary, state
      mentions/
        seg-*.parquet       the mentions with their analysis, one file per batch

Why this layout (see the README's "Workspaces" section): the app and the
``listen`` process must read and write the same workspace at once. SQLite in
WAL mode lets any number of processes read while one writes, and queues
writers with a busy timeout instead of failing; DuckDB allows one read-write
process per file, so the app would lock the listener out. Mentions are bulky
and columnar, so they live in Parquet (read into Polars at disk speed, open in
DuckDB, Spark or pandas without Ascolto); the catalogue says which segments
exist. A batch is written under a temporary name, fsynced, renamed, and only
then listed in the catalogue in the same transaction that records the load: a
process killed at any moment leaves either the whole batch or none of it. A
segment file that the catalogue does not list is garbage and is removed when
the workspace is next opened for writing.

The store knows the mentions table, not the analysis: loading and analysing
happen in :mod:`ascolto_core.workspace.ingest`, above it. The catalogue's
plumbing is in :mod:`.catalogue`, the history and the listening state in
:mod:`.journal`, the person's labels and vocabulary in :mod:`.teaching`.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.schema import ANALYSIS_SCHEMA, MENTION_SCHEMA, UTC_DATETIME
from ascolto_core.workspace.catalogue import CATALOGUE_FILE, _iso, _now
from ascolto_core.workspace.dedup import KEY_SCHEMA, DuplicateCounts, classify, with_keys
from ascolto_core.workspace.journal import JournalAndState
from ascolto_core.workspace.migrations import MIGRATIONS, SCHEMA_VERSION
from ascolto_core.workspace.settings import WorkspaceSettings
from ascolto_core.workspace.teaching import TeachingTables

FORMAT = "ascolto-workspace"
SEGMENTS_DIR = "mentions"
# Columns the store adds to every stored mention: provenance and analysis stamp.
STAMP_SCHEMA: dict[str, pl.DataType] = {
    "analysis_engine": pl.String(),  # engine name ("embedded", "transformers", ...)
    "analysis_model": pl.String(),  # model id or lexicon name
    "analysis_version": pl.String(),  # engine version
    "analysis_vocabulary": pl.Int64(),  # vocabulary revision the analysis saw
    "analysis_labels": pl.Int64(),  # labels revision the analysis saw
    "added_at": UTC_DATETIME,  # when the mention came into the workspace
    "load_id": pl.Int64(),  # history entry of the load that brought it
}
INTERNAL_SCHEMA: dict[str, pl.DataType] = {**KEY_SCHEMA, **STAMP_SCHEMA}
INTERNAL_COLUMNS: tuple[str, ...] = tuple(c for c in INTERNAL_SCHEMA if c != "id")
LOAD_KINDS: tuple[str, ...] = ("upload", "fetch", "import", "demo")
_READ_RETRIES = 5
# Segments under this many rows count as small; more than COMPACT_MAX_SMALL of them are merged.
COMPACT_SMALL_ROWS = 50_000
COMPACT_MAX_SMALL = 32


@dataclass(frozen=True)
class AnalysisStamp:
    """What analysed a batch: engine, model, version and the teaching revisions it saw."""

    engine: str
    model_id: str
    version: str
    vocabulary_revision: int = 0
    labels_revision: int = 0


@dataclass(frozen=True)
class AppendOutcome:
    """What :meth:`Workspace.append` did: rows stored, duplicates by rule, the history entry."""

    new: int
    duplicates: DuplicateCounts
    load_id: int


@dataclass(frozen=True)
class Staleness:
    """How many stored mentions were analysed by something other than the current engine and teaching.

    Attributes:
        total: mentions in the workspace.
        stale: mentions whose stored analysis differs from what the current engine would give.
        by_engine: stale mentions whose engine, model or version differs.
        by_teaching: stale mentions analysed before the latest vocabulary or label change.
        engines: the analysis stamps found, as "name model version" strings.
    """

    total: int
    stale: int
    by_engine: int
    by_teaching: int
    engines: tuple[str, ...]

    @property
    def is_stale(self) -> bool:
        return self.stale > 0


@dataclass(frozen=True)
class WorkspaceInfo:
    """A summary of a workspace for people and for ``workspace info``'s JSON line."""

    path: str
    brand: str
    schema_version: int
    mentions: int
    loads: int
    segments: int
    labels: int
    terms: int
    first: str | None
    last: str | None
    read_only: bool
    data_version: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "mentions": self.mentions,
            "brand": self.brand,
            "schema_version": self.schema_version,
            "loads": self.loads,
            "segments": self.segments,
            "labels": self.labels,
            "terms": self.terms,
            "first": self.first,
            "last": self.last,
            "read_only": self.read_only,
            "data_version": self.data_version,
            "path": self.path,
        }


def is_workspace(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a folder holding a workspace catalogue."""
    return (Path(path) / CATALOGUE_FILE).is_file()


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # not supported here (Windows): the rename is still atomic
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_parquet_atomically(frame: pl.DataFrame, folder: Path) -> str:
    """Write ``frame`` as a new segment: temporary name, fsync, rename. Returns the file name."""
    name = f"seg-{_now().strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}.parquet"
    temporary = folder / f".tmp-{name}"
    # LZ4 and 50k-row groups: about twice as fast to read as zstd for a little more disk (bench_workspace).
    frame.write_parquet(temporary, compression="lz4", statistics=True, row_group_size=50_000)
    with open(temporary, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, folder / name)
    _fsync_dir(folder)
    return name


class Workspace(TeachingTables, JournalAndState):
    """A workspace on disk. Cheap to create: every call opens a short-lived catalogue connection.

    Safe to share between threads and to use from several processes at once:
    reads never wait, writes queue up (SQLite write lock with a generous busy
    timeout). Open with :meth:`open` or :meth:`create`.

    Attributes:
        path: the workspace folder.
        read_only: True for the demo workspace (and when opened read-only); writes raise.
    """

    # -- opening ---------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        brand: str | None = None,
        settings: WorkspaceSettings | Mapping[str, Any] | None = None,
    ) -> Workspace:
        """Create a workspace in ``path`` (a new or empty folder).

        Args:
            path: the folder; created when missing.
            brand: the brand's name (overrides the brand in ``settings``).
            settings: validated settings or a plain mapping (see :class:`WorkspaceSettings`).

        Raises:
            AscoltoError: ``workspace.exists`` when ``path`` already holds a workspace,
                ``workspace.not_empty`` when it holds anything else, or a settings message.
        """
        folder = Path(path).expanduser()
        if not isinstance(settings, WorkspaceSettings):
            settings = WorkspaceSettings.from_dict(settings)
        if brand is not None and brand.strip():
            settings = settings.with_brand(brand.strip())
        if is_workspace(folder):
            raise AscoltoError("workspace.exists", path=str(folder))
        if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
            raise AscoltoError("workspace.not_empty", path=str(folder))
        try:
            (folder / SEGMENTS_DIR).mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise AscoltoError(
                "workspace.cannot_write", path=str(folder), problem=error.strerror or str(error)
            ) from None
        workspace = cls(folder)
        workspace._initialise(settings, upto=SCHEMA_VERSION)
        return workspace

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> Workspace:
        """Open an existing workspace, migrating an older one and cleaning leftovers of crashes.

        Raises:
            AscoltoError: ``workspace.not_found`` when ``path`` is no workspace,
                ``workspace.too_new`` when a newer Ascolto wrote it.
        """
        folder = Path(path).expanduser()
        if not is_workspace(folder):
            raise AscoltoError("workspace.not_found", path=str(folder))
        workspace = cls(folder, read_only=read_only)
        version = workspace.schema_version
        if version > SCHEMA_VERSION:
            raise AscoltoError(
                "workspace.too_new", path=str(folder), version=version, supported=SCHEMA_VERSION
            )
        if not read_only and os.access(folder, os.W_OK):
            if version < SCHEMA_VERSION:
                workspace._migrate()
            workspace.collect_garbage()
        return workspace

    def _initialise(self, settings: WorkspaceSettings, *, upto: int) -> None:
        """Run migrations 1..``upto`` on a new catalogue and store the settings (``upto`` < latest only in tests)."""
        with self._write() as con:
            for migration in MIGRATIONS[:upto]:
                migration(con, self.path)
            now = _iso()
            con.executemany(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                [
                    ("format", FORMAT),
                    ("schema_version", str(upto)),
                    ("created_at", now),
                    ("data_version", "0"),
                    ("read_only", "0"),
                ],
            )
            con.execute(
                "INSERT INTO settings (id, body, updated_at) VALUES (1, ?, ?)",
                (json.dumps(settings.to_dict(), ensure_ascii=False), now),
            )
            con.execute(
                "INSERT INTO history (at, kind, origin, details) VALUES (?, 'create', ?, ?)",
                (now, self.path.name, json.dumps({"schema_version": upto})),
            )

    def _migrate(self) -> None:
        with self._write() as con:
            version = int(self._meta(con, "schema_version"))
            if version >= SCHEMA_VERSION:
                return  # another process migrated it meanwhile
            for migration in MIGRATIONS[version:]:
                migration(con, self.path)
            con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))
            con.execute(
                "INSERT INTO history (at, kind, origin, details) VALUES (?, 'migrate', ?, ?)",
                (_iso(), self.path.name, json.dumps({"from": version, "to": SCHEMA_VERSION})),
            )

    def collect_garbage(self) -> int:
        """Remove segment files the catalogue does not list (left by a crash). Returns how many."""
        folder = self.path / SEGMENTS_DIR
        on_disk = {p.name for p in folder.glob("*.parquet")} | {p.name for p in folder.glob(".tmp-*")}
        if not on_disk or self.read_only:
            return 0
        if not on_disk - set(self.segment_files()):
            return 0
        removed = 0
        # Under the write lock: no writer is between writing a file and listing it.
        with self._write() as con:
            listed = {row[0] for row in con.execute("SELECT file FROM segments")}
            for name in sorted(on_disk - listed):
                try:
                    (folder / name).unlink()
                    removed += 1
                except FileNotFoundError:
                    pass
        return removed

    # -- facts -----------------------------------------------------------------------------

    @property
    def name(self) -> str:
        """The folder's name, shown as the workspace's name."""
        return self.path.name

    @property
    def schema_version(self) -> int:
        with self._read() as con:
            fmt = self._meta(con, "format", "")
            if fmt != FORMAT:
                raise AscoltoError("workspace.not_found", path=str(self.path))
            return int(self._meta(con, "schema_version"))

    def mark_read_only(self) -> None:
        """Freeze the workspace (the demo): every later write raises ``workspace.read_only``."""
        with self._write() as con:
            con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('read_only', '1')")

    def mark_writable(self) -> None:
        """Undo :meth:`mark_read_only` (an imported copy of the demo belongs to whoever imported it)."""
        with self._write() as con:
            con.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('read_only', '0')")

    def data_version(self) -> int:
        """A number that changes whenever the stored mentions change: a cheap cache key for readers."""
        with self._read() as con:
            return int(self._meta(con, "data_version", "0"))

    def revisions(self) -> tuple[int, int]:
        """``(vocabulary_revision, labels_revision)``: bumped by every vocabulary or label change."""
        with self._read() as con:
            return int(self._meta(con, "vocabulary_revision", "0")), int(
                self._meta(con, "labels_revision", "0")
            )

    def count(self) -> int:
        """Mentions stored (from the catalogue, without reading them)."""
        with self._read() as con:
            return int(con.execute("SELECT COALESCE(SUM(rows), 0) FROM segments").fetchone()[0])

    def segment_files(self) -> list[str]:
        """The listed segment files, oldest first."""
        with self._read() as con:
            return [row[0] for row in con.execute("SELECT file FROM segments ORDER BY created_at, file")]

    def info(self) -> WorkspaceInfo:
        """A summary (mentions, loads, dates...) for ``workspace info`` and the app's picker."""
        with self._read() as con:
            mentions, segments = con.execute(
                "SELECT COALESCE(SUM(rows), 0), COUNT(*) FROM segments"
            ).fetchone()
            kinds = ",".join(f"'{k}'" for k in LOAD_KINDS)
            loads = con.execute(f"SELECT COUNT(*) FROM history WHERE kind IN ({kinds})").fetchone()[0]
            labels = (
                con.execute("SELECT COUNT(*) FROM labels").fetchone()[0]
                if self._has_table(con, "labels")
                else 0
            )
            terms = (
                con.execute("SELECT COUNT(*) FROM vocabulary").fetchone()[0]
                if self._has_table(con, "vocabulary")
                else 0
            )
            version = int(self._meta(con, "schema_version"))
            data_version = int(self._meta(con, "data_version", "0"))
            read_only = (
                self._meta(con, "read_only", "0") == "1"
            )  # the workspace's own flag, not how it was opened
        first = last = None
        if mentions:
            span = self.collect(
                lambda: self.scan_mentions().select(
                    pl.col("created_at").min().alias("a"), pl.col("created_at").max().alias("b")
                )
            )
            first = span["a"][0].isoformat() if span["a"][0] is not None else None
            last = span["b"][0].isoformat() if span["b"][0] is not None else None
        return WorkspaceInfo(
            path=str(self.path.resolve()),
            brand=self.settings().brand,
            schema_version=version,
            mentions=int(mentions),
            loads=int(loads),
            segments=int(segments),
            labels=int(labels),
            terms=int(terms),
            first=first,
            last=last,
            read_only=read_only,
            data_version=data_version,
        )

    @staticmethod
    def _has_table(con: sqlite3.Connection, name: str) -> bool:
        return (
            con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone()
            is not None
        )

    # -- settings --------------------------------------------------------------------------

    def settings(self) -> WorkspaceSettings:
        """The workspace's settings (validated when they were stored)."""
        with self._read() as con:
            row = con.execute("SELECT body FROM settings WHERE id = 1").fetchone()
        return WorkspaceSettings.from_dict(json.loads(row[0]) if row else {})

    def set_settings(self, settings: WorkspaceSettings | Mapping[str, Any]) -> WorkspaceSettings:
        """Replace the settings (validated first). Returns the stored record.

        Raises:
            AscoltoError: a validation message, or ``workspace.read_only``.
        """
        self.require_writable()
        if not isinstance(settings, WorkspaceSettings):
            settings = WorkspaceSettings.from_dict(settings)
        with self._write() as con:
            con.execute(
                "INSERT OR REPLACE INTO settings (id, body, updated_at) VALUES (1, ?, ?)",
                (json.dumps(settings.to_dict(), ensure_ascii=False), _iso()),
            )
        return settings

    # -- mentions --------------------------------------------------------------------------

    def scan_mentions(self, *, internal: bool = False) -> pl.LazyFrame:
        """A lazy frame over the stored mentions (filters are pushed down into the Parquet reads).

        Columns: the canonical ones, the analysis ones, the user's extra columns; with
        ``internal=True`` also the dedup keys and the analysis stamp.
        """
        files = self.segment_files()
        if not files:
            schema = {**MENTION_SCHEMA, **ANALYSIS_SCHEMA, **(dict(INTERNAL_SCHEMA) if internal else {})}
            return pl.LazyFrame(schema=schema)
        scans = [pl.scan_parquet(self.path / SEGMENTS_DIR / f) for f in files]
        frame = scans[0] if len(scans) == 1 else pl.concat(scans, how="diagonal_relaxed")
        if not internal:
            frame = frame.drop(INTERNAL_COLUMNS, strict=False)
        return frame

    def mentions(self, *, internal: bool = False) -> pl.DataFrame:
        """Every stored mention with its analysis, oldest batch first (see :meth:`scan_mentions`).

        Retries when a concurrent refresh replaced a segment between listing and reading it.
        """
        return self.collect(lambda: self.scan_mentions(internal=internal))

    def collect(self, query: Callable[[], pl.LazyFrame]) -> pl.DataFrame:
        """Run ``query()`` (built on :meth:`scan_mentions`), again if a concurrent refresh removed a segment meanwhile."""
        for attempt in range(_READ_RETRIES):
            try:
                return query().collect()
            except (FileNotFoundError, pl.exceptions.ComputeError) as error:
                if attempt == _READ_RETRIES - 1 or not _is_missing_file(error):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _known_ids(self, ids: pl.Series) -> pl.Series:
        """The ids among ``ids`` that are stored mentions."""
        wanted = ids.drop_nulls().unique()
        found = self.collect(
            lambda: self.scan_mentions().select("id").filter(pl.col("id").is_in(wanted.implode()))
        )
        return found.get_column("id").unique()

    def dedup_index(self, con: sqlite3.Connection | None = None) -> pl.DataFrame:
        """The ``id``, ``dedup_url`` and ``dedup_text`` of every stored mention."""

        def query() -> pl.LazyFrame:
            if con is not None:  # under the caller's write lock: the list cannot change
                files = [row[0] for row in con.execute("SELECT file FROM segments")]
            else:
                files = self.segment_files()
            if not files:
                return pl.LazyFrame(schema=KEY_SCHEMA)
            scans = [pl.scan_parquet(self.path / SEGMENTS_DIR / f).select(list(KEY_SCHEMA)) for f in files]
            return pl.concat(scans, how="vertical_relaxed")

        return self.collect(query)

    def append(
        self,
        mentions: pl.DataFrame,
        *,
        stamp: AnalysisStamp,
        kind: str,
        origin: str,
        refused: int = 0,
        earlier_duplicates: DuplicateCounts | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> AppendOutcome:
        """Store the new mentions of ``mentions`` as one segment and record the load, atomically.

        Deduplication against everything stored happens under the write lock, so two
        processes adding overlapping batches at once never store a mention twice.

        Args:
            mentions: analysed mentions (canonical + analysis columns, extras allowed).
            stamp: what analysed them.
            kind: "upload", "fetch", "import" or "demo" (counts as a load in ``info``).
            origin: the file name or source label, shown in the history.
            refused: rows of the input that could not be used (for the history).
            earlier_duplicates: duplicates already removed before analysis (added to the counts).
            details: more facts for the history (JSON-serialisable).

        Raises:
            AscoltoError: ``workspace.read_only``.
        """
        self.require_writable()
        missing = [c for c in ("id", "text") if c not in mentions.columns]
        if missing:
            raise AscoltoError("workspace.bad_mentions", columns=", ".join(missing))
        keyed = with_keys(order_columns(mentions))
        folder = self.path / SEGMENTS_DIR
        with self._write() as con:
            keep, duplicates = classify(keyed, self.dedup_index(con))
            duplicates = duplicates + (earlier_duplicates or DuplicateCounts())
            fresh = keyed.filter(keep)
            now = _now()
            body = {
                "by_id": duplicates.by_id,
                "by_url": duplicates.by_url,
                "by_text": duplicates.by_text,
                **(details or {}),
            }
            body["engine"] = f"{stamp.engine} {stamp.model_id} {stamp.version}"
            cursor = con.execute(
                "INSERT INTO history (at, kind, origin, new, duplicates, refused, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    _iso(now),
                    kind,
                    origin,
                    fresh.height,
                    duplicates.total,
                    refused,
                    json.dumps(body, ensure_ascii=False, default=str),
                ),
            )
            load_id = int(cursor.lastrowid or 0)
            if fresh.height:
                stored = _with_stamp(fresh, stamp, now, load_id)
                name = _write_parquet_atomically(stored, folder)
                con.execute(
                    "INSERT INTO segments (file, rows, load_id, created_at) VALUES (?, ?, ?, ?)",
                    (name, stored.height, load_id, _iso(now)),
                )
                self._bump(con, "data_version")
        return AppendOutcome(new=fresh.height, duplicates=duplicates, load_id=load_id)

    def replace_segments(
        self,
        replacements: Mapping[str, pl.DataFrame],
        *,
        origin: str,
        details: Mapping[str, Any] | None = None,
    ) -> int:
        """Swap whole segments for rewritten ones (a refresh of their analysis), atomically.

        Args:
            replacements: listed segment file -> its full new content (internal columns included).
            origin: shown in the history ("refresh").

        Returns:
            The history entry's id.

        Raises:
            AscoltoError: ``workspace.changed`` when one of the segments is gone (another
                process refreshed meanwhile: try again), ``workspace.read_only``.
        """
        self.require_writable()
        folder = self.path / SEGMENTS_DIR
        old_files: list[str] = []
        with self._write() as con:
            listed = {row[0]: row[1] for row in con.execute("SELECT file, load_id FROM segments")}
            if any(name not in listed for name in replacements):
                raise AscoltoError("workspace.changed", path=str(self.path))
            now = _now()
            rows = sum(frame.height for frame in replacements.values())
            cursor = con.execute(
                "INSERT INTO history (at, kind, origin, new, details) VALUES (?, 'refresh', ?, 0, ?)",
                (_iso(now), origin, json.dumps({"rows": rows, **(details or {})}, default=str)),
            )
            for old, frame in replacements.items():
                name = _write_parquet_atomically(frame, folder)
                con.execute("DELETE FROM segments WHERE file = ?", (old,))
                con.execute(
                    "INSERT INTO segments (file, rows, load_id, created_at) VALUES (?, ?, ?, ?)",
                    (name, frame.height, listed[old], _iso(now)),
                )
                old_files.append(old)
            self._bump(con, "data_version")
            entry = int(cursor.lastrowid or 0)
        for old in old_files:  # after the commit; a crash here leaves garbage that open() removes
            (folder / old).unlink(missing_ok=True)
        return entry

    def compact(self, *, small_rows: int = COMPACT_SMALL_ROWS, max_small: int = COMPACT_MAX_SMALL) -> int:
        """Merge small segments into one when there are more than ``max_small`` of them.

        The listening process adds a small segment every few minutes; reading thousands
        of files would be slow, so they are merged (atomically, like any write). Returns
        how many segments were merged (0 when nothing needed merging).
        """
        if self.read_only:
            return 0
        with self._read() as con:
            small = [
                row[0]
                for row in con.execute(
                    "SELECT file FROM segments WHERE rows < ? ORDER BY created_at, file", (small_rows,)
                )
            ]
        if len(small) <= max_small:
            return 0
        folder = self.path / SEGMENTS_DIR
        try:
            merged = pl.concat([pl.read_parquet(folder / name) for name in small], how="diagonal_relaxed")
        except FileNotFoundError:
            return 0  # another process compacted meanwhile
        merged = order_columns(merged)
        old_files: list[str] = []
        with self._write() as con:
            listed = {row[0] for row in con.execute("SELECT file FROM segments")}
            if any(name not in listed for name in small):
                return 0  # another process compacted meanwhile
            name = _write_parquet_atomically(merged, folder)
            con.executemany("DELETE FROM segments WHERE file = ?", [(f,) for f in small])
            con.execute(
                "INSERT INTO segments (file, rows, load_id, created_at) VALUES (?, ?, NULL, ?)",
                (name, merged.height, _iso()),
            )
            self._bump(con, "data_version")
            old_files = small
        for old in old_files:
            (folder / old).unlink(missing_ok=True)
        return len(old_files)

    def staleness(self, current: AnalysisStamp) -> Staleness:
        """Compare every stored analysis stamp with ``current`` (see :func:`ingest.current_stamp`)."""
        stamps = self.collect(
            lambda: (
                self.scan_mentions(internal=True)
                .group_by(
                    "analysis_engine",
                    "analysis_model",
                    "analysis_version",
                    "analysis_vocabulary",
                    "analysis_labels",
                )
                .agg(pl.len().alias("n"))
            )
        )
        total = int(stamps["n"].sum()) if stamps.height else 0
        engine_differs = (
            (pl.col("analysis_engine") != current.engine)
            | (pl.col("analysis_model") != current.model_id)
            | (pl.col("analysis_version") != current.version)
        ).fill_null(True)
        teaching_differs = (
            (pl.col("analysis_vocabulary") != current.vocabulary_revision)
            | (pl.col("analysis_labels") != current.labels_revision)
        ).fill_null(True)
        flagged = stamps.with_columns(engine_differs.alias("e"), teaching_differs.alias("t"))
        engines = tuple(
            sorted(
                {
                    " ".join(
                        str(v) for v in (r["analysis_engine"], r["analysis_model"], r["analysis_version"])
                    )
                    for r in stamps.iter_rows(named=True)
                }
            )
        )
        return Staleness(
            total=total,
            stale=int(flagged.filter(pl.col("e") | pl.col("t"))["n"].sum()),
            by_engine=int(flagged.filter(pl.col("e"))["n"].sum()),
            by_teaching=int(flagged.filter(~pl.col("e") & pl.col("t"))["n"].sum()),
            engines=engines,
        )

    def __repr__(self) -> str:
        return f"Workspace({str(self.path)!r})"

    def __eq__(self, other: object) -> bool:
        # Two handles on the same folder are the same workspace (a stable cache key for the app).
        if not isinstance(other, Workspace):
            return NotImplemented
        return (
            self.path.resolve() == other.path.resolve()
            and self._read_only_requested == other._read_only_requested
        )

    def __hash__(self) -> int:
        return hash((str(self.path.resolve()), self._read_only_requested))


def _with_stamp(fresh: pl.DataFrame, stamp: AnalysisStamp, now: datetime, load_id: int) -> pl.DataFrame:
    """Order the columns (canonical, analysis, extras, internal) and add the analysis stamp."""
    values = {
        "analysis_engine": stamp.engine,
        "analysis_model": stamp.model_id,
        "analysis_version": stamp.version,
        "analysis_vocabulary": stamp.vocabulary_revision,
        "analysis_labels": stamp.labels_revision,
        "added_at": now,
        "load_id": load_id,
    }
    frame = fresh.with_columns(pl.lit(v, dtype=STAMP_SCHEMA[k]).alias(k) for k, v in values.items())
    return order_columns(frame)


def order_columns(frame: pl.DataFrame) -> pl.DataFrame:
    """Canonical columns, analysis columns, the user's extras, then the internal ones; canonical dtypes enforced."""
    known = {**MENTION_SCHEMA, **ANALYSIS_SCHEMA}
    head = [
        pl.col(c).cast(t) if c in frame.columns else pl.lit(None, dtype=t).alias(c) for c, t in known.items()
    ]
    extras = [c for c in frame.columns if c not in known and c not in INTERNAL_SCHEMA]
    tail = [pl.col(c).cast(INTERNAL_SCHEMA[c]) for c in INTERNAL_SCHEMA if c != "id" and c in frame.columns]
    return frame.select(*head, *extras, *tail)


def _is_missing_file(error: Exception) -> bool:
    return (
        isinstance(error, FileNotFoundError)
        or "No such file" in str(error)
        or "not found" in str(error).lower()
    )
