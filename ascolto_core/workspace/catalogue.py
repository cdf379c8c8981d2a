"""The catalogue's plumbing shared by every part of a workspace: connections, transactions, meta values.

One short-lived SQLite connection per call (safe across threads and processes);
WAL journal so readers never wait for the writer; writers queue on the write
lock with a generous busy timeout instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from ascolto_core.errors import AscoltoError

CATALOGUE_FILE = "workspace.sqlite3"
BUSY_TIMEOUT_S = 120.0


def _now() -> datetime:
    return datetime.now(UTC)


def _iso(moment: datetime | None = None) -> str:
    return (moment or _now()).isoformat(timespec="microseconds")


def _connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    if read_only:
        con = sqlite3.connect(
            f"{path.as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_S, isolation_level=None
        )
    else:
        con = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
    con.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    if not read_only:
        con.execute("PRAGMA journal_mode = WAL")
        con.execute("PRAGMA synchronous = FULL")
    return con


class CatalogueAccess:
    """A workspace folder and its catalogue: the base of :class:`~ascolto_core.workspace.store.Workspace`.

    Attributes:
        path: the workspace folder.
    """

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        self.path = path
        self._read_only_requested = read_only

    # -- catalogue plumbing ----------------------------------------------------------------

    @property
    def catalogue_path(self) -> Path:
        return self.path / CATALOGUE_FILE

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        try:
            con = _connect(self.catalogue_path, read_only=not os.access(self.path, os.W_OK))
        except sqlite3.DatabaseError as error:
            raise AscoltoError("workspace.damaged", path=str(self.path), problem=str(error)) from None
        try:
            yield con
        except sqlite3.DatabaseError as error:
            # Not a SQLite file, a damaged one, or a lock held past the busy timeout: say so, no traceback.
            raise AscoltoError("workspace.damaged", path=str(self.path), problem=str(error)) from None
        finally:
            con.close()

    def _table(self, sql: str, schema: dict[str, pl.DataType], timestamp: str) -> pl.DataFrame:
        """The rows of ``sql`` as a frame of ``schema``, its ISO ``timestamp`` column parsed as UTC."""
        with self._read() as con:
            rows = con.execute(sql).fetchall()
        frame = pl.DataFrame(rows, schema=schema, orient="row")
        return frame.with_columns(pl.col(timestamp).str.to_datetime(time_unit="us", time_zone="UTC"))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: waits for other writers, commits on success, rolls back on error."""
        try:
            con = _connect(self.catalogue_path)
        except sqlite3.DatabaseError as error:
            raise AscoltoError("workspace.cannot_write", path=str(self.path), problem=str(error)) from None
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            raise AscoltoError("workspace.cannot_write", path=str(self.path), problem=str(error)) from None
        finally:
            con.close()

    def require_writable(self) -> None:
        """Raise ``workspace.read_only`` when this workspace must not change (the demo)."""
        if self.read_only:
            raise AscoltoError("workspace.read_only", path=str(self.path))

    @staticmethod
    def _meta(con: sqlite3.Connection, key: str, default: str | None = None) -> str:
        row = con.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            if default is None:
                raise AscoltoError("workspace.corrupt", key=key)
            return default
        return str(row[0])

    @staticmethod
    def _bump(con: sqlite3.Connection, key: str) -> int:
        con.execute(
            "INSERT INTO meta (key, value) VALUES (?, '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)",
            (key,),
        )
        return int(CatalogueAccess._meta(con, key))

    @property
    def read_only(self) -> bool:
        if self._read_only_requested:
            return True
        with self._read() as con:
            return self._meta(con, "read_only", "0") == "1"
