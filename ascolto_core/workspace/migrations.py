"""The catalogue's schema as a list of forward migrations; a new workspace runs them all.

Version N of a workspace is the result of migrations 1..N, so "migrating an
old workspace" and "creating a new one" run the very same code. A migration
gets the open catalogue connection (inside the caller's write transaction) and
the workspace folder (for migrations that must rewrite Parquet segments).
Never edit a released migration: add the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

Migration = Callable[[sqlite3.Connection, Path], None]


def _run(con: sqlite3.Connection, script: str) -> None:
    # Statement by statement: ``executescript`` would commit the caller's transaction first.
    for statement in script.split(";"):
        if statement.strip():
            con.execute(statement)


def _v1_initial(con: sqlite3.Connection, folder: Path) -> None:
    """Settings, the segment list and the history of loads."""
    _run(
        con,
        """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS settings (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            body TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS segments (
            file TEXT PRIMARY KEY,
            rows INTEGER NOT NULL,
            load_id INTEGER,
            created_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            origin TEXT NOT NULL,
            new INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            refused INTEGER NOT NULL DEFAULT 0,
            details TEXT NOT NULL DEFAULT '{}'
        );
        """,
    )


def _v2_teaching_and_listening(con: sqlite3.Connection, folder: Path) -> None:
    """The person's labels and vocabulary (teaching) and the listening process's key-value state."""
    _run(
        con,
        """
        CREATE TABLE IF NOT EXISTS labels (
            mention_id TEXT PRIMARY KEY,
            sentiment TEXT,
            emotion TEXT,
            labelled_at TEXT NOT NULL,
            labelled_by TEXT
        );
        CREATE TABLE IF NOT EXISTS vocabulary (
            term TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            polarity REAL,
            emotion TEXT,
            updated_at TEXT NOT NULL,
            updated_by TEXT
        );
        CREATE TABLE IF NOT EXISTS state (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            updated_at TEXT NOT NULL
        );
        INSERT OR IGNORE INTO meta (key, value) VALUES ('labels_revision', '0'), ('vocabulary_revision', '0');
        """,
    )


# MIGRATIONS[i] takes a workspace from version i to version i + 1.
MIGRATIONS: tuple[Migration, ...] = (_v1_initial, _v2_teaching_and_listening)
SCHEMA_VERSION: int = len(MIGRATIONS)
