"""The history of a workspace and the listening process's key-value state (cursors, alerts sent, source health)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import polars as pl

from ascolto_core.workspace.catalogue import CatalogueAccess, _iso


class JournalAndState(CatalogueAccess):
    """History entries and JSON state values, each write one atomic transaction."""

    # -- history ---------------------------------------------------------------------------

    def history(self) -> pl.DataFrame:
        """Everything that happened, oldest first: id, at (UTC), kind, origin, new, duplicates, refused, details (JSON text)."""
        return self._table(
            "SELECT id, at, kind, origin, new, duplicates, refused, details FROM history ORDER BY id",
            {
                "id": pl.Int64(),
                "at": pl.String(),
                "kind": pl.String(),
                "origin": pl.String(),
                "new": pl.Int64(),
                "duplicates": pl.Int64(),
                "refused": pl.Int64(),
                "details": pl.String(),
            },
            "at",
        )

    def record_event(
        self,
        kind: str,
        origin: str,
        *,
        new: int = 0,
        duplicates: int = 0,
        refused: int = 0,
        **details: Any,
    ) -> int:
        """Add a line to the history (a fetch round, a source failure, an alert sent...). Returns its id.

        Raises:
            TypeError: when ``details`` cannot be written as JSON.
            AscoltoError: ``workspace.read_only``.
        """
        self.require_writable()
        body = json.dumps(details, ensure_ascii=False)
        with self._write() as con:
            cursor = con.execute(
                "INSERT INTO history (at, kind, origin, new, duplicates, refused, details) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (_iso(), str(kind), str(origin), int(new), int(duplicates), int(refused), body),
            )
            return int(cursor.lastrowid or 0)

    # -- key-value state (the listening process's cursors, alerts sent, source health) -----

    def get_state(self, key: str, default: Any = None) -> Any:
        """The JSON value stored under ``key``, or ``default``."""
        with self._read() as con:
            row = con.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    def set_state(self, key: str, value: Any) -> None:
        """Store a JSON-serialisable ``value`` under ``key`` (atomic; ``None`` deletes the key).

        Raises:
            TypeError: when ``value`` cannot be written as JSON.
            AscoltoError: ``workspace.read_only``.
        """
        self.require_writable()
        if value is None:
            with self._write() as con:
                con.execute("DELETE FROM state WHERE key = ?", (key,))
            return
        body = json.dumps(value, ensure_ascii=False)
        with self._write() as con:
            con.execute(
                "INSERT OR REPLACE INTO state (key, value, updated_at) VALUES (?, ?, ?)", (key, body, _iso())
            )

    def update_state(self, key: str, change: Callable[[Any], Any]) -> Any:
        """Read, change and write ``key`` in one transaction (no other writer in between). Returns the new value."""
        self.require_writable()
        with self._write() as con:
            row = con.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
            value = change(json.loads(row[0]) if row else None)
            if value is None:
                con.execute("DELETE FROM state WHERE key = ?", (key,))
            else:
                con.execute(
                    "INSERT OR REPLACE INTO state (key, value, updated_at) VALUES (?, ?, ?)",
                    (key, json.dumps(value, ensure_ascii=False), _iso()),
                )
        return value

    def state_keys(self, prefix: str = "") -> list[str]:
        """The state keys starting with ``prefix``, sorted."""
        with self._read() as con:
            rows = con.execute(
                "SELECT key FROM state WHERE key LIKE ? ESCAPE '\\' ORDER BY key", (_like_prefix(prefix),)
            )
            return [r[0] for r in rows]


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
