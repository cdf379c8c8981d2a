"""The person's teaching kept in a workspace: label corrections and vocabulary.

Every change bumps a revision number (``labels_revision``, ``vocabulary_revision``)
that analyses are stamped with, so results computed before a change are known
to be stale.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from ascolto_core.errors import AscoltoError
from ascolto_core.schema import EMOTIONS, SENTIMENTS
from ascolto_core.workspace.catalogue import CatalogueAccess, _iso

VOCABULARY_KINDS: tuple[str, ...] = ("name", "polarity", "emotion")


class TeachingTables(CatalogueAccess):
    """Labels and vocabulary; the mentions themselves are the workspace's (:meth:`_known_ids`)."""

    def _known_ids(self, ids: pl.Series) -> pl.Series:
        """The ids among ``ids`` that are stored mentions (implemented by the workspace)."""
        raise NotImplementedError

    # -- the person's labels ---------------------------------------------------------------

    def labels(self) -> pl.DataFrame:
        """The person's corrections: mention_id, sentiment, emotion, labelled_at (UTC), labelled_by."""
        return self._table(
            "SELECT mention_id, sentiment, emotion, labelled_at, labelled_by FROM labels ORDER BY labelled_at",
            {
                "mention_id": pl.String(),
                "sentiment": pl.String(),
                "emotion": pl.String(),
                "labelled_at": pl.String(),
                "labelled_by": pl.String(),
            },
            "labelled_at",
        )

    def set_label(
        self,
        mention_id: str,
        sentiment: str | None = None,
        emotion: str | None = None,
        *,
        by: str | None = None,
    ) -> None:
        """Record the person's sentiment and/or emotion for one mention (replaces an earlier label).

        Raises:
            AscoltoError: ``workspace.label_empty`` with neither value, ``workspace.label_invalid``
                for a value outside ``SENTIMENTS``/``EMOTIONS``, ``workspace.unknown_mention``
                for an id not stored, ``workspace.read_only``.
        """
        self.require_writable()
        _check_label(sentiment, emotion)
        if self._known_ids(pl.Series([mention_id], dtype=pl.String)).is_empty():
            raise AscoltoError("workspace.unknown_mention", id=mention_id)
        with self._write() as con:
            con.execute(
                "INSERT OR REPLACE INTO labels (mention_id, sentiment, emotion, labelled_at, labelled_by) VALUES (?, ?, ?, ?, ?)",
                (mention_id, sentiment, emotion, _iso(), by),
            )
            self._bump(con, "labels_revision")

    def set_labels(self, labels: pl.DataFrame, *, by: str | None = None) -> int:
        """Record many labels in one transaction (an imported file of corrections).

        Args:
            labels: columns ``mention_id`` and ``sentiment`` and/or ``emotion`` (nulls allowed
                per row, not both); an optional ``labelled_by`` column wins over ``by``.

        Returns:
            How many were stored: rows whose mention is not in this workspace are skipped.

        Raises:
            AscoltoError: the messages of :meth:`set_label` for the first bad row.
        """
        self.require_writable()
        frame = labels
        for column in ("sentiment", "emotion", "labelled_by"):
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(column))
        frame = frame.select(pl.col("mention_id").cast(pl.String), "sentiment", "emotion", "labelled_by")
        for _, sentiment, emotion, _ in frame.iter_rows():
            _check_label(sentiment, emotion)
        known = self._known_ids(frame["mention_id"])
        rows = frame.filter(pl.col("mention_id").is_in(known.implode())).unique(
            "mention_id", keep="last", maintain_order=True
        )
        if rows.is_empty():
            return 0
        now = _iso()
        with self._write() as con:
            con.executemany(
                "INSERT OR REPLACE INTO labels (mention_id, sentiment, emotion, labelled_at, labelled_by) VALUES (?, ?, ?, ?, ?)",
                [(m, s_, e, now, b if b is not None else by) for m, s_, e, b in rows.iter_rows()],
            )
            self._bump(con, "labels_revision")
        return rows.height

    def remove_label(self, mention_id: str) -> bool:
        """Forget the person's label of a mention. Returns whether there was one."""
        self.require_writable()
        with self._write() as con:
            gone = con.execute("DELETE FROM labels WHERE mention_id = ?", (mention_id,)).rowcount > 0
            if gone:
                self._bump(con, "labels_revision")
        return gone

    # -- the person's vocabulary -----------------------------------------------------------

    def vocabulary(self) -> pl.DataFrame:
        """The person's terms: term, kind ("name"/"polarity"/"emotion"), polarity [-1, 1], emotion, updated_at, updated_by."""
        return self._table(
            "SELECT term, kind, polarity, emotion, updated_at, updated_by FROM vocabulary ORDER BY term",
            {
                "term": pl.String(),
                "kind": pl.String(),
                "polarity": pl.Float64(),
                "emotion": pl.String(),
                "updated_at": pl.String(),
                "updated_by": pl.String(),
            },
            "updated_at",
        )

    def set_term(
        self,
        term: str,
        kind: str = "name",
        *,
        polarity: float | None = None,
        emotion: str | None = None,
        by: str | None = None,
    ) -> str:
        """Add or change a term of the vocabulary. Returns the stored (normalised) term.

        Args:
            term: a word or phrase; stored trimmed and lower-cased.
            kind: "name" (a name, never a mood: polarity 0, no emotion), "polarity"
                (give ``polarity``), or "emotion" (give ``emotion``; ``polarity`` optional).
            polarity: in [-1, 1].
            emotion: one of ``EMOTIONS``.

        Raises:
            AscoltoError: ``workspace.term_invalid`` naming what is wrong, ``workspace.read_only``.
        """
        self.require_writable()
        row = _term_row(term, kind, polarity, emotion)
        with self._write() as con:
            con.execute(
                "INSERT OR REPLACE INTO vocabulary (term, kind, polarity, emotion, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                (*row, _iso(), by),
            )
            self._bump(con, "vocabulary_revision")
        return row[0]

    def set_terms(self, terms: pl.DataFrame, *, by: str | None = None) -> int:
        """Add or change many terms in one transaction (a sector's vocabulary reused from another client).

        Args:
            terms: columns ``term``, ``kind`` and optionally ``polarity``, ``emotion``.

        Returns:
            How many terms were stored.

        Raises:
            AscoltoError: ``workspace.term_invalid`` for the first bad row (nothing is stored then).
        """
        self.require_writable()
        frame = terms
        for column, dtype in (("polarity", pl.Float64), ("emotion", pl.String)):
            if column not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(column))
        rows = [
            _term_row(t_, k, p, e)
            for t_, k, p, e in frame.select("term", "kind", "polarity", "emotion").iter_rows()
        ]
        if not rows:
            return 0
        now = _iso()
        with self._write() as con:
            con.executemany(
                "INSERT OR REPLACE INTO vocabulary (term, kind, polarity, emotion, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?)",
                [(*row, now, by) for row in rows],
            )
            self._bump(con, "vocabulary_revision")
        return len({row[0] for row in rows})

    def remove_term(self, term: str) -> bool:
        """Remove a term from the vocabulary. Returns whether it was there."""
        self.require_writable()
        normalised = " ".join(str(term).split()).casefold()
        with self._write() as con:
            gone = con.execute("DELETE FROM vocabulary WHERE term = ?", (normalised,)).rowcount > 0
            if gone:
                self._bump(con, "vocabulary_revision")
        return gone


def _check_label(sentiment: str | None, emotion: str | None) -> None:
    if sentiment is None and emotion is None:
        raise AscoltoError("workspace.label_empty")
    if sentiment is not None and sentiment not in SENTIMENTS:
        raise AscoltoError("workspace.label_invalid", value=sentiment, allowed=", ".join(SENTIMENTS))
    if emotion is not None and emotion not in EMOTIONS:
        raise AscoltoError("workspace.label_invalid", value=emotion, allowed=", ".join(EMOTIONS))


def _term_row(term: Any, kind: Any, polarity: Any, emotion: Any) -> tuple[str, str, float | None, str | None]:
    """A validated vocabulary row ``(term, kind, polarity, emotion)``; see :meth:`Workspace.set_term`."""
    normalised = " ".join(str(term or "").split()).casefold()
    if not normalised:
        raise AscoltoError("workspace.term_invalid", term=term, problem="empty")
    if kind not in VOCABULARY_KINDS:
        raise AscoltoError(
            "workspace.term_invalid", term=term, problem=f"kind must be one of {', '.join(VOCABULARY_KINDS)}"
        )
    if kind == "name":
        polarity, emotion = 0.0, None
    if kind == "polarity" and polarity is None:
        raise AscoltoError("workspace.term_invalid", term=term, problem="polarity missing")
    if kind == "emotion" and emotion is None:
        raise AscoltoError("workspace.term_invalid", term=term, problem="emotion missing")
    if polarity is not None and (
        isinstance(polarity, bool)
        or not isinstance(polarity, int | float)
        or not -1.0 <= float(polarity) <= 1.0
    ):
        raise AscoltoError("workspace.term_invalid", term=term, problem="polarity must be between -1 and 1")
    if emotion is not None and emotion not in EMOTIONS:
        raise AscoltoError(
            "workspace.term_invalid", term=term, problem=f"emotion must be one of {', '.join(EMOTIONS)}"
        )
    return normalised, str(kind), None if polarity is None else float(polarity), emotion
