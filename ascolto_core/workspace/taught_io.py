"""What was taught in a workspace as a portable ``Taught`` file (labels + vocabulary), and back.

The file format is :mod:`ascolto_core.analysis.learning.taught`'s; labels carry their
post's text so a model can be rebuilt elsewhere, vocabulary terms travel as they are.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ascolto_core.analysis.learning.taught import LABEL_SCHEMA, Taught, load_taught, save_taught
from ascolto_core.workspace.ingest import vocabulary_entries
from ascolto_core.workspace.store import Workspace

RANDOM_STATE = "teach.at_random"  # workspace state: ids the labelling queue drew at random


def taught_of(workspace: Workspace) -> Taught:
    """The workspace's labels (with each post's text and language) and vocabulary."""
    labels = workspace.labels().select("mention_id", "sentiment", "emotion")
    texts = workspace.collect(
        lambda: workspace.scan_mentions()
        .select(pl.col("id").alias("mention_id"), "text", "lang")
        .filter(pl.col("mention_id").is_in(labels["mention_id"].implode()))
    ).unique("mention_id")
    drawn = pl.Series(sorted(workspace.get_state(RANDOM_STATE, []) or []), dtype=pl.String)
    frame = labels.join(texts, on="mention_id", how="inner").with_columns(
        pl.col("mention_id").is_in(drawn.implode()).alias("at_random")
    )
    return Taught(frame.select(list(LABEL_SCHEMA)), vocabulary_entries(workspace.vocabulary()))


def adopt_taught(workspace: Workspace, taught: Taught) -> tuple[int, int]:
    """Store a ``Taught``'s labels (for posts this workspace holds) and vocabulary. Returns ``(labels, terms)``.

    Raises:
        AscoltoError: ``workspace.read_only`` and the store's validation messages.
    """
    labels = taught.labels.filter(pl.col("mention_id").is_not_null() & (pl.col("sentiment").is_not_null() | pl.col("emotion").is_not_null()))
    stored = workspace.set_labels(labels.select("mention_id", "sentiment", "emotion")) if labels.height else 0
    rows = []
    for entry in taught.vocabulary:
        if entry.polarity == "name":
            rows.append((entry.term, "name", None, None))
        elif entry.emotion not in (None, "none"):
            rows.append((entry.term, "emotion", _POLARITY[entry.polarity], entry.emotion))
        else:
            rows.append((entry.term, "polarity", _POLARITY[entry.polarity], None))
    frame = pl.DataFrame(rows, schema={"term": pl.String, "kind": pl.String, "polarity": pl.Float64, "emotion": pl.String}, orient="row")
    terms = workspace.set_terms(frame) if rows else 0
    return stored, terms


_POLARITY = {"positive": 1.0, "negative": -1.0, "neutral": 0.0}


def export_taught(workspace: Workspace, path: Path) -> None:
    """Write the workspace's teaching as a JSON file (``learning.taught.write_failed`` on error)."""
    save_taught(taught_of(workspace), path)


def import_taught(workspace: Workspace, path: Path) -> tuple[int, int]:
    """Read a teaching file and adopt it; see :func:`adopt_taught` and ``load_taught``'s messages."""
    return adopt_taught(workspace, load_taught(path))
